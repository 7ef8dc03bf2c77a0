"""Certificate failures share the evidence core's one base, each with its own code and step."""

from __future__ import annotations

import pytest

from dataip.certificates import errors
from dataip.evidence import VerificationError
from dataip.evidence.errors import MalformedInput

FAILURES = [getattr(errors, name) for name in errors.__all__ if name != "STEPS"]


def test_every_certificate_failure_is_a_verification_error() -> None:
    assert len(FAILURES) == 10
    for failure in FAILURES:
        assert issubclass(failure, VerificationError), failure
        assert failure.__bases__ == (VerificationError,), failure


def test_each_has_its_own_code_and_a_known_step() -> None:
    codes = [failure.code for failure in FAILURES]
    assert len(set(codes)) == len(codes)
    assert VerificationError.code not in codes
    assert {failure.step for failure in FAILURES} <= set(errors.STEPS)


@pytest.mark.parametrize("failure", FAILURES, ids=lambda f: f.__name__)
def test_each_explains_itself_in_both_languages(failure: type[VerificationError]) -> None:
    error = failure("details")
    assert error.message == str(error) == "details"
    zh, en = failure.plain
    assert error.explain("zh") == f"{zh}（details）"
    assert error.explain("en") == f"{en} (details)"
    assert failure.plain != VerificationError.plain


def test_evidence_failures_explain_themselves_too() -> None:
    error = MalformedInput("bad base64")
    assert error.step == ""
    assert error.explain("en") == "The evidence did not verify. (bad base64)"
    assert error.explain("zh") == "证据未通过验证。（bad base64）"
    assert repr(error) == "MalformedInput(code='malformed_input', message='bad base64')"
