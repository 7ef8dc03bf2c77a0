"""`dataip create-staff` and `dataip createadmin`: a staff account without a password, and
its enrolment link, printed and mailed (real SMTP server on loopback)."""

from __future__ import annotations

import pytest
from django.test import Client
from typer.testing import CliRunner

from dataip.accounts.models import User
from dataip.cli import app
from tests.support.mailbox import Inbox, smtp

__all__ = ["smtp"]

runner = CliRunner()


@pytest.mark.django_db
def test_create_staff_prints_and_mails_the_enrolment_link(smtp: Inbox) -> None:
    result = runner.invoke(
        app,
        [
            "create-staff",
            "first",
            "--email",
            "first@registry.example",
            "--role",
            "registrar",
            "--role",
            "examiner",
            "--admin",
        ],
    )
    assert result.exit_code == 0, result.output
    printed = result.output.strip().splitlines()[-1]
    assert printed.split("8000", 1)[1] == smtp.link("first@registry.example", "/account/enrol/")
    user = User.objects.get(username="first")
    assert user.is_registrar
    assert user.is_examiner
    assert user.is_superuser
    assert not user.has_usable_password()
    assert Client().get(printed.split("8000", 1)[1]).status_code == 200


@pytest.mark.django_db
def test_create_staff_names_what_it_refuses(smtp: Inbox) -> None:
    result = runner.invoke(app, ["create-staff", "x", "--email", "nope", "--role", "expert"])
    assert result.exit_code == 1
    assert "email" in result.output
    assert not User.objects.filter(username="x").exists()
    assert smtp.messages == []


@pytest.mark.django_db
def test_createadmin_needs_no_password(smtp: Inbox) -> None:
    result = runner.invoke(app, ["createadmin", "--username", "boss", "--email", "b@r.example"])
    assert result.exit_code == 0, result.output
    assert "/account/enrol/" in result.output
    assert User.objects.get(username="boss").is_staff
