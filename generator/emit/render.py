"""The Jinja2 environment, and the filters that are the only way spec values reach code.

Every `{{ ... }}` goes through `_finalize`, which lets through only Code (a filter's output),
Ident (a checked identifier) and numbers. A raw spec string (Text) or test data (Data) makes
rendering fail, so escaping happens by construction in one place: the `py` filter (repr).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from specgen.emit.docstrings import (
    awaited_doc,
    client_doc,
    init_doc,
    method_doc,
    model_doc,
    request_doc,
    result_doc,
)
from specgen.emit.literal import doc, md, md_code, member, py, regex
from specgen.emit.reference import cell, example_call, limiter_example, unified_example
from specgen.errors import SpecError
from specgen.spec.kinds.base import Lines
from specgen.spec.kinds.types.decimal import DECIMAL_PATTERN
from specgen.spec.kinds.types.int_string import INTEGER_PATTERN
from specgen.spec.model import Data, Object, Type
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


def pytype(t: Type) -> Code:
    """The annotation for a spec type, as its kind defines it."""
    return Code(t.pytype())


def check_code(t: Type, var: str, path: str, strict: bool) -> Code:
    """Statements appending a Violation to `out` for each rule the JSON value var breaks."""
    lines = Lines()
    t.check(lines, var, path, strict)
    return Code(lines.text())


def to_wire(t: Type, expr: str) -> Code:
    """An expression for the JSON value of the typed value expr."""
    return Code(t.to_wire(expr))


def from_json(t: Type, expr: str, present: bool = False) -> Code:
    """An expression for the typed value of the validated JSON value expr (present: not null)."""
    return Code(t.from_json(expr, present=present))


def checker_function(t: Object, strict: bool) -> Code:
    return Code(t.checker_function(strict))


def checker(t: Object) -> Code:
    """The name of the function that checks an object type: _check_cancel_batch_order."""
    return Code(t.checker)


def tuple_of(values: Any) -> Code:
    """A tuple literal of the values (a one-item tuple keeps its comma, and no other does)."""
    return py(tuple(values))


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


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by an earlier run, so that a run renders without compiling them again.

    Jinja keys each entry by the template's name and checks its source's checksum; the folder
    is chosen by the caller per version of the generator's code and tools (the environment's
    options decide the compiled code too). Each file carries the sha256 of its bytes: a damaged
    one is compiled afresh, never run.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.code"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            blob = self._path(bucket).read_bytes()
        except OSError:
            return
        digest, data = blob[:32], blob[32:]
        if hashlib.sha256(data).digest() != digest:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # a file of another Python, or not one of ours: compile afresh
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        path = self._path(bucket)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(hashlib.sha256(data).digest() + data)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def make_env(templates: Path, compiled: Path | None = None) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=None if compiled is None else CompiledTemplates(compiled),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    # Each filter and global function is registered under its own name.
    filters: tuple[Callable[..., Any], ...] = (py, tuple_of, doc, md, md_code, cell, pytype, ident, member, regex)
    filters += (example_call, unified_example, limiter_example, checker, check_code, to_wire, from_json)
    env.filters.update({f.__name__: f for f in (*filters, checker_function)})
    env.globals.update(
        {f.__name__: f for f in (method_doc, awaited_doc, client_doc, init_doc, model_doc, request_doc, result_doc)}
    )
    env.globals.update(decimal_pattern=DECIMAL_PATTERN, integer_pattern=INTEGER_PATTERN)
    env.tests.update(text=lambda v: isinstance(v, Text), code=lambda v: isinstance(v, Code))
    return env


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        loader = env.loader
        folder = loader.searchpath[0] if isinstance(loader, jinja2.FileSystemLoader) else "templates"
        raise SpecError(str(Path(folder) / str(exc.name)), None, "template-missing", "template not found") from None
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
