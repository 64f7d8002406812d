"""The kinds of step and how each runs.

* ``call``: an adapter call (``scenarios.calls``); whatever it raises is the step's outcome, judged
  by the step's ``expect`` (a ``ScenarioError`` is not: the scenario itself is wrong).
* ``clock``: move the sandbox clock (``{advance: seconds}`` or ``{reset: true}``), e.g. past a token's
  lifetime.
* ``send``: send a request to the sandbox exactly as written, what no adapter would send: the request
  of one of the partner's recorded exchanges (``{exchange: <id>}``, such as the design's malformed
  posting sample), or one written in the step (``{request: {path, host, form | json | body, ...}}``,
  such as a TCCS ``contentInfo`` with one field wrong). The outcome is the partner's answer (``status``,
  ``content_type``, ``body``, ``json`` when the body is JSON, and what it captured), judged by
  ``expect.result``. ``capture:`` keeps values of the answer for later steps (``{json: /pointer}``,
  ``{header: Set-Cookie, matches: regex}``, ``{matches: regex}`` on the body), and a written request's
  host, path, query, headers, form values, JSON string values and body may hold ``{name}`` placeholders
  for them (and ``{sandbox}``, ``{partner}``, ``{setting_<id>}``): a token one step gets goes in the next
  step's ``Authorization: "Bearer {token}"`` (``scenarios._template``).
* ``fault``: set a fault plan (``simulators.faults``, written form in ``simulators._faultspec``) for the
  steps after it, e.g. ``{operation: Pay_Input, status: 503, times: 1}``:

  - match: ``partner`` (default the scenario's, or the qualifier of ``operation: imt.post_payment``),
    ``operation`` (absent: any request to the partner), ``body_contains`` (text in the body, a form body
    also URL-decoded) and ``where`` (request fields in the partner's terms, each a value or
    ``{matches: regex}``: a JSON pointer ``/data/attributes/payment_amount``, ``form entryKey``,
    ``contentInfo amount``, ``payload //remit/paymentID``, ``header ActionCode``);
  - exactly one effect: ``status`` (answer this HTTP status, 200-599, with ``body`` and ``content_type``,
    by default the partner's own error answer); ``delay`` (``N`` seconds, at most 300, or ``{min, max}``
    for a random wait, then the normal answer; longer than the client's timeout is a timeout); ``drop``
    (close the connection without an answer: ``before`` the partner sees the request, ``after`` it
    handled it, ``true`` = before, or after with ``then_answer``); ``corrupt`` (``empty``, ``truncated``
    or ``malformed``: the partner answers, then its body is spoiled, status kept); ``answer`` (the
    partner's own business answer ``{<kind>: <code>, message: <text>}``: Sapiens ``return_code``
    FAILURE / NONEFOUND / MISSINGPARAMS or ``soap_fault``, TCCS ``error``, IMT and Spectrum ``error``,
    Spectrum ``receipt_outcome``); ``token`` (``expired`` or ``revoked``: the partner's answer to a token
    it no longer accepts);
  - ``then_answer: true``: the partner handles the request first (its state changes), then the effect
    replaces or holds back its answer (the duplicate-payment case);
  - ``times``: how many requests it applies to (default 1; null = until the scenario ends).

  Its outcome is the plan as the sandbox stored it (nothing to expect of it); the exchanges it affects
  carry the fault in the journal (``faults``, and the note ``fault <id> applied: status 503``). Each
  scenario starts with no plan: the reset before it clears them.
* ``run``: start an external client, a program that is not the Python adapter (``scenarios.external``):
  ``{command, args, stdin, env, timeout}`` with ``{sandbox}``, ``{partner}``, ``{setting_<id>}``, ``with:``
  values and earlier captures in it. Its outcome is exit code, stdout and stderr (``CommandRun``);
  ``capture:`` keeps values of its stdout for later steps.

A new kind is an entry in ``_RUNNERS``, its name in ``STEP_KINDS``, and its definition in ``schema.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scenarios._admin import SandboxAdmin
from scenarios.calls import invoke
from scenarios.errors import ScenarioError
from scenarios.model import Given, Scenario, Step
from scenarios.result import StepRecord

__all__ = ["STEP_KINDS", "StepContext", "fault_plan", "run_step"]

STEP_KINDS = ("call", "clock", "send", "fault", "run")


@dataclass(frozen=True)
class StepContext:
    adapter: Any
    admin: SandboxAdmin
    given: Given
    scenario: Scenario | None = None  # run steps: the client, the file's folder, the biller's settings
    base_url: str = ""  # the sandbox's, for run steps
    variables: dict[str, str] = field(default_factory=dict)  # values run and send steps captured, by name


def _call(step: Step, ctx: StepContext) -> StepRecord:
    try:
        result = invoke(ctx.adapter, step.call, step.args, ctx.given)
    except ScenarioError:
        raise
    except Exception as exc:  # the outcome of the step, judged by its expectation (a bug shows its traceback)
        return StepRecord(step, exc, raised=True)
    return StepRecord(step, result)


def _clock(step: Step, ctx: StepContext) -> StepRecord:
    ctx.admin.clock(dict(step.clock))
    return StepRecord(step)


@dataclass(frozen=True)
class Answer:
    """The partner's answer to a ``send`` step; ``json`` is the body parsed when it is JSON, else None;
    ``captured`` the values the step's ``capture:`` took from it (``capture_problems``: those it could not)."""

    status: int
    content_type: str
    body: str
    json: Any = None
    captured: Mapping[str, str] = field(default_factory=dict)
    capture_problems: tuple[tuple[str, str], ...] = ()  # (name, why)

    def fields(self) -> dict[str, Any]:
        """The answer as a report shows it (what was captured only when the step captures)."""
        out: dict[str, Any] = {"status": self.status, "content_type": self.content_type, "body": self.body,
                               "json": self.json}
        if self.captured:
            out["captured"] = dict(self.captured)
        return out


