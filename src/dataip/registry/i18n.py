"""Turn domain messages into the user's language (Simplified Chinese or English)."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from dataip.errors import DomainError, Message, ValidationFailed
from dataip.registry.models.applications import STATUS_CHOICES
from dataip.registry.workflow import Action

ACTION_LABELS = {
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
    Action.CANCEL_TRANSFER: gettext_lazy("cancel the transfer"),
    Action.GRANT_LICENCE: gettext_lazy("record a licence"),
    Action.END_LICENCE: gettext_lazy("end the licence"),
    Action.RECORD_TRADE: gettext_lazy("record a trade"),
    Action.PLEDGE: gettext_lazy("record a pledge"),
    Action.CONSENT: gettext_lazy("consent as pledgee"),
    Action.RELEASE_PLEDGE: gettext_lazy("release the pledge"),
    Action.RECORD_REVENUE: gettext_lazy("record service revenue"),
    Action.RECORD_VALUATION: gettext_lazy("record a valuation"),
    Action.RENEW: gettext_lazy("renew"),
    Action.CANCEL: gettext_lazy("cancel the registration"),
    Action.REVOKE: gettext_lazy("revoke the registration"),
}
STATUS_LABELS = dict(STATUS_CHOICES)
# How a history shows events after registration (past tense, as records), and events outside
# the workflow; every other event is named by its action above.
EVENT_LABELS = {
    Action.REQUEST_CHANGE.value: gettext_lazy("change requested"),
    Action.APPROVE_CHANGE.value: gettext_lazy("change approved"),
    Action.REFUSE_CHANGE.value: gettext_lazy("change refused"),
    Action.PROPOSE_TRANSFER.value: gettext_lazy("transfer proposed"),
    Action.CONFIRM_TRANSFER.value: gettext_lazy("transfer confirmed"),
    Action.CANCEL_TRANSFER.value: gettext_lazy("transfer cancelled"),
    Action.GRANT_LICENCE.value: gettext_lazy("licence granted"),
    Action.END_LICENCE.value: gettext_lazy("licence ended"),
    Action.RECORD_TRADE.value: gettext_lazy("trade recorded"),
    Action.PLEDGE.value: gettext_lazy("pledge registered"),
    Action.CONSENT.value: gettext_lazy("pledgee's consent"),
    Action.RELEASE_PLEDGE.value: gettext_lazy("pledge released"),
    Action.RECORD_REVENUE.value: gettext_lazy("revenue recorded"),
    Action.RECORD_VALUATION.value: gettext_lazy("valuation recorded"),
    Action.RENEW.value: gettext_lazy("renewed"),
    Action.CANCEL.value: gettext_lazy("cancelled"),
    Action.REVOKE.value: gettext_lazy("revoked"),
    "certificate_issued": gettext_lazy("certificate issued"),
}


def event_label(code: str) -> str:
    """The name of an event of a history, in the active language."""
    if code in EVENT_LABELS:
        return str(EVENT_LABELS[code])
    try:
        return str(ACTION_LABELS[Action(code)])
    except ValueError:
        return code.replace("_", " ")


def _label(name: str, value: object) -> object:
    """Parameters that name an action or a status are shown in the user's language."""
    if name == "action" and value in ACTION_LABELS:
        return str(ACTION_LABELS[Action(str(value))])
    if name == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[str(value)])
    return value


def render(message: Message) -> str:
    """Translate a domain message into the active language and fill in its parameters."""
    text = gettext(message.msgid)
    if not message.params:
        return text
    return text % {name: _label(name, value) for name, value in message.params.items()}


def field_errors(error: ValidationFailed) -> dict[str, list[str]]:
    """The translated reasons for each refused field."""
    return {name: [render(reason) for reason in reasons] for name, reasons in error.errors.items()}


def describe(error: DomainError) -> str:
    """The translated message of any domain error."""
    return render(error.message)
