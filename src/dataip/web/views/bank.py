"""Banks and other lenders (质权人): the encumbrance search before lending (权利负担查询).

The page reads :func:`dataip.registry.queries.rights.encumbrances`, the same query as the API
route ``GET /api/v1/encumbrances``; any signed-in member of an organisation may search (as any
organisation's API token may), and members of a lender land here when they sign in.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dataip.registry import clock
from dataip.registry.queries import rights
from dataip.web.access import applicant_required
from dataip.web.forms import PortalForm


class EncumbranceSearchForm(PortalForm):
    """One of: registration number, certificate number, holder's identity code."""

    registration_number = forms.CharField(
        label=gettext_lazy("Registration number"),
        required=False,
        max_length=20,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z]{1,20}$", gettext_lazy("Use letters and digits only, as printed.")
            )
        ],
    )
    certificate_number = forms.CharField(
        label=gettext_lazy("Certificate number"),
        required=False,
        max_length=17,
        validators=[
            RegexValidator(r"^[0-9]{1,17}$", gettext_lazy("Use the digits of the certificate."))
        ],
    )
    holder_identifier = forms.CharField(
        label=gettext_lazy("Holder's identity code"),
        required=False,
        max_length=18,
        help_text=gettext_lazy("Unified social credit code or resident identity number."),
        validators=[
            RegexValidator(r"^[0-9A-Za-z]{1,18}$", gettext_lazy("Use letters and digits only."))
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(name) for name in rights.SEARCH_KEYS):
            self.add_error(
                "registration_number",
                _("Give a registration number, a certificate number or a holder's credit code."),
            )
        return data


@applicant_required
@require_GET
def encumbrances(request: HttpRequest) -> HttpResponse:
    """Search what stands on registrations before lending; printable."""
    searched = any(request.GET.get(name) for name in (*rights.SEARCH_KEYS, "search"))
    form = EncumbranceSearchForm(request.GET if searched else None)
    found: list[rights.Encumbrance] | None = None
    published: set[str] = set()
    if searched and form.is_valid():
        found = rights.encumbrances(
            **{name: form.cleaned_data[name] or "" for name in rights.SEARCH_KEYS}
        )
        published = rights.pledge_amounts_published([e.registration_number for e in found])
    context = {
        "form": form,
        "found": found,
        "amounts_published": published,
        "searched_at": clock.now(),
    }
    return render(
        request, "web/bank/encumbrances.html", context, status=422 if form.errors else 200
    )
