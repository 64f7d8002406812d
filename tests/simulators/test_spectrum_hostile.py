"""Whatever a client sends, the Spectrum sandbox answers in Spectrum's form: never a 500, always JSON:API errors."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators import ServerThread
from tests.simulators.test_spectrum import AUTH_MEDIA, CORE_MEDIA, Spectrum

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
# Bodies that look like Spectrum's, with any values: the shapes that reach the business rules.
RECEIPT_FIELDS = ["invoiceNumber", "policyNumber", "fullName", "datePaid", "referenceNumber", "amount", "fee",
                  "transactionID", "transactionMessage", "paymentType", "approved", "onlineVendor"]
receipt_like = st.fixed_dictionaries(
    {"invoiceNumber": st.sampled_from(["30254", "30255", "99999"]), "policyNumber": st.sampled_from(["30254", "30255"]),
     "fullName": st.just("Pat"), "datePaid": st.just("2026-11-20"), "referenceNumber": st.text(min_size=1, max_size=8),
     "amount": st.one_of(st.floats(allow_nan=False), st.integers(), st.decimals(places=3, allow_nan=False, allow_infinity=False).map(float)),
     "fee": st.one_of(st.floats(allow_nan=False), st.integers()), "transactionID": st.just("T"),
     "paymentType": st.sampled_from(["CreditCard", "ACH"]), "approved": st.booleans(),
     "onlineVendor": st.just("InvoiceCloud")})
attributes = st.dictionaries(st.sampled_from(["paperless", "bill_mode", "username", "password", "token"]),
                             json_values, max_size=3)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    receipt_like.map(lambda d: json.dumps(d).encode()),
    st.dictionaries(st.sampled_from(RECEIPT_FIELDS), json_values, max_size=12).map(lambda d: json.dumps(d).encode()),
    st.builds(lambda t, i, a: json.dumps({"data": {"type": t, "id": i, "attributes": a}}).encode(),
              st.sampled_from(["policy-settings", "sessions", "jwtToken", 7]), st.sampled_from(["30254", "x", None]),
              attributes),
    st.binary(max_size=200),
)
segments = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30)
CORE = "/spectrum/wsSpectrumAPICore"
WRITES = [("POST", f"{CORE}/api/Token"), ("POST", f"{CORE}/api/OnlineReceipt"),
          ("POST", "/spectrum/auth/{b}/api/sessions/"), ("POST", "/spectrum/auth/{b}/api/settings/{a}/"),
          ("PATCH", "/spectrum/auth/{b}/api/settings/{a}/")]


@pytest.fixture
def spectrum(live: ServerThread) -> Spectrum:
    return Spectrum(live.url)


FAST = settings(max_examples=35, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _ok(live: ServerThread, r: requests.Response) -> None:
    """Never a 500; an error is JSON:API ``errors[]`` whose status is the answer's, in the host's media type."""
    assert r.status_code < 500, r.text[:300]
    if r.status_code >= 400:
        assert r.headers["Content-Type"] in (CORE_MEDIA, AUTH_MEDIA), r.headers
        errors = r.json()["errors"]
        assert errors and all(e["status"] == str(r.status_code) and e["detail"] for e in errors), errors
    live.check_errors()


@FAST
@given(write=st.sampled_from(WRITES), biller=st.sampled_from(["sandbox", "other"]), account=segments, body=bodies,
       media=st.sampled_from([CORE_MEDIA, AUTH_MEDIA, "text/plain", ""]), logged_in=st.booleans())
def test_any_write_gets_a_partner_answer(spectrum: Spectrum, live: ServerThread, write: tuple[str, str], biller: str,
                                         account: str, body: bytes, media: str, logged_in: bool) -> None:
    method, template = write
    path = template.format(b=biller, a=quote(account, safe=""))
    http = requests.Session()
    if logged_in:
        http.cookies.set("sessionid", spectrum.login().cookies["sessionid"], path="/spectrum/auth/sandbox/")
    headers: dict[str, Any] = {**spectrum.bearer, "Content-Type": media}
    _ok(live, http.request(method, f"{live.url}{path}", data=body, headers=headers))


@FAST
@given(query=st.dictionaries(st.sampled_from(["invoiceNumber", "InvoiceNumber", "x"]) | segments, segments, max_size=3),
       auth=st.one_of(st.none(), st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=60)))
def test_any_balance_query_gets_a_partner_answer(spectrum: Spectrum, live: ServerThread, query: dict[str, str],
                                                 auth: str | None) -> None:
    headers = spectrum.bearer if auth is None else {"Authorization": auth}
    _ok(live, requests.get(f"{live.url}{CORE}/api/Invoice/InvoiceBalanceDue", params=query, headers=headers))


@FAST
@given(method=st.sampled_from(["GET", "PUT", "DELETE", "POST", "PATCH"]), host=st.sampled_from(["wsSpectrumAPICore", "auth"]),
       path=segments)
def test_any_path_gets_a_partner_answer(live: ServerThread, method: str, host: str, path: str) -> None:
    _ok(live, requests.request(method, f"{live.url}/spectrum/{host}/{quote(path, safe='/')}"))
