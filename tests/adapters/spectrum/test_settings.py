"""Paperless and autopay (design 001 §Authentication Method for Paperless and Autopay Enrollment,
§Data Pump: Paperless Enrollment, §Data Pump: AutoPay Enrollment): a session, its cookie, the settings call."""

from __future__ import annotations

import pytest
import requests

from adapters import (
    AdapterConfigError, AdapterInputError, AuthError, ContractViolation, PartnerRejected, PartnerUnavailable, SettingsResult,
    SpectrumAdapter,
)
from adapters.spectrum import settings_url
from tests.adapters.fake_spectrum import (
    AUTH, JSONAPI, SESSION_ID, SESSIONS, SETTINGS, Answer, FakeSpectrum, errors, invoice, make_settings,
)


def test_paperless_opens_a_session_then_posts_the_setting_with_its_cookie(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    result = adapter.set_paperless("30254", True)
    assert result == SettingsResult("30254", "direct", True)
    session, change = fake.received
    assert (session.method, session.url) == ("POST", SESSIONS)
    assert session.headers["Content-Type"] == JSONAPI
    assert fake.bodies(r"/api/sessions/$") == [{"data": {"type": "sessions", "attributes": {
        "username": "paper-user", "password": "paper-secret"}}}]
    assert (change.method, change.url) == ("POST", f"{AUTH}/sandbox/api/settings/30254/")
    assert change.headers["Cookie"] == f"sessionid={SESSION_ID}", "the answer's Set-Cookie, sent back"
    assert change.headers["Content-Type"] == JSONAPI
    assert fake.bodies(r"/api/settings/") == [{"data": {"type": "policy-settings", "id": "30254",
                                                        "attributes": {"paperless": True}}}]
    exchange = adapter.exchanges[-1]  # the exchange shows the cookie too (it is redacted only when written)
    assert (exchange.operation, exchange.request.host, exchange.request.path) == (
        "set_paperless", "auth", "/sandbox/api/settings/30254/")
    assert exchange.request.header("cookie") == f"sessionid={SESSION_ID}"


def test_paperless_off_sends_false(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    assert adapter.set_paperless("30254", False).paperless is False
    assert fake.bodies(r"/api/settings/")[0]["data"]["attributes"] == {"paperless": False}


@pytest.mark.parametrize(("method", "mode"), [("card", "autopay"), ("ach", "autopay"), (None, "direct")])
def test_autopay_patches_bill_mode_with_the_autopay_channel_credentials(
        adapter: SpectrumAdapter, fake: FakeSpectrum, method: str | None, mode: str) -> None:
    result = adapter.set_autopay("30254", method)
    assert result.autopay == mode
    assert fake.bodies(r"/api/sessions/$")[0]["data"]["attributes"] == {"username": "autopay-user",
                                                                        "password": "autopay-secret"}
    [change] = fake.requests_to(r"/api/settings/")
    assert change.method == "PATCH" and change.headers["Cookie"] == f"sessionid={SESSION_ID}"
    assert fake.bodies(r"/api/settings/") == [{"data": {"type": "policy-settings", "id": "30254",
                                                        "attributes": {"bill_mode": mode}}}]


def test_an_unknown_autopay_method_is_refused_before_anything_is_sent(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    with pytest.raises(AdapterInputError, match="card"):
        adapter.set_autopay("30254", "bitcoin")
    assert fake.received == []


def test_an_invoice_gives_its_account_number(adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    assert adapter.set_paperless(invoice("30255-1", account="30255"), True).account_number == "30255"
    assert fake.requests_to(r"/api/settings/")[0].url == f"{AUTH}/sandbox/api/settings/30255/"


def test_every_cookie_of_the_answer_goes_back_without_its_attributes(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/sessions/$", Answer(status=201, content_type=JSONAPI, json={
        "data": {"type": "sessions", "id": "1", "attributes": {"username": "paper-user"}}}, headers={
        "Set-Cookie": "csrftoken=c1; expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/, sessionid=s2; Path=/; HttpOnly"}))
    adapter.set_paperless("30254", True)
    assert fake.requests_to(r"/api/settings/")[0].headers["Cookie"] == "csrftoken=c1; sessionid=s2"


@pytest.mark.parametrize(("sessions", "account", "expected"), [
    ("https://auth.example.test/12/api/sessions/", "30254", "https://auth.example.test/12/api/settings/30254/"),
    ("https://auth.example.test/12/api/sessions", "30254", "https://auth.example.test/12/api/settings/30254/"),
    ("https://auth.example.test/12/api/sessions/?x=1", "30254", "https://auth.example.test/12/api/settings/30254/"),
    ("https://auth.example.test/12/api/sessions/", "A/B 7", "https://auth.example.test/12/api/settings/A%2FB%207/"),
])
def test_the_settings_url_is_dot_dot_settings_account_against_the_sessions_url(
        sessions: str, account: str, expected: str) -> None:
    assert settings_url(sessions, account) == expected


def test_a_wrong_session_password_is_an_auth_error_and_no_setting_is_sent(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/sessions/$", errors(401, "Unable to log in with provided credentials.",
                                               code="authentication_failed", content_type=JSONAPI))
    with pytest.raises(AuthError) as info:
        adapter.set_paperless("30254", True)
    assert "setting 15 (" in str(info.value) and "setting 16 (" in str(info.value)
    assert info.value.operation == "spectrum.sessions"
    assert fake.requests_to(r"/api/settings/") == []


def test_a_settings_call_refused_for_want_of_a_session_fails_the_data_pump(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("PATCH", r"/api/settings/", errors(403, "Authentication credentials were not provided.",
                                               code="not_authenticated", content_type=JSONAPI))
    with pytest.raises(AuthError, match="Authentication credentials were not provided") as info:
        adapter.set_autopay("30254", "card")
    assert info.value.operation == "spectrum.set_autopay"


@pytest.mark.parametrize(("status", "code"), [(404, "not_found"), (409, "conflict")])
def test_any_other_error_answer_fails_the_data_pump(
        adapter: SpectrumAdapter, fake: FakeSpectrum, status: int, code: str) -> None:
    fake.on("POST", r"/api/settings/", errors(status, "no", code=code, content_type=JSONAPI))
    with pytest.raises(PartnerRejected) as info:
        adapter.set_paperless("30254", True)
    assert (info.value.status, info.value.code) == (status, code)


def test_a_sessions_server_error_is_partner_unavailable_and_no_setting_is_sent(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/sessions/$", Answer(status=502, body=b"Bad Gateway"))
    with pytest.raises(PartnerUnavailable):
        adapter.set_paperless("30254", True)
    assert fake.requests_to(r"/api/settings/") == []


def test_a_session_answer_without_a_cookie_is_a_contract_violation(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/sessions/$", Answer(status=201, content_type=JSONAPI, json={
        "data": {"type": "sessions", "id": "1", "attributes": {"username": "paper-user"}}}))
    with pytest.raises(ContractViolation) as info:
        adapter.set_paperless("30254", True)
    assert info.value.violations[0].location == "response header Set-Cookie"
    assert fake.requests_to(r"/api/settings/") == []


def test_an_answer_that_does_not_hold_the_value_set_is_a_contract_violation(
        adapter: SpectrumAdapter, fake: FakeSpectrum) -> None:
    fake.on("POST", r"/api/settings/", Answer(content_type=JSONAPI, json={"data": {
        "type": "policy-settings", "id": "30254", "attributes": {"paperless": False, "bill_mode": "direct"}}}))
    with pytest.raises(ContractViolation) as info:
        adapter.set_paperless("30254", True)
    assert info.value.violations[0].location == "response body /data/attributes/paperless"


def test_paperless_without_its_settings_names_the_missing_one(session: requests.Session, fake: FakeSpectrum) -> None:
    values = {k: v for k, v in SETTINGS.items() if k != 16}
    adapter = SpectrumAdapter(make_settings(values), session)
    with pytest.raises(AdapterConfigError, match=r"setting 16 \("):
        adapter.set_paperless("30254", True)
    assert fake.received == []
