"""Issue 16: each venue package carries a reference for people (generated/<venue>/README.md):
every method with its parameters, limits, rules and errors, an example call that works, and the
document it came from; spec text in it is markdown-escaped by one filter."""

from __future__ import annotations

import importlib
import re
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from specgen.emit.literal import md, md_code
from specgen.simulator import Simulator
from specgen.spec.model import Venue

from tests.helpers import GENERATED, VENUES

sys.path.insert(0, str(GENERATED))


def venue_named(spec_venues: tuple[Venue, ...], name: str) -> Venue:
    return next(v for v in spec_venues if v.name.value == name)


@pytest.mark.parametrize("name", VENUES)
def test_the_reference_names_every_method_parameter_error_and_source(spec_venues: tuple[Venue, ...], name: str) -> None:
    venue = venue_named(spec_venues, name)
    text = (GENERATED / name / "README.md").read_text("utf-8")
    assert text.startswith("# ")
    for meaning in venue.error_meanings:
        assert f"| `{meaning.error_class}` |" in text
    for endpoint in venue.endpoints:
        assert f"## `{endpoint.operation.value}`" in text
        section = text.split(f"## `{endpoint.operation.value}`", 1)[1].split("\n## ", 1)[0]
        for param in endpoint.caller_params:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{param.python.value}` |"))
            for limit in param.type.limits():
                assert str(md(limit)) in row
        for rule in endpoint.rules:
            assert f"- {md(rule.prose())}" in section
        if endpoint.source_url is not None:
            assert str(md(endpoint.source_url)) in section


@pytest.mark.parametrize("name", VENUES)
def test_the_example_call_builds_a_valid_request(spec_venues: tuple[Venue, ...], name: str) -> None:
    venue = venue_named(spec_venues, name)
    text = (GENERATED / name / "README.md").read_text("utf-8")
    blocks = [b for b in re.findall(r"^(`{3,})python\n(.*?)\n\1$", text, re.S | re.M) if "call = " in b[1]]
    assert len(blocks) == len(venue.endpoints)
    package = importlib.import_module(name)
    for (_, code), endpoint in zip(blocks, venue.endpoints, strict=True):
        compile(code, "README.md", "exec")
        # Everything but the network: the imports, then the call object the example sends.
        [make_call] = [line for line in code.splitlines() if line.strip().startswith("call = ")]
        scope: dict[str, object] = {}
        exec(code.split("\n\n", 1)[0], scope)  # the import line
        exec(textwrap.dedent(make_call), scope)
        given = venue.test_credentials.value if venue.test_credentials is not None else {}
        creds = {c: given.get(c, "x") for c in venue.credentials}  # a secret the recipe can decode
        request = package.Client(**creds, clock=lambda: 1700000000000).__getattribute__(
            f"build_{endpoint.operation.value}"
        )(scope["call"])
        assert request.method == endpoint.method


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(TEXT)
def test_markdown_text_is_one_line_with_every_special_character_escaped(value: str) -> None:
    out = str(md(value))
    assert "\n" not in out and "\r" not in out
    assert not re.search(r"(?<!\\)(?:\\\\)*[|`*_\[\]<>#]", out)  # no unescaped special character
    assert not re.match(r"\d+[.)]|[-+=]", out)  # never read as a list item or heading
    flat = " ".join(value.split()) if any(c in value for c in "\r\n\t\f\v") else value
    shown = "".join(c for c in flat if c.isprintable() or c == " ")  # controls are not shown
    assert re.sub(r"\\(.)", r"\1", out) == shown


@settings(max_examples=200, derandomize=True, deadline=None)
@given(TEXT)
def test_a_code_block_cannot_be_closed_by_its_content(value: str) -> None:
    block = str(md_code(value, "python"))
    fence = block.split("python\n", 1)[0]
    inner = block[len(fence) + len("python\n") : -len(fence) - 1]
    assert inner == value and fence not in inner


