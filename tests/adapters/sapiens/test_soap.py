"""Sapiens SOAP: the envelope IC sends, the channels' credentials, and how answers are judged (design 004)."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from adapters import (
    AdapterConfigError, AuthError, ContractViolation, PartnerRejected, PartnerUnavailable, SapiensAdapter, Setting,
    adapter_names, create_adapter,
)
from tests.adapters.fake_sapiens import (
    BASE, BILLING_NS, BILLING_URL, SETTINGS, SOAP_ENV, WSSE, Answer, FakeSapiens, account_bill,
    account_row, fault, make_settings, payment, results, soap_answer,
)








ACCOUNT_BALANCE = "PWSTRUCTUREDSEARCH/icAccountBalanceUpd"


def balance_ok() -> Answer:
    return soap_answer("PWSTRUCTUREDSEARCH", results("BM_ACCT_SRCH", account_row()), interface="icAccountBalanceUpd")


# -- the envelope ---------------------------------------------------------------------------------
def test_envelope_shape(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """Design 004 request samples: WS-Security PasswordText header, unqualified children, Data as CDATA."""
    fake.on(ACCOUNT_BALANCE, balance_ok())
    adapter.refresh_balance([account_bill()])
    sent = fake.sent()
    assert sent.root.tag == f"{{{SOAP_ENV}}}Envelope"
    security = sent.root.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security")
    assert security.get(f"{{{SOAP_ENV}}}mustUnderstand") == "1"
    password = security.find(f"{{{WSSE}}}UsernameToken/{{{WSSE}}}Password")
    assert password.get("Type").endswith("#PasswordText")
    assert sent.call.tag == f"{{{BILLING_NS}}}PWInvokeBillingActionRequest"
    assert [c.tag for c in sent.call] == ["TransRef", "ReqDateTime", "ActionCode", "InterfaceCode",
                                          "PWAuthentication", "Data"]  # unqualified, in the design's order
    assert sent.field("ActionCode") == "PWSTRUCTUREDSEARCH"
    assert sent.call.findtext("PWAuthentication/UserLoginName") == "system-user"  # setting 89
    assert b"<Data><![CDATA[<SearchRequest>" in sent.raw  # a CDATA section, not escaped text
    assert sent.field("ReqDateTime") == "2024-07-20T10:30:05.123-04:00"
    assert sent.request.headers["Content-Type"].startswith("text/xml")
    assert sent.request.headers["SOAPAction"] == '""'


def test_trans_ref_is_a_fresh_uuid_per_call(session: requests.Session, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT_BALANCE, balance_ok())
    adapter = SapiensAdapter(make_settings(), session)
    adapter.refresh_balance([account_bill()])
    adapter.refresh_balance([account_bill()])
    refs = [s.field("TransRef") for s in fake.soap_requests()]
    assert refs[0] != refs[1]
    for ref in refs:
        uuid.UUID(str(ref))
    stamp = fake.sent().field("ReqDateTime") or ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", stamp), stamp


def test_values_are_escaped_never_pasted(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """A value with markup in it stays a value: XML is built with lxml, never by concatenation."""
    fake.on(ACCOUNT_BALANCE, balance_ok())
    adapter.refresh_balance([account_bill(c2="981]]><x/>&'\"")])
    assert fake.sent().text("searchCriteria/acctName") == "981]]><x/>&'\""


def test_rtdr_uses_settings_9_and_10(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT_BALANCE, balance_ok())
    adapter.refresh_balance([account_bill()])
    assert (fake.sent().token("Username"), fake.sent().token("Password")) == ("rtdr-user", "rtdr-secret")


def test_user_login_name_defaults_to_the_username(session: requests.Session, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT_BALANCE, balance_ok())
    settings = {k: v for k, v in SETTINGS.items() if k != 89}
    SapiensAdapter(make_settings(settings), session).refresh_balance([account_bill()])
    assert fake.sent().call.findtext("PWAuthentication/UserLoginName") == "rtdr-user"


def test_missing_credentials_name_the_setting(session: requests.Session) -> None:
    settings = {k: v for k, v in SETTINGS.items() if k != 10}
    adapter = SapiensAdapter(make_settings(settings), session)
    with pytest.raises(AdapterConfigError, match=r"setting 10 \(RTDR Key or Password if Applicable\) is not set"):
        adapter.refresh_balance([account_bill()])


def test_exchange_has_the_partners_own_path(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT_BALANCE, balance_ok())
    adapter.refresh_balance([account_bill()])
    exchange = adapter.exchanges[-1]
    assert fake.sent().path == "/sapiens/AdaptikBilling/soapservices/PWBillingService"
    assert (exchange.partner, exchange.operation) == ("sapiens", "account_balance")
    assert (exchange.request.method, exchange.request.path) == ("POST", "/AdaptikBilling/soapservices/PWBillingService")


@pytest.mark.parametrize("suffix", [".wsdl", "?wsdl"])
def test_a_wsdl_url_setting_posts_to_the_endpoint(session: requests.Session, fake: FakeSapiens, suffix: str) -> None:
    fake.on(ACCOUNT_BALANCE, balance_ok())
    adapter = SapiensAdapter(make_settings({**SETTINGS, 8: BILLING_URL + suffix}), session)
    adapter.refresh_balance([account_bill()])
    assert fake.sent().request.url == BILLING_URL


def test_a_url_that_is_not_the_endpoint_is_a_settings_error(session: requests.Session, fake: FakeSapiens) -> None:
    fake.off_contract = True  # the lenient adapter below posts to a path the contract does not know
    adapter = SapiensAdapter(make_settings({**SETTINGS, 8: f"{BASE}/sapiens/soap"}), session)
    with pytest.raises(AdapterConfigError, match=r"setting 8 .*PWBillingService"):
        adapter.refresh_balance([account_bill()])
    assert fake.received == []
    fake.on(ACCOUNT_BALANCE, balance_ok())
    lenient = SapiensAdapter(make_settings({**SETTINGS, 8: f"{BASE}/sapiens/soap"}, strict_contract=False), session)
    lenient.refresh_balance([account_bill()])
    assert lenient.exchanges[-1].request.path == "/sapiens/soap"


# -- judging answers ------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["wsse:FailedAuthentication", "wsse:InvalidSecurity"])
def test_security_fault_is_auth_error(adapter: SapiensAdapter, fake: FakeSapiens, code: str) -> None:
    """HTTP 500 with a WS-Security Fault is a refusal of the credentials, not an outage."""
    fake.on(ACCOUNT_BALANCE, fault(code))
    with pytest.raises(AuthError, match=rf"{code}.*settings 9 and 10") as caught:
        adapter.refresh_balance([account_bill()])
    assert caught.value.exchange is adapter.exchanges[-1]
    assert caught.value.exchange.response is not None and caught.value.exchange.response.status == 500
    assert "rtdr-secret" not in str(caught.value)


def test_security_fault_on_data_pump_names_settings_12_and_13(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on("createRemitACHPmt", fault())
    with pytest.raises(AuthError, match="settings 12 and 13"):
        adapter.post_payment(payment())


def test_other_fault_is_partner_rejected(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT_BALANCE, fault("SOAP-ENV:Client", "Unable to read the envelope"))
    with pytest.raises(PartnerRejected, match="Unable to read the envelope") as caught:
        adapter.refresh_balance([account_bill()])
    assert (caught.value.status, caught.value.code, caught.value.detail) == (
        500, "SOAP-ENV:Client", "Unable to read the envelope")
    assert not isinstance(caught.value, AuthError)


@pytest.mark.parametrize(("code", "status"), [
    ("SOAP-ENV:Client", 503), ("SOAP-ENV:Client.Validation", 500), ("SOAP-ENV:VersionMismatch", 500),
    ("soap:MustUnderstand", 500),
])
def test_a_fault_that_blames_ics_message_is_rejected_whatever_the_status(
    adapter: SapiensAdapter, fake: FakeSapiens, code: str, status: int
) -> None:
    """SOAP 1.1 §4.4.1: Client (with its dotted refinements), VersionMismatch and MustUnderstand are refusals."""
    fake.on(ACCOUNT_BALANCE, fault(code, "Unable to read the envelope", status=status))
    with pytest.raises(PartnerRejected, match="Unable to read the envelope") as caught:
        adapter.refresh_balance([account_bill()])
    assert (caught.value.status, caught.value.code) == (status, code)


@pytest.mark.parametrize(("code", "status"), [
    ("SOAP-ENV:Server", 500), ("soap:Server", 500), ("Server", 500), ("SOAP-ENV:Server.Database", 500),
    ("SOAP-ENV:Server", 503), ("SOAP-ENV:Server", 200), ("bil:BatchLocked", 500), ("bil:BatchLocked", 502),
])
def test_a_server_fault_or_another_fault_with_a_5xx_is_unavailable(
    session: requests.Session, fake: FakeSapiens, code: str, status: int
) -> None:
    """Lead's decision (issue 5): the partner failed, not refused: PartnerUnavailable, as any HTTP 5xx."""
    fake.on(ACCOUNT_BALANCE, fault(code, "The database is unavailable.", status=status))
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)  # a 200 Fault is off the contract
    with pytest.raises(PartnerUnavailable, match=rf"HTTP {status}, faultcode {re.escape(code)}: "
                                                 "The database is unavailable") as caught:
        adapter.refresh_balance([account_bill()])
    assert caught.value.exchange is adapter.exchanges[-1]
    assert not isinstance(caught.value, (PartnerRejected, AuthError))


