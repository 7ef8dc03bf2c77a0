"""Names of the registry's codes in the active language (Simplified Chinese or English): one
table for each kind of code, used by the pages, the API and the certificates alike.

Statuses, materials, data sources, update frequencies, objection grounds and licence
kinds are named by the choices their model columns declare; events by the Django-free table
the offline verifier prints (:mod:`dataip.evidence.event_types`); kinds of product by the
table certificates print (:data:`dataip.registry.kinds.KIND_NAMES`); product fields by
:mod:`dataip.registry.fields` and kind-specific details by :mod:`dataip.registry.details`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from dataip.evidence.event_types import event_name
from dataip.registry import details, fields, reference
from dataip.registry import territory as territories
from dataip.registry.calendar import DayUnit
from dataip.registry.kinds import KIND_NAMES
from dataip.registry.models.applications import MATERIAL_CHOICES, STATUS_CHOICES
from dataip.registry.models.holders import DocumentKind, OrganisationType, Verification
from dataip.registry.models.listings import PriceModel, ReferralStatus
from dataip.registry.models.products import SOURCE_CHOICES, UpdateFrequency
from dataip.registry.models.rights import (
    LicenceKind,
    RecordStatus,
    TradeKind,
    TradeStatus,
    ValuationMethod,
)
from dataip.registry.workflow import Action, Role, Status

if TYPE_CHECKING:
    from dataip.registry.queries.public import PublicState

#: What each action does, as a verb: how domain messages name an action.
ACTION_LABELS: Mapping[str, Promise] = {
    Action.EDIT: gettext_lazy("edit"),
    Action.SUBMIT: gettext_lazy("submit"),
    Action.START_FORMAL_EXAMINATION: gettext_lazy("start formal examination"),
    Action.REQUEST_CORRECTION: gettext_lazy("request correction"),
    Action.RESUBMIT: gettext_lazy("resubmit"),
    Action.PASS_FORMAL_EXAMINATION: gettext_lazy("pass formal examination"),
    Action.ASSIGN_EXPERT: gettext_lazy("assign an expert"),
    Action.RECORD_OPINION: gettext_lazy("record an opinion"),
    Action.APPROVE: gettext_lazy("approve"),
    Action.REJECT: gettext_lazy("refuse registration"),
    Action.ANNOUNCE: gettext_lazy("announce"),
    Action.FILE_OBJECTION: gettext_lazy("file an objection"),
    Action.ANSWER_OBJECTION: gettext_lazy("answer an objection"),
    Action.DISMISS_OBJECTION: gettext_lazy("dismiss the objection"),
    Action.UPHOLD_OBJECTION: gettext_lazy("uphold the objection"),
    Action.CLOSE_PUBLICITY: gettext_lazy("close the announcement"),
    Action.REGISTER: gettext_lazy("register"),
    Action.WITHDRAW: gettext_lazy("withdraw"),
    Action.DEEM_WITHDRAWN: gettext_lazy("deem withdrawn"),
    Action.EXPIRE: gettext_lazy("expire"),
    Action.REQUEST_CHANGE: gettext_lazy("request a change"),
    Action.APPROVE_CHANGE: gettext_lazy("approve the change"),
    Action.REFUSE_CHANGE: gettext_lazy("refuse the change"),
    Action.PROPOSE_TRANSFER: gettext_lazy("propose a transfer"),
    Action.CONFIRM_TRANSFER: gettext_lazy("confirm the transfer"),
    Action.CANCEL_TRANSFER: gettext_lazy("withdraw the transfer"),
    Action.AGREE_TO_TRANSFER: gettext_lazy("confirm the transfer (one party)"),
    Action.DECLINE_TRANSFER: gettext_lazy("decline the transfer"),
    Action.GRANT_LICENCE: gettext_lazy("record a licence"),
    Action.END_LICENCE: gettext_lazy("end the licence"),
    Action.RECORD_TRADE: gettext_lazy("record a trade"),
    Action.PLEDGE: gettext_lazy("record a pledge"),
    Action.CONSENT: gettext_lazy("consent as pledgee"),
    Action.REQUEST_CONSENT: gettext_lazy("ask the pledgee's consent"),
    Action.REFUSE_CONSENT: gettext_lazy("refuse consent as pledgee"),
    Action.RELEASE_PLEDGE: gettext_lazy("release the pledge"),
    Action.PROPOSE_PLEDGE: gettext_lazy("propose a pledge"),
    Action.CONFIRM_PLEDGE: gettext_lazy("confirm the pledge"),
    Action.DECLINE_PLEDGE: gettext_lazy("decline the pledge"),
    Action.RECORD_REVENUE: gettext_lazy("record service revenue"),
    Action.RECORD_VALUATION: gettext_lazy("record a valuation"),
    Action.RENEW: gettext_lazy("renew"),
    Action.CANCEL: gettext_lazy("cancel the registration"),
    Action.REVOKE: gettext_lazy("revoke the registration"),
    Action.CORRECT_PARTICULARS: gettext_lazy("correct the particulars"),
    Action.REISSUE_CERTIFICATE: gettext_lazy("re-issue the certificate"),
    Action.LIST_PRODUCT: gettext_lazy("list the product"),
    Action.UPDATE_LISTING: gettext_lazy("update the listing"),
    Action.END_LISTING: gettext_lazy("delist the product"),
    Action.REPORT_TRADE: gettext_lazy("report a trade"),
    Action.WITHDRAW_TRADE_REPORT: gettext_lazy("withdraw the trade report"),
    Action.DISPUTE_TRADE: gettext_lazy("dispute the trade report"),
}
#: What an irreversible action will do, said before it is taken (the confirmation that names
#: the consequence; ``registry.queries.decisions`` adds what the workflow's rule and its
#: follow-up make of it). The actions listed here are the ones a page asks to confirm.
#: ``%(number)s``: the application's or registration's number; ``%(objection)s``: the
#: objection's reference.
ACTION_CONSEQUENCES: Mapping[str, Promise] = {
    Action.REQUEST_CORRECTION: gettext_lazy(
        "This returns %(number)s to the applicant for correction and starts the correction "
        "deadline."
    ),
    Action.PASS_FORMAL_EXAMINATION: gettext_lazy(
        "This passes the formal examination of %(number)s and sends it to expert review."
    ),
    Action.APPROVE: gettext_lazy("This approves %(number)s; it is then announced to the public."),
    Action.REJECT: gettext_lazy("This refuses to register %(number)s."),
    Action.ANNOUNCE: gettext_lazy(
        "This publishes %(number)s for its announcement period; anyone may then object."
    ),
    Action.CLOSE_PUBLICITY: gettext_lazy(
        "This closes the announcement of %(number)s; its pending objections are decided next."
    ),
    Action.REGISTER: gettext_lazy("This registers %(number)s and issues a certificate."),
    Action.DISMISS_OBJECTION: gettext_lazy(
        "This dismisses objection %(objection)s against %(number)s."
    ),
    Action.UPHOLD_OBJECTION: gettext_lazy(
        "This upholds objection %(objection)s and refuses to register %(number)s."
    ),
    Action.REVOKE: gettext_lazy(
        "This revokes registration %(registration_number)s; the public record and verification "
        "will show it as revoked."
    ),
    Action.CANCEL: gettext_lazy(
        "This cancels registration %(registration_number)s; it cannot be restored, and the "
        "public record and verification will show it as cancelled."
    ),
    Action.WITHDRAW: gettext_lazy(
        "This withdraws application %(number)s; its examination ends and it cannot be resumed."
    ),
}
#: What an action did, said after it was taken (with :data:`STATUS_NEXT`, what comes next).
ACTION_DONE: Mapping[str, Promise] = {
    Action.START_FORMAL_EXAMINATION: gettext_lazy("You took %(number)s for formal examination."),
    Action.REQUEST_CORRECTION: gettext_lazy("A correction of %(number)s was requested."),
    Action.PASS_FORMAL_EXAMINATION: gettext_lazy("%(number)s passed the formal examination."),
    Action.APPROVE: gettext_lazy("%(number)s was approved."),
    Action.REJECT: gettext_lazy("Registration of %(number)s was refused."),
    Action.ANNOUNCE: gettext_lazy("%(number)s was announced."),
    Action.CLOSE_PUBLICITY: gettext_lazy("The announcement of %(number)s was closed."),
    Action.REGISTER: gettext_lazy("%(number)s was registered."),
    Action.DISMISS_OBJECTION: gettext_lazy("Objection %(objection)s was dismissed."),
    Action.UPHOLD_OBJECTION: gettext_lazy("Objection %(objection)s was upheld."),
    Action.REVOKE: gettext_lazy("Registration %(registration_number)s was revoked."),
    Action.CANCEL: gettext_lazy("Registration %(registration_number)s was cancelled."),
    Action.WITHDRAW: gettext_lazy("Application %(number)s was withdrawn."),
}
#: What an act on a registered right does (transfers, pledges, consents, change requests), to
#: be confirmed on its page; and, below, what it did and what comes next (said after it).
RIGHTS_CONSEQUENCES: Mapping[str, Promise] = {
    "confirm_transfer_last": gettext_lazy(
        "This makes %(assignee)s the sole holder of %(registration_number)s and re-issues the "
        "certificate."
    ),
    Action.CONFIRM_TRANSFER: gettext_lazy(
        "This records your consent to transfer %(registration_number)s to %(assignee)s; it "
        "takes effect once %(others)s also confirm."
    ),
    Action.DECLINE_TRANSFER: gettext_lazy(
        "This declines the transfer of %(registration_number)s to %(assignee)s; the transfer is "
        "cancelled and the holders stay as they are."
    ),
    Action.RELEASE_PLEDGE: gettext_lazy(
        "This releases the pledge on %(registration_number)s; the registration is no longer "
        "encumbered by it."
    ),
    Action.CONSENT: gettext_lazy(
        "This consents, as pledgee of %(registration_number)s, to the holder's next %(purpose)s; "
        "the holder may then take it."
    ),
    Action.REFUSE_CONSENT: gettext_lazy(
        "This refuses consent to %(purpose)s of %(registration_number)s; the holder cannot take "
        "it while the pledge stands, and reads your reason."
    ),
    Action.CONFIRM_PLEDGE: gettext_lazy(
        "This confirms the pledge of %(registration_number)s to %(pledgee)s; it stands and the "
        "public record shows the registration as encumbered."
    ),
    Action.DECLINE_PLEDGE: gettext_lazy(
        "This declines the pledge of %(registration_number)s to %(pledgee)s; it never stands."
    ),
    Action.APPROVE_CHANGE: gettext_lazy(
        "Approving applies these changes to %(registration_number)s and re-issues its "
        "certificate; refusing leaves the registration as it is and tells the holder the reason."
    ),
}
RIGHTS_DONE: Mapping[str, Promise] = {
    "confirm_transfer_last": gettext_lazy(
        "The transfer took effect: %(assignee)s is now the holder of %(registration_number)s, "
        "and the re-issued certificate is on its page."
    ),
    Action.CONFIRM_TRANSFER: gettext_lazy(
        "Your confirmation is recorded. The transfer of %(registration_number)s takes effect "
        "once %(others)s also confirm."
    ),
    Action.DECLINE_TRANSFER: gettext_lazy(
        "The transfer of %(registration_number)s was declined and cancelled; the proposer is "
        "told and the holders stay as they are."
    ),
    Action.RELEASE_PLEDGE: gettext_lazy(
        "The pledge on %(registration_number)s was released; the encumbrance search and the "
        "public record no longer show it."
    ),
    Action.CONSENT: gettext_lazy(
        "Consent given for %(registration_number)s; the holder's next %(purpose)s uses it."
    ),
    Action.REFUSE_CONSENT: gettext_lazy(
        "Consent for %(registration_number)s was refused; the holder is told your reason."
    ),
    Action.CONFIRM_PLEDGE: gettext_lazy(
        "The pledge of %(registration_number)s to %(pledgee)s was confirmed and now stands; "
        "the public record shows it until the pledgee releases it."
    ),
    Action.DECLINE_PLEDGE: gettext_lazy(
        "The pledge of %(registration_number)s was declined; the pledgee is told your reason."
    ),
    Action.APPROVE_CHANGE: gettext_lazy(
        "The change to %(registration_number)s was approved and applied; the certificate is "
        "re-issued and the holder is told."
    ),
    Action.REFUSE_CHANGE: gettext_lazy(
        "The change to %(registration_number)s was refused; the registration stays as it was "
        "and the holder is told the reason."
    ),
}
#: The role in which an event's actor acted (``Event.actor_role``).
ROLE_LABELS: Mapping[str, Promise] = {
    Role.APPLICANT: gettext_lazy("applicant"),
    Role.EXAMINER: gettext_lazy("examiner"),
    Role.REGISTRAR: gettext_lazy("registrar"),
    Role.EXPERT: gettext_lazy("expert"),
    Role.EXCHANGE: gettext_lazy("data exchange"),
    Role.PUBLIC: gettext_lazy("member of the public"),
    Role.SYSTEM: gettext_lazy("the registry's system"),
}
STATUS_LABELS: Mapping[str, Promise] = dict(STATUS_CHOICES)
#: Where an application stands after an action, and what comes next, with its deadlines: the
#: second half of the message a page shows after an action (``registry.queries.decisions``).
STATUS_NEXT: Mapping[str, Promise] = {
    Status.SUBMITTED: gettext_lazy("%(number)s now waits for formal examination."),
    Status.FORMAL_EXAMINATION: gettext_lazy(
        "%(number)s is now in formal examination; pass it, refuse it or request a correction."
    ),
    Status.CORRECTION_REQUESTED: gettext_lazy(
        "The applicant may correct %(number)s until %(correction_due)s; otherwise it is deemed "
        "withdrawn."
    ),
    Status.EXPERT_REVIEW: gettext_lazy(
        "%(number)s is now in expert review: the registrar assigns the panel, and the decision "
        "follows the experts' opinions."
    ),
    Status.APPROVED: gettext_lazy("%(number)s now waits to be announced."),
    Status.UNDER_PUBLICITY: gettext_lazy(
        "%(number)s is now in announcement until %(announcement_ends)s; objections may be filed "
        "until then."
    ),
    Status.OBJECTION_REVIEW: gettext_lazy(
        "The announcement of %(number)s has ended; %(pending)s pending objection(s) must be "
        "decided before it can be registered."
    ),
    Status.REGISTERED: gettext_lazy(
        "%(number)s is registered as %(registration_number)s, certificate %(certificate_number)s, "
        "valid until %(valid_until)s; the certificate is issued and the holder is told."
    ),
    Status.REJECTED: gettext_lazy(
        "The application %(number)s is closed; the applicant is told the reasons."
    ),
    Status.WITHDRAWN: gettext_lazy("The application %(number)s is closed."),
    Status.CANCELLED: gettext_lazy(
        "The registration %(registration_number)s is cancelled; the public record shows it."
    ),
    Status.REVOKED: gettext_lazy(
        "The registration %(registration_number)s is revoked; the public record and "
        "verification show it."
    ),
    Status.EXPIRED: gettext_lazy("The registration %(registration_number)s has expired."),
}
MATERIAL_LABELS: Mapping[str, Promise] = dict(MATERIAL_CHOICES)
SOURCE_LABELS: Mapping[str, Promise] = dict(SOURCE_CHOICES)
FREQUENCY_LABELS: Mapping[str, Promise] = dict(UpdateFrequency.choices)
LICENCE_LABELS: Mapping[str, Promise] = dict(LicenceKind.choices)
VALUATION_LABELS: Mapping[str, Promise] = dict(ValuationMethod.choices)
RECORD_STATUS_LABELS: Mapping[str, Promise] = dict(RecordStatus.choices)
TRADE_STATUS_LABELS: Mapping[str, Promise] = dict(TradeStatus.choices)
TRADE_KIND_LABELS: Mapping[str, Promise] = dict(TradeKind.choices)
ORG_TYPE_LABELS: Mapping[str, Promise] = dict(OrganisationType.choices)
VERIFICATION_LABELS: Mapping[str, Promise] = dict(Verification.choices)
DOCUMENT_LABELS: Mapping[str, Promise] = dict(DocumentKind.choices)
PRICE_MODEL_LABELS: Mapping[str, Promise] = dict(PriceModel.choices)
REFERRAL_STATUS_LABELS: Mapping[str, Promise] = dict(ReferralStatus.choices)
#: The choices of the ``personal_information`` detail (:data:`details.PERSONAL_INFORMATION`).
PERSONAL_INFORMATION_LABELS: Mapping[str, Promise] = {
    "none": gettext_lazy("No personal information"),
    "de_identified": gettext_lazy("De-identified"),
    "anonymised": gettext_lazy("Anonymised"),
    "consented": gettext_lazy("Processed with consent"),
    "other_lawful_basis": gettext_lazy("Other lawful basis"),
}


#: The kinds of request after registration the staff queue lists (``queries.staff.Pending``).
PENDING_LABELS: Mapping[str, Promise] = {
    "change": gettext_lazy("Change request to examine"),
    "transfer": gettext_lazy("Transfer waiting for confirmation"),
    "pledge": gettext_lazy("Pledge waiting for the holder's confirmation"),
    "renewal": gettext_lazy("Renewal window open"),
    "lapsed": gettext_lazy("Validity ended, not yet expired"),
}
#: Who must act next on a pending request.
WAITS_FOR_LABELS: Mapping[str, Promise] = {
    "examiner": gettext_lazy("an examiner"),
    "assignee": gettext_lazy("the assignee and the other joint holders"),
    "holder": gettext_lazy("the holder"),
    "system": gettext_lazy("the registry's system (dataip tick)"),
}


DEADLINE_LABELS: Mapping[str, Promise] = {
    "correction": gettext_lazy("correction due"),
    "announcement": gettext_lazy("announcement ends"),
    "objection_decision": gettext_lazy("objection decision due"),
}
"""What a case's deadline in the staff queues is (``queries.staff.DEADLINE_OF``)."""

