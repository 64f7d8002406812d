"""Whatever a client sends, the TCCS sandbox answers in TCCS's form: a Success/Duplicate answer, a PDF, or
``{"Status": "Error", "ErrorCode", "Message"}``; never a 500, never an error raised inside the sandbox."""

from __future__ import annotations

from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators import ServerThread

FAST = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PATHS = ["/api/ARState_Output", "/api/Pay_Input", "/api/Insufficient_Pay_Report", "/api/Paperless_Bill",
         "/api/Recurring_Pay", "/Retrieve_Bill_Image"]
CREDENTIALS = {"consumerGUID": "SANDBOX", "entryKey": "sandbox"}

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
# Pieces of the grammars, so that many values come close to a valid contentInfo and reach the ledger.
pieces = st.sampled_from([
    "454100010-06/16/2020", "454100010-03/01/2019", "Q3272-12/11/2019", "306-12/11/2019", "Q454100010-03/01/2019",
    "454100010 -03/01/2019", "999-01/01/2020", "02/30/2020", "06/22/2020", "24.00", "25.00", "0.00", "24,00",
    "99999999999999999999.99", "CC", "ACH", "cc", "IFR", "PB", "R", "Y", "N", "Test Name",
    "e99fc166-9d990-4a99-bb16-99fe155ebf99", "|", ":", "@", "-", " ", "", "%", "\x00", "ü", "Q",
])
content = st.one_of(text, st.lists(pieces, max_size=9).map("".join))
field_names = st.sampled_from(["consumerGUID", "entryKey", "contentInfo", "ContentInfo", "other", ""])
forms = st.dictionaries(field_names, st.one_of(text, content), max_size=5)


def _tccs_answer(live: ServerThread, r: requests.Response) -> None:
    assert r.status_code < 500, r.text[:300]
    if r.status_code == 200 and r.headers["Content-Type"] == "application/pdf":
        assert r.content.startswith(b"%PDF")
    else:
        assert r.headers["Content-Type"] == "application/json; charset=utf-8", r.headers
        body: dict[str, Any] = r.json()
        if r.status_code == 200:
            assert body["Status"] in ("Success", "Duplicate") and body["InvoiceNumber"], body
        else:
            assert body["Status"] == "Error" and body["ErrorCode"] and body["Message"], body
    live.check_errors()


def _casing(path: str, lower: bool) -> str:
    return path.lower() if lower else path


@FAST
@given(path=st.sampled_from(PATHS), lower=st.booleans(), info=content, with_credentials=st.booleans())
def test_any_content_info_gets_a_tccs_answer(live: ServerThread, path: str, lower: bool, info: str,
                                             with_credentials: bool) -> None:
    form = {**(CREDENTIALS if with_credentials else {}), "contentInfo": info}
    r = requests.post(f"{live.url}/tccs/invoicecloudapi{_casing(path, lower)}", data=form)
    _tccs_answer(live, r)
    if not with_credentials:
        assert r.status_code == 401


@FAST
@given(path=st.sampled_from(PATHS), form=forms, credentials=st.booleans(),
       media=st.sampled_from(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
                              "application/json", "text/plain", "multipart/form-data", ""]))
def test_any_form_gets_a_tccs_answer(live: ServerThread, path: str, form: dict[str, str], credentials: bool,
                                     media: str) -> None:
    body = {**form, **(CREDENTIALS if credentials else {})}
    from urllib.parse import urlencode

    r = requests.post(f"{live.url}/tccs/invoicecloudapi{path}", data=urlencode(body).encode(),
                      headers={"Content-Type": media} if media else {})
    _tccs_answer(live, r)


@FAST
@given(path=st.sampled_from(PATHS), body=st.binary(max_size=300), prefix=st.booleans())
def test_any_bytes_get_a_tccs_answer(live: ServerThread, path: str, body: bytes, prefix: bool) -> None:
    data = (b"consumerGUID=SANDBOX&entryKey=sandbox&contentInfo=" if prefix else b"") + body
    r = requests.post(f"{live.url}/tccs/invoicecloudapi{path}", data=data,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    _tccs_answer(live, r)


@FAST
@given(segment=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]))
def test_any_path_and_method_get_a_tccs_answer(live: ServerThread, segment: str, method: str) -> None:
    path = "/tccs/invoicecloudapi/" + requests.utils.quote(segment, safe="/")
    r = requests.request(method, f"{live.url}{path}", data=CREDENTIALS)
    _tccs_answer(live, r)
