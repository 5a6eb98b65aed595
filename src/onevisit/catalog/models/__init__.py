from .bundles import Bundle, BundleItem
from .items import (
    Channel,
    FormSchema,
    ItemChange,
    ItemKind,
    ItemVersion,
    MaterialRequirement,
    ProcessDefinition,
    RuleDefinition,
    ServiceItem,
)
from .powers import LifeEvent, Power, Responsibility
from .search import ItemSearchIndex, SearchMiss

__all__ = [
    "Bundle",
    "BundleItem",
    "Channel",
    "FormSchema",
    "ItemChange",
    "ItemKind",
    "ItemSearchIndex",
    "ItemVersion",
    "LifeEvent",
    "MaterialRequirement",
    "Power",
    "ProcessDefinition",
    "Responsibility",
    "RuleDefinition",
    "SearchMiss",
    "ServiceItem",
]
