"""Mutual recognition (互认): the verify page and ``POST /api/v1/verify/bundle`` recognise a peer
registry's evidence bundle when ``DATAIP_TRUST_LIST`` names its log key and witnesses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from typer.testing import CliRunner

from dataip import keystore
from dataip.certificates import pki
from dataip.certificates._x509 import make_own_pki
from dataip.cli import app
from dataip.evidence import Cosigner, Ed25519Signer, TlogProof
from dataip.evidence.bundle import make_bundle
from dataip.evidence.errors import MalformedInput
from dataip.evidence.note import parse_note, signature_line
from dataip.evidence.trust_list import TrustList
from dataip.ledger import appending, bundles, checkpoints, keys
from tests.certificates._support import Capture, issued, pdf_of
from tests.evidence.test_bundle import BODIES, _proof
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
runner = CliRunner()

PEER_ORIGIN = "bj.example.cn/log/v1"
PEER = Ed25519Signer(PEER_ORIGIN, b"\x51" * 32)  # the peer registry's own log key
COURT = Cosigner("court.bj.example.cn/w1", b"\x52" * 32)
BANK = Cosigner("bank.bj.example.cn/w1", b"\x53" * 32)


def _peer_bundle(*witnesses: Cosigner) -> bytes:
    """A bundle of the peer's log (its key, its origin), cosigned by ``witnesses``."""
    proof = _proof(signer=PEER, origin=PEER_ORIGIN)
    text, _ = parse_note(proof.checkpoint_note)
    note = proof.checkpoint_note + "".join(signature_line(text, w) for w in witnesses)
    return make_bundle(
        body=BODIES[proof.index], proof=TlogProof(proof.index, proof.path, note), vkey=PEER.vkey
    )


@pytest.fixture
def trust(settings: Any, tmp_path: Path) -> Path:
    """A trust list naming the peer: its log key, its court witness as quorum, and its CA."""
    made = make_own_pki("北京数据知识产权登记中心", "Beijing Data IP Registry")
    (tmp_path / "peers").mkdir()
    (tmp_path / "peers" / "bj-ca.pem").write_bytes(made.ca_cert)
    path = tmp_path / "trust.txt"
    path.write_text(
        f"registry {PEER_ORIGIN}\nlog {PEER.vkey}\nwitness court {COURT.vkey}\n"
        "quorum court\nca peers/bj-ca.pem\n"
    )
    settings.DATAIP_TRUST_LIST = str(path)
    return path


def _page(data: bytes, language: str) -> tuple[int, str]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    upload = SimpleUploadedFile("peer.bundle.json", data, content_type="application/json")
    response = client.post("/verify", {"bundle": upload})
    return response.status_code, response.content.decode()


def _api(data: bytes, language: str) -> tuple[int, dict[str, Any]]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    upload = SimpleUploadedFile("peer.bundle.json", data, content_type="application/json")
    response = client.post("/api/v1/verify/bundle", {"bundle": upload})
    return response.status_code, response.json()


def test_the_trust_list_reads_the_peers_ca_relative_to_itself(trust: Path) -> None:
    listed = TrustList.load(trust)
    assert listed.ca_files == {PEER_ORIGIN: "peers/bj-ca.pem"}
    assert listed.ca_pem().startswith(b"-----BEGIN CERTIFICATE-----")
    assert listed.policy_for(PEER_ORIGIN).quorum == "court"
    assert TrustList.parse(f"registry {PEER_ORIGIN}\nlog {PEER.vkey}\n").ca_files == {}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ca x.pem\n", "'ca' outside a registry"),
        (f"registry {PEER_ORIGIN}\nlog {PEER.vkey}\nca\n", "expected 'ca <file>'"),
        (f"registry {PEER_ORIGIN}\nlog {PEER.vkey}\nca a.pem\nca b.pem\n", "a second 'ca'"),
    ],
)
def test_a_bad_ca_line_is_named(text: str, reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason):
        TrustList.parse(text)


def test_a_ca_file_without_a_certificate_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    path = tmp_path / "trust.txt"
    path.write_text(f"registry {PEER_ORIGIN}\nlog {PEER.vkey}\nca ca.pem\n")
    with pytest.raises(MalformedInput, match="holds no PEM certificate"):
        TrustList.load(path)
    path.write_text(f"registry {PEER_ORIGIN}\nlog {PEER.vkey}\nca missing.pem\n")
    with pytest.raises(MalformedInput, match="cannot be read"):
        TrustList.load(path)