def _written_request(step: Step, values: Mapping[str, str]) -> tuple[str, str, dict[str, str], dict[str, str],
                                                                     bytes | None]:
    """A request written in the step, placeholders filled: method, host/path, query, headers and body as sent."""
    import json
    from urllib.parse import urlencode

    from scenarios._template import fill, fill_data

    spec = dict(step.send["request"])
    headers = {str(k): fill(str(v), values) for k, v in dict(spec.get("headers") or {}).items()}
    named = {k.lower() for k in headers}
    body: bytes | None = None
    if "form" in spec:
        body = urlencode({str(k): fill(str(v), values) for k, v in dict(spec["form"]).items()}).encode()
        if "content-type" not in named:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif "json" in spec:
        body = json.dumps(fill_data(spec["json"], values)).encode()
        if "content-type" not in named:
            headers["Content-Type"] = "application/json"
    elif "body" in spec:
        body = fill(str(spec["body"]), values).encode()
    host = fill(str(spec.get("host") or ""), values)
    where = (f"/{host}" if host else "") + fill(str(spec["path"]), values)
    query = {str(k): fill(str(v), values) for k, v in dict(spec.get("query") or {}).items()}
    return str(spec.get("method") or "POST"), where, query, headers, body


def _send(step: Step, ctx: StepContext) -> StepRecord:
    import requests

    from contracts import load_contract

    from scenarios._template import base_values, capture

    partner = ctx.adapter.partner
    base = ctx.admin.base[: -len("/__admin")]
    if "request" in step.send:
        values = {**base_values(ctx.scenario, ctx.base_url or base, partner), **ctx.variables}
        method, where, query, headers, body = _written_request(step, values)
        url = f"{base}/{partner}{where}"
        params: Any = query
    else:
        wanted = str(step.send.get("exchange", ""))
        recorded = next((e for e in load_contract(partner).exchanges if e.id == wanted), None)
        if recorded is None:
            known = ", ".join(e.id for e in load_contract(partner).exchanges)
            raise ScenarioError(f"{step.label}: {partner} has no recorded exchange {wanted!r}; recorded: {known}")
        request = recorded.request
        url = f"{base}/{partner}" + (f"/{request.host}" if request.host else "") + request.path
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")}
        method, params, body = request.method, request.query, request.body or None
    answer = requests.request(method, url, params=params, data=body, headers=headers, timeout=10)
    try:
        parsed = answer.json()
    except ValueError:
        parsed = None
    text = answer.content.decode("utf-8", "replace")
    captured, problems = capture(step.capture, text, source="the answer's body", headers=answer.headers)
    ctx.variables.update(captured)
    return StepRecord(step, Answer(answer.status_code, answer.headers.get("Content-Type", ""), text, parsed,
                                   captured, problems))


def fault_plan(step: Step, partner: str) -> dict[str, Any]:
    """The fault step's plan as the admin API takes it: the partner defaults to the scenario's (unless a
    qualified operation, ``imt.post_payment``, names it)."""
    plan = dict(step.fault)
    operation = plan.get("operation")
    if "partner" not in plan and not (isinstance(operation, str) and "." in operation):
        plan["partner"] = partner
    return plan


def _fault(step: Step, ctx: StepContext) -> StepRecord:
    return StepRecord(step, ctx.admin.add_fault(fault_plan(step, ctx.adapter.partner)))


def _run(step: Step, ctx: StepContext) -> StepRecord:
    from scenarios.external import run_program

    if ctx.scenario is None:
        raise ScenarioError(f"{step.label}: a run step needs the scenario (StepContext.scenario)")
    return StepRecord(step, run_program(step, ctx.scenario, ctx.base_url or ctx.admin.base[: -len("/__admin")],
                                        ctx.variables))


_RUNNERS: dict[str, Callable[[Step, StepContext], StepRecord]] = {
    "call": _call, "clock": _clock, "send": _send, "fault": _fault, "run": _run,
}
assert tuple(_RUNNERS) == STEP_KINDS


def run_step(step: Step, ctx: StepContext) -> StepRecord:
    return _RUNNERS[step.kind](step, ctx)
