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
from specgen.emit.json_schema import DECIMAL_PATTERN, python_pattern
from specgen.errors import SpecError
from specgen.spec.model import INT64_MAX, INT64_MIN, Data, Type
from specgen.spec.text import Code, Ident, Text


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
        return (
            f"({inner},)"
            if isinstance(value, tuple) and len(value) == 1
            else (f"({inner})" if isinstance(value, tuple) else f"[{inner}]")
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as a Python literal")


def doc(value: Text | str) -> Code:
    r"""Text to write between a docstring's quotes, such that Python reads back exactly the text.

    repr() escapes backslashes, newlines and control characters, and double quotes are escaped
    too, so nothing can end the docstring early. Spaces at either end and a final quote become
    \x20 and \x22, since black strips a docstring's outer spaces and pads a final quote.
    """
    text = value.value if isinstance(value, Text) else value
    quoted = repr(text)
    body = quoted[1:-1] if quoted[0] == '"' else quoted[1:-1].replace('"', '\\"')
    if body.endswith('"'):
        body = body[:-2] + "\\x22"
    core = body.strip(" ")
    lead = len(body) - len(body.lstrip(" "))
    trail = len(body) - len(body.rstrip(" ")) if core else 0
    return Code("\\x20" * lead + core + "\\x20" * trail)


def regex(pattern: Text | str) -> Code:
    """A Python literal of the pattern as Python's re must see it to match as ECMA-262 does."""
    return Code(repr(python_pattern(pattern.value if isinstance(pattern, Text) else pattern)))


def member(name: Text | Ident, base: str = "") -> Code:
    """A string literal for the JSON-path step to a member: '.orderId' (or '$.orderId')."""
    return Code(repr(base + "." + name.value))


def pytype(t: Type) -> Code:
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
        return Code(f"tuple[{pytype(t.items)}, ...]")
    if kind == "object":
        assert t.model is not None
        return Code(t.model.value)
    if kind == "one_of":
        return Code(" | ".join(pytype(v.type) for v in t.variants))
    raise ValueError(kind)


def ident(value: Any) -> Ident:
    if isinstance(value, Ident):
        return value
    if isinstance(value, Text):
        return Ident(value.value)
    raise TypeError(f"not an identifier: {value!r}")


class _Environment(jinja2.Environment):
    """Templates cannot reach into spec text either: `.value` (or a private attribute) of a Text
    or Data would be the raw string, so only the filters may unwrap it."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check_reach(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _check_reach(obj, argument)
        return super().getitem(obj, argument)


def _check_reach(obj: Any, name: Any) -> None:
    if isinstance(obj, (Text, Data)) and isinstance(name, str) and (name == "value" or name.startswith("_")):
        raise TypeError(
            f"a template read .{name} of spec {type(obj).__name__.lower()}; pass the value itself through |py or |doc"
        )


def make_env(templates: Path) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(py=py, doc=doc, pytype=pytype, ident=ident, member=member, regex=regex)
    env.globals.update(decimal_pattern=DECIMAL_PATTERN, int64_min=INT64_MIN, int64_max=INT64_MAX)
    env.tests.update(text=lambda v: isinstance(v, Text))
    return env


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        loader = env.loader
        folder = Path(str(loader.searchpath[0])) if isinstance(loader, jinja2.FileSystemLoader) else Path("templates")
        raise SpecError(str(folder / str(exc.name)), None, "template-missing", "template not found") from None
    except jinja2.TemplateSyntaxError as exc:
        raise SpecError(
            exc.filename or template, exc.lineno, "template-syntax", exc.message or "syntax error"
        ) from None
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
