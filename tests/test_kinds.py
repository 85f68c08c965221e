"""Rule kinds and type kinds are each defined once (generator/spec/kinds/), and every output
derives from that definition: the language schema, the model, the JSON Schemas, the validators
and the contract cases. The fixture venue under tests/fixtures/kinds/ uses every kind.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import subprocess
import sys
import typing
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from specgen.config import Config
from specgen.emit.pipeline import build_plan
from specgen.errors import SpecError, SpecErrors
from specgen.spec.kinds import RULE_KINDS, TYPE_KINDS
from specgen.spec.kinds.language import SCHEMA_FILE, assemble, dumps
from specgen.spec.specset import read_specs

from tests.helpers import ROOT

FIXTURE_SPECS = ROOT / "tests" / "fixtures" / "kinds" / "specs"
VENUE = "kindsville"


def test_the_language_schema_is_assembled_from_the_kind_definitions() -> None:
    committed = SCHEMA_FILE.read_text("utf-8")
    assert committed == dumps(assemble(json.loads(committed))), "run `python -m specgen.spec.kinds`"
    schema = json.loads(committed)
    for scope, name in (("params", "rule"), ("item", "itemRule")):
        kinds = schema["$defs"][name]["properties"]["kind"]["enum"]
        assert kinds == sorted(k for k, cls in RULE_KINDS.items() if scope in cls.scopes)


def test_no_rule_kind_is_named_outside_its_definition() -> None:
    """No `kind ==` switch over rule kinds: outside spec/kinds/, no code or template quotes one's name."""
    kinds = re.compile("|".join(f"[\"']{re.escape(k)}[\"']" for k in RULE_KINDS))
    offenders = []
    for path in sorted([*(ROOT / "generator").rglob("*.py"), *(ROOT / "templates").rglob("*.j2")]):
        if "kinds" in path.relative_to(ROOT).parts:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if kinds.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def _kind_switches(tree: ast.AST, names: set[str]) -> Iterator[int]:
    """Lines that compare a `kind` (a name or an attribute) with one of names, by ==, != or in."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if not any(
            (isinstance(s, ast.Name) and s.id == "kind") or (isinstance(s, ast.Attribute) and s.attr == "kind")
            for s in sides
        ):
            continue
        quoted = {
            c.value for s in sides for c in ast.walk(s) if isinstance(c, ast.Constant) and isinstance(c.value, str)
        }
        if quoted & names:
            yield node.lineno


def test_no_type_kind_is_switched_on_outside_its_definition() -> None:
    """Code outside spec/kinds/ and the templates ask a type what they need (scalar, list_items(), json_integer,
    holds_ids, query_encoding, from_text, at(...); docs check: document_classes, limit_measure,
    raw_fields; templates: record, json_integer, list_items()), never compare its kind with a kind's name."""
    names = set(TYPE_KINDS)
    assert list(_kind_switches(ast.parse('if t.type.kind in ("list", "object"):\n    pass'), names)) == [1]
    assert list(_kind_switches(ast.parse('if kind != "int64":\n    pass'), names)) == [1]
    assert list(_kind_switches(ast.parse('if r.kind == "cancelled":\n    pass'), names)) == []
    offenders = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        parts = path.relative_to(ROOT / "generator").parts
        if parts[:2] == ("spec", "kinds"):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _kind_switches(tree, names)]
    # Templates: `x.kind == "list"`, `kind in ("list", "object")` and the like, by their text.
    compared = re.compile(r"\bkind\s*(?:==|!=|not in|in)\s*(\([^)]*\)|\[[^\]]*\]|\"[^\"]*\"|'[^']*')")
    assert compared.search('{% if p.type.kind == "list" %}') and not compared.search("{% if p.type.scalar %}")
    for path in sorted((ROOT / "templates").rglob("*.j2")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            quoted = {w for m in compared.finditer(line) for w in re.findall(r"[\"']([^\"']*)[\"']", m[1])}
            if quoted & names:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_each_type_kind_reads_its_own_wire_text() -> None:
    """The simulator reads a query, path or form value by asking its type (Type.read_text): a
    value that is none of the type's is kept as text, for the request schema to refuse."""
    int64, text = TYPE_KINDS["int64"](), TYPE_KINDS["string"]()
    assert [int64.read_text(t) for t in ("-12", "12x", "³", "1" * 20)] == [-12, "12x", "³", "1" * 20]
    assert [TYPE_KINDS["float"]().read_text(t) for t in ("1.5", "nan", "1e999")] == [1.5, "nan", "1e999"]
    assert [TYPE_KINDS["bool"]().read_text(t) for t in ("true", "false", "True")] == [True, False, "True"]
    assert (
        TYPE_KINDS["enum"](values=(1, 2)).read_text("2") == 2
        and TYPE_KINDS["enum"](values=("1",)).read_text("1") == "1"
    )
    assert [TYPE_KINDS[k]().read_text("007") for k in ("string", "int_string", "decimal", "bool_string")] == ["007"] * 4
    comma, json_list = TYPE_KINDS["list"](items=int64, encoding="comma"), TYPE_KINDS["list"](items=text)
    assert comma.read_text("1,2,x") == [1, 2, "x"] and comma.query_encoding == "comma"
    assert json_list.read_text('["a", "b"]') == ["a", "b"] and json_list.read_text("[1,") == "[1,"
    assert (
        TYPE_KINDS["object"]().read_text('{"a": [1]}') == {"a": [1]} and TYPE_KINDS["object"]().query_encoding == "json"
    )
    assert TYPE_KINDS["map"](items=int64).read_text("[" * 100 + "]" * 100) == "[" * 100 + "]" * 100  # too deep


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kinds")
    config = Config(
        root=root,
        specs=FIXTURE_SPECS,
        templates=ROOT / "templates",
        output=root / "out",
        cache=root / "cache",
        no_cache=True,
    )
    for rel, data in build_plan(config).plan.items():
        (root / "out" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "out" / rel).write_bytes(data)
    return root / "out"


@pytest.fixture(scope="module")
def package(generated: Path) -> Iterator[ModuleType]:
    sys.path.insert(0, str(generated))
    try:
        yield importlib.import_module(VENUE)
    finally:
        sys.path.remove(str(generated))
        for name in [n for n in sys.modules if n == VENUE or n.startswith(VENUE + ".")]:
            del sys.modules[name]


def test_the_fixture_contract_tests_pass(generated: Path) -> None:
    """The derived cases of every kind hold the validator, the JSON Schema and the client to one answer."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(generated / "contract_tests")],
        cwd=generated,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert re.search(r"\b[1-9][0-9]* passed", run.stdout) and not re.search(r"\b[1-9][0-9]* failed", run.stdout)


def test_every_rule_kind_derives_cases_that_break_it(generated: Path) -> None:
    source = (generated / "contract_tests" / "data" / VENUE / "cancel_many.json").read_text("utf-8")
    for kind in RULE_KINDS:
        assert f"'rule': '{kind}'" in source or f'"rule": "{kind}"' in source, kind


def test_each_rule_kind_reports_its_own_violation(package: ModuleType) -> None:
    validate = package.validators.validate_cancel_many_request
    six = [{"orderId": str(i)} for i in range(6)]
    single = {"batchMode": "single", "via": "api", "note": None}
    cases = {
        "max_items_when": ({**single, "orders": six}, "$.orders"),
        "item_required_when": ({**single, "batchMode": "multiple", "orders": [{"orderId": "1"}]}, "$.orders[0].symbol"),
        "same_fields_across_items": ({**single, "orders": [{"orderId": "1"}, {"clientId": "c"}]}, "$.orders"),
        "at_most_one_of": ({**single, "orders": six[:1], "accountId": "a", "subAccount": "s"}, "$"),
        "at_least_one_of": ({**single, "orders": [{"symbol": "BTC"}]}, "$.orders[0]"),
        "exactly_one_of": ({**single, "orders": six[:1], "channel": 1}, "$"),
        "required_unless": ({"batchMode": "single", "orders": six[:1], "channel": 1, "note": None}, "$.accountId"),
        "item_field_refused_unless": (
            {"batchMode": "single", "orders": [{"clientId": "c"}], "channel": 1, "accountId": "a", "note": None},
            "$.orders[0].clientId",
        ),
    }
    assert sorted(cases) == sorted(RULE_KINDS)
    for kind, (params, path) in cases.items():
        assert [(v.rule, v.path) for v in validate(params)] == [(kind, path)], kind
    assert validate({**single, "orders": six[:5], "accountId": "a"}) == []
    assert validate({"batchMode": "single", "orders": six[:5], "channel": 3, "accountId": "a", "note": "n"}) == []


def test_batch_size_looks_parameters_up_by_their_python_names(package: ModuleType) -> None:
    operation = package.OPERATIONS["cancel_many"]
    assert operation.batch_size(batch_mode="single") == 5
    assert operation.batch_size(batch_mode="multiple") == 20
    assert operation.batch_size() == 20
    [limit] = operation.conditional_limits
    assert (limit.param, limit.when_param) == ("orders", "batch_mode")


def test_new_type_kinds_have_their_python_types_and_wire_forms(package: ModuleType) -> None:
    models = package.models
    hints = typing.get_type_hints(models.CancelManyRequest)
    assert hints["price"] == Decimal | None  # decimal_string
    assert hints["quantity"] == int | None  # int_string
    assert hints["reduce_only"] == bool | None  # bool_string
    assert hints["side"] == typing.Literal[1, 2] | None  # integer enum
    assert hints["note"] == str | None  # nullable (and required)
    call = models.CancelManyRequest(
        batch_mode="single",
        orders=(models.OrderRef(order_id="1"),),
        via="api",
        note=None,
        price=Decimal("0.10"),
        quantity=5,
        reduce_only=False,
        side=2,
    )
    wire = call.to_wire()
    assert {k: wire[k] for k in ("price", "quantity", "reduceOnly", "side", "note")} == {
        "price": "0.10",
        "quantity": "5",
        "reduceOnly": "false",
        "side": 2,
        "note": None,
    }
    assert package.validators.validate_cancel_many_request(wire) == []
    assert models.CancelManyRequest.from_json(wire) == call


def test_new_type_kinds_reject_near_misses(package: ModuleType) -> None:
    validate = package.validators.validate_cancel_many_request
    good = {"batchMode": "single", "orders": [{"orderId": "1"}], "via": "api", "note": None}
    misses = {
        "price": [("1e5", "pattern"), (1.5, "type")],
        "quantity": [("1.0", "pattern"), ("01", "pattern"), (3, "type")],
        "reduceOnly": [("True", "enum"), (True, "type")],
        "side": [(3, "enum"), ("1", "enum"), (True, "enum")],
        "note": [("123456789", "maxLength"), (1, "type")],
    }
    for name, values in misses.items():
        for value, rule in values:
            assert [(v.rule, v.path) for v in validate({**good, name: value})] == [(rule, f"$.{name}")], (name, value)


def test_the_map_kind_reads_keys_as_data_and_counts_its_entries(package: ModuleType) -> None:
    validate = package.validators.validate_cancel_many_response
    data = package.models.CancelManyData
    body = {"code": 0, "msg": "ok", "result": {"list": [], "byMarket": {"BTC": ["1", "2"], "ETH": []}}}
    assert validate(body) == []
    assert data.from_json(body["result"]).by_market == {"BTC": ("1", "2"), "ETH": ()}
    assert data.from_json({"list": []}).by_market is None
    # The hint a caller sees: keys are strings, values the item type.
    assert typing.get_type_hints(data)["by_market"] == dict[str, tuple[str, ...]] | None

    def rules(by_market: object) -> list[tuple[str, str]]:
        found = validate({**body, "result": {"list": [], "byMarket": by_market}})
        return [(v.rule, v.path) for v in found]

    assert rules(["BTC"]) == [("type", "$.result.byMarket")]
    assert rules({"BTC": "1"}) == [("type", "$.result.byMarket.BTC")]
    assert rules({"BTC": [1]}) == [("type", "$.result.byMarket.BTC[0]")]
    assert rules({k: [] for k in "ABCD"}) == [("maxProperties", "$.result.byMarket")]


def _refused(tmp_path: Path, change: typing.Callable[[dict[str, typing.Any]], None]) -> str:
    folder = tmp_path / "specs" / VENUE
    shutil.copytree(FIXTURE_SPECS / VENUE, folder)
    endpoint = yaml.safe_load((folder / "cancel_many.yaml").read_text("utf-8"))
    change(endpoint)
    (folder / "cancel_many.yaml").write_text(yaml.safe_dump(endpoint, sort_keys=False), "utf-8")
    with pytest.raises((SpecError, SpecErrors)) as caught:
        read_specs(tmp_path / "specs")
    return str(caught.value)


def _param(endpoint: dict[str, typing.Any], name: str) -> dict[str, typing.Any]:
    return next(p for p in endpoint["params"] if p["name"] == name)


def test_an_optional_nullable_request_field_is_refused(tmp_path: Path) -> None:
    message = _refused(tmp_path, lambda e: _param(e, "note").pop("required"))
    assert "[nullable] request field 'note' is nullable but optional" in message


def test_an_enum_mixing_strings_and_integers_is_refused(tmp_path: Path) -> None:
    message = _refused(tmp_path, lambda e: _param(e, "side").update(values=[1, "2"]))
    assert "[enum] an enum's values are all strings or all integers" in message


def test_a_spec_in_an_unknown_language_version_is_refused(tmp_path: Path) -> None:
    message = _refused(tmp_path, lambda e: e.update(language="specgen/9"))
    assert "cancel_many.yaml:2: [language-version] language 'specgen/9' is not a version this specgen reads" in message
    assert "(known: specgen/2)" in message


def test_a_spec_without_a_language_version_is_refused(tmp_path: Path) -> None:
    message = _refused(tmp_path, lambda e: e.pop("language"))
    assert (
        "cancel_many.yaml:1: [language-version] the spec states no language version; add 'language: specgen/2'"
        in message
    )


def test_every_spec_states_the_language_version() -> None:
    files = [*(ROOT / "specs").glob("*/*.yaml"), *(ROOT / "tests" / "fixtures").rglob("*.yaml")]
    specs = [f for f in files if re.search(r"^kind: (venue|endpoint)$", f.read_text("utf-8"), re.M)]
    assert len(specs) > 10
    for spec in specs:
        assert re.search(r"^language: specgen/2$", spec.read_text("utf-8"), re.M), spec


TOY_KIND = '''"""forbidden: a toy rule kind for the scratch-copy test: the parameter `param` is never sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specgen.emit.literal import literal, member
from specgen.spec.kinds.base import Rule, rule_kind, text_or_none
from specgen.spec.kinds.rules.common import WIRE_NAME
from specgen.spec.text import Text


@rule_kind
@dataclass(frozen=True)
class Forbidden(Rule):
    kind = "forbidden"
    summary = "The parameter `param` is never sent."

    param: Text

    @classmethod
    def language(cls, scope):
        return {"properties": {"param": WIRE_NAME}, "required": ["param"]}

    @classmethod
    def build(cls, ctx, raw, at, members):
        members.need(at + ("param",), raw["param"], cls.kind)
        return cls(text_or_none(raw.get("description")), Text(raw["param"]))

    @property
    def message(self):
        return Text(f"never send {self.param.value}")

    def json_schema(self) -> dict[str, Any]:
        return {"not": {"required": [self.param.value]}}

    def check(self, w, var, path):
        with w.block(f"if {literal(self.param)} in {var}:"):
            where = f"{path} + {member(self.param)}"
            w.add(f"out.append(Violation({where}, {literal(self.kind)}, {literal(self.message)}))")

    def cases(self, kit, scope):
        name = self.param.value
        return [kit.case(f"{name}_forbidden", kit.using(kit.base, name, "x"), False, self.kind, f"$.{name}")]
'''


def test_a_toy_rule_kind_added_in_one_module_of_a_scratch_copy(tmp_path: Path) -> None:
    """The README's "How to add a rule kind", followed in a copy of the generator."""
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "generator", lib / "specgen", ignore=shutil.ignore_patterns("__pycache__"))
    (lib / "specgen" / "spec" / "kinds" / "rules" / "forbidden.py").write_text(TOY_KIND, "utf-8")
    project = tmp_path / "project"
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.copytree(FIXTURE_SPECS, project / "specs")
    (project / "pyproject.toml").write_text(
        '[tool.specgen]\nspecs = "specs"\ntemplates = "templates"\noutput = "generated"\n', "utf-8"
    )
    spec = project / "specs" / VENUE / "cancel_many.yaml"
    spec.write_text(
        spec.read_text("utf-8")
        .replace("\nrules:\n", "\nrules:\n  - {kind: forbidden, param: legacyId}\n", 1)
        .replace("\nparams:\n", "\nparams:\n  - {name: legacyId, type: string}\n", 1)
    )
    env = {"PYTHONPATH": str(lib), "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
        )

    refused = run("-m", "specgen", "validate")
    assert refused.returncode == 2 and "'forbidden' is not one of" in refused.stderr + refused.stdout
    assert run("-m", "specgen.spec.kinds").returncode == 0  # the language schema, from the kinds
    generated = run("-m", "specgen", "generate")
    assert generated.returncode == 0, generated.stderr
    check = run(
        "-c",
        "import sys; sys.path.insert(0, 'generated'); import kindsville as k;"
        "base = {'batchMode': 'single', 'orders': [{'orderId': '1'}], 'via': 'api', 'note': None, 'accountId': 'a'};"
        "print(k.validators.validate_cancel_many_request(base));"
        "print([(v.rule, v.path) for v in k.validators.validate_cancel_many_request({**base, 'legacyId': 's'})])",
    )
    assert check.returncode == 0, check.stderr
    accepted, rejected = check.stdout.splitlines()
    assert accepted == "[]"
    assert rejected == "[('forbidden', '$.legacyId')]"
    contract = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "generated/contract_tests")
    assert contract.returncode == 0, contract.stdout[-3000:]
    assert "legacyId_forbidden" in (
        project / "generated" / "contract_tests" / "data" / VENUE / "cancel_many.json"
    ).read_text("utf-8")
