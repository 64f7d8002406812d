"""Ledger rules shared by the partners (balance forward, allocation), tested on the store directly."""

from __future__ import annotations

from simulators.ledger import Ledger
from simulators.store import Store


def test_a_payment_naming_a_policy_pays_that_policy_s_invoice_first() -> None:
    """Sapiens allocation level P/N (design 004 §Payments Sent from IC to BP): the policy's own invoice."""
    ledger = Ledger(Store(), "sapiens")
    with ledger.store.transaction() as conn:
        ledger.upsert_account(conn, "A1", billing="open_item")
        ledger.add_invoice(conn, "I-OLD", "A1", invoice_date="2026-10-01", total_cents=500, policy_number="POL-A")
        ledger.add_invoice(conn, "I-NEW", "A1", invoice_date="2026-11-01", total_cents=700, policy_number="POL-B")
        ledger.post_payment(conn, "P1", "A1", 200, policy_number="POL-B")
        ledger.post_payment(conn, "P2", "A1", 100)  # no policy: the oldest invoice with something due
        paid = {inv["invoice_number"]: inv["paid_cents"] for inv in ledger.invoices(conn, "A1")}
    assert paid == {"I-OLD": 100, "I-NEW": 200}


def test_a_policy_without_an_open_invoice_falls_back_to_the_account() -> None:
    ledger = Ledger(Store(), "sapiens")
    with ledger.store.transaction() as conn:
        ledger.upsert_account(conn, "A1", billing="open_item")
        ledger.add_invoice(conn, "I-1", "A1", invoice_date="2026-10-01", total_cents=500, policy_number="POL-A")
        ledger.post_payment(conn, "P1", "A1", 200, policy_number="POL-UNBILLED")
        paid = {inv["invoice_number"]: inv["paid_cents"] for inv in ledger.invoices(conn, "A1")}
    assert paid == {"I-1": 200}