def test_the_page_recognises_a_peer_bundle_in_both_languages(trust: Path) -> None:
    data = _peer_bundle(COURT)
    status, english = _page(data, "en")
    assert status == 200
    assert f"Genuine: issued by the peer registry {PEER_ORIGIN}" in english
    assert "witness policy is met (cosigned by: court)" in english
    status, chinese = _page(data, "zh-hans")
    assert status == 200
    assert f"真实：由互认登记机构 {PEER_ORIGIN} 出具" in chinese
    assert "满足该机构的见证策略（联署方：court）" in chinese


def test_the_api_recognises_a_peer_bundle_and_names_its_origin(trust: Path) -> None:
    status, body = _api(_peer_bundle(COURT, BANK), "en")
    assert status == 200, body
    assert body["verdict"] == "genuine"
    assert body["origin"] == PEER_ORIGIN
    assert body["peer"] is True
    assert body["witnessPolicyMet"] is True
    assert body["cosigners"] == ["court"]  # the bank is not a witness of this policy
    assert body["logIndex"] == _proof().index
    _, chinese = _api(_peer_bundle(COURT), "zh-hans")
    assert chinese["verdict"] == "genuine"
    assert chinese["summary"].startswith("证据包验证通过")
    assert f"透明日志“{PEER_ORIGIN}”" in chinese["summary"]


def test_without_the_trust_list_a_peer_bundle_is_refused(settings: Any) -> None:
    settings.DATAIP_TRUST_LIST = ""
    data = _peer_bundle(COURT)
    status, english = _page(data, "en")
    assert status == 200
    assert "Not recognised" in english
    assert "not signed by the trusted key" in english
    _, chinese = _page(data, "zh-hans")
    assert "未能认可" in chinese
    _, body = _api(data, "en")
    assert body["verdict"] == "not_recognised"
    assert body["reasonCode"] == "unknown_key"
    assert body["origin"] is None


def test_a_peer_bundle_short_of_its_witness_quorum_is_refused(trust: Path) -> None:
    _, body = _api(_peer_bundle(BANK), "en")
    assert body["verdict"] == "not_recognised"
    assert body["reasonCode"] == "witness_quorum"
    _, chinese = _page(_peer_bundle(), "zh-hans")
    assert "未能认可" in chinese


def test_a_tampered_peer_bundle_is_refused(trust: Path) -> None:
    document = json.loads(_peer_bundle(COURT))
    document["entry"]["index"] = document["entry"]["index"] + 1  # another leaf's place
    tampered = json.dumps(document).encode()
    _, body = _api(tampered, "en")
    assert body["verdict"] == "not_recognised"
    assert body["origin"] is None
    status, english = _page(tampered, "en")
    assert status == 200
    assert "Not recognised" in english


def test_our_own_bundle_is_still_recognised_as_ours(trust: Path) -> None:
    with transaction.atomic():
        index = appending.append(BODIES[0])
    assert checkpoints.sign_latest() is not None
    own = bundles.bundle_for_entry(index)
    _, body = _api(own, "en")
    assert body["verdict"] == "genuine", body
    assert body["peer"] is False
    assert body["witnessPolicyMet"] is None
    status, english = _page(own, "en")
    assert status == 200
    assert "Genuine: issued by this registry" in english


def test_an_empty_upload_is_a_clear_error(trust: Path) -> None:
    status, english = _page(b"", "en")
    assert status == 400
    assert "Choose an evidence bundle (JSON) to upload." in english, english
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/api/v1/verify/bundle", {"bundle": SimpleUploadedFile("x.json", b"")}
    )
    assert response.status_code == 400
    assert "证据包" in response.json()["detail"]


