"""The sandbox's runtime: configuration, store, contracts, and the errors its handlers raised.

It reaches a request through the app (``app.extensions["partnersim"]``), never through a global.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any

from contracts import Contract, load_contract
from simulators.faults import FaultPlans
from simulators.journal import Journal
from simulators.ledger import Ledger
from simulators.store import Store

__all__ = ["Credentials", "SandboxConfig", "SandboxContext"]


@dataclass(frozen=True)
class Credentials:
    """The one documented default credential set (synthetic), changeable by configuration."""

    username: str = "sandbox"
    password: str = "sandbox"
    tccs_consumer_guid: str = "SANDBOX"
    tccs_entry_key: str = "sandbox"
    spectrum_api_token: str = "sandbox"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Credentials:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            from simulators.errors import SimulatorError

            raise SimulatorError(f"unknown credential keys {sorted(unknown)}; valid keys: {sorted(known)}")
        return cls(**{k: str(v) for k, v in data.items()})


@dataclass(frozen=True)
class SandboxConfig:
    credentials: Credentials = field(default_factory=Credentials)
    token_ttl: int = 3600  # seconds a partner token lives (IMT, Spectrum)
    max_body: int = 1 << 20  # larger requests get 413 in the partner's own form
    check_contracts: bool = True
    journal: bool = True
    demo: bool = True  # load the demo data at start and on reset


class SandboxContext:
    def __init__(self, store: Store, config: SandboxConfig | None = None) -> None:
        self.store = store
        self.config = config or SandboxConfig()
        self.journal = Journal(store)
        self.faults = FaultPlans(store)
        self._ledgers: dict[str, Ledger] = {}
        self._errors: list[str] = []
        self.verified_tokens: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def ledger(self, partner: str) -> Ledger:
        found = self._ledgers.get(partner)
        if found is None:
            found = self._ledgers[partner] = Ledger(self.store, partner)
        return found

    def contract(self, partner: str) -> Contract:
        return load_contract(partner)

    # -- handler errors (pytest-httpserver's check_handler_errors) ------------------------------
    def record_error(self, exc: BaseException) -> str:
        text = "".join(traceback.format_exception(exc))
        with self._lock:
            self._errors.append(text)
        return text

    def take_errors(self) -> list[str]:
        with self._lock:
            errors, self._errors = self._errors, []
        return errors
