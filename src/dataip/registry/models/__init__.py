"""Models of the registry, a module per topic."""

from dataip.registry.models.applications import (
    Application,
    ApplicationHolder,
    Material,
    PanelAssignment,
)
from dataip.registry.models.events import Event
from dataip.registry.models.holders import Holder, HolderKind
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

__all__ = [
    "AnswerEvidence",
    "Application",
    "ApplicationHolder",
    "ChangeRequest",
    "ConsentPurpose",
    "ConsentRequest",
    "ConsentRequestStatus",
    "DataProduct",
    "DecisionDocument",
    "Event",
    "Holder",
    "HolderKind",
    "Licence",
    "LicenceKind",
    "Material",
    "NumberSequence",
    "Objection",
    "ObjectionAnswer",
    "ObjectionEvidence",
    "ObjectionGround",
    "PanelAssignment",
    "Pledge",
    "PledgeConsent",
    "PledgeStatus",
    "RecordStatus",
    "RenewalReminder",
    "SearchEntry",
    "ServiceRevenue",
    "Trade",
    "Transfer",
    "TransferConfirmation",
    "UpdateFrequency",
    "Valuation",
    "ValuationMethod",
]
