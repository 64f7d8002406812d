"""Judging a run against its scenario: step outcomes, exchanges received, the ledger afterwards.

Each check yields ``Failure``s that carry what was expected (as the scenario wrote it) and what was
received (in the exchange format for exchanges), so that the report can put them side by side. When
no exchange matches an expectation, the nearest candidates are shown with the fields that differ
(vcrpy's and WireMock's near misses).
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

import yaml

from adapters import AdapterError
from contracts import Exchange, HarnessError, dump_exchanges
from contracts.exchange import Request, Response

from scenarios.calls import error_class, error_fields, outcome_fields
from scenarios.external import CommandRun
from scenarios.match import ABSENT, Difference, differences, pointer_get
from scenarios.model import NOT_GIVEN, AccountExpect, ExchangeExpect, Scenario
from scenarios.result import Failure, StepRecord
from scenarios.steps import Answer

__all__ = ["check_step", "check_exchanges", "check_ledger", "exchange_differences", "to_yaml", "exchange_text"]

_NEAR = 3
_Blocks = tuple[tuple[str, str], ...]


# -- rendering helpers ------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if value is ABSENT:
        return "absent"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def to_yaml(value: Any) -> str:
    return yaml.safe_dump(_plain(value), sort_keys=False, allow_unicode=True, width=100).rstrip("\n")


_M = TypeVar("_M", Request, Response)


def _readable(message: _M) -> _M:
    """A copy with a JSON body re-indented for reading (the journal keeps the bytes as sent)."""
    if not message.body:
        return message
    try:
        doc = json.loads(message.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return message
    return replace(message, body=json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8"))


def exchange_text(exchange: Exchange) -> str:
    """An exchange in the exchange format, bodies re-indented, timings left out."""
    response = _readable(exchange.response) if exchange.response is not None else None
    readable = replace(exchange, request=_readable(exchange.request), response=response,
                       duration_ms=None, recorded_at="")
    return dump_exchanges([readable]).rstrip("\n")


def _caption(exchange: Exchange) -> str:
    status = exchange.response.status if exchange.response is not None else "no answer"
    return f"journal #{exchange.id} {exchange.qualified_operation} -> {status}"


# -- steps ----------------------------------------------------------------------------------------
def _outcome_block(record: StepRecord) -> tuple[str, str]:
    if isinstance(record.outcome, Answer):
        return "answered", to_yaml(record.outcome.fields())
    if not record.raised:
        return "returned", to_yaml(outcome_fields(record.outcome))
    return "raised", to_yaml(error_fields(record.outcome))


def _traceback_note(record: StepRecord) -> str:
    """A bug (not a partner's refusal) shows where it happened: the whole traceback, never wrapped."""
    exc = record.outcome
    if not record.raised or isinstance(exc, (AdapterError, HarnessError)):
        return ""
    return "".join(traceback.format_exception(exc)).rstrip()


def _error_failures(record: StepRecord, scenario: Scenario, received: _Blocks) -> tuple[list[Failure], bool]:
    step, expect = record.step, record.step.expect.error
    assert expect is not None
    wanted = error_class(expect.type)
    assert wanted is not None, "checked when the scenario was loaded"
    place = scenario.place(("steps", step.index))
    expected = scenario.text(("steps", step.index, "expect", "error"), to_yaml({"error": expect.type, **expect.fields}))
    outcome = record.outcome
    if not record.raised:
        title = f"{step.label}: expected {expect.type}, the call returned {type(outcome).__name__}"
        return [Failure(title, place, (), expected, received)], True
    if not isinstance(outcome, wanted):
        title = f"{step.label}: expected {expect.type}, the call raised {type(outcome).__name__}: {outcome}"
        return [Failure(title, place, (), expected, received, _traceback_note(record))], True
    diffs = tuple(differences(dict(expect.fields), error_fields(outcome), "error"))
    title = f"{step.label}: the {expect.type} differs from the expected one"
    return ([Failure(title, place, diffs, expected, received)] if diffs else []), False


def _result_failures(record: StepRecord, scenario: Scenario, received: _Blocks) -> tuple[list[Failure], bool]:
    step, expected = record.step, record.step.expect.result
    place = scenario.place(("steps", step.index))
    path = ("steps", step.index, "expect", "result")
    if record.raised:
        title = f"{step.label}: the call raised {type(record.outcome).__name__}: {record.outcome}"
        return [Failure(title, place, (), scenario.text(path, "result: (any)"), received, _traceback_note(record))], True
    if expected is NOT_GIVEN:
        return [], False
    diffs = tuple(differences(expected, outcome_fields(record.outcome), "result"))
    if not diffs:
        return [], False
    text = scenario.text(path, to_yaml({"result": expected}))
    return [Failure(f"{step.label}: the result differs from the expected one", place, diffs, text, received)], False


def _run_failures(record: StepRecord, scenario: Scenario) -> tuple[list[Failure], bool]:
    """An external client's run: it ran to its end, exited as expected (0 by default), printed what was
    expected and gave every value to capture. The report shows the command, its output and the exchange."""
    step, run = record.step, record.outcome
    assert isinstance(run, CommandRun)
    place = scenario.place(("steps", step.index))
    received = (("command (run step)", run.text()),) + tuple((_caption(e), exchange_text(e)) for e in record.exchanges[-1:])
    as_written = scenario.text(("steps", step.index, "run"), to_yaml({"run": dict(step.run)}))
    if run.problem:
        return [Failure(f"{step.label}: {run.problem}", place, (), as_written, received)], True
    expected = step.expect.result
    wanted = dict(expected) if isinstance(expected, Mapping) else {}
    wanted.setdefault("exit", 0)
    diffs = tuple(differences(wanted, run.fields(), "result"))
    failures = []
    if diffs:
        text = scenario.text(("steps", step.index, "expect", "result"), to_yaml({"result": wanted}))
        if "exit" not in (expected if isinstance(expected, Mapping) else {}):
            text += "\n(exit: 0 unless the step expects another)"
        failures.append(Failure(f"{step.label}: the command's outcome differs from the expected one", place, diffs,
                                text, received))
    failures.extend(_capture_failures(run.capture_problems, record, scenario, received))
    return failures, bool(run.capture_problems) or any(d.field == "result.exit" for d in diffs)


def _capture_failures(problems: Iterable[tuple[str, str]], record: StepRecord, scenario: Scenario,
                      received: _Blocks) -> Iterator[Failure]:
    step = record.step
    written = scenario.text(("steps", step.index, "capture"), to_yaml({"capture": dict(step.capture)}))
    for name, why in problems:
        yield Failure(f"{step.label}: cannot capture {name}: {why}", scenario.place(("steps", step.index)), (),
                      written, received)


def check_step(record: StepRecord, scenario: Scenario) -> tuple[list[Failure], bool]:
    """The step's failures, and whether the run must stop (the step did not do what later steps need)."""
    step = record.step
    failures: list[Failure] = []
    stop = False
    if step.kind in ("call", "send"):
        received = (_outcome_block(record),) + tuple((_caption(e), exchange_text(e)) for e in record.exchanges[-1:])
        judge = _error_failures if step.expect.error is not None else _result_failures
        failures, stop = judge(record, scenario, received)
        if isinstance(record.outcome, Answer) and record.outcome.capture_problems:
            failures.extend(_capture_failures(record.outcome.capture_problems, record, scenario, received))
            stop = True  # later steps would send the placeholder's value they never got
    elif step.kind == "run":
        failures, stop = _run_failures(record, scenario)
    exchanges = check_exchanges(step.expect.exchanges, record.exchanges, scenario, f"during {step.label}")
    if step.kind == "run":  # what the client did explains what the partner received
        exchanges = (replace(f, note="\n\n".join(p for p in (f.note, "the step ran:\n" + record.outcome.text()) if p))
                     for f in exchanges)
    failures.extend(exchanges)
    return failures, stop


# -- exchanges ------------------------------------------------------------------------------------
def _named_field(partner: str, message: Request | Response, name: str) -> Any:
    from contracts import load_contract

    try:
        value = load_contract(partner).field(message, name)
    except KeyError as exc:
        return f"(no such field: {exc.args[0]})"
    return ABSENT if value is None else value


def _message_differences(side: str, spec: Mapping[str, Any], message: Request | Response,
                         partner: str = "") -> Iterator[Difference]:
    parsed: list[Any] = []

    def body() -> Any:
        if not parsed:
            try:
                parsed.append(json.loads(message.body))
            except (ValueError, UnicodeDecodeError, RecursionError):
                parsed.append(ABSENT)
        return parsed[0]

    for key, expected in spec.items():
        field = f"{side} {key}"
        if key.startswith("/"):
            doc = body()
            if doc is ABSENT:
                yield Difference(field, expected, f"(the body is not JSON: {message.body[:40]!r})")
                continue
            found: Any = pointer_get(doc, key)
        elif " " in key:  # a field in the partner's own terms: ``form entryKey``, ``contentInfo amount``
            found = _named_field(partner, message, key)
        elif key == "headers":
            expected = {str(k).lower(): v for k, v in dict(expected).items()}
            found = {k.lower(): v for k, v in message.headers.items()}
        elif key == "body":
            found = message.text
        else:  # method, host, path, query; status
            found = getattr(message, key)
        yield from differences(expected, found, field)


def exchange_differences(expect: ExchangeExpect, exchange: Exchange) -> list[Difference]:
    """Every field of the expectation that this exchange does not meet (the operation aside)."""
    out: list[Difference] = []
    for side, spec, message in (("request", expect.request, exchange.request),
                                ("response", expect.response, exchange.response)):
        if not spec:
            continue
        if message is None:
            out.append(Difference(side, dict(spec), ABSENT))
        else:
            out.extend(_message_differences(side, spec, message, exchange.partner))
    if expect.violations is not None:
        found = sorted(v.location for v in exchange.violations)
        if found != sorted(expect.violations):
            out.append(Difference("violations", list(expect.violations), [str(v) for v in exchange.violations]))
    return out


def _wanted(expect: ExchangeExpect) -> str:
    fields = " matching" if expect.request or expect.response or expect.violations is not None else ""
    if expect.count is None:
        return f"at least one {expect.operation} exchange{fields}"
    if expect.count == 0:
        return f"no {expect.operation} exchange{fields}"
    return f"{expect.count} {expect.operation} exchange{'s' if expect.count != 1 else ''}{fields}"


def check_exchanges(expectations: Iterable[ExchangeExpect], received: list[Exchange], scenario: Scenario,
                    scope: str) -> Iterator[Failure]:
    for expect in expectations:
        same = [e for e in received if e.qualified_operation == expect.operation]
        scored = sorted(((exchange_differences(expect, e), e) for e in same), key=lambda pair: len(pair[0]))
        matching = [e for diffs, e in scored if not diffs]
        met = bool(matching) if expect.count is None else len(matching) == expect.count
        if met:
            continue
        place = scenario.place(line=expect.line)
        expected_text = scenario.text(expect.path, to_yaml(expect.written))
        title = f"{expect.where}: expected {_wanted(expect)} {scope}; the partner received {len(matching)}"
        if matching:  # more than the count
            blocks = tuple((_caption(e), exchange_text(e)) for e in matching[:_NEAR])
            yield Failure(title, place, (), expected_text, blocks)
            continue
        if scored:
            title += f" (it received {len(same)} {expect.operation}, none matching)"
            blocks = tuple((f"{_caption(e)}, {'closest' if i == 0 else 'next'} of {len(same)}", exchange_text(e))
                           for i, (_, e) in enumerate(scored[:_NEAR]))
            yield Failure(title, place, tuple(scored[0][0]), expected_text, blocks,
                          note=_others(scored[1:_NEAR]))
        else:
            others = ", ".join(_caption(e) for e in received) or "nothing"
            blocks = tuple((f"{_caption(e)} (another operation)", exchange_text(e)) for e in received[-1:])
            yield Failure(title, place, (), expected_text, blocks,
                          note=f"no {expect.operation} was received {scope}; the partner received: {others}")


def _others(scored: list[tuple[list[Difference], Exchange]]) -> str:
    return "\n".join(f"{_caption(e)} differs in: " + "; ".join(str(d) for d in diffs) for diffs, e in scored)


# -- ledger ---------------------------------------------------------------------------------------
def check_ledger(expectations: Iterable[AccountExpect], ledger: Mapping[str, Any], scenario: Scenario) -> Iterator[Failure]:
    for expect in expectations:
        place = scenario.place(line=expect.line)
        expected_text = scenario.text(("expect", "ledger", expect.account_number),
                                      to_yaml({expect.account_number: dict(expect.fields)}))
        account = ledger.get(expect.account_number)
        if account is None:
            known = ", ".join(ledger) or "none"
            yield Failure(f"expect.ledger.{expect.account_number}: the partner's ledger has no such account",
                          place, (), expected_text, (("accounts in the ledger", known),))
            continue
        diffs = tuple(differences(dict(expect.fields), account, f"ledger {expect.account_number}"))
        if diffs:
            shown = {k: account.get(k, "absent") for k in expect.fields}
            yield Failure(f"expect.ledger.{expect.account_number}: the ledger differs from the expected one",
                          place, diffs, expected_text,
                          ((f"ledger (GET /__admin/state) {expect.account_number}", to_yaml({expect.account_number: shown})),))
