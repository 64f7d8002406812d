"""The partners' ledgers: accounts, invoices, payments and their allocations, credits, settings, sessions.

Balances move as a real billing system's: a payment is allocated to an invoice and lowers what is due;
a credit, reversal or NSF takes allocations back and restores it. Under balance forward (the IMT
product sheet: "Balance forward is required") only the newest invoice of an account carries the
balance; under open item every open invoice carries its own. Amounts are integer cents.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from simulators.errors import NotFound, Rejected
from simulators.store import Store

__all__ = ["Ledger", "Balance", "Payment", "to_cents", "from_cents"]


MAX_CENTS = 10**13  # a hundred billion dollars: anything larger is hostile input, not a bill


def to_cents(amount: Decimal | float | int | str) -> int:
    """Cents of an amount; a non-number, NaN, infinity or absurd amount is ``Rejected``."""
    try:
        value = Decimal(str(amount))
        if not value.is_finite() or abs(value) >= MAX_CENTS // 100:
            raise InvalidOperation
        return int(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    except (InvalidOperation, ValueError) as exc:
        raise Rejected(f"{amount!r} is not an amount", field="amount") from exc


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Balance:
    """An account's figures as an RTDR answers them (cents)."""

    account_number: str
    total_due: int  # pay-in-full amount still owed (IC TotalAmountDue)
    bill_balance: int  # the current bill's amount still owed (IC BalanceDue)
    past_due: int
    current_due: int
    due_date: str
    invoice_number: str  # the invoice that carries the balance ("" when none)


@dataclass(frozen=True)
class Payment:
    partner: str
    payment_id: str
    account_number: str
    invoice_number: str
    policy_number: str
    amount_cents: int
    method: str
    paid_on: str
    status: str
    data: dict[str, Any] = field(default_factory=dict)
    credited_cents: int = 0

    @property
    def open_cents(self) -> int:
        """What can still be credited or reversed."""
        return self.amount_cents - self.credited_cents