DEADLINE_STATE_LABELS: Mapping[str, Promise] = {
    "overdue": gettext_lazy("overdue"),
    "due_soon": gettext_lazy("due soon"),
    "on_time": gettext_lazy("on time"),
}


#: How a period's length is counted, with its number: one declaration for every page.
DAY_UNIT_LABELS: Mapping[str, tuple[str, str]] = {
    DayUnit.CALENDAR_DAYS: ("%(n)s calendar day", "%(n)s calendar days"),
    DayUnit.WORKING_DAYS: ("%(n)s working day", "%(n)s working days"),
}


def period(length: int, unit: str) -> str:
    """A period in words: ``15 calendar days`` / ``15 个自然日``, ``10 working days`` / ``10
    个工作日``."""
    forms = DAY_UNIT_LABELS.get(unit)
    if forms is None:
        return f"{length} {unit}"
    return ngettext(forms[0], forms[1], length) % {"n": length}


# Read by makemessages: the forms of DAY_UNIT_LABELS.
_DAY_UNIT_MESSAGES = (
    lambda n: ngettext("%(n)s calendar day", "%(n)s calendar days", n),
    lambda n: ngettext("%(n)s working day", "%(n)s working days", n),
)


def is_english() -> bool:
    """Whether the active language is English (otherwise Chinese is shown)."""
    return (get_language() or "").startswith("en")


