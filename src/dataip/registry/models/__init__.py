"""Models of the registry, a module per topic."""

from dataip.registry.models.applications import (
    Application,
    ApplicationHolder,
    Material,
    PanelAssignment,
)
from dataip.registry.models.events import Event
from dataip.registry.models.holders import (
    ClaimStatus,
    DocumentKind,
    Holder,
    HolderKind,
    IdentityDocument,
    OrganisationClaim,
    OrganisationType,
    Verification,
)
from dataip.registry.models.listings import Listing, PriceModel, Referral, ReferralStatus
from dataip.registry.models.numbering import NumberSequence
from dataip.registry.models.objections import (
    AnswerEvidence,
    Objection,
    ObjectionAnswer,
    ObjectionEvidence,
    ObjectionGround,
)
from dataip.registry.models.products import DataProduct, UpdateFrequency
from dataip.registry.models.rights import (
    ChangeRequest,
    ConsentPurpose,
    ConsentRequest,
    ConsentRequestStatus,
    DecisionDocument,
    Licence,
    LicenceKind,
    Pledge,
    PledgeConsent,
    PledgeStatus,
    RecordStatus,
    RenewalReminder,
    ServiceRevenue,
    Trade,
    Transfer,
    TransferConfirmation,
    Valuation,
    ValuationMethod,
)
from dataip.registry.models.search import SearchEntry
from dataip.registry.models.statistics import StatisticsCell
from dataip.registry.models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
    WebhookTopic,
)

__all__ = [
    "AnswerEvidence",
    "Application",
    "ApplicationHolder",
    "ChangeRequest",
    "ClaimStatus",
    "ConsentPurpose",
    "ConsentRequest",
    "ConsentRequestStatus",
    "DataProduct",
    "DecisionDocument",
    "DeliveryStatus",
    "DocumentKind",
    "Event",
    "Holder",
    "HolderKind",
    "IdentityDocument",
    "Licence",
    "LicenceKind",
    "Listing",
    "Material",
    "NumberSequence",
    "Objection",
    "ObjectionAnswer",
    "ObjectionEvidence",
    "ObjectionGround",
    "OrganisationClaim",
    "OrganisationType",
    "PanelAssignment",
    "Pledge",
    "PledgeConsent",
    "PledgeStatus",
    "PriceModel",
    "RecordStatus",
    "Referral",
    "ReferralStatus",
    "RenewalReminder",
    "SearchEntry",
    "ServiceRevenue",
    "StatisticsCell",
    "Trade",
    "Transfer",
    "TransferConfirmation",
    "UpdateFrequency",
    "Valuation",
    "ValuationMethod",
    "Verification",
    "WebhookDelivery",
    "WebhookSubscription",
    "WebhookTopic",
]
