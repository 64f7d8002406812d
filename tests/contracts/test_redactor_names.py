"""``Redactor.with_names()``: account holders' names scrubbed wherever a partner carries them."""

from __future__ import annotations

import json

from contracts import Exchange, Redactor, Request, Response
from contracts.exchange import NAME_FIELDS, REDACTED

NAMES = Redactor.with_names()


def _scrub(body: bytes, content_type: str = "", redactor: Redactor = NAMES, response: bytes = b"") -> tuple[bytes, bytes]:
    exchange = Exchange("p", Request("POST", "/", headers={"Content-Type": content_type} if content_type else {}, body=body),
                        Response(200, {"Content-Type": "application/json"}, response))
    out = exchange.redacted(redactor)
    assert out.response is not None
    return out.request.body, out.response.body


def test_json_name_fields_are_scrubbed_at_any_depth_and_any_case() -> None:
    doc = {"data": {"attributes": {"fullName": "Pat Example", "first_name": "Pat", "LAST_NAME": "Example",
                                   "CustomerName": "Pat", "amount": "1.00", "name_parts": ["Pat"]}}}
    scrubbed, answer = _scrub(json.dumps(doc).encode(), "application/json", response=b'{"InsuredName": "Pat Example"}')
    attrs = json.loads(scrubbed)["data"]["attributes"]
    assert {attrs[k] for k in ("fullName", "first_name", "LAST_NAME", "CustomerName")} == {REDACTED}
    assert attrs["amount"] == "1.00" and attrs["name_parts"] == ["Pat"]
    assert json.loads(answer) == {"InsuredName": REDACTED}


def test_without_names_only_secrets_go() -> None:
    body = json.dumps({"password": "x", "fullName": "Pat Example"}).encode()
    scrubbed, _ = _scrub(body, "application/json", redactor=Redactor())
    assert json.loads(scrubbed) == {"password": REDACTED, "fullName": "Pat Example"}


def test_the_tccs_insured_name_inside_contentinfo_is_scrubbed_and_nothing_else() -> None:
    form = b"consumerGUID=G&entryKey=k&contentInfo=Q454100010-03/01/2019|Pat%20Example|50.00@abc-1"
    for content_type in ("application/x-www-form-urlencoded", ""):  # labelled a form, or sent without the header
        scrubbed, _ = _scrub(form, content_type)
        text = scrubbed.decode()
        assert "Pat" not in text and "Example" not in text, text
        assert "Q454100010-03" in text and "50.00" in text and "entryKey=%3CREDACTED%3E" in text
    payment = b"consumerGUID=G&entryKey=k&contentInfo=306-12/11/2019|24.00:CC"  # not a quote: no name in it
    scrubbed, _ = _scrub(payment, "application/x-www-form-urlencoded")
    assert scrubbed.endswith(b"&contentInfo=306-12%2F11%2F2019%7C24.00%3ACC")


def test_sapiens_payer_names_are_scrubbed_inside_the_cdata_payload() -> None:
    body = (b'<s:Envelope xmlns:s="x"><s:Body><Data><![CDATA[<remit><payerNM QTAG="1">Alex Bear</payerNM>'
            b"<paymentPayerName>Polly Payer</paymentPayerName><acctName>981000001</acctName></remit>]]></Data>"
            b"</s:Body></s:Envelope>")
    scrubbed, _ = _scrub(body, "text/xml")
    assert b"Alex" not in scrubbed and b"Polly" not in scrubbed
    assert b'<payerNM QTAG="1">&lt;REDACTED&gt;</payerNM>' in scrubbed
    assert b"<acctName>981000001</acctName>" in scrubbed  # an account code, not a person's name


def test_name_fields_are_lower_case() -> None:
    assert all(name == name.lower() for name in NAME_FIELDS)