def _named(table: Mapping[str, Promise], code: str) -> str:
    return str(table.get(code, code))


def status(code: str) -> str:
    """The name of a status."""
    return _named(STATUS_LABELS, code)


def action(code: str) -> str:
    """What an action does, as a verb (``submit``, ``record a licence``)."""
    return _named(ACTION_LABELS, code)


def event(code: str) -> str:
    """The name of an event of a history, as the offline verifier prints it too."""
    return event_name(code, "en" if is_english() else "zh")


def role(code: str) -> str:
    """The role in which someone acted."""
    return _named(ROLE_LABELS, code)


def pending(code: str) -> str:
    """The kind of a request after registration that waits (the staff queue)."""
    return _named(PENDING_LABELS, code)


def waits_for(code: str) -> str:
    """Who must act next on a pending request."""
    return _named(WAITS_FOR_LABELS, code)


def kind(code: str) -> str:
    """The name of a kind of product (as its certificate prints it)."""
    names = KIND_NAMES.get(code)
    if names is None:
        return code
    return names[1] if is_english() else names[0]


def material(code: str) -> str:
    """The name of a kind of material."""
    return _named(MATERIAL_LABELS, code)


def source(code: str) -> str:
    """The name of a kind of data source."""
    return _named(SOURCE_LABELS, code)


