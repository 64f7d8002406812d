"""The runner's client of the sandbox's ``/__admin`` API: journal, ledger state, clock, fault plans.

The runner reads what the partner received and holds through the same API a person uses, so a
scenario's report shows exactly what ``GET /__admin/journal`` would.
"""

from __future__ import annotations

from typing import Any

import requests

from contracts import Exchange

from scenarios.errors import ScenarioError

__all__ = ["SandboxAdmin"]

_JOURNAL_LIMIT = 10_000


class SandboxAdmin:
    def __init__(self, base_url: str, session: requests.Session, timeout: float = 10.0) -> None:
        self.base = base_url.rstrip("/") + "/__admin"
        self.session = session
        self.timeout = timeout

    def _call(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        url = self.base + path
        try:
            answer = self.session.request(method, url, timeout=self.timeout, **kw)
        except requests.RequestException as exc:
            raise ScenarioError(f"the sandbox's admin API at {url} did not answer ({exc}); is the sandbox running?") from exc
        if answer.status_code != expect:
            raise ScenarioError(f"the sandbox's admin API refused {method} {url}: HTTP {answer.status_code} "
                                f"{answer.text[:300]}")
        return answer.json()

    def journal(self, since: int = 0) -> list[Exchange]:
        """Every exchange after journal entry ``since``, oldest first (``id`` is the entry's)."""
        entries = self._call("GET", "/journal", params={"since": since, "limit": _JOURNAL_LIMIT})["entries"]
        return [Exchange.from_dict(entry, where=f"journal entry {entry.get('id')}") for entry in entries]

    def state(self, partner: str) -> dict[str, Any]:
        """The partner's ledger: ``{account_number: account}`` with payments and invoices keyed by id."""
        doc = self._call("GET", "/state", params={"partner": partner}).get(partner, {"accounts": []})
        out: dict[str, Any] = {}
        for account in doc.get("accounts", []):
            account = dict(account)
            account["payments"] = {p["payment_id"]: p for p in account.get("payments", [])}
            account["invoices"] = {i["invoice_number"]: i for i in account.get("invoices", [])}
            out[account["account_number"]] = account
        return out

    def clock(self, action: dict[str, Any]) -> None:
        self._call("POST", "/clock", json=action)

    def add_fault(self, plan: dict[str, Any]) -> dict[str, Any]:
        """Set a fault plan; the answer is the plan as stored, with its id."""
        stored: dict[str, Any] = self._call("POST", "/faults", expect=201, json=plan)
        return stored
