"""Errors of the simulators: ``SimulatorError`` is a ``HarnessError`` (our setup is broken)."""

from __future__ import annotations

from contracts.errors import HarnessError

__all__ = ["SimulatorError", "SeedError", "NotFound", "Rejected"]


class SimulatorError(HarnessError):
    """The sandbox cannot start or is configured wrongly."""


class SeedError(SimulatorError):
    """A seed (JSON fixture or BIF) cannot be loaded into the ledger."""


class LedgerError(Exception):
    """A ledger operation refused by the business rules; each partner answers it in its own form."""

    code = "invalid"

    def __init__(self, detail: str, *, field: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(LedgerError):
    code = "not_found"


class Rejected(LedgerError):
    code = "invalid"