def _blocks(text: str) -> list[str]:
    return [code for _, code in re.findall(r"^(`{3,})python\n(.*?)\n\1$", text, re.S | re.M)]


@pytest.mark.parametrize("name", VENUES)
def test_the_unified_call_example_cancels_on_the_simulator(
    spec_venues: tuple[Venue, ...], name: str, simulator: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reference's cancel_orders example, run as written but against the simulator, cancels
    the two orders it names; the section states the signature, the batch size and the outcomes."""
    venue = venue_named(spec_venues, name)
    text = (GENERATED / name / "README.md").read_text("utf-8")
    endpoint = venue.cancel_endpoint
    if endpoint is None or endpoint.cancel_orders is None:  # no actions: maps it (a cancel-all names no order)
        assert "## `cancel_orders`" not in text
        return
    section = text.split("## `cancel_orders`", 1)[1].split("\n## ", 1)[0]
    for through, target in venue.cancel_targets:  # each kind of id, through the endpoint that takes it
        assert f"`{through.operation.value}` ({target.arg.replace('_', ' ')})" in section
    if venue.cancel_one_by_one:
        assert "one order per request" in section and "its own request" in section
    elif endpoint.max_batch is not None:
        assert f"at most {endpoint.max_batch} ids" in section
    [code] = [b for b in _blocks(section) if "cancel_orders(" in b]
    symbol = re.search(r"cancel_orders\((['\"])(.*?)\1", code)
    assert symbol is not None
    simulator.seed(name, [{"instrument": symbol[2], "order_id": i} for i in ("1001", "1002")])
    package = importlib.import_module(name)
    account = simulator.credentials(name)
    real = {"api_key": account.api_key, "secret": account.secret, "passphrase": account.passphrase}

    def client(**given: str) -> object:  # the example's Client, pointed at the simulator
        return package.Client(**{k: real[k] for k in given}, base_url=simulator.base_url(name))

    scope: dict[str, object] = {}
    head, body = code.split("\n\n", 1)
    exec(head, scope)
    scope["Client"] = client
    exec(body, scope)
    printed = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [(i, state) for i, state, _ in printed] in (
        [(i, state) for i in ("1001", "1002")] for state in ("cancelled", "accepted")  # accepted: acted on later
    )
    assert {o.status for o in simulator.orders(name)} == {"cancelled"}


@pytest.mark.parametrize("name", VENUES)
def test_the_reference_states_the_rate_limits_and_a_working_limiter(spec_venues: tuple[Venue, ...], name: str) -> None:
    venue = venue_named(spec_venues, name)
    text = (GENERATED / name / "README.md").read_text("utf-8")
    section = text.split("## Rate limits", 1)[1].split("\n## ", 1)[0]
    for pool in venue.pools:
        row = next(line for line in section.splitlines() if line.startswith(f"| `{pool.name.value}` |"))
        assert f"| {pool.scope.replace('_', chr(92) + '_')} |" in row
        for budget in pool.budgets:  # the shared budgets, in the pool's unit
            assert f"{budget.count} {pool.unit} per {budget.per_seconds:g} s" in row
    for endpoint in venue.endpoints:
        row = next(line for line in section.splitlines() if line.startswith(f"| `{endpoint.operation.value}` |"))
        for limit in endpoint.rate_limit.limits:
            if limit.enforced:
                unit = "orders" if limit.orders is not None else "requests"
                assert f"{limit.count} {unit} per {limit.per_seconds:g} s in `{limit.pool.value}`" in row
        for pool in venue.pools:
            assert (f"draws on `{pool.name.value}`" in row) == endpoint.rate_limit.draws_on(pool)
    [code] = _blocks(section)
    scope: dict[str, object] = {}
    exec(code, scope)
    limiter = scope["limiter"]
    assert scope["client"].limiter is limiter  # type: ignore[attr-defined]
    assert limiter.quotas == importlib.import_module(name).QUOTAS  # type: ignore[attr-defined]
