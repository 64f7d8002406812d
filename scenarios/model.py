"""A scenario as the runner reads it: given, steps and expectations, each knowing its line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.bif import Invoice

from scenarios._yaml import Located, format_path
from scenarios._yaml import Path as DataPath

__all__ = [
    "Scenario",
    "Given",
    "Step",
    "StepExpect",
    "ErrorExpect",
    "ExchangeExpect",
    "AccountExpect",
    "Client",
    "NOT_GIVEN",
]


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: ``StepExpect.result`` when the scenario states no result (distinct from ``result: null``).
NOT_GIVEN: Any = _NotGiven()


@dataclass(frozen=True)
class Given:
    biller: Mapping[str, Any]  # {"settings": {...}, "options": {...}} as written, before {sandbox}
    invoices: tuple[Invoice, ...] = ()
    demo: bool = True
    seed: Mapping[str, Any] | None = None
    seed_invoices: bool = False

    def invoice(self, number: str) -> Invoice | None:
        return next((inv for inv in self.invoices if inv.invoice_number == number), None)

    def invoices_of(self, account_number: str) -> list[Invoice]:
        return [inv for inv in self.invoices if inv.account_number == account_number]


@dataclass(frozen=True)
class ErrorExpect:
    type: str  # the name of an error class of ``adapters`` (or a HarnessError subclass it exports)
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExchangeExpect:
    """Exchanges of ``operation`` that match every field: at least one, or exactly ``count``."""

    operation: str  # partner.operation
    path: DataPath  # ("expect", "exchanges", 0) or ("steps", 2, "expect", "exchanges", 1)
    line: int
    count: int | None = None
    request: Mapping[str, Any] = field(default_factory=dict)
    response: Mapping[str, Any] = field(default_factory=dict)
    violations: tuple[str, ...] | None = None
    written: Mapping[str, Any] = field(default_factory=dict)  # as in the file, for the report

    @property
    def where(self) -> str:
        return format_path(self.path)

    @property
    def partner(self) -> str:
        return self.operation.partition(".")[0]

    @property
    def name(self) -> str:
        return self.operation.partition(".")[2]


@dataclass(frozen=True)
class StepExpect:
    result: Any = NOT_GIVEN
    error: ErrorExpect | None = None
    exchanges: tuple[ExchangeExpect, ...] = ()


@dataclass(frozen=True)
class Step:
    index: int
    kind: str  # one of scenarios.steps.STEP_KINDS
    line: int
    name: str = ""
    call: str = ""  # call steps: the adapter call
    args: Mapping[str, Any] = field(default_factory=dict)  # call steps: ``with``
    clock: Mapping[str, Any] = field(default_factory=dict)  # clock steps
    send: Mapping[str, Any] = field(default_factory=dict)  # send steps: {exchange: <recorded exchange id>}
    fault: Mapping[str, Any] = field(default_factory=dict)  # fault steps: a fault plan (simulators.faults)
    run: Mapping[str, Any] = field(default_factory=dict)  # run steps: command, args, stdin, env, timeout
    capture: Mapping[str, Any] = field(default_factory=dict)  # run steps: name -> {json: pointer} | {matches: re}
    expect: StepExpect = field(default_factory=StepExpect)

    @property
    def label(self) -> str:
        what = self.call or self.kind
        return f"steps[{self.index}] {self.name or what}" + (f" ({what})" if self.name else "")


@dataclass(frozen=True)
class Client:
    """An external client (``scenarios.external``): the program run steps start, and what it needs."""

    command: tuple[str, ...] = ()  # the program and its fixed arguments; a run step's args follow
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 10.0  # seconds per run step
    requires: tuple[str, ...] = ()  # programs that must be on PATH, or the scenario is skipped


@dataclass(frozen=True)
class AccountExpect:
    account_number: str
    fields: Mapping[str, Any]
    line: int


@dataclass(frozen=True)
class Scenario:
    name: str
    partner: str
    given: Given
    steps: tuple[Step, ...]
    exchanges: tuple[ExchangeExpect, ...] = ()
    ledger: tuple[AccountExpect, ...] = ()
    title: str = ""
    source: str = ""
    description: str = ""
    xfail: str = ""  # a known bug not fixed yet: the plugin expects the scenario to fail (strictly)
    client: Client | None = None  # run steps start this external client (scenarios.external)
    path: Path | None = None
    located: Located = field(default_factory=lambda: Located(None), repr=False, compare=False)

    def line(self, path: DataPath) -> int:
        return self.located.line(path)

    def text(self, path: DataPath, fallback: str = "") -> str:
        """The part of the file at ``path`` as written (``fallback`` for a scenario built from data)."""
        return self.located.text(path) or fallback

    def place(self, path: DataPath = (), line: int = 0) -> str:
        """``file:line`` of a part of the scenario, for reports."""
        where = str(self.path) if self.path else f"<scenario {self.name}>"
        line = line or self.line(path)
        return f"{where}:{line}" if line else where

    @staticmethod
    def describe(path: DataPath) -> str:
        return format_path(path)
