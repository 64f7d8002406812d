"""Spectrum's JWT (design 001 §Web service Authorization, §Advanced Settings 9/10 and 12/13):
the token body, the pipe split, the token URL, caching and the one renewal on 401."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import requests

from adapters import AdapterConfigError, AuthError, ContractViolation, SpectrumAdapter, create_adapter
from tests.adapters.fake_spectrum import (
    CORE, SETTINGS, TOKEN_TTL, Answer, FakeSpectrum, balance, errors, invoice, make_settings, payment, receipt,
)
from tests.adapters.spectrum.conftest import Clock


def with_settings(session: requests.Session, clock: Clock | None = None, **changed: str) -> SpectrumAdapter:
    values = {**SETTINGS, **{int(k[1:]): v for k, v in changed.items()}}
    return SpectrumAdapter(make_settings(values), session, clock=clock or Clock())


def test_the_token_body_is_the_private_key_username_and_password_of_settings_9_and_10(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance())
    adapter.refresh_balance([invoice()])
    [token_request] = fake.requests_to(r"/api/Token$")
    assert token_request.url == f"{CORE}/api/Token", "<base URL>/api/Token, the base URL taken from setting 8"
    assert token_request.headers["Content-Type"] == "application/json"
    assert fake.bodies(r"/api/Token$") == [{"token": "9w!tbbKa!xxx", "username": "InvCloud",
                                            "password": "99A9999F-DCBC-9F9A-B999-999AD99999F9"}]
    [rtdr] = fake.requests_to(r"/InvoiceBalanceDue$")
    assert rtdr.headers["Authorization"] == f"Bearer {fake.tokens_issued[0]}"


def test_the_pipe_splits_at_its_last_occurrence_so_a_key_may_hold_one(
        session: requests.Session, fake: FakeSpectrum) -> None:
    adapter = with_settings(session, s10="key|with|pipes|the-password")
    fake.on("GET", r"/InvoiceBalanceDue$", balance())
    adapter.refresh_balance([invoice()])
    [body] = fake.bodies(r"/api/Token$")
    assert (body["token"], body["password"]) == ("key|with|pipes", "the-password")


def test_payments_take_their_credentials_from_settings_11_12_and_13(
        session: requests.Session, fake: FakeSpectrum) -> None:
    adapter = with_settings(session, s11="http://spectrum.test/other/wsSpectrumAPICore/api/OnlineReceipt",
                            s12="pump-user", s13="pump-key|pump-password")
    fake.on("POST", r"/api/OnlineReceipt$", receipt())
    adapter.post_payment(payment())
    [token_request] = fake.requests_to(r"/api/Token$")
    assert token_request.url == "http://spectrum.test/other/wsSpectrumAPICore/api/Token"
    assert fake.bodies(r"/api/Token$") == [{"token": "pump-key", "username": "pump-user", "password": "pump-password"}]


@pytest.mark.parametrize(("value", "found"), [
    ("no-pipe-at-all", "no '|'"),
    ("|only-a-password", "an empty private key"),
    ("only-a-key|", "an empty password"),
])
@pytest.mark.parametrize("setting", [10, 13])
def test_a_malformed_key_and_password_setting_is_refused_naming_it_and_not_its_value(
        session: requests.Session, setting: int, value: str, found: str) -> None:
    with pytest.raises(AdapterConfigError) as info:
        with_settings(session, **{f"s{setting}": value})
    message = str(info.value)
    assert f"setting {setting} (" in message and "'<private key>|<password>'" in message and found in message
    assert value.strip("|") not in message, "a secret never appears in a message"


def test_a_url_setting_without_api_in_its_path_is_refused_as_it_gives_no_token_url(session: requests.Session) -> None:
    with pytest.raises(AdapterConfigError, match=r"setting 8 \(.*<base URL>/api/Token"):
        with_settings(session, s8="http://spectrum.test/spectrum/wsSpectrumAPICore/InvoiceBalanceDue")


def test_the_token_is_cached_across_calls_and_channels_with_the_same_credentials(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance())
    fake.on("POST", r"/api/OnlineReceipt$", receipt())
    adapter.refresh_balance([invoice()])
    adapter.refresh_balance([invoice()])
    adapter.post_payment(payment())
    assert len(fake.requests_to(r"/api/Token$")) == 1
    assert {r.headers["Authorization"] for r in fake.received if "Token" not in (r.url or "")} == {
        f"Bearer {fake.tokens_issued[0]}"}


def test_a_401_renews_the_token_once_and_the_call_is_repeated_with_the_new_one(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", errors(401, "Token has expired."), balance())
    refresh = adapter.refresh_balance([invoice()])
    assert refresh.updates[0].balance_due == Decimal("731.37")
    assert len(fake.tokens_issued) == 2
    first, second = fake.requests_to(r"/InvoiceBalanceDue$")
    assert first.headers["Authorization"] == f"Bearer {fake.tokens_issued[0]}"
    assert second.headers["Authorization"] == f"Bearer {fake.tokens_issued[1]}"


def test_a_second_401_after_renewal_is_an_auth_error_and_nothing_more_is_tried(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/OnlineReceipt$", errors(401, "Invalid token."))
    with pytest.raises(AuthError, match="401 again after the token was renewed") as info:
        adapter.post_payment(payment())
    assert info.value.operation == "spectrum.online_receipt"
    assert len(fake.requests_to(r"/api/OnlineReceipt$")) == 2 and len(fake.tokens_issued) == 2


def test_credentials_spectrum_refuses_are_an_auth_error_naming_the_settings_and_no_call_is_made(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/Token$", errors(401, "Invalid token, username or password.", code="invalid_credentials"))
    with pytest.raises(AuthError) as info:
        adapter.refresh_balance([invoice()])
    assert "setting 9 (" in str(info.value) and "setting 10 (" in str(info.value)
    assert "Invalid token, username or password." in str(info.value)
    assert info.value.operation == "spectrum.token"
    assert fake.requests_to(r"/InvoiceBalanceDue$") == []


def test_a_token_near_its_expiry_on_the_adapter_clock_is_renewed_before_use(
        adapter: SpectrumAdapter, fake: FakeSpectrum, clock: Clock) -> None:
    fake.on("GET", r"/InvoiceBalanceDue$", balance())
    adapter.refresh_balance([invoice()])
    clock.now += TOKEN_TTL - 10  # within the 30 s margin
    adapter.refresh_balance([invoice()])
    assert len(fake.tokens_issued) == 2
    first, second = fake.requests_to(r"/InvoiceBalanceDue$")  # two calls: no 401 was needed
    assert second.headers["Authorization"] == f"Bearer {fake.tokens_issued[1]}"


def test_a_token_answer_without_a_token_is_a_contract_violation(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/Token$", Answer(json={"data": {"id": "58", "type": "jwtToken", "attributes": {}}}))
    with pytest.raises(ContractViolation) as info:
        adapter.refresh_balance([invoice()])
    assert any("/data/attributes" in v.location for v in info.value.violations)


def test_the_registry_makes_a_spectrum_adapter(session: requests.Session) -> None:
    settings: dict[str, Any] = {"partner": "spectrum", "settings": {str(k): v for k, v in SETTINGS.items()}}
    assert isinstance(create_adapter("spectrum", settings, session=session), SpectrumAdapter)
