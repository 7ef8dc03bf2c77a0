"""Bad uploads: the form names the field and says why, in the user's language; nothing is kept."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataip.deposits import services
from dataip.deposits.models import Deposit
from dataip.errors import PermissionDenied, ValidationFailed
from dataip.evidence.fingerprint import deposit_root, statement
from dataip.ledger.models import LogEntry
from dataip.registry.i18n import field_errors
from tests.deposits._data import deposit, encoded, files, make_tree, manifest_of
from tests.support.personas import Personas

from .conftest import SignIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def manifest(tmp_path: Path) -> dict[str, Any]:
    return manifest_of(make_tree(tmp_path / "data", files(3, "f", 3)), minhash=False)


def _changed(manifest: dict[str, Any], **changes: Any) -> bytes:
    return encoded({**manifest, **changes})


def _bad_records(manifest: dict[str, Any]) -> bytes:
    records = [dict(r) for r in manifest["records"]]
    records[0]["size"] += 1
    return _changed(manifest, records=records, bytes=manifest["bytes"] + 1)


def _bad_minhash(manifest: dict[str, Any]) -> bytes:
    signature = {"scheme": "dip.minhash/v1", "num_perm": 3, "values": ["00"]}
    return _changed(manifest, minhash=signature)


CASES: list[tuple[str, Any, str, str]] = [
    ("not JSON", lambda m: b"id,name\n1,a\n", "not valid JSON", "不是有效的 JSON"),
    ("not UTF-8", lambda m: b"\xff\xfe{}", "not UTF-8 text", "不是 UTF-8 文本"),
    ("JSON array", lambda m: b"[1, 2]", "not a dataip manifest", "不是 dataip 清单"),
    (
        "another schema",
        lambda m: _changed(m, schema="other/v1"),
        "not a dataip manifest",
        "不是 dataip 清单",
    ),
    (
        "root mismatch",
        lambda m: _changed(m, root="0" * 64),
        "do not hash to its root",
        "与其根哈希不符",
    ),
    ("changed record", _bad_records, "do not hash to its root", "与其根哈希不符"),
    (
        "wrong file count",
        lambda m: _changed(m, files=99),
        "files is not the record count",
        "清单无效",
    ),
    (
        "duplicate key",
        lambda m: encoded(m)[:-3] + b', "root": "00"}\n',
        "duplicate key",
        "不是有效的 JSON",
    ),
    ("empty file", lambda m: b"", "file is empty", "空文件"),
    (
        "no files",
        lambda m: _changed(
            m, records=[], files=0, bytes=0, root=deposit_root([]).hex(), formats={}
        ),
        "lists no files",
        "没有列出任何文件",
    ),
    ("bad MinHash", _bad_minhash, "MinHash signature is not valid", "MinHash 签名无效"),
    (
        "bad formats",
        lambda m: _changed(m, formats={"bin": 1}),
        "do not add up",
        "格式统计",
    ),
]


@pytest.mark.parametrize(("case", "make", "english", "chinese"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_upload_is_refused_on_the_field_with_the_reason(
    personas: Personas,
    sign_in: SignIn,
    manifest: dict[str, Any],
    case: str,
    make: Any,
    english: str,
    chinese: str,
) -> None:
    data = make(manifest)
    for language, reason in (("en", english), ("zh-hans", chinese)):
        client = sign_in(personas.applicant, language=language)
        upload = SimpleUploadedFile("manifest.json", data, "application/json")
        page = client.post("/deposits/", {"manifest": upload})
        assert page.status_code == 422, case
        form = page.context["form"]
        assert list(form.errors) == ["manifest"], form.errors
        assert reason in " ".join(form.errors["manifest"]), form.errors["manifest"]
        html = page.content.decode()
        assert 'aria-invalid="true"' in html or "has-error" in html
    assert not Deposit.objects.exists()
    assert not LogEntry.objects.exists()


def test_a_huge_manifest_is_refused_before_it_is_read(
    personas: Personas, sign_in: SignIn, settings: Any
) -> None:
    settings.DATAIP_DEPOSIT_MAX_MANIFEST_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("manifest.json", b" " * (1024 * 1024 + 1), "application/json")
    page = sign_in(personas.applicant).post("/deposits/", {"manifest": upload})
    assert page.status_code == 422
    assert page.context["form"].errors["manifest"] == ["The file is larger than 1 MiB."]
    with pytest.raises(ValidationFailed) as refused:
        services.create_deposit(
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            content=io.BytesIO(b"{" + b" " * (1024 * 1024) + b"}"),
        )
    assert field_errors(refused.value) == {"manifest": ["The file is larger than 1 MiB."]}


def test_no_file_is_asked_for_in_the_users_language(personas: Personas, sign_in: SignIn) -> None:
    page = sign_in(personas.applicant, language="zh-hans").post("/deposits/", {})
    assert page.status_code == 422
    assert page.context["form"].errors["manifest"] == ["此字段为必填项。"]


def test_only_a_person_acting_for_a_holder_deposits(
    personas: Personas, manifest: dict[str, Any], sign_in: SignIn
) -> None:
    with pytest.raises(PermissionDenied):
        deposit(personas.objector, manifest)
    assert sign_in(personas.objector).get("/deposits/").status_code == 404
    assert sign_in(None).get("/deposits/").status_code == 302  # to the sign-in page


def test_hidden_names_and_formats_are_kept(personas: Personas, tmp_path: Path) -> None:
    folder = make_tree(tmp_path / "data", {"a.CSV": b"1\n", "b/c.txt": b"x", "README": b"r"})
    plain = manifest_of(folder, minhash=False)
    hidden = manifest_of(folder, minhash=False, salt=b"s" * 32)
    first, second = deposit(personas.applicant, plain), deposit(personas.applicant, hidden)
    assert (first.hidden_names, second.hidden_names) == (False, True)
    assert first.formats == second.formats == {"(none)": 1, "csv": 1, "txt": 1}
    assert first.root != second.root
    for made, source in ((first, plain), (second, hidden)):  # exactly the holder tool's statement
        assert bytes(made.statement) == statement(source, made.holder_commitment)
    without = {k: v for k, v in plain.items() if k != "formats"}
    assert deposit(personas.applicant, without).formats == {"(none)": 1, "csv": 1, "txt": 1}


def test_the_same_manifest_twice_is_two_deposits_and_one_stored_file(
    personas: Personas, manifest: dict[str, Any]
) -> None:
    first, second = deposit(personas.applicant, manifest), deposit(personas.applicant, manifest)
    assert first.number != second.number
    assert first.holder_commitment != second.holder_commitment  # a fresh salt each time
    assert first.manifest.name == second.manifest.name
    with first.manifest.open("rb") as stored:
        assert json.loads(stored.read()) == manifest
