"""From a real fingerprint of generated files to a checked receipt and a proof of possession.

fingerprint → upload on the page → receipt (JSON, PDF) → ``openssl ts -verify`` (the exact
commands of docs/deposit.md) → ``dataip verify-deposit`` → prove one file against the root.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner

from dataip.cli import app
from dataip.deposits.models import Deposit
from dataip.evidence.canonical import canonical_json
from dataip.evidence.commitments import open_leaf
from dataip.evidence.deposit_receipt import verify_receipt
from dataip.evidence.fingerprint import prove, statement, verify_possession
from dataip.evidence.timestamp import verify_timestamp
from dataip.ledger import keys
from dataip.ledger.models import LogEntry
from dataip.registry.events import event_openings
from dataip.registry.models import Event
from tests.deposits._data import encoded, files, make_tree, manifest_of, tsa_ca_file
from tests.support.personas import Personas

from .conftest import SignIn

runner = CliRunner()
pytestmark = pytest.mark.django_db


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    content = files(1, "part-", 6)
    content["readme.txt"] = "城市交通出行数据集 — sample\n".encode()
    content["tables/trips.csv"] = b"id,from,to\n1,a,b\n2,b,c\n"
    return make_tree(tmp_path / "mobility", content)


def _upload(client: Any, manifest_bytes: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("manifest.json", manifest_bytes, "application/json")
    return client.post("/deposits/", {"manifest": upload})


def test_a_holder_deposits_a_manifest_and_anyone_can_check_the_receipt(
    personas: Personas, sign_in: SignIn, dataset: Path, tmp_path: Path
) -> None:
    manifest = manifest_of(dataset)
    manifest_file = tmp_path / "manifest.json"
    manifest_file.write_bytes(encoded(manifest))
    client = sign_in(personas.applicant)

    answer = _upload(client, manifest_file.read_bytes())

    assert answer.status_code == 302, answer.content.decode()
    deposit = Deposit.objects.get()
    assert answer["Location"] == f"/deposits/{deposit.pk}"
    assert re.fullmatch(r"CZ\d{4}0{7}1", deposit.number)
    assert (deposit.root, deposit.file_count) == (manifest["root"], 8)
    assert deposit.byte_count == manifest["bytes"]
    assert deposit.formats == {"bin": 6, "csv": 1, "txt": 1}
    assert deposit.holder == personas.applicant.holder
    assert deposit.minhash == manifest["minhash"]
    assert deposit.bands.count() == 64
    with deposit.manifest.open("rb") as stored:
        assert stored.read() == manifest_file.read_bytes()

    page = client.get(f"/deposits/{deposit.pk}")
    assert page.status_code == 200
    assert deposit.number in page.content.decode()

    # The receipt, as the holder downloads it.
    got = client.get(f"/deposits/{deposit.pk}/receipt.json")
    assert got.status_code == 200
    assert got["Content-Disposition"] == f'attachment; filename="{deposit.number}.receipt.json"'
    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_bytes(got.content)
    receipt = json.loads(got.content)
    assert receipt["format"] == "dataip.deposit-receipt/v1"
    assert receipt["deposit"]["number"] == deposit.number
    assert receipt["deposit"]["root"] == manifest["root"]
    assert (receipt["deposit"]["files"], receipt["deposit"]["bytes"]) == (8, manifest["bytes"])
    assert receipt["ledger"]["index"] == deposit.leaf_index
    # The statement is §4.2 step 5, with the salted holder commitment.
    salt = bytes(deposit.holder_salt)
    commitment = hashlib.sha256(salt + personas.applicant.holder.identifier.encode()).hexdigest()
    assert receipt["statement"].encode() == statement(manifest, commitment)

    # The TSA's CA certificate is public.
    ca = client.get("/deposits/tsa-ca.pem")
    assert ca.status_code == 200
    (tmp_path / "tsa-ca.pem").write_bytes(ca.content)
    der = x509.load_pem_x509_certificate(ca.content).public_bytes(Encoding.DER)
    assert receipt["timestamp"]["tsa_ca_sha256"] == hashlib.sha256(der).hexdigest()

    # openssl alone, with the exact commands of docs/deposit.md.
    if shutil.which("jq"):
        jq = _run("sh", "-c", "jq -j .statement receipt.json > statement.json", cwd=tmp_path)
        assert jq.returncode == 0, jq.stderr
        jq = _run(
            "sh", "-c", "jq -r .timestamp.token receipt.json | base64 -d > token.tsr", cwd=tmp_path
        )
        assert jq.returncode == 0, jq.stderr
    else:  # pragma: no cover - jq is in bin/system-deps
        (tmp_path / "statement.json").write_text(receipt["statement"], encoding="utf-8")
        (tmp_path / "token.tsr").write_bytes(base64.b64decode(receipt["timestamp"]["token"]))
    assert (tmp_path / "statement.json").read_bytes() == receipt["statement"].encode()
    checked = _run(
        "openssl", "ts", "-verify", "-data", "statement.json", "-in", "token.tsr", "-token_in",
        "-CAfile", "tsa-ca.pem", cwd=tmp_path,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "Verification: OK" in checked.stdout
    # ... and a changed statement fails.
    (tmp_path / "other.json").write_text(receipt["statement"].replace('"files":8', '"files":9'))
    failed = _run(
        "openssl", "ts", "-verify", "-data", "other.json", "-in", "token.tsr", "-token_in",
        "-CAfile", "tsa-ca.pem", cwd=tmp_path,
    )  # fmt: skip
    assert failed.returncode != 0
    assert "message imprint mismatch" in failed.stdout + failed.stderr

    # The project's own RFC 3161 verifier agrees, with the chain to the CA.
    token = base64.b64decode(receipt["timestamp"]["token"])
    info = verify_timestamp(token, receipt["statement"].encode(), ca_pem=ca.content)
    assert info.trusted
    assert info.policy == "2.25.61890944427107637438076577132189122595"

    # dataip verify-deposit: manifest, token, ledger; both languages.
    vkeys = tmp_path / "registry.vkeys"
    vkeys.write_text(keys.vkey() + "\n")
    result = runner.invoke(
        app,
        ["verify-deposit", str(receipt_file), "--manifest", str(manifest_file),
         "--tsa-ca", str(tmp_path / "tsa-ca.pem"), "--key", str(vkeys)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"Deposit {deposit.number}: verified." in result.stdout
    assert f"存证 {deposit.number}：验证通过。" in result.stdout
    assert "chains to the trusted TSA CA" in result.stdout
    assert f"entry {deposit.leaf_index} of log" in result.stdout
    assert "WARNING" not in result.stdout

    # Proof of possession of one file against the receipt's root.
    proof = prove(dataset / "tables" / "trips.csv", manifest)
    record = verify_possession(proof, dataset / "tables" / "trips.csv", receipt["deposit"]["root"])
    assert record["path"] == "mobility/tables/trips.csv"
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(json.dumps(proof))
    cli = runner.invoke(
        app,
        ["verify-possession", str(proof_file), str(dataset / "tables" / "trips.csv"),
         "--root", receipt["deposit"]["root"]],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output

    # The printable receipt.
    pdf = client.get(f"/deposits/{deposit.pk}/receipt.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")


def test_the_ledger_leaf_holds_digests_and_no_personal_data(
    personas: Personas, dataset: Path
) -> None:
    from tests.deposits._data import deposit as make_deposit

    made = make_deposit(personas.applicant, manifest_of(dataset))
    entry = LogEntry.objects.get(index=made.leaf_index)
    event = Event.objects.get(leaf_index=made.leaf_index)
    sealed = json.loads(entry.body)
    assert sealed["schema"] == "dip.event/v2"
    assert "deposit" not in entry.body  # even the type is committed, not in clear
    leaf = open_leaf(sealed, event_openings(event)).fields
    holder = personas.applicant.holder
    assert leaf["type"] == "deposit"
    assert leaf["application"] is None
    assert leaf["actor_role"] == "applicant"
    secrets = (
        holder.identifier,
        holder.name,
        made.holder_commitment,
        bytes(made.holder_salt).hex(),
    )
    for secret in (*secrets, made.root):
        assert secret not in entry.body
    assert leaf["payload_sha256"] == hashlib.sha256(canonical_json(event.payload)).hexdigest()
    assert event.payload == {
        "schema": "dip.deposit-event/v1",
        "deposit": made.number,
        "statement_sha256": hashlib.sha256(bytes(made.statement)).hexdigest(),
        "token_sha256": hashlib.sha256(bytes(made.token)).hexdigest(),
    }
    assert holder.identifier not in json.dumps(event.payload)
    assert holder.identifier not in bytes(made.statement).decode()


def test_verify_deposit_refuses_a_changed_receipt_or_another_manifest(
    personas: Personas, dataset: Path, tmp_path: Path
) -> None:
    from dataip.deposits.receipt import receipt_json
    from tests.deposits._data import deposit as make_deposit

    manifest = manifest_of(dataset)
    made = make_deposit(personas.applicant, manifest)
    good = receipt_json(made)
    ca = tsa_ca_file().read_bytes()
    checked = verify_receipt(good, manifest=manifest, tsa_ca_pem=ca, trusted_vkeys=keys.vkey())
    assert checked.ledger is not None

    def fails(data: bytes, *extra: str, manifest_bytes: bytes | None = None) -> Any:
        path = tmp_path / "r.json"
        path.write_bytes(data)
        args = ["verify-deposit", str(path), "--tsa-ca", str(tsa_ca_file()), "--key", keys.vkey()]
        if manifest_bytes is not None:
            (tmp_path / "m.json").write_bytes(manifest_bytes)
            args += ["--manifest", str(tmp_path / "m.json")]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 1, result.output
        return result

    document = json.loads(good)
    # A statement with another root (and the token no longer matching).
    changed = dict(document, statement=document["statement"].replace(made.root, "0" * 64))
    changed["deposit"] = dict(document["deposit"], root="0" * 64)
    changed.pop("statement_sha256")
    result = fails(json.dumps(changed).encode())
    assert "Verification FAILED at the time-stamp." in result.stderr
    assert "message imprint mismatch" in result.stderr
    assert "验证失败：可信时间戳未通过检查。" in result.stderr
    # The receipt's facts disagree with its statement.
    lying = dict(document, deposit=dict(document["deposit"], files=1))
    assert "the deposit statement" in fails(json.dumps(lying).encode()).stderr
    # Another dataset's manifest.
    other = manifest_of(make_tree(tmp_path / "other", files(9, "x", 2)))
    result = fails(good, manifest_bytes=encoded(other))
    assert "the receipt is not for this manifest" in result.stderr
    # The ledger event of another deposit.
    second = json.loads(receipt_json(make_deposit(personas.applicant, other)))
    swapped = dict(document, ledger=second["ledger"])
    assert "the evidence ledger" in fails(json.dumps(swapped).encode()).stderr
    # A key that is not the registry's.
    from dataip.evidence.note import Ed25519Signer

    stranger = Ed25519Signer.generate("dataip.local/log/v1").vkey
    path = tmp_path / "g.json"
    path.write_bytes(good)
    result = runner.invoke(app, ["verify-deposit", str(path), "--key", stranger])
    assert result.exit_code == 1
    assert "the evidence ledger" in result.stderr
    # Not a receipt at all; an unreadable file.
    assert "the receipt" in fails(b"[]").stderr
    missing = runner.invoke(app, ["verify-deposit", str(tmp_path / "none.json")])
    assert missing.exit_code == 2


def test_without_key_or_ca_the_report_says_what_was_not_checked(
    personas: Personas, dataset: Path, tmp_path: Path
) -> None:
    from dataip.deposits.receipt import receipt_json
    from tests.deposits._data import deposit as make_deposit

    path = tmp_path / "receipt.json"
    path.write_bytes(receipt_json(make_deposit(personas.applicant, manifest_of(dataset))))
    result = runner.invoke(app, ["verify-deposit", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "WARNING: the TSA certificate was NOT checked" in result.stdout
    assert "Ledger: NOT checked" in result.stdout
    assert "Manifest: not given" in result.stdout
    assert "存证" not in result.stdout


def test_verify_deposit_needs_no_django_no_database_and_no_network(
    personas: Personas, dataset: Path, tmp_path: Path
) -> None:
    import sys

    from dataip.deposits.receipt import receipt_json
    from tests.deposits._data import deposit as make_deposit

    manifest = manifest_of(dataset)
    receipt = tmp_path / "receipt.json"
    receipt.write_bytes(receipt_json(make_deposit(personas.applicant, manifest)))
    (tmp_path / "manifest.json").write_bytes(encoded(manifest))
    code = (
        "import sys\n"
        "from dataip.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit as exit:\n"
        "    print('django loaded:', 'django' in sys.modules, 'exit:', exit.code)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DATAIP_DATA_DIR": str(tmp_path / "absent")}
    args = [str(receipt), "--manifest", str(tmp_path / "manifest.json"),
            "--tsa-ca", str(tsa_ca_file()), "--key", keys.vkey()]  # fmt: skip
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code, "verify-deposit", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert "django loaded: False exit: 0" in result.stdout, result.stderr
    assert "verified" in result.stdout
    assert not (tmp_path / "absent").exists()
