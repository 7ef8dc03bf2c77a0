"""The life of a registered right (登记后): changes, transfers, licences, trades, pledges,
service revenue, valuations and renewal reminders. Every record is made by a service that
also writes a ledger event; none is ever deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Money(models.Model):
    """An amount and its currency (ISO 4217), validated by the services against the regime."""

    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")

    class Meta:
        abstract = True


class RecordStatus(models.TextChoices):
    """Where a two-step record stands."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class ChangeRequest(models.Model):
    """A change of registered particulars (变更登记): old and new values of each field."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="changes"
    )
    changes = models.JSONField(_("changes"))
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")


class Transfer(models.Model):
    """A transfer of the right to another holder (转让): proposed by a holder, it takes effect
    once the assignee and every other joint holder have confirmed it (one
    :class:`TransferConfirmation` each); any of them may decline it, and the proposer may
    withdraw it (both: cancelled, with the reason)."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="transfers"
    )
    assignee = models.ForeignKey(
        "registry.Holder", verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="+"
    )
    previous_holders = models.JSONField(_("previous holders and shares"), default=list)
    contract_date = models.DateField(_("contract date"))
    effective_date = models.DateField(_("effective date"))
    price = models.DecimalField(_("price"), max_digits=18, decimal_places=2, null=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("confirmed or cancelled"), null=True)
    proposer = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    declined_by = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("declined by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    reason = models.TextField(_("why it was declined or withdrawn"), blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def parties(self) -> frozenset[int]:
        """The holders whose confirmation the transfer needs: the assignee and every holder at
        the proposal other than the proposer's organisation."""
        previous = {int(holder) for holder, _share in self.previous_holders}
        return frozenset((previous | {self.assignee_id}) - {self.proposer_id})


class TransferConfirmation(models.Model):
    """One party's confirmation of a transfer (转让确认): the assignee's or a joint holder's."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="confirmations")
    holder = models.ForeignKey(
        "registry.Holder", verbose_name=_("party"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"))

    class Meta:
        verbose_name = _("transfer confirmation")
        verbose_name_plural = _("transfer confirmations")
        constraints = [
            models.UniqueConstraint(fields=["transfer", "holder"], name="uniq_transfer_party"),
        ]


class LicenceKind(models.TextChoices):
    """Kinds of licence (许可类型)."""

    EXCLUSIVE = "exclusive", _("Exclusive (独占)")
    SOLE = "sole", _("Sole (排他)")
    ORDINARY = "ordinary", _("Ordinary (普通)")


class Licence(Money):
    """A licence to use the data (许可), for a scope, a territory and a term, with its fee."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="licences"
    )
    licensee = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("licensee"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    licensee_name = models.CharField(_("licensee's name"), max_length=200, blank=True)
    licensee_identifier = models.CharField(_("licensee's identity code"), max_length=18, blank=True)
    """A licensee not registered with the registry (licensee None): its name and its unified
    social credit code or resident ID number."""
    kind = models.CharField(_("kind"), max_length=10, choices=LicenceKind.choices)
    scope = models.TextField(_("scope of use"))
    territory = models.CharField(
        _("territory (as first recorded, free text)"), max_length=200, blank=True
    )
    regions = models.JSONField(_("territory (GB/T 2260 codes)"), default=list, blank=True)
    """The 6-digit GB/T 2260 codes of the territory (``registry.territory``); empty: nationwide.
    ``territory`` keeps the free text of a licence recorded before territories were structured."""
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))
    ended_on = models.DateField(_("ended early on"), null=True)
    end_reason = models.TextField(_("why it ended early"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        indexes = [models.Index(fields=["application", "kind"])]

    @property
    def licensee_display(self) -> str:
        """The licensee's name: the registered holder's, or the one written on the licence."""
        return self.licensee.name if self.licensee is not None else self.licensee_name


class TradeStatus(models.TextChoices):
    """Where a trade record stands: recorded by the holder, or reported by a data exchange
    (and then perhaps disputed by the holder, or withdrawn by the exchange)."""

    RECORDED = "recorded", _("Recorded by the holder")
    REPORTED = "reported", _("Reported by the exchange")
    DISPUTED = "disputed", _("Disputed by the holder")
    WITHDRAWN = "withdrawn", _("Withdrawn by the exchange")


COUNTED_TRADES = (TradeStatus.RECORDED, TradeStatus.REPORTED)
"""The trades that count in the statistics: recorded by the holder, or reported by an exchange
and neither disputed by the holder nor withdrawn (docs/statistics.md)."""


class TradeKind(models.TextChoices):
    """What a reported trade conveyed: a licence to use the data, or the right itself."""

    LICENCE = "licence", _("Licence")
    TRANSFER = "transfer", _("Transfer")


class Trade(Money):
    """A trade of the data product on a data exchange (场内交易): recorded by the holder, or
    reported by the exchange (``reported_by``; 交易所报送) with its parties and what was traded.
    A reported transfer proposes a :class:`Transfer` that the parties still confirm."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="trades"
    )
    exchange = models.CharField(_("data exchange"), max_length=200)
    contract_reference = models.CharField(_("contract reference"), max_length=100)
    traded_on = models.DateField(_("trade date"))
    recorded_at = models.DateTimeField(_("recorded"))
    # Reported by a data exchange (交易所报送); empty for the holder's own records.
    reported_by = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="trade_reports",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TradeStatus.choices, default=TradeStatus.RECORDED
    )
    kind = models.CharField(
        _("what was traded"), max_length=10, choices=TradeKind.choices, blank=True
    )
    sellers = models.JSONField(_("sellers (holders at the report)"), default=list, blank=True)
    buyer = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    buyer_name = models.CharField(_("buyer's name"), max_length=200, blank=True)
    buyer_identifier = models.CharField(_("buyer's credit code"), max_length=18, blank=True)
    licence_kind = models.CharField(
        _("licence kind"), max_length=10, choices=LicenceKind.choices, blank=True
    )
    starts = models.DateField(_("from"), null=True)
    ends = models.DateField(_("until"), null=True)
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, null=True, related_name="trade_reports"
    )
    disputed_at = models.DateTimeField(_("disputed"), null=True)
    dispute_reason = models.TextField(_("why the holder disputes it"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True)
    withdraw_reason = models.TextField(_("why the exchange withdrew it"), blank=True)

    class Meta:
        verbose_name = _("trade")
        verbose_name_plural = _("trades")
        constraints = [
            models.UniqueConstraint(
                fields=["reported_by", "contract_reference"],
                condition=models.Q(reported_by__isnull=False) & ~models.Q(status="withdrawn"),
                name="uniq_trade_report",
            ),
        ]
        indexes = [models.Index(fields=["reported_by", "status"])]

    @property
    def buyer_display(self) -> str:
        """The buyer's name: the registered organisation's, or the one reported."""
        return self.buyer.name if self.buyer is not None else self.buyer_name


class PledgeStatus(models.TextChoices):
    """Whether a pledge stands: proposed by the pledgee, it stands once a holder confirms."""

    PROPOSED = "proposed", _("Waiting for the holder's confirmation")
    ACTIVE = "active", _("In force")
    RELEASED = "released", _("Released")
    DECLINED = "declined", _("Declined by the holder")


class Pledge(Money):
    """A pledge of the right to secure a loan (质押), and its release (解除)."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="pledges"
    )
    pledgee = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("pledgee"),
        on_delete=models.PROTECT,
        related_name="pledges_held",
    )
    contract_reference = models.CharField(_("contract reference"), max_length=100)
    valuation_reference = models.CharField(
        _("valuation report reference"), max_length=100, blank=True
    )
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.ACTIVE
    )
    recorded_at = models.DateTimeField(_("recorded"))
    confirmed_at = models.DateTimeField(_("confirmed by the holder"), null=True)
    decline_reason = models.TextField(_("why the holder declined"), blank=True)
    released_on = models.DateField(_("released on"), null=True)
    release_reason = models.TextField(_("why it was released"), blank=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        indexes = [models.Index(fields=["application", "status"])]


class ConsentPurpose(models.TextChoices):
    """What a pledgee can consent to while its pledge stands."""

    TRANSFER = "transfer", _("Transfer")
    EXCLUSIVE_LICENCE = "exclusive_licence", _("Exclusive or sole licence")
    CANCELLATION = "cancellation", _("Cancellation")


class PledgeConsent(models.Model):
    """A pledgee's consent to one transfer, exclusive licence or cancellation; used once."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(_("given"))
    used_at = models.DateTimeField(_("used"), null=True)

    class Meta:
        verbose_name = _("pledgee's consent")
        verbose_name_plural = _("pledgees' consents")


class ConsentRequestStatus(models.TextChoices):
    """Where a holder's request for the pledgee's consent stands."""

    PENDING = "pending", _("Waiting for the pledgee")
    GIVEN = "given", _("Consent given")
    REFUSED = "refused", _("Consent refused")


class ConsentRequest(models.Model):
    """A holder asks the pledgee of a standing pledge to consent to one transfer, exclusive
    licence or cancellation (征求质权人同意); the pledgee gives it (a :class:`PledgeConsent`)
    or refuses it with a reason."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="consent_requests")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    note = models.TextField(_("note to the pledgee"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConsentRequestStatus.choices,
        default=ConsentRequestStatus.PENDING,
    )
    decided_at = models.DateTimeField(_("decided"), null=True)
    refusal_reason = models.TextField(_("why the pledgee refused"), blank=True)
    consent = models.OneToOneField(
        PledgeConsent, on_delete=models.PROTECT, null=True, related_name="request"
    )

    class Meta:
        verbose_name = _("consent request")
        verbose_name_plural = _("consent requests")
        indexes = [models.Index(fields=["pledge", "status"])]