def test_a_fault_of_sapiens_own_code_without_a_5xx_is_rejected(session: requests.Session, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT_BALANCE, fault("bil:BatchLocked", "The batch is locked", status=200))
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)
    with pytest.raises(PartnerRejected, match="ask Sapiens what the fault means") as caught:
        adapter.refresh_balance([account_bill()])
    assert (caught.value.status, caught.value.code) == (200, "bil:BatchLocked")


@pytest.mark.parametrize("status", [500, 503])
def test_a_security_fault_stays_an_auth_error_with_any_5xx(adapter: SapiensAdapter, fake: FakeSapiens,
                                                           status: int) -> None:
    fake.on(ACCOUNT_BALANCE, fault("wsse:InvalidSecurity", status=status))
    with pytest.raises(AuthError, match="settings 9 and 10"):
        adapter.refresh_balance([account_bill()])


@pytest.mark.parametrize("body", [b"", b"<html>Internal Server Error</html>", b"<Envelope/>"])
def test_500_without_a_fault_is_unavailable(adapter: SapiensAdapter, fake: FakeSapiens, body: bytes) -> None:
    fake.on(ACCOUNT_BALANCE, Answer(status=500, body=body))
    with pytest.raises(PartnerUnavailable, match="HTTP 500") as caught:
        adapter.refresh_balance([account_bill()])
    assert caught.value.exchange is adapter.exchanges[-1]


