/* Fingerprint a folder or files in this browser (static/web/fingerprint-worker.js does the
 * hashing in a Web Worker; the data never leaves the computer). The manifest it makes is
 * offered for download and put into the deposit form's file field, ready to submit.
 * Messages come translated from the page: data-msg-* attributes of #browser-fingerprint. */
(function () {
  "use strict";
  var box = document.getElementById("browser-fingerprint");
  if (!box || !window.Worker || !window.FileReader) { return; }
  box.hidden = false;
  var folder = document.getElementById("fp-folder");
  var files = document.getElementById("fp-files");
  var blake3 = document.getElementById("fp-blake3");
  var start = document.getElementById("fp-start");
  var cancel = document.getElementById("fp-cancel");
  var bar = document.getElementById("fp-progress");
  var status = document.getElementById("fp-status");
  var result = document.getElementById("fp-result");
  var rootOut = document.getElementById("fp-root");
  var download = document.getElementById("fp-download");
  var target = document.querySelector("input[type=file][name=manifest]");
  var worker = null;
  var chosen = [];

  function msg(name) { return box.getAttribute("data-msg-" + name) || ""; }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }
  function sizeText(n) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return (i ? n.toFixed(1) : String(n)) + " " + units[i];
  }
  function pick(input) {
    chosen = Array.prototype.map.call(input.files, function (file) {
      return { file: file, path: file.webkitRelativePath || file.name };
    });
    (input === folder ? files : folder).value = "";
    start.disabled = chosen.length === 0;
    status.textContent = chosen.length ? fill(msg("chosen"), { count: chosen.length }) : "";
  }
  function stop() {
    if (worker) { worker.terminate(); worker = null; }
    start.disabled = chosen.length === 0;
    cancel.hidden = true;
  }

  folder.addEventListener("change", function () { pick(folder); });
  files.addEventListener("change", function () { pick(files); });
  cancel.addEventListener("click", function () {
    stop();
    bar.hidden = true;
    status.textContent = msg("cancelled");
  });
  start.addEventListener("click", function () {
    if (!chosen.length) { return; }
    stop();
    result.hidden = true;
    if (download.href) { URL.revokeObjectURL(download.href); download.removeAttribute("href"); }
    bar.hidden = false;
    bar.value = 0;
    cancel.hidden = false;
    start.disabled = true;
    status.textContent = msg("working");
    var created = new Date().toISOString().slice(0, 19) + "Z";
    worker = new Worker(box.getAttribute("data-worker"));
    worker.onmessage = function (event) {
      var data = event.data;
      if (data.type === "progress") {
        bar.max = data.total || 1;
        bar.value = data.total ? data.done : 1;
        status.textContent = fill(msg("progress"), {
          done: sizeText(data.done), total: sizeText(data.total)
        });
      } else if (data.type === "done") {
        stop();
        bar.hidden = true;
        var blob = new Blob([data.manifest], { type: "application/json" });
        download.href = URL.createObjectURL(blob);
        rootOut.textContent = data.root;
        status.textContent = fill(msg("done"), { files: data.files, size: sizeText(data.bytes) });
        result.hidden = false;
        if (target && window.DataTransfer) {
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], "manifest.json", { type: "application/json" }));
          target.files = transfer.files;
        }
      } else if (data.type === "error") {
        stop();
        bar.hidden = true;
        status.textContent = msg("error") + " " + data.problems.slice(0, 5).map(function (p) {
          return p.path ? p.path + ": " + p.reason : p.reason;
        }).join("; ");
      }
    };
    worker.onerror = function () {
      stop();
      bar.hidden = true;
      status.textContent = msg("error");
    };
    worker.postMessage({ files: chosen, blake3: blake3.checked, created: created });
  });
}());
