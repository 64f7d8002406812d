"""The kinds of step and how each runs.

* ``call``: an adapter call (``scenarios.calls``); whatever it raises is the step's outcome, judged
  by the step's ``expect`` (a ``ScenarioError`` is not: the scenario itself is wrong).
* ``clock``: move the sandbox clock (``{advance: seconds}`` or ``{reset: true}``), e.g. past a token's
  lifetime.
* ``send``: send a request to the sandbox exactly as written, what no adapter would send: the request
  of one of the partner's recorded exchanges (``{exchange: <id>}``, such as the design's malformed
  posting sample), or one written in the step (``{request: {path, host, form | json | body, ...}}``,
  such as a TCCS ``contentInfo`` with one field wrong). The outcome is the partner's answer (``status``,
  ``content_type``, ``body``, and ``json`` when the body is JSON), judged by ``expect.result``.
* ``fault``: set a fault plan (``simulators.faults``) for the steps after it, e.g.
  ``{operation: Pay_Input, status: 503, times: 1}``: match (``partner``, default the scenario's;
  ``operation``; ``body_contains``), one effect (``status`` with ``body`` / ``content_type``, ``delay``,
  ``drop``), ``then_answer`` (the partner acts, then the client gets the fault) and ``times`` (default 1,
  null = until the scenario ends). Its outcome is the plan as the sandbox stored it (nothing to expect
  of it); the exchanges it affects carry the fault in the journal (``faults``, and the note
  ``fault <id> applied: status 503``). Each scenario starts with no plan: the reset before it clears them.
* ``run``: start an external client, a program that is not the Python adapter (``scenarios.external``):
  ``{command, args, stdin, env, timeout}`` with ``{sandbox}``, ``{partner}``, ``{setting_<id>}``, ``with:``
  values and earlier captures in it. Its outcome is exit code, stdout and stderr (``CommandRun``);
  ``capture:`` keeps values of its stdout for later steps.

A new kind is an entry in ``_RUNNERS``, its name in ``STEP_KINDS``, and its definition in ``schema.json``.
"""

from __future__ import annotations

from collections.abc import Callable
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
    variables: dict[str, str] = field(default_factory=dict)  # values run steps captured, by name


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
    """The partner's answer to a ``send`` step; ``json`` is the body parsed when it is JSON, else None."""

    status: int
    content_type: str
    body: str
    json: Any = None


def _written_request(step: Step) -> tuple[str, str, dict[str, str], dict[str, str], bytes | None]:
    """A request written in the step: method, host/path, query, headers and body as sent."""
    import json
    from urllib.parse import urlencode

    spec = dict(step.send["request"])
    headers = {str(k): str(v) for k, v in dict(spec.get("headers") or {}).items()}
    named = {k.lower() for k in headers}
    body: bytes | None = None
    if "form" in spec:
        body = urlencode({str(k): str(v) for k, v in dict(spec["form"]).items()}).encode()
        if "content-type" not in named:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif "json" in spec:
        body = json.dumps(spec["json"]).encode()
        if "content-type" not in named:
            headers["Content-Type"] = "application/json"
    elif "body" in spec:
        body = str(spec["body"]).encode()
    host = str(spec.get("host") or "")
    where = (f"/{host}" if host else "") + str(spec["path"])
    query = {str(k): str(v) for k, v in dict(spec.get("query") or {}).items()}
    return str(spec.get("method") or "POST"), where, query, headers, body


def _send(step: Step, ctx: StepContext) -> StepRecord:
    import requests

    from contracts import load_contract

    partner = ctx.adapter.partner
    base = ctx.admin.base[: -len("/__admin")]
    if "request" in step.send:
        method, where, query, headers, body = _written_request(step)
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
    return StepRecord(step, Answer(answer.status_code, answer.headers.get("Content-Type", ""),
                                   answer.content.decode("utf-8", "replace"), parsed))


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
