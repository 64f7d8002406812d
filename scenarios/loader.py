"""Reading a scenario: YAML with lines, the JSON Schema, then what a schema cannot say.

Every problem names the file and the line (``ScenarioError``): the schema's errors are mapped back
from their path in the data to the line of the YAML node, and all of them are reported at once so
that a scenario is fixed in one go. After the schema, the loader checks what needs the rest of
partnersim: that invoices referred to are given, error types exist in ``adapters``, operations exist
in the partner's contract, fault plans are ones the sandbox accepts (by its own parser), matchers
compile, and the placeholders of run and send steps (``scenarios._template``) name values the step has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from adapters import adapter_names
from contracts import BifError, load_contract, partner_names
from contracts import bif as bif_codec
from contracts.bif import Invoice
from simulators.faults import EFFECTS, FaultPlan, FaultPlanError
from simulators.registry import partner_simulators

from scenarios._template import placeholder_problems
from scenarios._yaml import Located, LocatedError, format_path, load_located
from scenarios._yaml import Path as DataPath
from scenarios.calls import CALLS, check_call, error_types
from scenarios.errors import HINT, ScenarioError
from scenarios.external import run_problems
from scenarios.match import check_matcher
from scenarios.model import (
    NOT_GIVEN, AccountExpect, Client, ErrorExpect, ExchangeExpect, Given, Scenario, Step, StepExpect,
)
from scenarios.steps import STEP_KINDS, fault_plan

__all__ = ["FORMAT_VERSION", "SCHEMA_PATH", "load_scenario", "scenario_from_data", "looks_like_scenario", "schema"]

FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("schema.json")
Problem = tuple[DataPath, str]


@cache
def schema() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return doc


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


_TOP_KEY = re.compile(r"^(version|steps)\s*:", re.MULTILINE)


def looks_like_scenario(text: str) -> bool:
    """A cheap look, without parsing: a top-level ``version:`` and a top-level ``steps:``."""
    return {m.group(1) for m in _TOP_KEY.finditer(text)} == {"version", "steps"}


def load_scenario(path: str | Path) -> Scenario:
    """Read, check and build the scenario in ``path``; ``ScenarioError`` names file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the scenario: {exc}", file=path) from exc
    try:
        located = load_located(text)
    except LocatedError as exc:
        raise ScenarioError(f"{exc.message}. Fix the YAML at this line.", file=path, line=exc.line) from exc
    return scenario_from_data(located, path=path)


def scenario_from_data(data: Located | Mapping[str, Any], *, path: Path | None = None, name: str = "") -> Scenario:
    """A scenario from data already read (a ``Located`` keeps lines; a plain mapping has none)."""
    located = data if isinstance(data, Located) else Located(data)
    doc = located.data
    if not isinstance(doc, Mapping):
        found = "an empty file" if doc is None else f"a {type(doc).__name__}"
        raise ScenarioError(f"a scenario is a mapping with version, partner, given, steps and expect; found {found}",
                            file=path, line=located.line(()))
    version = doc.get("version")
    if version is not None and version != FORMAT_VERSION:
        raise ScenarioError(
            f"scenario format version {version!r} is not known; this partnersim reads version {FORMAT_VERSION}. "
            "Upgrade partnersim, or write the scenario in version 1.", file=path, line=located.line(("version",)),
            where="version")
    _raise(located, path, list(_step_kinds(doc)) or list(_schema_problems(doc)))
    scenario = _build(located, path, name or (path.stem if path else "scenario"))
    _raise(located, path, list(_semantic_problems(scenario, doc)))
    return scenario


def _raise(located: Located, path: Path | None, problems: list[Problem]) -> None:
    if not problems:
        return
    ordered = sorted(problems, key=lambda p: (located.line(p[0]), format_path(p[0])))
    first_path, first = ordered[0]
    message = first
    if len(ordered) > 1:
        where = str(path) if path else "<scenario>"
        more = "\n".join(f"  {where}:{located.line(p)}: {format_path(p)}: {m}" for p, m in ordered[1:])
        message += f"\n(and {len(ordered) - 1} more problem{'s' if len(ordered) > 2 else ''}:\n{more})"
    message += f"\n{HINT}"
    raise ScenarioError(message, file=path, line=located.line(first_path), where=format_path(first_path))