class ServiceRevenue(Money):
    """Revenue earned by data services on the product, for a period (数据服务收入)."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="revenues"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    description = models.CharField(_("service"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("service revenue record")
        verbose_name_plural = _("service revenue records")


class ValuationMethod(models.TextChoices):
    """Appraisal approaches named by the value-evaluation guidance (价值评估方法)."""

    COST = "cost", _("Cost approach")
    INCOME = "income", _("Income approach")
    MARKET = "market", _("Market approach")
    COMPOSITE = "composite", _("Composite approach")


class Valuation(Money):
    """A valuation of the registered data (价值评估), with its inputs; may back a pledge or a
    trade."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="valuations"
    )
    method = models.CharField(_("method"), max_length=10, choices=ValuationMethod.choices)
    evaluator = models.CharField(_("evaluator"), max_length=200)
    valued_on = models.DateField(_("valuation date"))
    inputs = models.JSONField(_("inputs"), default=dict)
    pledge = models.ForeignKey(
        Pledge, on_delete=models.PROTECT, null=True, related_name="valuations"
    )
    trade = models.ForeignKey(Trade, on_delete=models.PROTECT, null=True, related_name="valuations")
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("valuation")
        verbose_name_plural = _("valuations")


class RenewalReminder(models.Model):
    """A reminder sent to the holder that the renewal window closes (one per term)."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="reminders"
    )
    valid_until = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        constraints = [
            models.UniqueConstraint(fields=["application", "valid_until"], name="uniq_reminder"),
        ]


def decision_path(instance: DecisionDocument, filename: str) -> str:
    """Store a decision's document by content hash."""
    return f"decisions/{instance.sha256[:2]}/{instance.sha256}"


class DecisionDocument(models.Model):
    """The document of the decision that revoked a registration (撤销决定书 or the court's
    judgment), hashed at upload; the revocation's event commits to its digest. Seen by the
    registry's staff and the holders, never by the public (the public sees the decision's
    reference where the regime publishes it)."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="decision_documents"
    )
    action = models.CharField(max_length=40)
    file = models.FileField(upload_to=decision_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("decision document")
        verbose_name_plural = _("decision documents")
        ordering = ["id"]
