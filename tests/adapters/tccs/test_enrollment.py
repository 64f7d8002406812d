"""TCCS paperless and autopay: ``Paperless_Bill`` and ``Recurring_Pay`` (design 002 §Data Pump: Paperless
Enrollment, §Data Pump: AutoPay Enrollment)."""

from __future__ import annotations

import pytest

from adapters import AdapterInputError, ContractViolation, PaymentMethod, SettingsChange, TccsAdapter
from tests.adapters.fake_tccs import INVOICE, FakeTccs, flag, invoice


@pytest.mark.parametrize(("enabled", "sent"), [(True, "Y"), (False, "N")])
def test_paperless_on_and_off(adapter: TccsAdapter, fake: FakeTccs, enabled: bool, sent: str) -> None:
    """Sample: ``454100010-03/01/2019:Y|PB``; settings 14, 15, 16."""
    fake.on("Paperless_Bill", flag("Paperless", sent))
    change = adapter.set_paperless(invoice(), enabled)
    assert fake.sent().content == f"{INVOICE}:{sent}|PB"
    assert fake.sent().credentials == ("GUID-PB", "key-pb")
    assert change == SettingsChange("454100010", autopay=None, paperless=enabled)


@pytest.mark.parametrize(("method", "sent"), [
    (PaymentMethod.CARD, "Y"), ("ach", "Y"), (PaymentMethod.OBD, "Y"), (True, "Y"), (None, "N"), (False, "N"),
])
def test_autopay_on_for_any_method_off_for_none(adapter: TccsAdapter, fake: FakeTccs,
                                                method: PaymentMethod | str | bool | None, sent: str) -> None:
    """Sample: ``454100010-03/01/2019:Y|R``; settings 17, 18, 19."""
    fake.on("Recurring_Pay", flag("Recurring", sent))
    change = adapter.set_autopay(invoice(), method)
    assert fake.sent().content == f"{INVOICE}:{sent}|R"
    assert fake.sent().credentials == ("GUID-R", "key-r")
    assert change == SettingsChange("454100010", autopay=sent == "Y", paperless=None)


def test_an_invoice_number_as_text_is_taken_and_its_policy_is_the_account(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Paperless_Bill", flag("Paperless", "Y"))
    assert adapter.set_paperless(" 454100010-03/01/2019 ", True).account_number == "454100010"
    assert fake.sent().content == f"{INVOICE}:Y|PB"


def test_an_unknown_method_is_refused_with_the_valid_ones(adapter: TccsAdapter, fake: FakeTccs) -> None:
    with pytest.raises(AdapterInputError, match="card, ach, echeck, obd, bank"):
        adapter.set_autopay(invoice(), "cash")
    assert fake.received == []


def test_an_echo_of_the_other_flag_is_a_contract_violation(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Recurring_Pay", flag("Recurring", "N"))
    with pytest.raises(ContractViolation) as info:
        adapter.set_autopay(invoice(), "card")
    assert [v.location for v in info.value.violations] == ["response body /Recurring"]
