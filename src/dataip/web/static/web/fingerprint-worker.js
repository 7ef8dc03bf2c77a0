/* Fingerprint files in the browser exactly as `dataip fingerprint` does (design note §4.2).
 *
 * The files are read here, in chunks, and never sent anywhere. The result is the manifest,
 * byte for byte what the CLI writes for the same files: records {path, size, sha256[, blake3]}
 * with NFC, "/"-separated paths sorted by their UTF-8 bytes; leaves are RFC 8785 canonical
 * JSON of the records; the root is the RFC 6962 Merkle tree hash (empty: SHA-256 of "");
 * the file is Python's json.dumps(manifest, ensure_ascii=False, indent=1) plus a newline.
 *
 * In:  {files: [{file: File, path: "folder/a.csv"}], blake3: bool, created: "…Z"}
 * Out: {type: "progress", done, total} …, then {type: "done", manifest: "…", root, files,
 *      bytes} or {type: "error", problems: [{path, reason}]}. Cancel by terminating the worker.
 */
/* global hashwasm */
"use strict";

importScripts("../vendor/hash-wasm-sha256.min.js", "../vendor/hash-wasm-blake3.min.js");

const CHUNK = 4 * 1024 * 1024;
const encoder = new TextEncoder();

function utf8Compare(a, b) {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i += 1) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

function codePointCompare(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i += 1) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/* Why a segment cannot be part of a deposit path (dataip.evidence._paths.segment_problem). */
function segmentProblem(segment) {
  if (segment === "") return "empty path segment";
  if (segment === "." || segment === "..") return "path segment " + segment + " is not allowed";
  if (segment.includes("\\")) return "backslash in name";
  for (const char of segment) {
    const code = char.codePointAt(0);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return "control character in name";
    if (code >= 0xd800 && code <= 0xdfff) return "name is not valid UTF-8";
  }
  return null;
}

function extension(path) {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "(none)";
}

/* RFC 8785 for a flat record of strings and safe integers: keys in UTF-16 order. */
function canonicalRecord(record) {
  const keys = Object.keys(record).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + JSON.stringify(record[k])).join(",") + "}";
}

/* Python's json.dumps(value, ensure_ascii=False, indent=1); objects are arrays of pairs. */
function pyJson(value, depth) {
  const pad = "\n" + " ".repeat(depth + 1);
  const end = "\n" + " ".repeat(depth);
  if (value instanceof Pairs) {
    if (value.items.length === 0) return "{}";
    const inner = value.items.map(([k, v]) => JSON.stringify(k) + ": " + pyJson(v, depth + 1));
    return "{" + pad + inner.join("," + pad) + end + "}";
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return "[" + pad + value.map((v) => pyJson(v, depth + 1)).join("," + pad) + end + "]";
  }
  return JSON.stringify(value);
}

function Pairs(items) {
  this.items = items;
}

function digest(hasher, parts) {
  hasher.init();
  for (const part of parts) hasher.update(part);
  return hasher.digest("binary");
}

/* RFC 6962 Merkle tree hash over leaf hashes: split at the largest power of two below n. */
function treeHash(hasher, leaves, start, end) {
  const n = end - start;
  if (n === 1) return leaves[start];
  let k = 1;
  while (k * 2 < n) k *= 2;
  const left = treeHash(hasher, leaves, start, start + k);
  const right = treeHash(hasher, leaves, start + k, end);
  return digest(hasher, [Uint8Array.of(1), left, right]);
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function run(message) {
  const sha = await hashwasm.createSHA256();
  const b3 = message.blake3 ? await hashwasm.createBLAKE3() : null;
  const problems = [];
  const entries = [];
  for (const item of message.files) {
    const path = item.path.normalize("NFC");
    const bad = path.startsWith("/") ? "absolute path" : path.split("/").map(segmentProblem).find((p) => p);
    if (bad) problems.push({ path: item.path, reason: bad });
    else entries.push({ file: item.file, path: path });
  }
  entries.sort((a, b) => utf8Compare(a.path, b.path));
  for (let i = 1; i < entries.length; i += 1) {
    if (entries[i].path === entries[i - 1].path) {
      problems.push({ path: entries[i].path, reason: "two names normalise to this path" });
    }
  }
  if (problems.length) {
    self.postMessage({ type: "error", problems: problems });
    return;
  }
  const total = entries.reduce((n, e) => n + e.file.size, 0);
  let done = 0;
  self.postMessage({ type: "progress", done: 0, total: total });
  const reader = new FileReaderSync();
  const records = [];
  const hasher = await hashwasm.createSHA256();
  for (const entry of entries) {
    const file = entry.file;
    sha.init();
    if (b3) b3.init();
    for (let at = 0; at < file.size; at += CHUNK) {
      let bytes;
      try {
        bytes = new Uint8Array(reader.readAsArrayBuffer(file.slice(at, at + CHUNK)));
      } catch (error) {
        self.postMessage({ type: "error", problems: [{ path: entry.path, reason: "unreadable" }] });
        return;
      }
      sha.update(bytes);
      if (b3) b3.update(bytes);
      done += bytes.length;
      self.postMessage({ type: "progress", done: done, total: total });
    }
    const record = { path: entry.path, size: file.size, sha256: sha.digest("hex") };
    if (b3) record.blake3 = b3.digest("hex");
    records.push(record);
  }
  const leaves = records.map((r) => digest(hasher, [Uint8Array.of(0), encoder.encode(canonicalRecord(r))]));
  const root = leaves.length ? treeHash(hasher, leaves, 0, leaves.length) : digest(hasher, [new Uint8Array(0)]);
  const counts = new Map();
  for (const r of records) {
    const ext = extension(r.path);
    counts.set(ext, (counts.get(ext) || 0) + 1);
  }
  const formats = Array.from(counts.entries()).sort((a, b) => codePointCompare(a[0], b[0]));
  const manifest = new Pairs([
    ["schema", "dip.manifest/v1"],
    ["hash", "sha256"],
    ["tree", "rfc6962"],
    ["root", hex(root)],
    ["files", records.length],
    ["bytes", total],
    ["digests", b3 ? ["sha256", "blake3"] : ["sha256"]],
    ["names", "plain"],
    ["formats", new Pairs(formats)],
    ["created", message.created],
    ["records", records.map((r) => new Pairs(Object.entries(r)))],
  ]);
  self.postMessage({
    type: "done",
    manifest: pyJson(manifest, 0) + "\n",
    root: hex(root),
    files: records.length,
    bytes: total,
  });
}

self.onmessage = (event) => {
  run(event.data).catch((error) => {
    self.postMessage({ type: "error", problems: [{ path: "", reason: String(error) }] });
  });
};