# -- before the schema: what a step is ------------------------------------------------------------
def _step_kinds(doc: Mapping[str, Any]) -> Iterator[Problem]:
    steps = doc.get("steps")
    if not isinstance(steps, list):
        return
    known = ", ".join(STEP_KINDS)
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping):
            continue  # the schema says it
        kinds = [k for k in step if k in STEP_KINDS]
        if len(kinds) > 1:
            yield (("steps", index), f"a step is one kind of action; this one has {kinds}. Split it into "
                                     f"{len(kinds)} steps.")
        elif not kinds:
            others = [k for k in step if k not in ("name", "with", "expect", "capture")]
            found = f"unknown step kind {others[0]!r}" if others else "no step kind"
            yield ((("steps", index, others[0]) if others else ("steps", index)),
                   f"{found}; a step is one of: {known}")


# -- the schema -----------------------------------------------------------------------------------
def _schema_problems(doc: Any) -> Iterator[Problem]:
    for error in _validator().iter_errors(doc):
        yield _explain(error)


_YAML_WORDS = {"object": "a mapping", "array": "a list", "string": "text", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "null"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) < 60 else "a text"
    return "a list" if isinstance(value, list) else "a mapping"


def _explain(error: ValidationError) -> Problem:
    path: DataPath = tuple(error.absolute_path)
    rule = error.validator
    sub: Any = error.schema if isinstance(error.schema, Mapping) else {}
    hint = f" ({sub['description']})" if isinstance(sub, Mapping) and sub.get("description") else ""
    if "propertyNames" in error.schema_path:
        return (*path, str(error.instance)), f"the key {error.instance!r} is not allowed here: {error.message}"
    if rule == "additionalProperties":
        names = set(sub.get("properties", {}))
        patterns = list(sub.get("patternProperties", {}))
        extra = [k for k in error.instance if k not in names and not any(re.search(p, k) for p in patterns)]
        allowed = ", ".join(sorted(names)) + (" or a JSON pointer starting with /" if patterns else "")
        if len(patterns) > 1:
            allowed += " or a field in the partner's terms ('form <name>', 'contentInfo <field>', 'payload <xpath>')"
        return (*path, extra[0]), f"unknown key {extra[0]!r}; expected one of: {allowed}"
    if rule == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return path, f"missing {missing[0]!r}, which is required here"
    if rule == "type":
        types = [str(t) for t in (error.validator_value if isinstance(error.validator_value, list)
                                  else [error.validator_value])]
        words = " or ".join(_YAML_WORDS.get(t, t) for t in types)
        quote = ""
        if "string" in types and isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool):
            quote = "; quote it to keep it as written (YAML reads 0417 as the number 271, 1.10 as 1.1)"
        return path, f"expected {words}{hint}, found {_json_type(error.instance)}{quote}"
    if rule == "enum":
        return path, f"expected one of {', '.join(map(str, error.validator_value))}; found {_json_type(error.instance)}"
    if rule == "pattern":
        return path, f"expected text matching {error.validator_value}{hint}, found {_json_type(error.instance)}"
    if rule == "oneOf" and path and path[-1] == "fault":
        given = [e for e in EFFECTS if isinstance(error.instance, Mapping) and e in error.instance]
        return path, (f"a fault has exactly one effect: {', '.join(EFFECTS[:-1])} or {EFFECTS[-1]}; "
                      + (f"found {' and '.join(given)}" if given else "found none"))
    if rule == "oneOf" and path and path[0] == "steps":
        return path, "a step is exactly one of: " + ", ".join(STEP_KINDS)
    if rule == "not" and len(path) > 1 and path[-2] == "capture":
        return path, ("a capture takes json (the value at a pointer) or matches (a regex's first group), not both; "
                      "json reads the whole text as JSON")
    if rule == "not" and path and path[-1] == "request" and isinstance(error.instance, Mapping):
        given = [k for k in ("body", "form", "json") if k in error.instance]
        return path, f"a request has at most one of body, form and json; found {' and '.join(given)}"
    if rule == "dependentRequired":
        key = next(k for k, needs in error.validator_value.items()
                   if k in error.instance and any(n not in error.instance for n in needs))
        return (*path, key), f"{key} goes with {' and '.join(error.validator_value[key])}; add it or remove {key}"
    return path, error.message + hint


