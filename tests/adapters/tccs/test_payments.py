"""TCCS payments: ``Pay_Input`` contentInfo, quote deposits, the PaymentGUID and Duplicate answers
(design 002 §Data Pump: Payment, §Quote Deposit, §Version 1 - PaymentGUID, INT-3698, INT-6870)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from adapters import (
    AdapterConfigError, AdapterInputError, ContractViolation, PaymentMethod, PaymentResult, TccsAdapter,
)
from tests.adapters.fake_tccs import (
    INVOICE, PAYMENT_ID, QUOTE, SETTINGS, FakeTccs, deposit, duplicate, invoice, paid, payment,
)

Make = Callable[..., TccsAdapter]


def test_v2_sends_the_guid_and_the_result_is_posted(adapter: TccsAdapter, fake: FakeTccs) -> None:
    """§Version 1 - PaymentGUID sample: ``306-12/11/2019|24.00:CC@e99fc166-...``; settings 11, 12, 13."""
    fake.on("Pay_Input", paid("306-12/11/2019"))
    result = adapter.post_payment(payment(invoice=invoice("306-12/11/2019")))
    assert fake.sent().content == f"306-12/11/2019|24.00:CC@{PAYMENT_ID}"
    assert fake.sent().credentials == ("GUID-PAY", "key-pay")
    assert result == PaymentResult(PAYMENT_ID, "306", "306-12/11/2019", remittance_id="TC000001",
                                   operation="Pay_Input", outcome="posted", attempts=1)


def test_v1_sends_no_guid(make: Make, fake: FakeTccs) -> None:
    """Design 002 §Pay Input: ``[Invoice Number] | [Amount Paid : Payment Type]`` without the GUID."""
    fake.on("Pay_Input", paid(guid=None))
    result = make(version=1).post_payment(payment())
    assert fake.sent().content == f"{INVOICE}|24.00:CC"
    assert (result.payment_id, result.outcome) == (PAYMENT_ID, "posted")  # IC's own GUID, TCCS echoes none


def test_setting_35_absent_means_version_1(make: Make, fake: FakeTccs) -> None:
    fake.on("Pay_Input", paid(guid=None))
    adapter = make(version=None)
    assert adapter.version == 1
    adapter.post_payment(payment())
    assert "@" not in fake.sent().content


@pytest.mark.parametrize("value", ["3", "v2", "0"])
def test_setting_35_other_than_1_or_2_is_a_settings_error(make: Make, value: str) -> None:
    with pytest.raises(AdapterConfigError, match=r"setting 35 \(Service Version\) must be 1 or 2"):
        make({**SETTINGS, 35: value}, version=None)


@pytest.mark.parametrize(("method", "code"), [
    (PaymentMethod.CARD, "CC"), (PaymentMethod.ACH, "ACH"), (PaymentMethod.OBD, "ACH"),
    (PaymentMethod.ECHECK, "ACH"), (PaymentMethod.BANK, "ACH"),
])
def test_int_3698_cards_are_cc_everything_else_ach(adapter: TccsAdapter, fake: FakeTccs, method: PaymentMethod,
                                                   code: str) -> None:
    fake.on("Pay_Input", paid(kind=code))
    adapter.post_payment(payment(method=method))
    assert fake.sent().content == f"{INVOICE}|24.00:{code}@{PAYMENT_ID}"


def test_the_service_fee_is_never_posted(adapter: TccsAdapter, fake: FakeTccs) -> None:
    """"Amount Paid = Payment Amount (does not include service fee)"; whole dollars get two decimals."""
    fake.on("Pay_Input", paid(amount="1250.00"))
    adapter.post_payment(payment(amount=Decimal("1250"), service_fee=Decimal("3.95")))
    assert fake.sent().content.startswith(f"{INVOICE}|1250.00:CC@")


def test_a_quote_deposit_carries_the_payer_name_and_no_payment_type(adapter: TccsAdapter, fake: FakeTccs) -> None:
    """§Quote Deposit sample: ``Q3272-12/11/2019|Test Name|24.00@e99fc166-...``."""
    fake.on("Pay_Input", deposit())
    result = adapter.post_payment(payment(invoice=invoice(QUOTE, name="Someone Else"), payer_name="Test Name",
                                          method=PaymentMethod.ACH))
    assert fake.sent().content == f"Q3272-12/11/2019|Test Name|24.00@{PAYMENT_ID}"
    assert (result.account_number, result.outcome, result.remittance_id) == ("Q3272", "posted", "TC000002")


def test_a_quote_without_payer_name_falls_back_to_the_customer_name(make: Make, fake: FakeTccs) -> None:
    fake.on("Pay_Input", deposit(name="Pat Insured", guid=None))
    make(version=1).post_payment(payment(invoice=invoice(QUOTE, name="Pat Insured")))
    assert fake.sent().content == "Q3272-12/11/2019|Pat Insured|24.00"


def test_a_quote_with_no_name_at_all_is_refused_before_sending(adapter: TccsAdapter, fake: FakeTccs) -> None:
    with pytest.raises(AdapterInputError, match="Insured Name"):
        adapter.post_payment(payment(invoice=invoice(QUOTE, name="  ")))
    assert fake.received == []


@pytest.mark.parametrize("guid", [
    "e99fc166 9d990", "e99fc166_9d990", "e99fc166--9d990", "-e99fc166", "e99fc166-", "{e99fc166}", "a" * 100,
])
def test_a_guid_tccs_would_refuse_is_refused_before_sending(adapter: TccsAdapter, fake: FakeTccs, guid: str) -> None:
    """§Version 1 - PaymentGUID: letters and digits, separated by hyphens, under 100, no spaces or other characters."""
    with pytest.raises(AdapterInputError, match="PaymentGUID must be letters and digits") as info:
        adapter.post_payment(payment(payment_id=guid))
    assert "Nothing was sent" in str(info.value)
    assert fake.received == [] and adapter.exchanges == []


def test_the_guid_format_is_not_checked_under_version_1(make: Make, fake: FakeTccs) -> None:
    """Version 1 sends no GUID, so IC's GUID format is no concern of TCCS's."""
    fake.on("Pay_Input", paid(guid=None))
    make(version=1).post_payment(payment(payment_id="not a tccs guid"))
    assert fake.sent().content == f"{INVOICE}|24.00:CC"


def test_a_99_character_guid_is_sent(adapter: TccsAdapter, fake: FakeTccs) -> None:
    guid = "-".join(["abcdefghi"] * 10)[:99].rstrip("-")
    fake.on("Pay_Input", paid(guid=guid))
    assert adapter.post_payment(payment(payment_id=guid)).payment_id == guid


@pytest.mark.parametrize(("overrides", "what"), [
    ({"invoice": invoice("306|99.00-12/11/2019")}, "invoice number"),
    ({"invoice": invoice("306:12/11/2019")}, "invoice number"),
    ({"invoice": invoice(QUOTE), "payer_name": "Pat | 99.00"}, "insured name"),
    ({"invoice": invoice(QUOTE), "payer_name": "pat@home"}, "insured name"),
])
def test_a_separator_inside_a_field_is_refused_before_sending(adapter: TccsAdapter, fake: FakeTccs,
                                                              overrides: dict[str, object], what: str) -> None:
    """TCCS would read another amount or GUID out of it: IC never sends that."""
    with pytest.raises(AdapterInputError, match=f"the {what} .* contentInfo separator"):
        adapter.post_payment(payment(**overrides))
    assert fake.received == []


def test_a_duplicate_answer_is_success_with_outcome_duplicate(adapter: TccsAdapter, fake: FakeTccs) -> None:
    """INT-6870: TCCS already has the GUID, so it has the payment; nothing posted twice and IC is done."""
    fake.on("Pay_Input", paid(receipt="TC000007"), duplicate(receipt="TC000007"))
    first = adapter.post_payment(payment())
    again = adapter.post_payment(payment())
    assert (first.outcome, again.outcome) == ("posted", "duplicate")
    assert again.remittance_id == first.remittance_id == "TC000007"
    assert fake.contents() == [f"{INVOICE}|24.00:CC@{PAYMENT_ID}"] * 2


def test_an_echo_of_another_guid_is_a_contract_violation(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Pay_Input", paid(guid="0000-1111"))
    with pytest.raises(ContractViolation) as info:
        adapter.post_payment(payment())
    assert [v.location for v in info.value.violations] == ["response body /PaymentGUID"]


def test_an_echo_of_another_amount_is_a_contract_violation(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Pay_Input", paid(amount="26.95"))
    with pytest.raises(ContractViolation) as info:
        adapter.post_payment(payment())
    assert [v.location for v in info.value.violations] == ["response body /AmountPaid"]
