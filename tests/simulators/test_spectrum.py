"""The IMT Spectrum simulator against design 001: the samples as written, tokens, RTDR, receipts, sessions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from contracts import Exchange, Response, load_contract
from simulators import Sandbox, ServerThread
from tests.conftest import journal

CORE_MEDIA = "application/json"
AUTH_MEDIA = "application/vnd.api+json"
NOT_AUTHENTICATED = {"errors": [{"status": "403", "code": "not_authenticated",
                                 "detail": "Authentication credentials were not provided."}]}


class Spectrum:
    """A raw HTTP client of the Spectrum sandbox, to send the design's requests as written."""

    def __init__(self, base: str) -> None:
        self.core = f"{base}/spectrum/wsSpectrumAPICore"
        self.auth = f"{base}/spectrum/auth/sandbox"
        self.http = requests.Session()  # keeps the session cookie of login()
        self._jwt = ""

    def token(self, token: str = "sandbox", username: str = "sandbox", password: str = "sandbox") -> requests.Response:
        return requests.post(f"{self.core}/api/Token", json={"token": token, "username": username, "password": password})

    @property
    def bearer(self) -> dict[str, str]:
        if not self._jwt:
            self._jwt = self.token().json()["data"]["attributes"]["token"]
        return {"Authorization": f"Bearer {self._jwt}"}

    def balance(self, invoice: str = "30254", name: str = "invoiceNumber") -> requests.Response:
        return requests.get(f"{self.core}/api/Invoice/InvoiceBalanceDue", params={name: invoice}, headers=self.bearer)

    def balance_due(self, invoice: str = "30254") -> str:
        return str(self.balance(invoice).json()["data"]["attributes"]["balanceDue"])

    def receipt(self, reference: str, amount: float = 31.37, **fields: Any) -> requests.Response:
        body = {"invoiceNumber": "30254", "policyNumber": "30254", "fullName": "Pat Example", "datePaid": "2026-11-20",
                "referenceNumber": reference, "amount": amount, "fee": 1.50, "transactionID": f"TX-{reference}",
                "transactionMessage": "", "paymentType": "CreditCard", "approved": True,
                "onlineVendor": "InvoiceCloud", **fields}
        return requests.post(f"{self.core}/api/OnlineReceipt", json=body, headers=self.bearer)

    def login(self, username: str = "sandbox", password: str = "sandbox", biller: str = "sandbox") -> requests.Response:
        body = {"data": {"id": "string", "type": "sessions", "attributes": {"username": username, "password": password}}}
        return self.http.post(self.auth.replace("/sandbox", f"/{biller}") + "/api/sessions/", data=json.dumps(body),
                              headers={"Content-Type": AUTH_MEDIA})

    def settings(self, method: str, attributes: dict[str, Any], account: str = "30254", *, kind: str = "policy-settings",
                 ident: str | None = None, media: str = AUTH_MEDIA, http: Any = None) -> requests.Response:
        body = {"data": {"type": kind, "id": account if ident is None else ident, "attributes": attributes}}
        return (http or self.http).request(method, f"{self.auth}/api/settings/{account}/", data=json.dumps(body),
                                           headers={"Content-Type": media})


@pytest.fixture
def spectrum(live: ServerThread) -> Spectrum:
    return Spectrum(live.url)


def _state(live: ServerThread, account: str = "30254") -> dict[str, Any]:
    accounts = requests.get(f"{live.url}/__admin/state", params={"partner": "spectrum"}).json()["spectrum"]["accounts"]
    found: dict[str, Any] = next(a for a in accounts if a["account_number"] == account)
    return found


