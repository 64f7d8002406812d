"""The kinds of step and how each runs.

* ``call``: an adapter call (``scenarios.calls``); whatever it raises is the step's outcome, judged
  by the step's ``expect`` (a ``ScenarioError`` is not: the scenario itself is wrong).
* ``clock``: move the sandbox clock (``{advance: seconds}`` or ``{reset: true}``), e.g. past a token's
  lifetime.

Fault plans (a later format version) will be one more kind: an entry in ``_RUNNERS`` and its
definition in ``schema.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scenarios._admin import SandboxAdmin
from scenarios.calls import invoke
from scenarios.errors import ScenarioError
from scenarios.model import Given, Step
from scenarios.result import StepRecord

__all__ = ["STEP_KINDS", "StepContext", "run_step"]

STEP_KINDS = ("call", "clock")


@dataclass(frozen=True)
class StepContext:
    adapter: Any
    admin: SandboxAdmin
    given: Given


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


_RUNNERS: dict[str, Callable[[Step, StepContext], StepRecord]] = {"call": _call, "clock": _clock}
assert tuple(_RUNNERS) == STEP_KINDS


def run_step(step: Step, ctx: StepContext) -> StepRecord:
    return _RUNNERS[step.kind](step, ctx)
