"""The Jinja2 environment, and the filters that are the only way spec values reach code.

Every `{{ ... }}` goes through `_finalize`, which lets through only Code (a filter's output),
Ident (a checked identifier) and numbers. A raw spec string (Text) or test data (Data) makes
rendering fail, so escaping happens by construction in one place: the `py` filter (repr).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from generator.errors import SpecError
from generator.model import Data, Type
from generator.text import Code, Ident, Text


def _finalize(value: Any) -> Any:
    if isinstance(value, jinja2.Undefined):
        return value  # StrictUndefined raises its own, clearer error when printed
    if isinstance(value, (Code, Ident)):
        return value
    if type(value) is str:
        # Template-made text and closed-vocabulary model values (kinds, methods). Spec strings
        # are always Text, which is refused below.
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"a template printed a raw {type(value).__name__} ({value!r:.60}); pass it through |py or |ident")


def py(value: Any) -> Code:
    """A Python literal for any spec value: the one escaping filter."""
    return Code(_literal(value))


def _literal(value: Any) -> str:
    if isinstance(value, Text):
        return repr(value.value)
    if isinstance(value, Ident):
        return repr(value.value)
    if isinstance(value, Data):
        return _literal(value.value)
    if value is None or isinstance(value, (bool, int, str, Decimal)):
        return repr(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("non-finite numbers cannot be written as literals")
        return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else (f"({inner})" if isinstance(value, tuple) else f"[{inner}]")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as a Python literal")


def member(name: Text | Ident) -> Code:
    """A string literal for the JSON-path step to a member: '.orderId'."""
    return Code(repr("." + name.value))


def pytype(t: Type, side: str = "response") -> Code:
    """The annotation for a spec type; requests take Sequence-free tuples, responses too."""
    kind = t.kind
    if kind == "string":
        return Code("str")
    if kind == "int64":
        return Code("int")
    if kind in ("decimal",):
        return Code("Decimal")
    if kind == "float":
        return Code("float")
    if kind == "bool":
        return Code("bool")
    if kind == "enum":
        return Code("Literal[" + ", ".join(_literal(v) for v in t.values) + "]")
    if kind == "list":
        assert t.items is not None
        return Code(f"tuple[{pytype(t.items, side)}, ...]")
    if kind == "object":
        assert t.model is not None
        return Code(t.model.value)
    if kind == "one_of":
        return Code(" | ".join(pytype(v.type, side) for v in t.variants))
    raise ValueError(kind)


def ident(value: Any) -> Ident:
    if isinstance(value, Ident):
        return value
    if isinstance(value, Text):
        return Ident(value.value)
    raise TypeError(f"not an identifier: {value!r}")


def make_env(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(py=py, pytype=pytype, ident=ident, member=member)
    env.tests.update(text=lambda v: isinstance(v, Text))
    return env


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise SpecError(str(Path(str(env.loader.searchpath[0]) if isinstance(env.loader, jinja2.FileSystemLoader) else "templates") / exc.name), None, "template-missing", "template not found") from None  # type: ignore[operator]
    except jinja2.TemplateSyntaxError as exc:
        raise SpecError(exc.filename or template, exc.lineno, "template-syntax", exc.message or "syntax error") from None
    except Exception as exc:  # any failure inside a template is reported against the template
        line = _template_line(exc, template)
        raise SpecError(f"templates/{template}", line, "template", str(exc)) from None


def _template_line(exc: BaseException, template: str) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(template):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