# -- building -------------------------------------------------------------------------------------
def _build(located: Located, path: Path | None, name: str) -> Scenario:
    doc = located.data
    given_doc = doc.get("given") or {}
    problems: list[Problem] = []
    invoices = _invoices(given_doc.get("invoices"), problems)
    given = Given(
        biller=dict(given_doc.get("biller") or {}),
        invoices=tuple(invoices),
        demo=bool(given_doc.get("demo", True)),
        seed=given_doc.get("seed"),
        seed_invoices=bool(given_doc.get("seed_invoices", False)),
    )
    _raise(located, path, problems)
    steps = tuple(_step(located, index, raw) for index, raw in enumerate(doc["steps"]))
    expect = doc.get("expect") or {}
    return Scenario(
        name=name,
        partner=str(doc["partner"]),
        given=given,
        steps=steps,
        exchanges=_exchanges(located, ("expect", "exchanges"), expect.get("exchanges") or []),
        ledger=tuple(AccountExpect(str(number), dict(fields), located.line(("expect", "ledger", number)))
                     for number, fields in (expect.get("ledger") or {}).items()),
        title=str(doc.get("title", "")),
        source=str(doc.get("source", "")),
        description=str(doc.get("description", "")),
        xfail=str(doc.get("xfail", "")),
        client=_client(doc.get("client")),
        path=path,
        located=located,
    )


def _client(raw: Mapping[str, Any] | None) -> Client | None:
    if raw is None:
        return None
    return Client(command=tuple(str(p) for p in raw.get("command") or ()),
                  env={str(k): str(v) for k, v in dict(raw.get("env") or {}).items()},
                  timeout=float(raw.get("timeout", 10)),
                  requires=tuple(str(p) for p in raw.get("requires") or ()))


def _invoices(raw: Any, problems: list[Problem]) -> list[Invoice]:
    where: DataPath = ("given", "invoices")
    if raw is None:
        return []
    if isinstance(raw, str):
        try:
            return bif_codec.invoices(bif_codec.parse(raw))
        except BifError as exc:
            problems.append((where, f"the BIF text cannot be read: {exc}"))
            return []
    out = []
    for index, item in enumerate(raw):
        values: dict[str, Any] = {}
        for key, value in item.items():
            if key in ("invoice_date", "due_date"):
                try:
                    values[key] = date.fromisoformat(value)
                except ValueError:
                    problems.append(((*where, index, key), f"{value!r} is not a date (YYYY-MM-DD)"))
            elif key in ("total_amount_due", "balance_due", "minimum_amount_due"):
                values[key] = Decimal(str(value))
            elif key == "custom":
                values[key] = {int(n): text for n, text in value.items()}
            else:
                values[key] = value
        out.append(Invoice(**values))
    return out


def _step(located: Located, index: int, raw: Mapping[str, Any]) -> Step:
    kind = next(k for k in raw if k in STEP_KINDS)
    expect = raw.get("expect") or {}
    base: DataPath = ("steps", index, "expect")
    error = expect.get("error")
    return Step(
        index=index,
        kind=kind,
        line=located.line(("steps", index)),
        name=str(raw.get("name", "")),
        call=str(raw.get("call", "")),
        args=dict(raw.get("with") or {}),
        clock=dict(raw.get("clock") or {}),
        send=dict(raw.get("send") or {}),
        fault=dict(raw.get("fault") or {}),
        run=dict(raw.get("run") or {}),
        capture=dict(raw.get("capture") or {}),
        expect=StepExpect(
            result=expect.get("result", NOT_GIVEN),
            error=None if error is None else (
                ErrorExpect(error) if isinstance(error, str)
                else ErrorExpect(str(error["type"]), {k: v for k, v in error.items() if k != "type"})),
            exchanges=_exchanges(located, (*base, "exchanges"), expect.get("exchanges") or []),
        ),
    )


def _exchanges(located: Located, base: DataPath, raw: Iterable[Mapping[str, Any]]) -> tuple[ExchangeExpect, ...]:
    out = []
    for index, item in enumerate(raw):
        violations = item.get("violations")
        out.append(ExchangeExpect(
            operation=str(item["operation"]),
            path=(*base, index),
            line=located.line((*base, index)),
            count=item.get("count"),
            request=dict(item.get("request") or {}),
            response=dict(item.get("response") or {}),
            violations=None if violations is None else tuple(str(v) for v in violations),
            written=dict(item),
        ))
    return tuple(out)


