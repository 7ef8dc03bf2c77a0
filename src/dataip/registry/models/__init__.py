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
from dataip.registry.models.objections import Objection, ObjectionEvidence, ObjectionGround
from dataip.registry.models.products import DataProduct, UpdateFrequency

__all__ = [
    "Application",
    "ApplicationHolder",
    "DataProduct",
    "Event",
    "Holder",
    "HolderKind",
    "Material",
    "NumberSequence",
    "Objection",
    "ObjectionEvidence",
    "ObjectionGround",
    "PanelAssignment",
    "UpdateFrequency",
]
