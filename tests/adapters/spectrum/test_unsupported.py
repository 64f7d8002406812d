"""What design 001 does not offer: credits (ACH rejects travel IC -> IMT by polling) and bill images."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters import AdapterConfigError, Credit, CreditKind, SpectrumAdapter
from tests.adapters.fake_spectrum import PAYMENT_ID, FakeSpectrum, invoice


@pytest.mark.parametrize(("kind", "code"), [
    (CreditKind.ACH_REJECT, "R01"), (CreditKind.CHARGEBACK, ""), (CreditKind.VOID, ""), (CreditKind.REFUND, ""),
    (CreditKind.CREDIT, ""),
])
def test_every_credit_is_skipped_with_the_reason_and_nothing_is_sent(
        adapter: SpectrumAdapter, fake: FakeSpectrum, kind: CreditKind, code: str) -> None:
    credit = Credit(payment_id=PAYMENT_ID, account_number="30254", amount=Decimal("100.00"), kind=kind,
                    reject_code=code)
    result = adapter.post_credit(credit)
    assert (result.posted, result.payment_id, result.account_number) == (False, PAYMENT_ID, "30254")
    assert result.reason_code == (code or kind.value)
    assert "design 001" in result.skipped_because and "ACHRejectReportingSOAP" in result.skipped_because
    assert fake.received == []


def test_a_bill_image_is_not_supported(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    with pytest.raises(AdapterConfigError, match="design 001 specifies no bill presentment"):
        adapter.fetch_bill(invoice())
    assert fake.received == []