def frequency(code: str) -> str:
    """The name of an update frequency."""
    return _named(FREQUENCY_LABELS, code)


def licence(code: str) -> str:
    """The name of a kind of licence."""
    return _named(LICENCE_LABELS, code)


def valuation_method(code: str) -> str:
    """The name of a valuation approach (cost, income, market, composite)."""
    return _named(VALUATION_LABELS, code)


def record_status(code: str) -> str:
    """Where a two-step record (a change request, a transfer) stands."""
    return _named(RECORD_STATUS_LABELS, code)


def trade_status(code: str) -> str:
    """Where a trade record stands (recorded, reported, disputed, withdrawn)."""
    return _named(TRADE_STATUS_LABELS, code)


def trade_kind(code: str) -> str:
    """What a reported trade conveyed (a licence or a transfer)."""
    return _named(TRADE_KIND_LABELS, code)


def org_type(code: str) -> str:
    """The type of an organisation (holder, exchange, platform, bank)."""
    return _named(ORG_TYPE_LABELS, code)


def verification(code: str) -> str:
    """Where an organisation's identity verification stands (主体认证)."""
    return _named(VERIFICATION_LABELS, code)


def identity_document(code: str) -> str:
    """The name of a kind of identity document (business licence, authorisation)."""
    return _named(DOCUMENT_LABELS, code)


