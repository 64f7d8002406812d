"""Load the ledger from a seed: a JSON/YAML fixture or a BIF.

Fixture format (per partner)::

    {"imt": {"accounts": [{"account_number": "...", "name": "...", "email": "...",
                           "billing": "balance_forward" | "open_item", "data": {...},
                           "invoices": [{"invoice_number", "invoice_date", "due_date", "total", "due",
                                         "past_due", "policy_number", "balance_forward", "data"}],
                           "payments": [{"payment_id", "amount", "invoice_number", "method", "paid_on"}],
                           "settings": {"autopay": "EFT"},
                           "documents": [{"key": "2026-11-01", "content_base64": "..."}]}]}}
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Mapping
from typing import Any

from simulators.context import SandboxContext
from simulators.errors import LedgerError, SeedError
from simulators.ledger import Ledger, to_cents

__all__ = ["apply_seed", "seed_invoices"]


def apply_seed(ctx: SandboxContext, doc: Mapping[str, Any], known: set[str]) -> dict[str, int]:
    """Add a fixture's partners to the ledger (in one transaction); answer counts per partner."""
    if not isinstance(doc, Mapping):
        raise SeedError("a seed must be a mapping of partner name to its data")
    unknown = set(doc) - known
    if unknown:
        raise SeedError(f"seed names unknown partners {sorted(unknown)}; known: {sorted(known)}")
    counts: dict[str, int] = {}
    with ctx.store.transaction() as conn:
        for partner, data in doc.items():
            counts[partner] = _partner(ctx.ledger(partner), conn, data, ctx.store.now(), partner)
    return counts


def _partner(ledger: Ledger, conn: sqlite3.Connection, data: Any, now: float, where: str) -> int:
    if not isinstance(data, Mapping) or not isinstance(data.get("accounts", []), list):
        raise SeedError(f"{where}: expected a mapping with an 'accounts' list")
    for i, acct in enumerate(data.get("accounts", [])):
        at = f"{where}.accounts[{i}]"
        try:
            _account(ledger, conn, acct, now)
        except (KeyError, TypeError, ValueError, LedgerError) as exc:
            raise SeedError(f"{at}: {exc.__class__.__name__}: {exc}") from exc
    return len(data.get("accounts", []))


def _account(ledger: Ledger, conn: sqlite3.Connection, acct: Mapping[str, Any], now: float) -> None:
    number = str(acct["account_number"])
    ledger.upsert_account(conn, number, name=str(acct.get("name", "")), email=str(acct.get("email", "")),
                          billing=str(acct.get("billing", "balance_forward")), data=dict(acct.get("data", {})))
    for inv in acct.get("invoices", []):
        total = to_cents(inv.get("total", inv.get("due", 0)))
        ledger.add_invoice(conn, str(inv["invoice_number"]), number, invoice_date=str(inv["invoice_date"]),
                           due_date=str(inv.get("due_date", "")), total_cents=total,
                           due_cents=to_cents(inv["due"]) if "due" in inv else None,
                           past_due_cents=to_cents(inv.get("past_due", 0)),
                           policy_number=str(inv.get("policy_number", "")),
                           balance_forward=bool(inv.get("balance_forward", True)), data=dict(inv.get("data", {})))
    for pol in acct.get("policies", []):
        ledger.add_policy(conn, str(pol["policy_number"]), number, dict(pol.get("data", {})))
    for pay in acct.get("payments", []):
        ledger.post_payment(conn, str(pay["payment_id"]), number, to_cents(pay["amount"]),
                            invoice_number=str(pay.get("invoice_number", "")), method=str(pay.get("method", "")),
                            paid_on=str(pay.get("paid_on", "")), data=dict(pay.get("data", {})), now=now)
    for key, value in dict(acct.get("settings", {})).items():
        ledger.set_setting(conn, number, str(key), str(value), now)
    for doc in acct.get("documents", []):
        content = base64.b64decode(doc["content_base64"]) if "content_base64" in doc else None
        ledger.add_document(conn, number, str(doc["key"]), content, dict(doc.get("data", {})))


def seed_invoices(ctx: SandboxContext, partner: str, invoices: list[Any]) -> int:
    """Seed from what a BIF says (``contracts.bif.Invoice``): accounts, their invoices, a bill per date."""
    accounts: dict[str, dict[str, Any]] = {}
    for inv in invoices:
        acct = accounts.setdefault(inv.account_number, {
            "account_number": inv.account_number, "name": inv.customer_name, "email": inv.email,
            "invoices": [], "documents": []})
        if inv.invoice_date is None:
            raise SeedError(f"invoice {inv.invoice_number}: the BIF gives no InvoiceDate")
        total = inv.total_amount_due if inv.total_amount_due is not None else inv.balance_due or 0
        due = inv.balance_due if inv.balance_due is not None else total
        acct["invoices"].append({
            "invoice_number": inv.invoice_number, "invoice_date": inv.invoice_date.isoformat(),
            "due_date": inv.due_date.isoformat() if inv.due_date else "", "total": str(total), "due": str(due),
            "policy_number": inv.custom_field(7), "balance_forward": inv.balance_forward is not False,
            "data": {"custom": {str(k): v for k, v in inv.custom.items()}}})
        key = inv.invoice_date.isoformat()
        if {"key": key} not in acct["documents"]:
            acct["documents"].append({"key": key})
    apply_seed(ctx, {partner: {"accounts": list(accounts.values())}}, {partner})
    return len(invoices)
