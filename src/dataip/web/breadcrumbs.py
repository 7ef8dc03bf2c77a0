"""Where a page sits in the portal, for the breadcrumbs under the header (base.html).

One declaration per page, by its URL name: the page's label and the page above it. The trail is
computed from the URL the request resolved to; a parent whose URL takes some of the page's own
arguments (``application_id``, ``number``…) is linked with them. A label may name an argument
(``{number}``) to show, say, the registration number. The home page has no trail, and neither has
a page not declared here (files, feeds and actions answered by a redirect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

Label = str | Promise

PAGES: dict[str, tuple[Label, str | None]] = {
    # The public
    "web:search": (_("Search"), None),
    "web:registration": ("{number}", "web:search"),
    "web:embed": (_("Embed"), "web:registration"),
    "web:announcements": (_("Announcements"), None),
    "web:objection": (_("File an objection"), "web:announcements"),
    "web:statistics": (_("Statistics"), None),
    "web:verify": (_("Verify a certificate"), None),
    "web:verify-number": ("{number}", "web:verify"),
    "web:exports": (_("Bulk export"), None),
    "web:catalogue": (_("Catalogue"), None),
    "web:my-objections": (_("My objections"), None),
    "web:my-objection": ("{reference}", "web:my-objections"),
    "web:help": (_("Help and FAQ"), None),
    # Accounts
    "web:signup": (_("Sign up"), None),
    "web:login": (_("Sign in"), None),
    "web:otp": (_("Two-factor sign-in"), "web:login"),
    "web:profile": (_("Your account"), None),
    "web:verification": (_("Organisation verification"), "web:profile"),
    "web:password-change": (_("Change the password"), "web:profile"),
    "web:password-reset": (_("Reset the password"), "web:login"),
    "web:password-reset-sent": (_("Reset the password"), "web:login"),
    "web:password-reset-confirm": (_("Reset the password"), "web:login"),
    "web:password-reset-complete": (_("Reset the password"), "web:login"),
    "web:recovery-codes": (_("Recovery codes"), "web:profile"),
    "web:api-tokens": (_("API tokens"), "web:profile"),
    "web:notifications": (_("Notifications"), None),
    "web:notification-settings": (_("Notification settings"), "web:notifications"),
    "web:organisation": (_("Organisation"), "web:profile"),
    "web:organisation-activity": (_("Activity"), "web:organisation"),
    "web:webhooks": (_("Webhooks"), "web:profile"),
    "web:webhook": (_("Webhook"), "web:webhooks"),
    "web:enrol": (_("Set up your staff account"), None),
    "web:accept-invitation": (_("Invitation"), None),
    # Holders
    "web:my-applications": (_("My applications"), None),
    "web:new-application": (_("New application"), "web:my-applications"),
    "web:application": (pgettext_lazy("breadcrumb", "Application"), "web:my-applications"),
    "web:application-step": (_("Edit the application"), "web:application"),
    "web:answer-objection": (_("Objection"), "web:application"),
    "web:rights": (_("Manage this registration"), "web:application"),
    "web:rights-licence": (_("Grant a licence"), "web:rights"),
    "web:rights-end-licence": (_("End a licence"), "web:rights"),
    "web:rights-trade": (_("Record a trade"), "web:rights"),
    "web:rights-revenue": (_("Record service revenue"), "web:rights"),
    "web:rights-change": (_("Request a change"), "web:rights"),
    "web:rights-renew": (_("Renew"), "web:rights"),
    "web:rights-cancel": (_("Cancel the registration"), "web:rights"),
    "web:rights-consent": (_("Ask the pledgee's consent"), "web:rights"),
    "web:rights-valuation": (_("Record a valuation"), "web:rights"),
    "web:rights-transfer": (_("Transfer"), "web:rights"),
    "web:rights-transfer-withdraw": (_("Withdraw"), "web:rights"),
    "web:rights-dispute-trade": (_("Dispute the report"), "web:rights"),
    "web:licences-granted": (_("Licences granted to us"), "web:my-applications"),
    "web:pledges-waiting": (_("Pledges to confirm"), None),
    "web:pledge-confirm": (_("Confirm"), "web:pledges-waiting"),
    "web:pledge-decline": (_("Decline"), "web:pledges-waiting"),
    "web:transfers-waiting": (_("Transfers to confirm"), None),
    "web:transfer-confirm": (_("Confirm"), "web:transfers-waiting"),
    "web:transfer-decline": (_("Decline"), "web:transfers-waiting"),
    "deposits:mine": (_("My deposits"), None),
    "deposits:detail": (_("Deposit"), "deposits:mine"),
    "deposits:application": (_("Deposits"), "web:application"),
    "deposits:public": (_("Deposits"), "web:registration"),
    # Banks
    "web:encumbrances": (_("Encumbrance search"), None),
    "web:bank-pledges": (_("Pledges you hold"), None),
    "web:bank-new-pledge": (_("Register a pledge"), "web:bank-pledges"),
    "web:bank-release": (_("Release"), "web:bank-pledges"),
    "web:bank-consent": (_("Consent"), "web:bank-pledges"),
    "web:bank-consents": (_("Requests for your consent"), None),
    "web:bank-consent-give": (_("Consent"), "web:bank-consents"),
    "web:bank-consent-refuse": (_("Refuse"), "web:bank-consents"),
    # Data exchanges
    "web:exchange": (_("Data exchange"), None),
    "web:exchange-new-listing": (_("List a registered product"), "web:exchange"),
    "web:exchange-listing": (_("Listing"), "web:exchange"),
    "web:exchange-delist": (_("Delist"), "web:exchange"),
    "web:exchange-new-referral": (_("Pre-fill an application"), "web:exchange"),
    "web:exchange-withdraw-referral": (_("Withdraw"), "web:exchange"),
    "web:exchange-trades": (_("Trade reports"), None),
    "web:exchange-new-trade": (_("Report a trade"), "web:exchange-trades"),
    "web:exchange-trade": (_("Trade report"), "web:exchange-trades"),
    "web:referral": (_("Application pre-filled by a data exchange"), "web:my-applications"),
    "web:referral-decline": (_("Decline"), "web:referral"),
    # Staff
    "web:queue": (_("Examination"), None),
    "web:case": (pgettext_lazy("breadcrumb", "Case"), "web:queue"),
    "web:assign": (_("Assign a panel"), "web:case"),
    "web:revoke": (_("Revoke the registration"), "web:case"),
    "web:correct": (_("Correct the particulars"), "web:case"),
    "web:reissue": (_("Re-issue the certificate"), "web:case"),
    "web:objection-queue": (_("Objections"), "web:queue"),
    "web:decide-objection": (_("Objection"), "web:objection-queue"),
    "web:change-queue": (_("Change requests"), None),
    "web:change-request": (_("Change request"), "web:change-queue"),
    "web:pending-requests": (_("Pending after registration"), None),
    "web:staff-statistics": (_("Statistics"), "web:queue"),
    "web:dashboard": (_("Dashboard"), "web:queue"),
    "web:organisation-queue": (_("Organisations to verify"), None),
    "web:organisation-case": (pgettext_lazy("breadcrumb", "Case"), "web:organisation-queue"),
    "web:disputed-trades": (_("Disputed trade reports"), None),
    "web:staff-accounts": (_("Staff accounts"), None),
    "web:rules": (_("Rules and reference data"), None),
    "web:reviews": (_("My reviews"), None),
    "web:review": (pgettext_lazy("breadcrumb", "Review"), "web:reviews"),
}


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None


def _label(label: Label, kwargs: dict[str, Any]) -> str:
    text = str(label)
    try:
        return text.format(**kwargs) if "{" in text else text
    except (KeyError, IndexError, ValueError):
        return text


def _url(name: str, kwargs: dict[str, Any]) -> str | None:
    """``name`` reversed with those of ``kwargs`` its pattern takes (None if it cannot be)."""
    wanted = {k: v for k, v in kwargs.items() if k in _parameters(name)}
    try:
        return reverse(name, kwargs=wanted)
    except NoReverseMatch:
        return None


def _parameters(name: str) -> set[str]:
    """The names of the arguments the URL pattern called ``name`` takes."""
    resolver = get_resolver()
    namespace, _sep, url_name = name.rpartition(":")
    if namespace:
        resolver = resolver.namespace_dict[namespace][1]
    found: set[str] = set()
    for possibility, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(url_name):
        for _result, params in possibility:
            found.update(params)
    return found


def trail(view_name: str, kwargs: dict[str, Any]) -> list[Crumb]:
    """The crumbs from the home page to the page named ``view_name`` (the last one unlinked);
    empty when the page is not declared."""
    if view_name not in PAGES:
        return []
    crumbs: list[Crumb] = []
    name: str | None = view_name
    seen: set[str] = set()
    while name is not None and name in PAGES and name not in seen:
        seen.add(name)
        label, parent = PAGES[name]
        url = None if name == view_name else _url(name, kwargs)
        crumbs.append(Crumb(_label(label, kwargs), url))
        name = parent
    crumbs.append(Crumb(str(_("Home")), reverse("web:home")))
    return list(reversed(crumbs))


def breadcrumbs_for(request: HttpRequest) -> list[Crumb]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return []
    return trail(match.view_name, dict(match.kwargs))