def personal_information(code: str) -> str:
    """The name of a way of handling personal information."""
    return _named(PERSONAL_INFORMATION_LABELS, code)


def price_model(code: str) -> str:
    """The name of a listing's price model (定价方式)."""
    return _named(PRICE_MODEL_LABELS, code)


def referral_status(code: str) -> str:
    """Where a fast-lane referral stands."""
    return _named(REFERRAL_STATUS_LABELS, code)


def industry(code: str) -> str:
    """The name of a GB/T 4754-2017 division."""
    try:
        found = reference.industry(code)
    except KeyError:
        return code
    return found.division_name_en if is_english() else found.division_name_zh


def province(code: str) -> str:
    """The name of a province (GB/T 2260)."""
    try:
        found = reference.province(code)
    except KeyError:
        return code
    return found.name_en if is_english() else found.name_zh


def provinces() -> list[tuple[str, str]]:
    """Every province (GB/T 2260) as (two-digit code, name), in code order."""
    return [(p.code2, province(p.code2)) for p in reference.provinces()]


def territory(regions: Sequence[str], legacy_text: str = "") -> str:
    """A licence's territory: nationwide, or its regions by name (GB/T 2260); a licence
    recorded before territories were structured shows its own words."""
    if legacy_text and not regions:
        return gettext("%(text)s (recorded as free text; compared as nationwide)") % {
            "text": legacy_text
        }
    if not regions:
        return gettext("Nationwide")
    return "、".join(territories.name(code, is_english()) for code in regions)


