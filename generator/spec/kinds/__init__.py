"""Rule kinds and type kinds, each defined once.

Every module under rules/ and types/ is imported here, and each registers its kinds with
@rule_kind or @type_kind (base.py). Adding a kind means adding one module; the language schema
(language.py), the model, the JSON Schemas, the validators and the contract cases all read the
registries.
"""

from __future__ import annotations

import importlib
import pkgutil

from specgen.spec.kinds.base import RULE_KINDS, TYPE_KINDS, Condition, ConditionalLimit, Ctx, Members, Rule, build_rule
from specgen.spec.kinds.fields import INT64_MAX, INT64_MIN, Field, Type, Variant, build_fields, build_type

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "RULE_KINDS",
    "TYPE_KINDS",
    "Condition",
    "ConditionalLimit",
    "Ctx",
    "Field",
    "List",
    "Members",
    "Object",
    "Rule",
    "Type",
    "Variant",
    "build_fields",
    "build_rule",
    "build_type",
]


def _load_all() -> None:
    for family in ("rules", "types"):
        package = importlib.import_module(f"{__name__}.{family}")
        for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
            importlib.import_module(f"{package.__name__}.{module}")


_load_all()

from specgen.spec.kinds.types.list import List  # noqa: E402  (registered above)
from specgen.spec.kinds.types.object import Object  # noqa: E402