class Ledger:
    """Ledger operations for one partner, inside the caller's transaction."""

    def __init__(self, store: Store, partner: str) -> None:
        self.store = store
        self.partner = partner

    # -- accounts -----------------------------------------------------------------------------
    def upsert_account(self, conn: sqlite3.Connection, account_number: str, *, name: str = "", email: str = "",
                       billing: str = "balance_forward", data: dict[str, Any] | None = None) -> None:
        if billing not in ("balance_forward", "open_item"):
            raise Rejected(f"billing must be balance_forward or open_item, not {billing!r}", field="billing")
        conn.execute(
            "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (partner, account_number) DO UPDATE SET "
            "name = excluded.name, email = excluded.email, billing = excluded.billing, data = excluded.data",
            (self.partner, account_number, name, email, billing, json.dumps(data or {})),
        )

    def account(self, conn: sqlite3.Connection, account_number: str) -> dict[str, Any]:
        row = conn.execute("SELECT * FROM accounts WHERE partner = ? AND account_number = ?",
                           (self.partner, account_number)).fetchone()
        if row is None:
            raise NotFound(f"account {account_number} not found")
        out = dict(row)
        out["data"] = json.loads(out["data"])
        return out

    def has_account(self, conn: sqlite3.Connection, account_number: str) -> bool:
        return conn.execute("SELECT 1 FROM accounts WHERE partner = ? AND account_number = ?",
                            (self.partner, account_number)).fetchone() is not None

    def add_policy(self, conn: sqlite3.Connection, policy_number: str, account_number: str,
                   data: dict[str, Any] | None = None) -> None:
        conn.execute("INSERT OR REPLACE INTO policies VALUES (?, ?, ?, ?)",
                     (self.partner, policy_number, account_number, json.dumps(data or {})))

    # -- invoices -----------------------------------------------------------------------------
    def add_invoice(self, conn: sqlite3.Connection, invoice_number: str, account_number: str, *,
                    invoice_date: str, total_cents: int, due_cents: int | None = None, past_due_cents: int = 0,
                    due_date: str = "", policy_number: str = "", balance_forward: bool = True,
                    data: dict[str, Any] | None = None) -> None:
        date.fromisoformat(invoice_date)  # a clear error early rather than a wrong ordering later
        if due_cents is None:
            due_cents = total_cents
        conn.execute(
            "INSERT OR REPLACE INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.partner, invoice_number, account_number, policy_number, invoice_date, due_date,
             total_cents, due_cents, past_due_cents, int(balance_forward), json.dumps(data or {})),
        )
        if policy_number:
            conn.execute("INSERT OR IGNORE INTO policies VALUES (?, ?, ?, '{}')",
                         (self.partner, policy_number, account_number))

    def invoices(self, conn: sqlite3.Connection, account_number: str) -> list[dict[str, Any]]:
        """The account's invoices, oldest first, each with ``paid_cents`` and ``carries`` (open balance)."""
        rows = conn.execute(
            "SELECT i.*, COALESCE((SELECT SUM(a.amount_cents) FROM allocations a WHERE a.partner = i.partner "
            "AND a.invoice_number = i.invoice_number), 0) AS paid_cents FROM invoices i "
            "WHERE i.partner = ? AND i.account_number = ? ORDER BY i.invoice_date, i.invoice_number",
            (self.partner, account_number),
        ).fetchall()
        out = [dict(r) for r in rows]
        billing = self._billing(conn, account_number)
        carrier = self._carrier(out) if billing == "balance_forward" else None
        for inv in out:
            inv["data"] = json.loads(inv["data"])
            inv["carries"] = carrier is None or inv is carrier
        return out

    def _billing(self, conn: sqlite3.Connection, account_number: str) -> str:
        row = conn.execute("SELECT billing FROM accounts WHERE partner = ? AND account_number = ?",
                           (self.partner, account_number)).fetchone()
        return str(row[0]) if row else "balance_forward"

    @staticmethod
    def _carrier(invoices: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Under balance forward the newest invoice with balance forward on carries the balance."""
        forward = [inv for inv in invoices if inv["balance_forward"]]
        return (forward or invoices)[-1] if invoices else None

    def balance(self, conn: sqlite3.Connection, account_number: str) -> Balance:
        if not self.has_account(conn, account_number):
            raise NotFound(f"account {account_number} not found")
        total = bill = past = 0
        due_date, number = "", ""
        for inv in self.invoices(conn, account_number):
            if not inv["carries"]:
                continue
            paid = inv["paid_cents"]
            total += inv["total_cents"] - paid
            bill += max(0, inv["due_cents"] - paid)
            past += max(0, inv["past_due_cents"] - paid)
            due_date, number = inv["due_date"], inv["invoice_number"]
        return Balance(account_number, total, bill, past, max(0, bill - past), due_date, number)

    # -- payments -----------------------------------------------------------------------------
    def payment(self, conn: sqlite3.Connection, payment_id: str) -> Payment | None:
        row = conn.execute("SELECT * FROM payments WHERE partner = ? AND payment_id = ?",
                           (self.partner, payment_id)).fetchone()
        if row is None:
            return None
        credited = conn.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE partner = ? AND payment_id = ?",
                                (self.partner, payment_id)).fetchone()[0]
        values = dict(row)
        values.pop("created_at")
        values["data"] = json.loads(values["data"])
        return Payment(partner=self.partner, credited_cents=int(credited), **{k: v for k, v in values.items() if k != "partner"})

    def post_payment(self, conn: sqlite3.Connection, payment_id: str, account_number: str, amount_cents: int, *,
                     invoice_number: str = "", policy_number: str = "", method: str = "", paid_on: str = "",
                     data: dict[str, Any] | None = None, now: float = 0.0, applied: bool = True) -> tuple[Payment, bool]:
        """Record a payment and allocate it; a ``payment_id`` seen before changes nothing.

        ``applied=False`` records it without allocating it (status ``unapplied``: a receipt the partner
        keeps for later, Spectrum's ``approved: false``), so the balance does not move.
        Answers the payment and whether it was created now (False: a duplicate).
        """
        existing = self.payment(conn, payment_id)
        if existing is not None:
            return existing, False
        if amount_cents < 0:
            # No negative or dash values (design 000); a zero payment is recorded and moves nothing
            # (assumed: the design's own sample posts payment_amount 0).
            raise Rejected("a payment amount must not be negative", field="amount")
        if not self.has_account(conn, account_number):
            raise NotFound(f"account {account_number} not found")
        target = self._allocation_target(conn, account_number, invoice_number, policy_number)
        conn.execute("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (self.partner, payment_id, account_number, invoice_number, policy_number, amount_cents,
                      method, paid_on, "posted" if applied else "unapplied", json.dumps(data or {}), now))
        if target and amount_cents and applied:
            conn.execute("INSERT INTO allocations (partner, payment_id, invoice_number, amount_cents, kind, created_at) "
                         "VALUES (?, ?, ?, ?, 'payment', ?)", (self.partner, payment_id, target, amount_cents, now))
        created = self.payment(conn, payment_id)
        assert created is not None
        return created, True

    def _allocation_target(self, conn: sqlite3.Connection, account_number: str, invoice_number: str,
                           policy_number: str = "") -> str:
        """The invoice a payment pays: the one named, else (among the policy's invoices when a policy
        is named and has any) the oldest with something due, else the newest carrying one."""
        invoices = self.invoices(conn, account_number)
        if not invoices:
            return ""
        carrying = [inv for inv in invoices if inv["carries"]]
        named = [inv for inv in carrying if inv["invoice_number"] == invoice_number]
        if named:
            return str(named[0]["invoice_number"])
        if policy_number:
            carrying = [inv for inv in carrying if inv["policy_number"] == policy_number] or carrying
        # Oldest invoice with something still due, else the newest carrying one (an overpayment).
        for inv in carrying:
            if inv["due_cents"] - inv["paid_cents"] > 0:
                return str(inv["invoice_number"])
        return str(carrying[-1]["invoice_number"])

    def credit_payment(self, conn: sqlite3.Connection, payment_id: str, amount_cents: int, *, reason: str,
                       kind: str = "credit", data: dict[str, Any] | None = None, now: float = 0.0) -> Payment:
        """Take back part or all of a payment (void, refund, chargeback, ACH reject, NSF).

        Never more than the payment less earlier credits; the allocations are reversed newest first,
        so the invoices it paid owe it again.
        """
        payment = self.payment(conn, payment_id)
        if payment is None:
            raise NotFound(f"payment {payment_id} not found")
        if amount_cents <= 0:
            raise Rejected("a credit amount must be positive", field="amount")
        if amount_cents > payment.open_cents:
            raise Rejected(f"credit of {from_cents(amount_cents)} exceeds what is left of payment {payment_id} "
                           f"({from_cents(payment.open_cents)})", field="amount")
        conn.execute("INSERT INTO credits (partner, payment_id, amount_cents, reason, data, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (self.partner, payment_id, amount_cents, reason, json.dumps(data or {}), now))
        remaining = amount_cents
        rows = conn.execute("SELECT invoice_number, SUM(amount_cents) FROM allocations WHERE partner = ? AND payment_id = ? "
                            "GROUP BY invoice_number ORDER BY MAX(id) DESC", (self.partner, payment_id)).fetchall()
        for invoice_number, allocated in rows:
            take = min(remaining, int(allocated))
            if take > 0:
                conn.execute("INSERT INTO allocations (partner, payment_id, invoice_number, amount_cents, kind, created_at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", (self.partner, payment_id, invoice_number, -take, kind, now))
                remaining -= take
        status = "reversed" if amount_cents == payment.open_cents else "partially_credited"
        conn.execute("UPDATE payments SET status = ? WHERE partner = ? AND payment_id = ?", (status, self.partner, payment_id))
        updated = self.payment(conn, payment_id)
        assert updated is not None
        return updated

    def credits(self, conn: sqlite3.Connection, payment_id: str) -> list[dict[str, Any]]:
        rows = conn.execute("SELECT amount_cents, reason, data, created_at FROM credits WHERE partner = ? AND payment_id = ? ORDER BY id",
                            (self.partner, payment_id)).fetchall()
        return [{**dict(r), "data": json.loads(r["data"])} for r in rows]

    # -- sessions -----------------------------------------------------------------------------
    def open_session(self, conn: sqlite3.Connection, subject: str, *, expires_at: float, now: float = 0.0,
                     data: dict[str, Any] | None = None) -> str:
        """A new login session of ``subject`` (a partner's session cookie), live until ``expires_at`` on the
        sandbox clock; answers its opaque id. Kept in the store, so every worker and a restart see it."""
        conn.execute("DELETE FROM sessions WHERE partner = ? AND expires_at <= ?", (self.partner, now))
        session_id = secrets.token_urlsafe(32)
        conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                     (self.partner, session_id, subject, expires_at, json.dumps(data or {}), now))
        return session_id

    def session(self, conn: sqlite3.Connection, session_id: str, now: float) -> dict[str, Any] | None:
        """The session with this id while it lives at ``now``; None when unknown or expired."""
        row = conn.execute("SELECT subject, expires_at, data FROM sessions WHERE partner = ? AND session_id = ? "
                           "AND expires_at > ?", (self.partner, session_id, now)).fetchone()
        if row is None:
            return None
        return {"session_id": session_id, "subject": row["subject"], "expires_at": row["expires_at"],
                "data": json.loads(row["data"])}

    def sessions(self, conn: sqlite3.Connection, now: float) -> list[dict[str, Any]]:
        """The sessions alive at ``now``, oldest first, without their ids (a session id is a secret)."""
        rows = conn.execute("SELECT subject, expires_at, created_at FROM sessions WHERE partner = ? AND expires_at > ? "
                            "ORDER BY created_at", (self.partner, now)).fetchall()
        return [{"subject": r["subject"], "expires_at": r["expires_at"], "opened_at": r["created_at"]} for r in rows]

    # -- settings and documents ---------------------------------------------------------------
    def set_setting(self, conn: sqlite3.Connection, account_number: str, key: str, value: str, now: float = 0.0) -> None:
        conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?, ?, ?, ?)", (self.partner, account_number, key, value, now))

    def settings(self, conn: sqlite3.Connection, account_number: str) -> dict[str, str]:
        rows = conn.execute("SELECT key, value FROM settings WHERE partner = ? AND account_number = ?",
                            (self.partner, account_number)).fetchall()
        return {str(k): str(v) for k, v in rows}

    def add_document(self, conn: sqlite3.Connection, account_number: str, key: str, content: bytes | None = None,
                     data: dict[str, Any] | None = None) -> None:
        conn.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?)",
                     (self.partner, account_number, key, content, json.dumps(data or {})))

    def document(self, conn: sqlite3.Connection, account_number: str, key: str) -> dict[str, Any] | None:
        row = conn.execute("SELECT * FROM documents WHERE partner = ? AND account_number = ? AND key = ?",
                           (self.partner, account_number, key)).fetchone()
        if row is None:
            return None
        return {**dict(row), "data": json.loads(row["data"])}