#: How the value of a product field or detail with codes is named.
VALUES: Mapping[str, Callable[[str], str]] = {
    "kind": kind,
    "industry_code": industry,
    "province_code": province,
    "data_source_type": source,
    "update_frequency": frequency,
    "personal_information": personal_information,
}


def value(name: str, code: str) -> str:
    """The name of ``code`` as a value of the product field or detail ``name`` (the code
    itself where the field has no names for its values)."""
    return VALUES[name](code) if name in VALUES else code


FACETS: Mapping[str, Callable[[str], str]] = {
    "kind": kind,
    "status": status,
    "industry": industry,
    "industry_code": industry,
    "province": province,
    "province_code": province,
}


def facet(name: str, value: str) -> str:
    """The label of a value of a search facet (named as the API or the search index names it)."""
    return FACETS.get(name, str)(value)


def field(name: str) -> str:
    """The label of a field a service names: product fields, details, materials, holders."""
    if name.startswith("materials."):
        return material(name.split(".", 1)[1])
    if name.startswith("details."):
        detail = details.FIELDS_BY_NAME.get(name.split(".", 1)[1])
        return gettext(detail.label) if detail else name
    if name == "holders" or name.startswith("shares"):
        return gettext("Holders and shares")
    if name == "file":
        return gettext("File")
    product_field = fields.FIELDS_BY_NAME.get(name)
    return gettext(product_field.label) if product_field else name


# ── the state of a right, in plain words (the public page, the public API, verification) ──


@dataclass(frozen=True)
class StateLine:
    """One plain sentence about the state of a right; ``code`` says what it is about
    (``pledge``, ``licence``, ``transfer``, ``cancelled``, ``revoked``, ``expired``, ``clear``)."""

    code: str
    text: str