def test_dataip_verify_takes_a_pdfs_ca_from_the_trust_list(
    settings: Any,
    tmp_path: Path,
    personas: Personas,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """``dataip verify --trust-list`` checks a certificate PDF with the listed registry's CA
    (no ``--ca``); a list whose CA is another registry's refuses it."""
    settings.DATAIP_CERT_DIR = tmp_path / "pki"
    settings.DATAIP_CERT_PKCS12_FILE = ""
    settings.DATAIP_CERT_CA_FILE = ""
    settings.DATAIP_CERTIFICATES_AUTO = True
    certificate = issued(personas, django_capture_on_commit_callbacks)[1]
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(pdf_of(certificate))
    (tmp_path / "own-ca.pem").write_bytes(pki.trust_pem())
    other = make_own_pki("北京数据知识产权登记中心", "Beijing Data IP Registry")
    (tmp_path / "bj-ca.pem").write_bytes(other.ca_cert)
    vkeys = keys.all_vkeys()
    origin = vkeys[0].split("+", 1)[0]
    trust = tmp_path / "trust.txt"
    logs = "".join(f"log {vkey}\n" for vkey in vkeys)
    trust.write_text(f"registry {origin}\n{logs}ca own-ca.pem\n")
    ok = runner.invoke(app, ["verify", str(pdf), "--trust-list", str(trust)])
    assert ok.exit_code == 0, ok.output
    assert certificate.number in ok.output
    trust.write_text(f"registry {origin}\n{logs}ca bj-ca.pem\n")
    refused = runner.invoke(app, ["verify", str(pdf), "--trust-list", str(trust)])
    assert refused.exit_code == 1, refused.output
    assert "Traceback" not in refused.output
    assert "CA" in refused.output or "trusted" in refused.output, refused.output


def test_a_peer_registrys_certificate_pdf_is_recognised_on_the_page_and_the_api(
    settings: Any,
    tmp_path: Path,
    personas: Personas,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """A certificate issued by another registry (its own log key and CA) is recognised by the
    verify page and ``POST /api/v1/verify`` when the trust list names that registry, and is
    not genuine here without it."""
    settings.DATAIP_CERT_DIR = tmp_path / "peer-pki"
    settings.DATAIP_CERT_PKCS12_FILE = ""
    settings.DATAIP_CERT_CA_FILE = ""
    settings.DATAIP_CERTIFICATES_AUTO = True
    settings.DATAIP_LOG_ORIGIN = PEER_ORIGIN
    certificate = issued(personas, django_capture_on_commit_callbacks)[1]
    pdf = pdf_of(certificate)
    peer_logs = "".join(f"log {vkey}\n" for vkey in keys.all_vkeys())
    (tmp_path / "peer-ca.pem").write_bytes(pki.trust_pem())

    # This registry runs under its own origin, log key and CA.
    settings.DATAIP_LOG_ORIGIN = "sh.example.cn/log/v1"
    ours = Ed25519Signer.generate("sh.example.cn/log/v1")
    settings.DATAIP_LOG_KEY_DIR = tmp_path / "our-keys"
    (tmp_path / "our-keys").mkdir()
    keys.write_key(tmp_path / "our-keys" / "log.key", ours)
    (tmp_path / "our-keys" / "log.vkeys").write_text(ours.vkey + "\n")
    own_ca = make_own_pki("上海数据知识产权登记中心", "Shanghai Data IP Registry")
    (tmp_path / "our-ca.pem").write_bytes(own_ca.ca_cert)
    settings.DATAIP_CERT_CA_FILE = str(tmp_path / "our-ca.pem")
    keystore.forget()
    assert keys.all_vkeys() == [ours.vkey]

    def page(language: str) -> str:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        upload = SimpleUploadedFile("cert.pdf", pdf, content_type="application/pdf")
        response = client.post("/verify", {"pdf": upload})
        assert response.status_code == 200
        return response.content.decode()

    def api() -> dict[str, Any]:
        upload = SimpleUploadedFile("cert.pdf", pdf, content_type="application/pdf")
        response = Client().post("/api/v1/verify", {"pdf": upload})
        assert response.status_code == 200
        answer: dict[str, Any] = response.json()
        return answer

    settings.DATAIP_TRUST_LIST = ""
    assert api()["verdict"] == "not_genuine"
    assert "Genuine: issued by the registry" not in page("en")

    trust = tmp_path / "trust.txt"
    trust.write_text(f"registry {PEER_ORIGIN}\n{peer_logs}ca peer-ca.pem\n")
    settings.DATAIP_TRUST_LIST = str(trust)
    answer = api()
    assert answer["verdict"] == "genuine"
    assert answer["issuedBy"] == PEER_ORIGIN
    assert answer["certificate"] is None  # its status is the issuing registry's to tell
    english = page("en")
    assert f"Genuine: issued by the registry {PEER_ORIGIN}" in english
    assert certificate.number in english
    chinese = page("zh-hans")
    assert f"由本登记机构认可的登记机构 {PEER_ORIGIN} 签发" in chinese
    assert "请向签发机构查询" in chinese

    # A trust list that names the peer with another CA does not make its PDF genuine.
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "trust.txt").write_text(
        f"registry {PEER_ORIGIN}\n{peer_logs}ca ../our-ca.pem\n"
    )
    settings.DATAIP_TRUST_LIST = str(tmp_path / "sub" / "trust.txt")
    assert api()["verdict"] == "not_genuine"