# -- the design's samples, as written -----------------------------------------------------------
def test_every_recorded_exchange_sent_as_written_gets_the_recorded_answer(spectrum: Spectrum, live: ServerThread) -> None:
    """In file order, each placeholder filled from the answers before it: the token's JWT, the session's cookie."""
    contract = load_contract("spectrum")
    creds = live.sandbox.ctx.config.credentials
    fill = {"<API_TOKEN>": creds.spectrum_api_token, "<PASSWORD>": creds.password, "InvCloud": creds.username,
            "<<username>>": creds.username, "<<password>>": creds.password}
    secrets = {"<JWT>": "", "<SESSIONID>": ""}
    base = f"{live.url}/spectrum"
    for exchange in contract.exchanges:
        req, recorded = exchange.request, exchange.response
        assert recorded is not None
        body = req.body
        for placeholder, value in fill.items():
            body = body.replace(placeholder.encode(), value.encode())
        headers = {k: v.replace("<JWT>", secrets["<JWT>"]).replace("<SESSIONID>", secrets["<SESSIONID>"])
                   for k, v in req.headers.items()}
        r = requests.request(req.method, f"{base}/{req.host}{req.path}", params=req.query, headers=headers, data=body)
        assert r.status_code == recorded.status, (exchange.id, r.text[:300])
        received = Exchange(partner="spectrum", request=req, response=Response(r.status_code, dict(r.headers), r.content))
        assert contract.check_exchange(received) == [], exchange.id
        if exchange.operation == "token":
            secrets["<JWT>"] = r.json()["data"]["attributes"]["token"]
        elif exchange.operation == "sessions":
            secrets["<SESSIONID>"] = r.cookies["sessionid"]
        else:  # nothing in these answers varies: the sandbox answers exactly what was recorded
            assert r.json() == recorded.json(), exchange.id
    live.check_errors()


# -- token --------------------------------------------------------------------------------------
def test_the_token_is_a_signed_jwt_wrapped_as_the_design_shows(spectrum: Spectrum) -> None:
    r = spectrum.token()
    assert r.status_code == 200 and r.headers["Content-Type"] == CORE_MEDIA
    data = r.json()["data"]
    assert (data["id"], data["type"]) == ("58", "jwtToken")
    assert jwt.get_unverified_header(data["attributes"]["token"])["alg"] == "HS256"


@pytest.mark.parametrize("field", ["token", "username", "password"])
def test_any_wrong_credential_is_refused(spectrum: Spectrum, field: str) -> None:
    r = spectrum.token(**{field: "wrong"})
    assert r.status_code == 401
    (error,) = r.json()["errors"]
    assert error["code"] == "authentication_failed" and error["title"] == "Unauthorized"


def test_the_token_expires_on_the_sandbox_clock(spectrum: Spectrum, live: ServerThread) -> None:
    assert spectrum.balance().status_code == 200
    requests.post(f"{live.url}/__admin/clock", json={"advance": live.sandbox.ctx.config.token_ttl + 1})
    r = spectrum.balance()
    assert r.status_code == 401 and "expired" in r.json()["errors"][0]["detail"]
    fresh = Spectrum(live.url)
    assert fresh.balance().status_code == 200  # a new token, issued on the moved clock, is good