def _space() -> str:
    """What separates two sentences: a space in English, nothing in Chinese."""
    return " " if is_english() else ""


def _day(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def state_lines(state: PublicState) -> list[StateLine]:
    """The state of a public registration in plain words, the most serious first: the end of
    the right, pledges standing, exclusive or sole licences in force, a pending transfer; or
    that nothing stands on it."""
    lines: list[StateLine] = []
    if state.status == "revoked":
        text = gettext("Revoked by the registry on %(date)s.") % {"date": _day(state.ended_on)}
        if state.decision_reference:
            text += _space() + gettext("Decision: %(reference)s.") % {
                "reference": state.decision_reference
            }
        lines.append(StateLine("revoked", text))
    elif state.status == "cancelled":
        lines.append(
            StateLine(
                "cancelled",
                gettext("Cancelled at the holder's request on %(date)s.")
                % {"date": _day(state.ended_on)},
            )
        )
    elif state.status == "expired":
        lines.append(
            StateLine(
                "expired",
                gettext("Expired: the period of validity ended on %(date)s.")
                % {"date": _day(state.valid_until)},
            )
        )
    for pledge in state.pledges:
        values = {
            "pledgee": pledge.pledgee,
            "starts": _day(pledge.starts),
            "ends": _day(pledge.ends),
        }
        text = gettext("Under pledge to %(pledgee)s, from %(starts)s to %(ends)s.") % values
        if pledge.amount is not None:
            text += _space() + gettext("Secured amount: %(amount)s %(currency)s.") % {
                "amount": pledge.amount,
                "currency": pledge.currency,
            }
        lines.append(StateLine("pledge", text))
    for lic in state.licences:
        values = {
            "licensee": lic.licensee,
            "starts": _day(lic.starts),
            "ends": _day(lic.ends),
            "territory": territory(lic.regions, lic.territory_text),
        }
        template = (
            gettext(
                "Licensed exclusively to %(licensee)s, from %(starts)s to %(ends)s, "
                "territory: %(territory)s."
            )
            if lic.kind == "exclusive"
            else gettext(
                "Licensed solely to %(licensee)s (the holder may also use it), from %(starts)s "
                "to %(ends)s, territory: %(territory)s."
            )
        )
        lines.append(StateLine("licence", template % values))
    if state.transfer_proposed_on is not None:
        lines.append(
            StateLine(
                "transfer",
                gettext(
                    "Being transferred: a transfer proposed on %(date)s waits for the "
                    "confirmation of the parties."
                )
                % {"date": _day(state.transfer_proposed_on)},
            )
        )
    if not lines and state.status == "registered":
        lines.append(
            StateLine(
                "clear",
                gettext(
                    "In force. No pledge, no exclusive or sole licence and no pending transfer "
                    "is recorded."
                ),
            )
        )
    return lines


# --- the statistics bulletin (registry/queries/bulletin.py) ----------------------------------

HOLDER_TYPE_LABELS: dict[str, Promise] = {
    "enterprise": gettext_lazy("Enterprises"),
    "institution": gettext_lazy("Institutions and other organisations"),
    "natural_person": gettext_lazy("Natural persons"),
}
OBJECTION_OUTCOME_LABELS: dict[str, Promise] = {
    "pending": gettext_lazy("Pending"),
    "upheld": gettext_lazy("Upheld"),
    "dismissed": gettext_lazy("Dismissed"),
    "moot": gettext_lazy("Closed without decision"),
}


def holder_type(code: str) -> str:
    """The name of a type of holder in the statistics: enterprise, institution, person."""
    return _named(HOLDER_TYPE_LABELS, code)


def objection_outcome(code: str) -> str:
    """The name of an objection's outcome in the statistics."""
    return _named(OBJECTION_OUTCOME_LABELS, code)


def section(code: str) -> str:
    """A GB/T 4754 section: its letter and name."""
    try:
        found = reference.section(code)
    except KeyError:
        return code
    return f"{found.code} {found.name_en if is_english() else found.name_zh}"


def deadline(code: str) -> str:
    """What a case's deadline is (correction due, announcement ends, objection decision due)."""
    return _named(DEADLINE_LABELS, code)


def deadline_state(code: str) -> str:
    """Where a case stands against its deadline: overdue, due soon, on time."""
    return _named(DEADLINE_STATE_LABELS, code)
