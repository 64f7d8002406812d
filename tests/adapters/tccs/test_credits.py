"""TCCS ACH rejects: ``Insufficient_Pay_Report`` for R-codes only (design 002 §Data Pump: ACH Reject)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters import AdapterInputError, ContractViolation, CreditKind, CreditResult, PartnerRejected, TccsAdapter
from tests.adapters.fake_tccs import INVOICE, PAYMENT_ID, FakeTccs, error, nsf, reversed_


def test_an_r_code_reject_is_reported_with_invoice_date_amount_and_ifr(adapter: TccsAdapter, fake: FakeTccs) -> None:
    """The design's sample, without its blanks: ``454100010-03/01/2019:06/22/2020|25.00|IFR``; settings 101..103."""
    fake.on("Insufficient_Pay_Report", reversed_(receipt="TC000009"))
    result = adapter.post_credit(nsf())
    assert fake.sent().content == "454100010-03/01/2019:06/22/2020|25.00|IFR"
    assert fake.sent().credentials == ("GUID-NSF", "key-nsf")
    assert result == CreditResult(PAYMENT_ID, "454100010", "IFR", posted=True, remittance_id="TC000009")


def test_the_date_is_month_day_year_with_leading_zeros(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Insufficient_Pay_Report", reversed_(amount="5.10"))
    adapter.post_credit(nsf(paid_on=date(2021, 1, 5), amount=Decimal("5.1")))
    assert fake.sent().content == f"{INVOICE}:01/05/2021|5.10|IFR"


@pytest.mark.parametrize("code", ["C01", "C05"])
def test_a_c_code_is_not_sent(adapter: TccsAdapter, fake: FakeTccs, code: str) -> None:
    """A notification of change returns no money: there is nothing to report as insufficient funds."""
    result = adapter.post_credit(nsf(reject_code=code))
    assert (result.posted, result.reason_code) == (False, code)
    assert "notification of change" in result.skipped_because
    assert fake.received == []


@pytest.mark.parametrize("kind", [CreditKind.VOID, CreditKind.REFUND, CreditKind.CHARGEBACK, CreditKind.CREDIT])
def test_other_credit_kinds_have_no_tccs_endpoint(adapter: TccsAdapter, fake: FakeTccs, kind: CreditKind) -> None:
    result = adapter.post_credit(nsf(kind=kind, reject_code=""))
    assert (result.posted, result.reason_code) == (False, kind.value)
    assert "TCCS has no endpoint" in result.skipped_because and "design 002" in result.skipped_because
    assert fake.received == []


@pytest.mark.parametrize(("overrides", "missing"), [
    ({"invoice_number": ""}, "invoice_number"), ({"paid_on": None}, "paid_on"),
    ({"invoice_number": "", "paid_on": None}, "invoice_number, paid_on"),
])
def test_an_r_code_reject_needs_the_original_invoice_and_date(adapter: TccsAdapter, fake: FakeTccs,
                                                              overrides: dict[str, object], missing: str) -> None:
    with pytest.raises(AdapterInputError, match=f"missing: {missing}$"):
        adapter.post_credit(nsf(**overrides))
    assert fake.received == []


def test_no_matching_payment_is_a_refusal(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Insufficient_Pay_Report", error(404, "PAYMENT_NOT_FOUND", "No payment of 25.00 on that invoice."))
    with pytest.raises(PartnerRejected) as info:
        adapter.post_credit(nsf())
    assert (info.value.status, info.value.code) == (404, "PAYMENT_NOT_FOUND")


def test_a_reversal_of_another_amount_is_a_contract_violation(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Insufficient_Pay_Report", reversed_(amount="24.00"))
    with pytest.raises(ContractViolation) as info:
        adapter.post_credit(nsf())
    assert [v.location for v in info.value.violations] == ["response body /ReversedAmount"]