FORGED = jwt.encode({"iss": "spectrum-core", "sub": "sandbox", "exp": 4102444800}, "another-key-of-at-least-32-bytes!",
                    algorithm="HS256")


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer not-a-jwt", f"Bearer {FORGED}"])
def test_the_api_core_needs_a_valid_token(live: ServerThread, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    r = requests.get(f"{live.url}/spectrum/wsSpectrumAPICore/api/Invoice/InvoiceBalanceDue",
                     params={"invoiceNumber": "30254"}, headers=headers)
    assert r.status_code == 401 and r.headers["Content-Type"] == CORE_MEDIA
    assert r.json()["errors"][0]["status"] == "401"


# -- RTDR ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["invoiceNumber", "InvoiceNumber", "INVOICENUMBER"])
def test_the_balance_is_a_four_decimal_string_whatever_the_parameter_s_case(spectrum: Spectrum, name: str) -> None:
    r = spectrum.balance("30254", name)
    assert r.status_code == 200
    assert r.json() == {"data": {"id": "30254", "type": "invoiceNumber", "attributes": {"balanceDue": "731.3700"}}}
    assert spectrum.balance_due("30255") == "150.0000" and spectrum.balance_due("30256") == "0.0000"


def test_unknown_or_missing_invoice(spectrum: Spectrum) -> None:
    r = spectrum.balance("99999")
    assert r.status_code == 404 and r.json()["errors"][0]["source"] == {"parameter": "invoiceNumber"}
    r = requests.get(f"{spectrum.core}/api/Invoice/InvoiceBalanceDue", headers=spectrum.bearer)
    assert r.status_code == 400 and r.json()["errors"][0]["source"] == {"parameter": "invoiceNumber"}


# -- OnlineReceipt ------------------------------------------------------------------------------
def test_an_applied_receipt_echoes_the_request_and_lowers_the_balance(spectrum: Spectrum, live: ServerThread) -> None:
    r = spectrum.receipt("REF-1", 31.37)
    assert r.status_code == 200
    answer = r.json()
    assert answer["message"] == "applied" and answer["receiptID"] > 0
    assert {k: v for k, v in answer.items() if k not in ("receiptID", "message")}["referenceNumber"] == "REF-1"
    assert spectrum.balance_due() == "700.0000"
    (payment,) = _state(live)["payments"]
    assert (payment["payment_id"], payment["amount"], payment["status"], payment["method"]) == \
        ("REF-1", "31.37", "posted", "CreditCard")


def test_a_reference_number_never_posts_twice(spectrum: Spectrum, live: ServerThread) -> None:
    first = spectrum.receipt("REF-2", 100).json()
    again = spectrum.receipt("REF-2", 100)
    other_amount = spectrum.receipt("REF-2", 5, invoiceNumber="30255", policyNumber="30255")
    for r in (again, other_amount):
        assert r.status_code == 200
        assert (r.json()["message"], r.json()["receiptID"]) == ("okay", first["receiptID"])
    assert spectrum.balance_due() == "631.3700" and spectrum.balance_due("30255") == "150.0000"
    assert len(_state(live)["payments"]) == 1


@pytest.mark.parametrize("fields", [
    {"invoiceNumber": "99999", "policyNumber": "99999"},  # neither known
    {"invoiceNumber": "30254", "policyNumber": "99999"},  # the policy unknown
    {"invoiceNumber": "30254", "policyNumber": "30255"},  # the invoice is another policy's
])
def test_success_but_no_data_applies_and_records_nothing(spectrum: Spectrum, live: ServerThread,
                                                         fields: dict[str, str]) -> None:
    r = spectrum.receipt("REF-3", 10, **fields)
    assert r.status_code == 200
    assert (r.json()["message"], r.json()["receiptID"]) == ("Sucess, but no data", 0)
    assert spectrum.balance_due() == "731.3700" and _state(live)["payments"] == []
    assert spectrum.receipt("REF-3", 10).json()["message"] == "applied"  # nothing was kept of it
    (entry,) = [e for e in journal(live, operation="spectrum.online_receipt") if "no data" in e.get("notes", "")]
    assert entry["response"]["status"] == 200


def test_a_receipt_not_approved_is_recorded_but_not_applied(spectrum: Spectrum, live: ServerThread) -> None:
    r = spectrum.receipt("REF-4", 50, approved=False)
    assert r.status_code == 200 and r.json()["message"] == "okay" and r.json()["receiptID"] > 0
    assert spectrum.balance_due() == "731.3700"
    (payment,) = _state(live)["payments"]
    assert (payment["payment_id"], payment["status"]) == ("REF-4", "unapplied")
    approved_later = spectrum.receipt("REF-4", 50)  # the same referenceNumber: still never applied twice
    assert approved_later.json()["receiptID"] == r.json()["receiptID"] and spectrum.balance_due() == "731.3700"


@pytest.mark.parametrize("fields,pointer", [
    ({"amount": 10.005}, "/amount"),
    ({"amount": 1e300}, "/amount"),
    ({"fee": 0.125}, "/fee"),
    ({"paymentType": "Visa"}, "/paymentType"),
    ({"datePaid": "11/20/2026"}, "/datePaid"),
])
def test_bad_receipts_are_400_with_a_pointer(spectrum: Spectrum, live: ServerThread, fields: dict[str, Any],
                                             pointer: str) -> None:
    r = spectrum.receipt("REF-5", **{"amount": 31.37, **fields})
    assert r.status_code == 400 and r.headers["Content-Type"] == CORE_MEDIA
    assert r.json()["errors"][0]["source"] == {"pointer": pointer}
    assert _state(live)["payments"] == []


def test_a_receipt_that_is_not_json_is_415(spectrum: Spectrum) -> None:
    r = requests.post(f"{spectrum.core}/api/OnlineReceipt", data="amount=1",
                      headers={**spectrum.bearer, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and r.json()["errors"][0]["code"] == "unsupported_media_type"


# -- sessions and settings ----------------------------------------------------------------------
def test_a_session_sets_an_http_only_cookie_for_the_biller_s_path(spectrum: Spectrum) -> None:
    r = spectrum.login()
    assert r.status_code == 201 and r.headers["Content-Type"] == AUTH_MEDIA
    assert r.json()["data"]["type"] == "sessions"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("sessionid=") and "HttpOnly" in cookie and "Path=/spectrum/auth/sandbox/" in cookie


def test_sessions_refuse_wrong_credentials_and_unknown_billers(spectrum: Spectrum) -> None:
    r = spectrum.login(password="wrong")
    assert r.status_code == 401 and "Set-Cookie" not in r.headers
    assert r.json()["errors"][0]["code"] == "authentication_failed"
    r = spectrum.login(biller="another-biller")
    assert r.status_code == 404 and r.headers["Content-Type"] == AUTH_MEDIA


def test_settings_without_a_session_are_403(spectrum: Spectrum, live: ServerThread) -> None:
    for http in (requests, _with_cookie(live, "made-up")):
        r = spectrum.settings("POST", {"paperless": True}, http=http)
        assert r.status_code == 403 and r.headers["Content-Type"] == AUTH_MEDIA
        assert r.json() == NOT_AUTHENTICATED
    assert _state(live)["settings"] == {"paperless": "False", "bill_mode": "direct"}


def test_settings_with_the_session_are_stored(spectrum: Spectrum, live: ServerThread) -> None:
    spectrum.login()
    r = spectrum.settings("POST", {"paperless": True})
    assert r.status_code == 200
    assert r.json() == {"data": {"type": "policy-settings", "id": "30254",
                                 "attributes": {"paperless": True, "bill_mode": "direct"}}}
    r = spectrum.settings("PATCH", {"bill_mode": "autopay"})
    assert r.status_code == 200 and r.json()["data"]["attributes"] == {"paperless": True, "bill_mode": "autopay"}
    assert _state(live)["settings"] == {"paperless": "True", "bill_mode": "autopay"}
    r = spectrum.settings("PATCH", {"bill_mode": "direct"}, account="30255")
    assert r.json()["data"]["attributes"] == {"paperless": True, "bill_mode": "direct"}
    assert _state(live, "30255")["settings"]["bill_mode"] == "direct"


def test_a_session_expires_on_the_sandbox_clock(spectrum: Spectrum, live: ServerThread) -> None:
    spectrum.login()
    assert spectrum.settings("POST", {"paperless": True}).status_code == 200
    (session,) = requests.get(f"{live.url}/__admin/state?partner=spectrum").json()["spectrum"]["sessions"]
    assert session["subject"] == "sandbox" and "session_id" not in session  # the admin API shows no secret
    requests.post(f"{live.url}/__admin/clock", json={"advance": live.sandbox.ctx.config.token_ttl + 1})
    assert spectrum.settings("POST", {"paperless": False}).json() == NOT_AUTHENTICATED
    assert "sessions" not in requests.get(f"{live.url}/__admin/state?partner=spectrum").json()["spectrum"]


@pytest.mark.parametrize("method,attributes,options,status,pointer", [
    ("POST", {"paperless": True}, {"ident": "30255"}, 409, "/data/id"),
    ("PATCH", {"bill_mode": "autopay"}, {"kind": "accounts"}, 409, "/data/type"),
    ("PATCH", {"bill_mode": "sometimes"}, {}, 400, "/data/attributes/bill_mode"),
    ("POST", {"paperless": "yes"}, {}, 400, "/data/attributes/paperless"),
    ("POST", {"paperless": True}, {"media": "application/json"}, 415, None),
    ("PATCH", {"bill_mode": "autopay"}, {"account": "99999"}, 404, None),
])
def test_settings_refusals(spectrum: Spectrum, live: ServerThread, method: str, attributes: dict[str, Any],
                           options: dict[str, Any], status: int, pointer: str | None) -> None:
    spectrum.login()
    r = spectrum.settings(method, attributes, **options)
    assert r.status_code == status and r.headers["Content-Type"] == AUTH_MEDIA
    (error,) = r.json()["errors"][:1]
    assert error["status"] == str(status) and "title" not in error
    if pointer:
        assert error["source"] == {"pointer": pointer}
    assert _state(live)["settings"] == {"paperless": "False", "bill_mode": "direct"}


def test_sessions_live_in_the_state_file_for_every_worker_and_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    with ServerThread(Sandbox(state)) as first, ServerThread(Sandbox(state)) as second:
        client = Spectrum(first.url)
        session_id = client.login().cookies["sessionid"]
        r = Spectrum(second.url).settings("POST", {"paperless": True}, http=_with_cookie(second, session_id))
        assert r.status_code == 200  # another worker on the same file knows the session
    with ServerThread(Sandbox(state)) as restarted:
        r = Spectrum(restarted.url).settings("PATCH", {"bill_mode": "autopay"}, http=_with_cookie(restarted, session_id))
        assert r.status_code == 200 and r.json()["data"]["attributes"] == {"paperless": True, "bill_mode": "autopay"}


def _with_cookie(server: ServerThread, session_id: str) -> requests.Session:
    http = requests.Session()
    http.cookies.set("sessionid", session_id, path="/spectrum/auth/sandbox/")
    return http


# -- errors, journal, endpoints -----------------------------------------------------------------
def test_unknown_paths_and_methods_answer_in_the_host_s_own_form(live: ServerThread) -> None:
    r = requests.get(f"{live.url}/spectrum/wsSpectrumAPICore/api/Invoices")
    assert r.status_code == 404 and r.headers["Content-Type"] == CORE_MEDIA
    assert r.json()["errors"][0]["title"] == "Not Found" and "Nearest operations" in r.json()["errors"][0]["detail"]
    r = requests.get(f"{live.url}/spectrum/auth/sandbox/api/settings/30254/")
    assert r.status_code == 405 and r.headers["Content-Type"] == AUTH_MEDIA
    assert r.json()["errors"][0]["code"] == "method_not_allowed"


def test_the_journal_keeps_no_secret(spectrum: Spectrum, live: ServerThread) -> None:
    spectrum.balance()
    spectrum.login()
    spectrum.settings("PATCH", {"bill_mode": "autopay"})
    entries = {e["operation"]: Exchange.from_dict(e) for e in journal(live, partner="spectrum")}
    assert set(entries) == {"token", "invoice_balance_due", "sessions", "set_autopay"}
    token = entries["token"]
    assert token.request.json() == {"token": "<REDACTED>", "username": "sandbox", "password": "<REDACTED>"}
    assert token.response is not None and token.response.json()["data"]["attributes"]["token"] == "<REDACTED>"
    assert entries["invoice_balance_due"].request.headers["Authorization"] == "<REDACTED>"
    session = entries["sessions"]
    assert session.request.json()["data"]["attributes"]["password"] == "<REDACTED>"
    assert session.response is not None and session.response.headers["Set-Cookie"] == "<REDACTED>"
    assert entries["set_autopay"].request.headers["Cookie"] == "<REDACTED>"
    assert all(e.violations == [] for e in entries.values())


def test_a_token_request_with_the_wrong_media_type_is_415_and_journalled_without_its_secrets(live: ServerThread) -> None:
    r = requests.post(f"{live.url}/spectrum/wsSpectrumAPICore/api/Token", headers={"Content-Type": "text/plain"},
                      data=b'{"token":"k3y-secret", "username":"sandbox", "password":"pw-secret"}')
    assert r.status_code == 415
    (entry,) = journal(live, operation="spectrum.token")
    assert "secret" not in json.dumps(entry)


def test_partners_lists_the_endpoints(live: ServerThread) -> None:
    info = requests.get(f"{live.url}/__admin/partners").json()["spectrum"]
    assert info["title"] == "IMT Spectrum"
    assert info["endpoints"]["token"] == f"{live.url}/spectrum/wsSpectrumAPICore/api/Token"
    assert set(info["operations"]) == {f"spectrum.{op}" for op in (
        "token", "invoice_balance_due", "online_receipt", "sessions", "set_paperless", "set_autopay")}
