"""What a scenario run gives back: each step's outcome, the exchanges, the ledger, and the failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts import Exchange

from scenarios.errors import ScenarioFailed
from scenarios.match import Difference
from scenarios.model import Scenario, Step

__all__ = ["Failure", "StepRecord", "ScenarioResult"]


@dataclass(frozen=True)
class Failure:
    """One expectation that did not hold, with what was expected and what was received.

    ``expected`` is the expectation as the scenario wrote it (YAML); ``received`` are captioned
    blocks: exchanges in the exchange format, a call's result or error, an account of the ledger.
    """

    title: str
    place: str  # file:line
    differences: tuple[Difference, ...] = ()
    expected: str = ""
    received: tuple[tuple[str, str], ...] = ()
    note: str = ""


@dataclass
class StepRecord:
    step: Step
    outcome: Any = None  # the call's result, or the exception it raised
    raised: bool = False
    exchanges: list[Exchange] = field(default_factory=list)  # what the partner received during the step


@dataclass
class ScenarioResult:
    scenario: Scenario
    steps: list[StepRecord] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    ledger: dict[str, Any] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    skipped: str = ""  # why the scenario was not run (a program of client.requires is missing); not a failure

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> str:
        from scenarios.report import render

        return render(self)

    def raise_for_failures(self) -> None:
        """Raise ``ScenarioFailed`` (an ``AssertionError``) carrying the report when anything failed."""
        if self.failures:
            raise ScenarioFailed(self)
