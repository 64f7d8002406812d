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


def test_sessions_live_until_their_expiry_on_the_given_clock_per_partner() -> None:
    """A partner's login session (Spectrum's sessionid cookie) is kept in the store, scoped to the partner."""
    store = Store()
    ledger = Ledger(store, "spectrum")
    with store.transaction() as conn:
        first = ledger.open_session(conn, "sandbox", expires_at=1000.0, now=0.0, data={"biller_id": "sandbox"})
        second = ledger.open_session(conn, "sandbox", expires_at=2000.0, now=0.0)
    assert first != second
    with store.read() as conn:
        found = ledger.session(conn, first, now=999.0)
        assert found is not None and (found["subject"], found["data"]) == ("sandbox", {"biller_id": "sandbox"})
        assert ledger.session(conn, first, now=1000.0) is None  # expired
        assert Ledger(store, "imt").session(conn, second, now=0.0) is None  # another partner's
    with store.transaction() as conn:
        ledger.open_session(conn, "other", expires_at=3000.0, now=1500.0)  # opening one sweeps the expired
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2
    store.wipe()
    with store.read() as conn:
        assert ledger.session(conn, second, now=0.0) is None  # a reset ends every session


def test_an_unapplied_payment_is_recorded_without_moving_the_balance() -> None:
    ledger = Ledger(Store(), "spectrum")
    with ledger.store.transaction() as conn:
        ledger.upsert_account(conn, "30254", billing="open_item")
        ledger.add_invoice(conn, "30254", "30254", invoice_date="2026-11-01", total_cents=73137)
        payment, created = ledger.post_payment(conn, "REF", "30254", 5000, invoice_number="30254", applied=False)
        assert created and payment.status == "unapplied"
        assert ledger.balance(conn, "30254").total_due == 73137
        again, created = ledger.post_payment(conn, "REF", "30254", 5000, invoice_number="30254")
        assert not created and again.status == "unapplied"  # the id seen before: nothing changes
        assert ledger.balance(conn, "30254").total_due == 73137
