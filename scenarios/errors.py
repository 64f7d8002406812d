"""The errors of the scenarios: a scenario that cannot be run, and a scenario that failed.

::

    contracts.HarnessError
    └── ScenarioError        our setup is broken: the file is malformed (names file and line), it refers
                             to an invoice it does not give, a seed does not load, the adapter has no such call
    AssertionError
    └── ScenarioFailed       the system under test broke an expectation: .result (a ScenarioResult) holds
                             every failure, with the expected and received exchanges side by side

``partnersim run`` exits 2 on a ``ScenarioError`` and 1 on a ``ScenarioFailed``; under pytest the first
is a collection error (or an error of the item), the second a failed test.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from contracts import HarnessError

if TYPE_CHECKING:
    from scenarios.result import ScenarioResult

__all__ = ["ScenarioError", "ScenarioFailed"]

HINT = "The format is described in scenarios/schema.json and in the scenarios package's docstring."


class ScenarioError(HarnessError):
    """A scenario that cannot be run as written. ``str()`` reads ``file:line: where: message``."""

    def __init__(self, message: str, *, file: str | Path | None = None, line: int = 0, where: str = "") -> None:
        self.message = message
        self.file = str(file) if file is not None else ""
        self.line = line
        self.where = where
        super().__init__(self._text())

    def _text(self) -> str:
        place = self.file or "<scenario>"
        if self.line:
            place += f":{self.line}"
        return f"{place}: {self.where + ': ' if self.where else ''}{self.message}"


class ScenarioFailed(AssertionError):
    """The scenario ran and at least one expectation did not hold; ``str()`` is the full report."""

    def __init__(self, result: ScenarioResult) -> None:
        self.result = result
        super().__init__(result.report())
