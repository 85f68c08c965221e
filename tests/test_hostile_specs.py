"""Issue 6: hostile spec text and names either are refused with a clear SpecError or come out as
code that compiles, that black leaves alone, and that holds every string exactly.

Spec text reaches generated code only through the `py` filter (a repr) or the `doc` filter (a
docstring body), and Jinja refuses raw spec text (generator/render.py). These tests throw quotes,
triple quotes, backslashes, newlines, `{{ }}` and `{% %}`, `#`, control characters, unicode and
very long strings at every slot of a real spec (Bybit v5), and read every string back from the
imported modules: the title from module docstrings, the summary from method and class
docstrings, enum values from the Literal and the validator, descriptions from the JSON Schemas,
the notes' neighbours from the contract data file. Hypothesis runs derandomized.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import keyword
import re
import shutil
import subprocess
import sys
import tempfile
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import jinja2
import pytest
import specgen.emit.formatting
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from specgen.config import Config
from specgen.contract import Contract
from specgen.emit.formatting import format_one
from specgen.emit.pipeline import build_plan
from specgen.emit.render import doc, make_env, py, render
from specgen.errors import SpecError, SpecErrors
from specgen.simulator import Simulator
from specgen.spec.model import Data
from specgen.spec.specset import read_specs
from specgen.spec.text import Ident, Text

from tests.helpers import FIXTURE_SPECS, ROOT

TEMPLATES = ROOT / "templates"
SPECS = FIXTURE_SPECS / "fx_header"
OP = "cancel_batch"
SETTINGS = dict(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))

# -- hostile strings ----------------------------------------------------------------------------

NASTY = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\\\",
    "\\n",
    "\\x00",
    "\\N{BULLET}",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u202e",
    "\ufffe",
    "\U0010ffff",
    "😀",
    "{{ venue }}",
    "{{",
    "}}",
    "{% if x %}",
    "{%",
    "%}",
    "{#",
    "#}",
    "#",
    "# noqa",
    "{}",
    "{0}",
    "%s",
    "%(x)s",
    " ",
    "  ",
    "é",
    "ß",
    "İ",
    "ǅ",
    "Ⅻ",
    "١٢٣",
    "\u0301",
    "<script>",
    "&amp;",
    "${x}",
    "`",
    "$(rm -rf /)",
    "*/",
    "/*",
    "--",
    "; DROP TABLE",
    "null",
    "None",
    "True",
    "0",
    "-1",
    "1e400",
    "NaN",
    "__import__('os')",
]
CHARACTERS = st.characters(blacklist_categories=("Cs",))  # lone surrogates cannot be written as UTF-8
PIECE = st.one_of(st.sampled_from(NASTY), st.text(CHARACTERS, max_size=12))
SHORT = st.one_of(st.lists(PIECE, min_size=1, max_size=8).map("".join), st.text(CHARACTERS, min_size=1, max_size=60))
LONG = st.builds(lambda piece, n: (piece * n)[:20000], st.sampled_from(NASTY[:12]), st.integers(500, 20000))
HOSTILE = st.one_of(SHORT, SHORT, LONG)
ASCII_HOSTILE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40)


class _Dumper(yaml.SafeDumper):
    """Writes every string double-quoted, where YAML escapes whatever it must (NEL, controls)."""


_Dumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style='"'))


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1 << 30)


# -- a hostile copy of the Bybit v5 spec --------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    title: str
    summary: str
    texts: tuple[str, ...]  # descriptions, notes, rule texts, simulator texts
    values: tuple[str, ...]  # extra enum values (distinct, none of the spec's own)
    when: tuple[str, ...]  # extra values of the conditional limit (a subset of values)
    header: str  # a static header value (printable ASCII, as the language requires)
    literal: str  # a symbol the pattern admits besides its own


ORIGINAL_VALUES = ("linear", "option", "spot", "inverse")


@st.composite
def hostiles(draw: st.DrawFn) -> Hostile:
    values = draw(
        st.lists(
            HOSTILE.filter(lambda v: v not in ORIGINAL_VALUES and len(v) < 500), min_size=1, max_size=4, unique=True
        )
    )
    return Hostile(
        title=draw(HOSTILE),
        summary=draw(HOSTILE),
        texts=tuple(draw(st.lists(HOSTILE, min_size=12, max_size=12))),
        values=tuple(values),
        when=tuple(values[: draw(st.integers(0, len(values)))]),
        header=draw(ASCII_HOSTILE),
        literal=draw(HOSTILE.filter(lambda s: len(s) < 200)),
    )


def load_base() -> tuple[dict[str, Any], dict[str, Any]]:
    venue = yaml.safe_load((SPECS / "venue.yaml").read_text("utf-8"))
    endpoint = yaml.safe_load((SPECS / f"{OP}.yaml").read_text("utf-8"))
    return venue, endpoint


def hostile_spec(h: Hostile) -> tuple[dict[str, Any], dict[str, Any]]:
    venue, endpoint = load_base()
    texts = iter(h.texts * 10)
    venue["title"] = h.title
    venue["auth"]["headers"]["X-Hostile"] = h.header
    venue["rate_limit_pools"] = [{"name": "hostile_pool", "scope": "ip", "description": next(texts)}]
    for note in venue["notes"] + endpoint["notes"]:
        note["about"], note["decision"] = next(texts), next(texts)
    for answer in venue.get("simulation", {}).get("errors", {}).values():
        answer["message"], answer["source"] = next(texts), next(texts)
    endpoint["summary"] = h.summary
    category, request = endpoint["params"]
    category["values"] = [*ORIGINAL_VALUES, *h.values]
    category["description"] = next(texts)
    request["description"] = next(texts)
    item = request["items"]
    for field in item["fields"]:
        field["description"] = next(texts)
    symbol = item["fields"][0]
    symbol["pattern"] = symbol["pattern"] + "|^" + re.escape(h.literal) + "$"
    item["rules"][0]["description"] = next(texts)
    [limit] = endpoint["rules"]
    limit["description"] = next(texts)
    limit["when"]["in"] = ["spot", *h.when]
    endpoint["response"]["description"] = next(texts)
    for field in endpoint["response"]["body"]["fields"]:
        field["description"] = next(texts)
    for kind in ("request", "malformed", "response"):
        for case in endpoint["tests"][kind]:
            case["description"] = next(texts)
    return venue, endpoint


def write_specs(root: Path, venue: dict[str, Any], endpoint: dict[str, Any]) -> Path:
    folder = root / "specs" / "fx_header"
    shutil.copytree(SPECS / "sources", folder / "sources")
    (folder / "venue.yaml").write_text(dump(venue), "utf-8")
    (folder / f"{OP}.yaml").write_text(dump(endpoint), "utf-8")
    return root / "specs"


def plan_for(root: Path, formatted: bool) -> dict[str, bytes]:
    """generate's plan for the specs under root; unformatted: black is replaced by the identity."""
    config = Config(
        root=root, specs=root / "specs", templates=TEMPLATES, output=root / "out", cache=root / "cache", no_cache=True
    )
    if formatted:
        return build_plan(config).plan
    with mock.patch.object(specgen.emit.formatting, "format_one", lambda source: source):
        return build_plan(config).plan