def test_dropped_connection_is_unavailable(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT_BALANCE, requests.exceptions.ConnectionError("Connection aborted"))
    with pytest.raises(PartnerUnavailable, match="connection"):
        adapter.refresh_balance([account_bill()])


@pytest.mark.parametrize("code", ["FAILURE", "MISSINGPARAMS", "NONEFOUND"])
def test_business_refusal_carries_the_return_code_and_reject_message(
    adapter: SapiensAdapter, fake: FakeSapiens, code: str
) -> None:
    fake.on(ACCOUNT_BALANCE, soap_answer("PWSTRUCTUREDSEARCH", code=code, interface="icAccountBalanceUpd",
                                         reject="Account 981000001 is not on file"))
    with pytest.raises(PartnerRejected, match="Account 981000001 is not on file") as caught:
        adapter.refresh_balance([account_bill()])
    assert (caught.value.code, caught.value.detail, caught.value.status) == (code, "Account 981000001 is not on file", 200)
    assert caught.value.operation == "sapiens.account_balance"


def test_refusal_without_reject_message_uses_return_message(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    fake.on(ACCOUNT_BALANCE, soap_answer("PWSTRUCTUREDSEARCH", code="FAILURE", message="Payload is not valid"))
    with pytest.raises(PartnerRejected, match="Payload is not valid") as caught:
        adapter.refresh_balance([account_bill()])
    assert caught.value.detail == "Payload is not valid"


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (403, AuthError), (404, PartnerRejected)])
def test_http_errors_without_an_envelope(session: requests.Session, fake: FakeSapiens, status: int,
                                         error: type[Exception]) -> None:
    fake.on(ACCOUNT_BALANCE, Answer(status=status, body=b"no"))
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)
    with pytest.raises(error, match=f"HTTP {status}"):
        adapter.refresh_balance([account_bill()])


def test_http_errors_without_an_envelope_break_the_strict_contract(adapter: SapiensAdapter, fake: FakeSapiens) -> None:
    """The base's order of judgement: with strict_contract, the contract speaks first (200, or 500 with a Fault)."""
    fake.on(ACCOUNT_BALANCE, Answer(status=401, body=b"no"))
    with pytest.raises(ContractViolation, match="401"):
        adapter.refresh_balance([account_bill()])


@pytest.mark.parametrize("body", [b"{}", b"<SOAP-ENV:Envelope xmlns:SOAP-ENV='http://schemas.xmlsoap.org/soap/envelope/'>"
                                  b"<SOAP-ENV:Body/></SOAP-ENV:Envelope>"])
def test_an_answer_that_is_not_a_response_envelope_is_a_violation(
    session: requests.Session, fake: FakeSapiens, body: bytes
) -> None:
    fake.on(ACCOUNT_BALANCE, Answer(body=body))
    adapter = SapiensAdapter(make_settings(strict_contract=False), session)
    with pytest.raises(ContractViolation):
        adapter.refresh_balance([account_bill()])


# -- settings and registry ------------------------------------------------------------------------
def test_create_adapter_knows_sapiens(session: requests.Session) -> None:
    adapter = create_adapter("sapiens", {"partner": "sapiens", "settings": SETTINGS}, session=session)
    assert isinstance(adapter, SapiensAdapter) and "sapiens" in adapter_names()


@pytest.mark.parametrize(("setting", "title"), [
    (9, "RTDR Username if Applicable"), (10, "RTDR Key or Password if Applicable"),
    (13, "DataPump Payments EndPoint/WebService Password"), (21, "Remote PDF EndPoint/WebService Username"),
    (22, "Remote PDF EndPoint/WebService Password"), (89, "Secondary RTDR Username if Applicable"),
])
def test_setting_titles_are_the_designs(setting: int, title: str) -> None:
    assert Setting(setting).title == title
