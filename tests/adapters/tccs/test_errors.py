"""TCCS's error answers as typed errors, and the settings each call needs (design 002 §API Documentation,
§Advanced Settings; the error bodies are assumed by contracts/tccs)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from adapters import AdapterConfigError, AuthError, PartnerRejected, TccsAdapter, create_adapter
from tests.adapters.fake_tccs import API, SETTINGS, Answer, FakeTccs, error, invoice, make_settings, nsf, paid, payment

Make = Callable[..., TccsAdapter]


def test_401_is_an_auth_error_naming_the_settings(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("Pay_Input", error(401, "AUTHENTICATION_FAILED", "consumerGUID or entryKey is not valid."))
    with pytest.raises(AuthError) as info:
        adapter.post_payment(payment())
    assert "settings 12 and 13 (consumerGUID and entryKey)" in str(info.value)
    assert info.value.operation == "tccs.Pay_Input"
    assert len(fake.received) == 1  # a refusal is not retried


def test_each_channel_has_its_own_credentials(adapter: TccsAdapter, fake: FakeTccs) -> None:
    fake.on("ARState_Output", error(401, "AUTHENTICATION_FAILED", "no"))
    with pytest.raises(AuthError, match="settings 9 and 10"):
        adapter.refresh_balance([invoice()])


@pytest.mark.parametrize(("field", "pointer"), [
    ("amount", "contentInfo amount"), ("payment_guid", "contentInfo payment_guid"),
    ("invoice", "contentInfo invoice"), ("contentInfo", "body contentInfo"), ("entryKey", "body entryKey"),
    ("contentInfo amount", "contentInfo amount"),
])
def test_400_is_a_rejection_naming_the_field(adapter: TccsAdapter, fake: FakeTccs, field: str, pointer: str) -> None:
    fake.on("Pay_Input", error(400, "INVALID_CONTENT", "expected an amount such as 24.00, found '24,00'", field))
    with pytest.raises(PartnerRejected) as info:
        adapter.post_payment(payment())
    e = info.value
    assert (e.status, e.code, e.pointer, e.detail) == (400, "INVALID_CONTENT", pointer,
                                                      "expected an amount such as 24.00, found '24,00'")
    assert f"at {pointer}" in str(e) and "fix the value TCCS points at" in str(e)


def test_a_status_error_in_a_200_is_a_rejection_too(make: Make, fake: FakeTccs) -> None:
    fake.on("Pay_Input", Answer(json={"Status": "Error", "ErrorCode": "INVALID_CONTENT", "Message": "bad"}))
    with pytest.raises(PartnerRejected) as info:
        make(strict_contract=False).post_payment(payment())
    assert (info.value.status, info.value.code) == (200, "INVALID_CONTENT")


@pytest.mark.parametrize(("missing", "call"), [
    (8, lambda a: a.refresh_balance([invoice()])), (13, lambda a: a.post_payment(payment())),
    (101, lambda a: a.post_credit(nsf())),
    (16, lambda a: a.set_paperless(invoice(), True)), (18, lambda a: a.set_autopay(invoice(), None)),
    (20, lambda a: a.fetch_bill(invoice())),
])
def test_a_missing_setting_is_named(make: Make, fake: FakeTccs, missing: int, call: Callable[[TccsAdapter], object]) -> None:
    settings = {k: v for k, v in SETTINGS.items() if k != missing}
    with pytest.raises(AdapterConfigError, match=f"setting {missing} .* is not set; it is needed for"):
        call(make(settings))
    assert fake.received == []


def test_a_url_that_is_not_the_operation_is_a_settings_error(make: Make, fake: FakeTccs) -> None:
    settings = {**SETTINGS, 11: SETTINGS[8]}
    with pytest.raises(AdapterConfigError, match="setting 11 .* contract's POST"):
        make(settings).post_payment(payment())
    assert fake.received == []


def test_the_design_spelling_pay_input_is_the_same_operation(make: Make, fake: FakeTccs) -> None:
    """The design writes both ``Pay_Input`` and ``Pay_input``; TCCS matches paths without regard to case."""
    fake.on("Pay_Input", paid())
    make({**SETTINGS, 11: API + "/api/Pay_input"}).post_payment(payment())
    assert fake.sent().request.url == API + "/api/Pay_input"


def test_create_adapter_knows_tccs(session: requests.Session) -> None:
    adapter = create_adapter("tccs", make_settings(), session=session)
    assert isinstance(adapter, TccsAdapter) and adapter.version == 2