@contextmanager
def imported(plan: dict[str, bytes], where: Path) -> Iterator[SimpleNamespace]:
    """The planned package and its contract (from its data file), imported from where; the real ones are restored."""
    for rel, data in plan.items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_bytes(data)
    mine = [name for name in sys.modules if name == "fx_header" or name.startswith("fx_header.")]
    saved = {name: sys.modules.pop(name) for name in mine}
    sys.path.insert(0, str(where))
    importlib.invalidate_caches()
    try:
        package = importlib.import_module("fx_header")
        contract = Contract.load(where / "contract_tests" / "data" / "fx_header" / f"{OP}.json")
        yield SimpleNamespace(package=package, contract=contract, schemas=where / "fx_header" / "schemas")
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n == "fx_header" or n.startswith("fx_header.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def assert_read_back(h: Hostile, venue: dict[str, Any], endpoint: dict[str, Any], got: SimpleNamespace) -> None:
    pkg = got.package
    # The title, in every module's docstring and the client's.
    for name in ("client", "models", "validators", "operations"):  # the runtime modules name no venue
        module_doc = getattr(pkg, name).__doc__
        assert f" for '{h.title}'.\n" in module_doc, name
    assert pkg.Client.__doc__.startswith(f"'{h.title}' REST client generated from its specs.\n")
    # The summary, as the method's summary line and the request class's docstring.
    assert getattr(pkg.Client, OP).__doc__.startswith(h.summary)
    assert pkg.CancelBatchRequest.__doc__.startswith(h.summary)
    # Enum values: the Literal, the validator, and the conditional limit.
    values = (*ORIGINAL_VALUES, *h.values)
    hint = typing.get_type_hints(pkg.models.CancelBatchRequest)["category"]
    assert typing.get_args(hint) == values
    one = [{"symbol": "BTCUSDT", "orderId": "1"}]
    for value in values:
        assert pkg.validators.validate_cancel_batch_request({"category": value, "request": one}) == []
    stranger = "".join(values) + "?"
    [violation] = pkg.validators.validate_cancel_batch_request({"category": stranger, "request": one})
    assert (violation.path, violation.rule) == ("$.category", "enum")
    [limit] = pkg.OPERATIONS[OP].conditional_limits
    assert limit.when_values == ("spot", *h.when)
    eleven = [{"symbol": "BTCUSDT", "orderId": str(i)} for i in range(11)]
    for value in values:
        rules = [v.rule for v in pkg.validators.validate_cancel_batch_request({"category": value, "request": eleven})]
        assert rules == (["max_items_when"] if value in ("spot", *h.when) else []), value
    # The pattern admits the literal; the header is sent as written.
    pattern = endpoint["params"][1]["items"]["fields"][0]["pattern"]
    assert pattern in pkg.validators.cancel_batch._PATTERNS
    assert (
        pkg.validators.validate_cancel_batch_request(
            {"category": "linear", "request": [{"symbol": h.literal, "orderId": "1"}]}
        )
        == []
    )
    client = pkg.Client(api_key="k", secret="s", clock=lambda: 1)
    call = pkg.CancelBatchRequest(category=values[-1], request=(pkg.CancelBatchOrder(symbol=h.literal, order_id="1"),))
    request = client.build_cancel_batch(call)
    assert request.header("X-Hostile") == h.header
    assert json.loads(request.body)["category"] == values[-1]
    # Pools, JSON Schemas (descriptions, enum, pattern) and the contract module's data.
    assert pkg.RATE_LIMIT_POOLS[0].description == venue["rate_limit_pools"][0]["description"]
    schema = json.loads((got.schemas / f"{OP}.request.json").read_text("utf-8"))
    assert schema["title"] == f"{h.title}: {OP} request parameters"
    assert schema["description"] == h.summary
    category, req = endpoint["params"]
    assert schema["properties"]["category"] == {"description": category["description"], "enum": list(values)}
    assert schema["properties"]["request"]["description"] == req["description"]
    items = schema["properties"]["request"]["items"]["properties"]
    for field in req["items"]["fields"]:
        assert items[field["name"]]["description"] == field["description"]
    assert items["symbol"]["pattern"] == pattern
    response = json.loads((got.schemas / f"{OP}.response.json").read_text("utf-8"))
    assert response["title"] == f"{h.title}: {OP} success body"
    for field in endpoint["response"]["body"]["fields"]:
        assert response["properties"][field["name"]]["description"] == field["description"]
    contract = got.contract
    assert list(contract.request_cases) == endpoint["tests"]["request"]
    assert list(contract.malformed_cases) == endpoint["tests"]["malformed"]
    assert list(contract.response_cases) == endpoint["tests"]["response"]


def run_example(h: Hostile, formatted: bool) -> None:
    venue, endpoint = hostile_spec(h)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_specs(root, venue, endpoint)
        plan = plan_for(root, formatted)
        for rel, data in plan.items():
            if rel.endswith(".py"):
                compile(data, rel, "exec")
                if formatted:
                    assert format_one(data.decode("utf-8")) == data.decode("utf-8"), f"black changes {rel} again"
        with imported(plan, root / "imported") as got:
            assert_read_back(h, venue, endpoint, got)


@settings(max_examples=16, **SETTINGS)  # type: ignore[arg-type]
@given(hostiles())
def test_hostile_text_compiles_and_reads_back_exactly(h: Hostile) -> None:
    run_example(h, formatted=False)


@settings(max_examples=3, **SETTINGS)  # type: ignore[arg-type]
@given(hostiles())
def test_hostile_text_is_black_stable(h: Hostile) -> None:
    run_example(h, formatted=True)


def test_the_worst_strings_at_once_with_black() -> None:
    """Every fragment in one spec, formatted, so none of them depends on hypothesis drawing it."""
    texts = tuple("".join(NASTY[i:] + NASTY[:i]) for i in range(12))
    h = Hostile(
        title="\"\"\"\\ ''' {{ venue }} {% if %} # \x00\n\r\x85 😀 ",
        summary=' """ leading and trailing spaces, a final quote " ',
        texts=texts,
        values=tuple(dict.fromkeys(v for v in NASTY if v not in ORIGINAL_VALUES))[:30],
        when=('"""', "\\", "\n"),
        header="\"\"\"\\''' {{ x }} {% y %} # z",
        literal='"""\\\n{{ x }}#',
    )
    run_example(h, formatted=True)


# -- the filters on their own: many more strings, fast ------------------------------------------

JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(CHARACTERS),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(CHARACTERS, max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=2000, **SETTINGS)  # type: ignore[arg-type]
@given(st.text(CHARACTERS), JSONISH)
def test_the_filters_write_literals_python_reads_back_exactly(text: str, data: Any) -> None:
    assert ast.literal_eval(py(Text(text))) == text
    assert ast.literal_eval(py(Data(data))) == data
    for quotes in ('"', '"""'):
        namespace: dict[str, Any] = {}
        exec(compile(f"def f():\n    {quotes}{doc(Text(text))}{quotes}\n", "<doc>", "exec"), namespace)
        assert namespace["f"].__doc__ == text


MINI = """{% from "macros/header.j2" import header %}
{{ header(venue, "Hostile strings") }}

from typing import Literal

VALUES = {{ values|py }}
Kind = Literal[{% for v in values %}{{ v|py }}, {% endfor %}]
DATA = {{ data|py }}


class Model:
    "{{ summary|doc }}"

    kind: Kind = {{ values[0]|py }}


def method() -> None:
    "{{ summary|doc }}"
"""


@pytest.fixture(scope="module")
def mini_env(tmp_path_factory: pytest.TempPathFactory) -> jinja2.Environment:
    """The real macros and filters, with one small template that uses each way out."""
    root = tmp_path_factory.mktemp("mini-templates")
    shutil.copytree(TEMPLATES / "macros", root / "macros")
    (root / "mini.py.j2").write_text(MINI, "utf-8")
    env = make_env(root)
    env.globals["provenance"] = lambda venue: "Generated by specgen for a test; do not edit."  # as pipeline sets it
    return env


@settings(max_examples=300, **SETTINGS)  # type: ignore[arg-type]
@given(SHORT, SHORT, st.lists(SHORT, min_size=1, max_size=5, unique=True), JSONISH)
def test_rendered_text_survives_black(
    mini_env: jinja2.Environment, title: str, summary: str, values: list[str], data: Any
) -> None:
    venue = SimpleNamespace(title=Text(title), name=Ident("mini"))
    source = render(
        mini_env,
        "mini.py.j2",
        venue=venue,
        summary=Text(summary),
        values=tuple(Text(v) for v in values),
        data=Data(data),
    )
    formatted = format_one(source)
    assert format_one(formatted) == formatted
    namespace: dict[str, Any] = {}
    exec(compile(formatted, "mini.py", "exec"), namespace)
    assert f" for '{title}'.\n" in namespace["__doc__"]
    assert namespace["Model"].__doc__ == namespace["method"].__doc__ == summary
    assert namespace["VALUES"] == tuple(values)
    assert typing.get_args(namespace["Kind"]) == tuple(values)
    assert namespace["DATA"] == data


# -- templates cannot print spec text raw ------------------------------------------------------

RAW = {
    "printed": "{{ field.description }}",
    "joined": "{{ field.description ~ '' }}",
    "formatted": "{{ '%s' % field.description }}",
    "filtered": "{{ field.description|upper }}",
    "unwrapped": "{{ field.description.value }}",
    "subscripted": "{{ field.description['value'] }}",
    "private": "{{ field.description.__dict__ }}",
    "data": "{{ data }}",
    "data_unwrapped": "{{ data.value }}",
}


@pytest.mark.parametrize("template", list(RAW.values()), ids=list(RAW))
def test_a_template_printing_spec_text_raw_fails_clearly(tmp_path: Path, template: str) -> None:
    (tmp_path / "raw.py.j2").write_text(f"# line one\nx = 1  # {template}\n", "utf-8")
    env = make_env(tmp_path)
    field = SimpleNamespace(description=Text('"""; import os; os.system("boom") #'))
    with pytest.raises(SpecError) as info:
        render(env, "raw.py.j2", field=field, data=Data({"a": "b"}))
    error = info.value
    assert (error.file, error.line, error.rule) == ("templates/raw.py.j2", 2, "template")
    assert "|py" in error.message
    assert "\n" not in error.render()


def test_the_escaping_filter_is_the_way_out(tmp_path: Path) -> None:
    (tmp_path / "ok.py.j2").write_text("x = {{ field.description|py }}\n", "utf-8")
    text = '"""; import os; os.system("boom") #'
    source = render(make_env(tmp_path), "ok.py.j2", field=SimpleNamespace(description=Text(text)))
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    assert namespace["x"] == text and "os" not in namespace


# -- names: keywords, builtins, the generated code's own names, and collisions -----------------

AWKWARD = [
    "class",
    "from",
    "import",
    "def",
    "return",
    "lambda",
    "None",
    "True",
    "match",
    "case",
    "_",
    "type",
    "list",
    "dict",
    "tuple",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "object",
    "print",
    "id",
    "len",
    "self",
    "cls",
    "call",
    "params",
    "given",
    "body",
    "query",
    "headers",
    "timestamp",
    "signature",
    "out",
    "value",
    "data",
    "path",
    "items",
    "i",
    "v",
    "n",
    "to_wire",
    "from_json",
    "Decimal",
    "Literal",
    "JSON",
    "cast",
    "re",
    "T",
    "time",
    "quote",
    "response",
    "request_",
    "__init__",
    "a-b",
]


def awkward_spec() -> tuple[dict[str, Any], dict[str, Any]]:
    venue, endpoint = load_base()
    fields = endpoint["params"][1]["items"]["fields"]
    fields += [{"name": name, "type": "string", "description": f"wire name {name}"} for name in AWKWARD]
    endpoint["params"] += [{"name": name, "type": "string"} for name in AWKWARD if name != "request_"]
    return venue, endpoint


def test_an_endpoint_without_parameters_generates_typed_working_code(tmp_path: Path) -> None:
    """A cancel-all that takes nothing: no bare '*' in a method or the request record (a syntax
    error once), mypy --strict clean, and the call cancels every open order in the simulator."""
    venue, endpoint = load_base()
    endpoint["params"] = []
    for key in ("rules", "outcomes", "tests", "actions"):
        endpoint.pop(key, None)
    endpoint["summary"] = "Cancel every open order of the account."
    body = endpoint["response"]["body"]
    body["fields"] = [f for f in body["fields"] if f["name"] != "retExtInfo"]
    [result] = [f for f in body["fields"] if f["name"] == "result"]
    result["fields"] = [{"name": "list", "type": "list", "required": True, "items": {"type": "string"}}]
    endpoint["simulation"] = {"cancel_all": {"ids": "result.list", "source": "A frozen fixture: every open order."}}
    write_specs(tmp_path, venue, endpoint)
    plan = plan_for(tmp_path, formatted=True)
    out = tmp_path / "out"
    for rel, data in plan.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "fx_header"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert typed.returncode == 0, typed.stdout
    with imported(plan, tmp_path / "imported") as got:
        pkg = got.package
        assert list(inspect.signature(pkg.Client.cancel_batch).parameters) == ["self"]
        assert pkg.CancelBatchRequest() == pkg.CancelBatchRequest()
        with Simulator(read_specs(tmp_path / "specs", tmp_path)) as sim:
            orders = sim.seed("fx_header", [{"instrument": "AAA"}, {"instrument": "BBB"}])
            account = sim.credentials("fx_header")
            client = pkg.Client(
                api_key=account.api_key, secret=account.secret, base_url=sim.base_url("fx_header"), timeout=5.0
            )
            with client:
                answer = client.cancel_batch()
            assert sorted(answer.response.result.list) == sorted(o.order_id for o in orders)
            assert [sim.order("fx_header", o.order_id).status for o in orders] == ["cancelled", "cancelled"]


def test_keyword_and_builtin_names_generate_typed_working_code(tmp_path: Path) -> None:
    venue, endpoint = awkward_spec()
    write_specs(tmp_path, venue, endpoint)
    plan = plan_for(tmp_path, formatted=True)
    out = tmp_path / "out"
    for rel, data in plan.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "fx_header"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert typed.returncode == 0, typed.stdout
    with imported(plan, tmp_path / "imported") as got:
        pkg = got.package
        item_fields = set(pkg.CancelBatchOrder.__slots__)
        param_fields = set(pkg.CancelBatchRequest.__slots__)
        for names in (item_fields, param_fields):
            assert all(name.isidentifier() and not keyword.iskeyword(name) for name in names)
        # Every wire name survives the trip through its Python name, in both directions.
        wire = {"orderId": "1", **{name: f"<{name}>" for name in AWKWARD}}
        item = pkg.CancelBatchOrder.from_json({"symbol": "BTCUSDT", **wire})
        assert item.to_wire() == {"symbol": "BTCUSDT", **wire}
        top = {name: f"[{name}]" for name in AWKWARD if name != "request_"}
        call = pkg.CancelBatchRequest.from_json({"category": "spot", "request": [{"symbol": "BTCUSDT", **wire}], **top})
        client = pkg.Client(api_key="k", secret="s", clock=lambda: 1)
        sent = json.loads(client.build_cancel_batch(call).body)
        assert sent == {"category": "spot", "request": [{"symbol": "BTCUSDT", **wire}], **top}
        # The method takes the Python names as keywords.
        kwargs = {name: getattr(call, name) for name in call.__slots__}
        recorded: list[Any] = []

        class Stop(Exception):
            pass

        def capture(request: Any) -> Any:
            recorded.append(request)
            raise Stop

        client.transport = SimpleNamespace(send=capture)
        with pytest.raises(Stop):
            getattr(client, OP)(**kwargs)
        assert json.loads(recorded[0].body) == sent


COLLISIONS = {
    "camel_and_snake": ("orderId", "order_id"),
    "acronym_and_snake": ("orderID", "order_id"),
    "hyphen_and_snake": ("order-id", "order_id"),
    "pascal_and_camel": ("OrderId", "orderId"),
    "keyword_and_escape": ("class", "class_"),
}


@pytest.mark.parametrize("pair", list(COLLISIONS.values()), ids=list(COLLISIONS))
def test_names_that_collide_after_case_conversion_are_refused(tmp_path: Path, pair: tuple[str, str]) -> None:
    venue, endpoint = load_base()
    fields = endpoint["params"][1]["items"]["fields"]
    fields[:] = [fields[0]] + [{"name": name, "type": "string"} for name in pair]  # symbol, then the pair
    specs = write_specs(tmp_path, venue, endpoint)
    with pytest.raises(SpecErrors) as info:
        plan_for(tmp_path, formatted=False)
    [error] = info.value.errors
    text = (specs / "fx_header" / f"{OP}.yaml").read_text("utf-8").splitlines()
    assert error.file.endswith(f"specs/fx_header/{OP}.yaml") and error.rule == "name-collision"
    assert error.line is not None and f'"{pair[1]}"' in text[error.line - 1]  # the second of the two
    assert f"{pair[1]!r} and {pair[0]!r} both become the Python name" in error.message


REFUSED = {
    "model_shadows_an_import": (("params", 1, "items", "model"), "Decimal", "reserved-name"),
    "model_shadows_the_client": (("params", 1, "items", "model"), "Client", "reserved-name"),
    "model_shadows_the_retry_policy": (("params", 1, "items", "model"), "RetryPolicy", "reserved-name"),
    "model_is_the_request_class": (("params", 1, "items", "model"), "CancelBatchRequest", "duplicate-model"),
    "model_is_the_result_class": (("params", 1, "items", "model"), "CancelBatchResult", "duplicate-model"),
    "operation_is_a_client_attribute": (("operation",), "transport", "reserved-name"),
    "operation_is_the_retry_attribute": (("operation",), "retry", "reserved-name"),
    "operation_is_the_limiter_attribute": (("operation",), "limiter", "reserved-name"),
    "operation_is_a_class_attribute": (("operation",), "production_url", "reserved-name"),
    "operation_is_private": (("operation",), "_signed", "reserved-name"),
    "operation_is_special": (("operation",), "__init__", "reserved-name"),
    "operation_stem_is_a_keyword": (("operation",), "none", "reserved-name"),
    "stem_is_a_keyword": (("model",), "True", "reserved-name"),
}


@pytest.mark.parametrize("case", list(REFUSED.values()), ids=list(REFUSED))
def test_names_the_generated_code_cannot_use_are_refused(
    tmp_path: Path, case: tuple[tuple[Any, ...], str, str]
) -> None:
    where, name, rule = case
    venue, endpoint = load_base()
    target: Any = endpoint
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = name
    specs = write_specs(tmp_path, venue, endpoint)
    with pytest.raises(SpecErrors) as info:
        plan_for(tmp_path, formatted=False)
    [error] = info.value.errors
    assert error.rule == rule and error.file.endswith(f"specs/fx_header/{OP}.yaml")
    text = (specs / "fx_header" / f"{OP}.yaml").read_text("utf-8").splitlines()
    assert error.line is not None and f'"{name}"' in text[error.line - 1], (error.render(), text[(error.line or 1) - 1])
    assert repr(name) in error.message or repr(name.title()) in error.message


def test_text_beyond_the_limit_is_refused_with_its_line(tmp_path: Path) -> None:
    venue, endpoint = load_base()
    endpoint["summary"] = "x" * 20001
    specs = write_specs(tmp_path, venue, endpoint)
    with pytest.raises(SpecErrors) as info:
        plan_for(tmp_path, formatted=False)
    [error] = info.value.errors
    assert error.rule == "schema:maxLength" and "at summary" in error.message
    lines = (specs / "fx_header" / f"{OP}.yaml").read_text("utf-8").splitlines()
    assert lines[(error.line or 0) - 1].startswith('"summary": "xxx')