# -- after the schema: what needs the rest of partnersim ------------------------------------------
def _semantic_problems(scenario: Scenario, doc: Mapping[str, Any]) -> Iterator[Problem]:
    partner = scenario.partner
    if partner not in adapter_names() or partner not in partner_names():
        yield ("partner",), (f"no adapter and contract for partner {partner!r}; known partners: "
                             f"{', '.join(p for p in adapter_names() if p in partner_names())}")
        return
    for step in scenario.steps:
        yield from _step_problems(step, doc["steps"][step.index], scenario.given)
        if step.kind == "fault":
            yield from _fault_problems(step, partner)
    yield from run_problems(scenario)
    yield from placeholder_problems(scenario)
    yield from _exchange_problems(("expect", "exchanges"), scenario.exchanges)
    for account in scenario.ledger:
        yield from _matcher(("expect", "ledger", account.account_number), dict(account.fields))


def _step_problems(step: Step, raw: Mapping[str, Any], given: Given) -> Iterator[Problem]:
    at: DataPath = ("steps", step.index)
    expect = step.expect
    if step.kind not in ("call", "run") and "with" in raw:
        yield (*at, "with"), f"'with' gives a call's arguments; a {step.kind} step takes none"
    if step.kind in ("clock", "fault") and ({"result", "error"} & set(raw.get("expect") or {})):
        yield (*at, "expect"), f"a {step.kind} step has no result or error to expect; expect its exchanges only"
    if step.kind == "send" and "error" in (raw.get("expect") or {}):
        yield (*at, "expect", "error"), "a send step always has an answer: expect its result (status, body)"
    if step.kind == "call":
        assert step.call in CALLS, "the schema's call enum and CALLS agree"
        for arg, problem in check_call(step.call, step.args, given):
            yield ((*at, "with", arg) if arg else (*at, "with")), problem
    if expect.error is not None and expect.result is not NOT_GIVEN:
        yield (*at, "expect"), "expect either a result or an error, not both"
    errors = error_types()
    if expect.error is not None and expect.error.type not in errors and step.kind != "run":
        yield (*at, "expect", "error"), (f"unknown error type {expect.error.type!r}; expected one of "
                                         f"{', '.join(sorted(errors))} (the errors of adapters)")
    if expect.result is not NOT_GIVEN:
        yield from _matcher((*at, "expect", "result"), expect.result)
    if expect.error is not None:
        yield from _matcher((*at, "expect", "error"), dict(expect.error.fields))
    yield from _exchange_problems((*at, "expect", "exchanges"), expect.exchanges)


def _fault_problems(step: Step, partner: str) -> Iterator[Problem]:
    """What the sandbox would refuse in the plan (an operation its contract does not have), checked
    by the sandbox's own parser so that the two never disagree."""
    at: DataPath = ("steps", step.index, "fault")
    plan = fault_plan(step, partner)
    try:
        FaultPlan.parse(plan, partner_names(), lambda p: [op.name for op in load_contract(p).operations()],
                        contract=load_contract, simulator=lambda p: partner_simulators([p])[p])
    except FaultPlanError as exc:
        yield ((*at, exc.field) if exc.field in step.fault else at), exc.detail


def _exchange_problems(base: DataPath, items: tuple[ExchangeExpect, ...]) -> Iterator[Problem]:
    for index, item in enumerate(items):
        at: DataPath = (*base, index)
        if item.partner not in partner_names():
            yield (*at, "operation"), f"no contract for partner {item.partner!r}; known: {', '.join(partner_names())}"
            continue
        names = [op.name for op in load_contract(item.partner).operations()]
        if item.name not in names:
            yield (*at, "operation"), (f"{item.partner} has no operation {item.name!r}; its operations are "
                                       f"{', '.join(item.partner + '.' + n for n in names)}")
        yield from _matcher((*at, "request"), dict(item.request))
        yield from _matcher((*at, "response"), dict(item.response))


def _matcher(at: DataPath, expected: Any) -> Iterator[Problem]:
    problem = check_matcher(expected)
    if problem:
        yield at, problem
