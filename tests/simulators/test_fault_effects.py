"""Fault plans beyond the first slice: ``where`` in the partner's terms, random delays, ``drop: before``
and ``after``, corrupted answers, the partners' own answers (``answer``) and refused tokens (``token``),
on a REST partner and on Sapiens (simulators/faults.py, PartnerSimulator.fault_answer)."""

from __future__ import annotations

import json
import random
import re
import time
from typing import Any

import pytest
import requests
from lxml import etree

from contracts import Exchange, Request, Response, load_contract
from simulators import ServerThread
from simulators.faults import corrupt_body
from tests.conftest import Imt, journal
from tests.simulators.test_faults import add, balance, faults, payments
from tests.simulators.test_sapiens import Sapiens
from tests.simulators.test_tccs import Tccs

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture
def sapiens(live: ServerThread) -> Sapiens:
    return Sapiens(live.url)


@pytest.fixture
def tccs(live: ServerThread) -> Tccs:
    return Tccs(live)


def refused(server: ServerThread, **plan: Any) -> tuple[str, str]:
    r = requests.post(f"{server.url}/__admin/faults", json=plan)
    assert r.status_code == 400, r.text
    return r.json()["field"], r.json()["error"]


def last(server: ServerThread, operation: str) -> dict[str, Any]:
    return journal(server, operation=operation)[-1]


def conforms(partner: str, entry: dict[str, Any]) -> list[Any]:
    exchange = Exchange.from_dict(entry)
    assert exchange.response is not None
    return load_contract(partner).check_response(exchange.request, exchange.response)


# -- where ------------------------------------------------------------------------------------------
def test_where_a_json_pointer_holds_a_value_or_matches(imt: Imt, live: ServerThread) -> None:
    add(live, operation="imt.post_payment", where={"/data/attributes/payment_amount": 77}, status=503, times=None)
    add(live, operation="imt.post_payment", where={"/data/attributes/payment_method": {"matches": "^EF"}},
        status=502, times=None)
    assert imt.pay("PAY-1", 100).status_code == 200
    assert imt.pay("PAY-2", 77.0).status_code == 503, "77.0 is the number 77"
    assert imt.pay("PAY-3", 10, payment_method="EFT").status_code == 502


def test_where_a_contentinfo_field_of_tccs(tccs: Tccs, live: ServerThread) -> None:
    add(live, operation="tccs.Pay_Input", where={"contentInfo amount": "24.00"}, answer={"error": "INVOICE_NOT_FOUND"})
    ok = tccs.pay("306-12/11/2019|10.00:CC")
    assert ok.status_code == 200, ok.text
    r = tccs.pay("306-12/11/2019 | 24.00 : CC")
    assert r.status_code == 404 and r.json()["ErrorCode"] == "INVOICE_NOT_FOUND"


def test_where_an_xpath_into_the_sapiens_payload_and_its_action_code(sapiens: Sapiens, live: ServerThread) -> None:
    add(live, operation="sapiens.post_payment", where={"payload //remit/paymentID": "PF-2", "ActionCode":
                                                       "createRemitACHPmt"}, answer={"return_code": "FAILURE"})
    assert sapiens.pay("PF-1", "A", "1000000109").code == "SUCCESS"
    assert sapiens.pay("PF-2", "A", "1000000109").code == "FAILURE"


@pytest.mark.parametrize(("where", "says"), [
    ({"nope x": 1}, "no field 'nope x'"),
    ({"payload //[": 1}, "is not an XPath"),
    ({"payload //a": {"matches": "("}}, "is not a regular expression"),
    ({"payload //a": {"contains": "x"}}, "matches"),
    ({"payload //a": [1]}, "found a list"),
    ({}, "expected a JSON object"),
])
def test_a_bad_where_is_a_400(live: ServerThread, where: Any, says: str) -> None:
    field, error = refused(live, partner="sapiens", where=where, status=503)
    assert field == "where" and says in error, error


# -- delay ------------------------------------------------------------------------------------------
def test_a_random_delay_is_drawn_from_the_front_doors_random(imt: Imt, live: ServerThread,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []
    monkeypatch.setattr(live.sandbox.wsgi, "sleep", waited.append)
    monkeypatch.setattr(live.sandbox.wsgi, "random", random.Random(5))
    plan = add(live, operation="imt.rtdr_v2", delay={"min": 0.5, "max": 1.5}, times=2)
    assert plan["delay"] == {"min": 0.5, "max": 1.5}
    assert [imt.rtdr().status_code for _ in range(2)] == [200, 200]
    expected = random.Random(5)
    assert waited == [expected.uniform(0.5, 1.5), expected.uniform(0.5, 1.5)]
    assert re.fullmatch(r"fault \d+ applied: delay [\d.]+ s \(random, 0.5 to 1.5 s\)", last(live, "imt.rtdr_v2")["notes"])


@pytest.mark.parametrize(("delay", "says"), [
    ({"min": 2, "max": 1}, "max: expected seconds, more than 2"),
    ({"min": -1, "max": 1}, "min: expected seconds, 0 or more"),
    ({"max": 1}, "a random delay is"),
    ({"min": 0, "max": 301}, "at most 300"),
])
def test_a_bad_random_delay_is_a_400(live: ServerThread, delay: Any, says: str) -> None:
    field, error = refused(live, partner="imt", delay=delay)
    assert field == "delay" and says in error, error


# -- drop -------------------------------------------------------------------------------------------
def test_drop_before_the_partner_never_sees_the_request(imt: Imt, live: ServerThread) -> None:
    add(live, operation="imt.post_payment", drop="before")
    with pytest.raises(requests.ConnectionError):
        imt.pay("PAY-1", 100)
    assert payments(live) == []
    entry = last(live, "imt.post_payment")
    assert "response" not in entry and entry["notes"].endswith("drop before the partner saw the request "
                                                               "(connection closed without an answer)")


def test_drop_after_the_partner_posted(imt: Imt, live: ServerThread) -> None:
    add(live, operation="imt.post_payment", drop="after")
    with pytest.raises(requests.ConnectionError):
        imt.pay("PAY-1", 100)
    assert payments(live) == ["PAY-1"] and balance(imt) == 1150.0
    assert "the partner had answered 200" in last(live, "imt.post_payment")["notes"]


def test_drop_before_with_then_answer_is_a_contradiction(live: ServerThread) -> None:
    field, error = refused(live, partner="imt", drop="before", then_answer=True)
    assert field == "then_answer" and "use drop: after" in error


# -- corrupt ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["empty", "truncated", "malformed"])
def test_a_corrupt_answer_comes_after_the_partner_posted_with_its_status(imt: Imt, live: ServerThread,
                                                                         mode: str) -> None:
    add(live, operation="imt.post_payment", corrupt=mode)
    r = imt.pay("PAY-1", 100)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/vnd.api+json"
    assert int(r.headers["Content-Length"]) == len(r.content)
    with pytest.raises(ValueError):
        json.loads(r.content)
    assert payments(live) == ["PAY-1"], "the partner handled the request"
    entry = last(live, "imt.post_payment")
    assert "violations" not in entry, "a corrupted answer is the fault's doing, not held against the partner"
    assert entry["faults"][0]["corrupt"] == mode


def test_a_malformed_sapiens_answer_is_unclosed_xml(sapiens: Sapiens, live: ServerThread) -> None:
    add(live, operation="sapiens.post_payment", corrupt="malformed")
    from tests.simulators.test_sapiens import envelope

    r = sapiens.send(envelope("createRemitACHPmt", "<remitBatch/>"))
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(r.content)
    assert r.content.rstrip().endswith(b":Body>"), "the envelope's closing tag is gone"


@pytest.mark.parametrize(("body", "media", "expected"), [
    (b'{"a": {"b": [1]}}\n', "application/json", b'{"a": {"b": [1'),
    (b"<a><b/></a>", "text/xml", b"<a><b/>"),
    (b"%PDF-1.4 xxxx", "application/pdf", b"%PDF-1"),
    (b"plain", "text/plain", b"pl"),
])
def test_corrupt_body_malformed(body: bytes, media: str, expected: bytes) -> None:
    assert corrupt_body("malformed", body, media) == expected
    assert corrupt_body("truncated", body, media) == body[: len(body) // 2]
    assert corrupt_body("empty", body, media) == b""


# -- answer: the partner's own business answers -----------------------------------------------------
@pytest.mark.parametrize("code", ["FAILURE", "NONEFOUND", "MISSINGPARAMS"])
def test_a_sapiens_return_code_is_the_operations_answer_valid_against_the_contract(
        sapiens: Sapiens, live: ServerThread, code: str) -> None:
    add(live, operation="sapiens.account_balance", answer={"return_code": code, "message": "sandbox says no"})
    answer = sapiens.search("icAccountBalanceUpd", "<acctName>Ada Lovelace</acctName>")
    assert (answer.code, answer.reject) == (code, "sandbox says no")
    assert answer.field("InterfaceCode") == "icAccountBalanceUpd" and answer.field("TransRef") == "T-1"
    entry = last(live, "sapiens.account_balance")
    assert "violations" not in entry and conforms("sapiens", entry) == []
    assert entry["notes"].endswith(f"applied: answer return_code {code}")


def test_a_sapiens_return_code_answer_tells_the_sandbox_s_time(sapiens: Sapiens, live: ServerThread) -> None:
    requests.post(f"{live.url}/__admin/clock", json={"advance": 400 * 86400})
    sandbox_year = time.gmtime(live.sandbox.ctx.store.now()).tm_year
    add(live, operation="sapiens.account_balance", answer={"return_code": "FAILURE"})
    answer = sapiens.search("icAccountBalanceUpd", "<acctName>Ada Lovelace</acctName>")
    assert answer.field("TransDateTime").startswith(str(sandbox_year)), "the sandbox clock, not the machine's"


def test_then_answer_with_a_failure_posts_and_answers_failure(sapiens: Sapiens, live: ServerThread) -> None:
    add(live, operation="sapiens.post_payment", answer={"return_code": "FAILURE"}, then_answer=True)
    assert sapiens.pay("PF-9", "A", "1000000109").code == "FAILURE"
    assert sapiens.remit("PF-9").code == "SUCCESS", "the partner recorded the payment"


def test_a_soap_fault_is_a_soap_1_1_fault_with_http_500(sapiens: Sapiens, live: ServerThread) -> None:
    add(live, operation="sapiens.post_payment", answer={"soap_fault": "SOAP-ENV:Server", "message": "DB down"})
    from tests.simulators.test_sapiens import envelope

    r = sapiens.send(envelope("createRemitACHPmt", "<remitBatch/>"))
    fault = etree.fromstring(r.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert r.status_code == 500 and fault is not None
    assert (fault.findtext("faultcode"), fault.findtext("faultstring")) == ("SOAP-ENV:Server", "DB down")
    assert conforms("sapiens", last(live, "sapiens.post_payment")) == []


def test_tccs_error_answers_its_error_shape_with_the_status_of_the_code(tccs: Tccs, live: ServerThread) -> None:
    add(live, operation="tccs.Pay_Input", answer={"error": "ALREADY_REVERSED", "message": "no"})
    r = tccs.pay("306-12/11/2019|24.00:CC")
    assert r.status_code == 409 and r.json() == {"Status": "Error", "ErrorCode": "ALREADY_REVERSED", "Message": "no"}
    assert conforms("tccs", last(live, "tccs.Pay_Input")) == []


def test_imt_error_is_a_json_api_error_by_code(imt: Imt, live: ServerThread) -> None:
    add(live, operation="imt.post_payment", answer={"error": "conflict"})
    r = imt.pay("PAY-1", 100)
    assert r.status_code == 409 and r.json()["errors"][0] == {"status": "409", "code": "conflict", "detail": "Conflict."}
    assert payments(live) == []


def test_spectrum_receipt_outcomes_without_posting(live: ServerThread) -> None:
    sim = live.sandbox.partners["spectrum"]
    request = Request("POST", "/api/OnlineReceipt", host="wsSpectrumAPICore", body=b'{"referenceNumber": "R-1"}')
    status, body, media = sim.fault_answer("receipt_outcome", "no_data", "online_receipt", request=request) or (0, b"", "")
    assert (status, media) == (200, "application/json")
    assert json.loads(body) == {"referenceNumber": "R-1", "receiptID": 0, "message": "Sucess, but no data"}
    assert json.loads(sim.fault_answer("receipt_outcome", "okay", "online_receipt", request=request)[1])["message"] == "okay"  # type: ignore[index]
    field, error = refused(live, operation="spectrum.token", answer={"receipt_outcome": "okay"})
    assert field == "answer" and "online_receipt only" in error


@pytest.mark.parametrize(("plan", "field", "says"), [
    ({"partner": "imt", "answer": {"return_code": "FAILURE"}}, "answer",
     "imt gives no 'return_code' answer; its answers: error: a JSON:API error code"),
    ({"partner": "sapiens", "answer": {"return_code": "MAYBE"}}, "answer", "expected one of FAILURE, NONEFOUND"),
    ({"partner": "sapiens", "operation": "get_document", "answer": {"return_code": "FAILURE"}}, "answer",
     "get_document is not one"),
    ({"partner": "sapiens", "answer": {"soap_fault": "Server"}}, "answer", "prefix SOAP-ENV or wsse"),
    ({"partner": "tccs", "answer": {"error": "NOPE"}}, "answer", "INVOICE_NOT_FOUND"),
    ({"partner": "imt", "answer": {"error": "nope"}}, "answer", "not_found (404)"),
    ({"partner": "imt", "answer": {"error": "x", "return_code": "y"}}, "answer", "one kind of answer"),
    ({"partner": "imt", "answer": "FAILURE"}, "answer", "an object"),
    ({"partner": "imt", "answer": {"error": 5}}, "answer", "a code as text"),
    ({"partner": "imt", "token": "stale"}, "token", "expected one of expired, revoked"),
    ({"partner": "imt", "corrupt": "garbled"}, "corrupt", "empty, truncated, malformed"),
    ({"partner": "imt", "answer": {"error": "conflict"}, "body": "x"}, "body", "goes with a status effect"),
])
def test_a_bad_answer_is_a_400_listing_what_the_partner_offers(live: ServerThread, plan: dict[str, Any], field: str,
                                                               says: str) -> None:
    found, error = refused(live, **plan)
    assert found == field and says in error, error
    assert faults(live) == []


# -- token ------------------------------------------------------------------------------------------
def test_an_expired_token_on_imt_is_its_401_and_the_plan_is_listed(imt: Imt, live: ServerThread) -> None:
    plan = add(live, operation="imt.rtdr_v2", token="expired")
    assert plan["token"] == "expired"
    r = imt.rtdr()
    assert r.status_code == 401 and r.json()["errors"][0]["detail"] == "Token has expired."
    assert imt.rtdr().status_code == 200
    assert conforms("imt", journal(live, operation="imt.rtdr_v2")[0]) == []


def test_a_revoked_token_on_spectrum_and_sapiens_and_tccs(sapiens: Sapiens, tccs: Tccs, live: ServerThread) -> None:
    sim = live.sandbox.partners["spectrum"]
    status, body, _ = sim.fault_answer("token", "revoked", "online_receipt") or (0, b"", "")
    assert status == 401 and json.loads(body)["errors"][0]["detail"] == "Token has been revoked."
    assert (sim.fault_answer("token", "expired", "set_paperless") or (0,))[0] == 403, "the auth host's session"
    add(live, operation="sapiens.account_balance", token="revoked")
    r = sapiens.send(__import__("tests.simulators.test_sapiens", fromlist=["envelope"]).envelope(
        "PWSTRUCTUREDSEARCH", "<SearchRequest/>", interface="icAccountBalanceUpd"))
    assert r.status_code == 500 and b"wsse:FailedAuthentication" in r.content
    add(live, operation="tccs.ARState_Output", token="expired")
    r = tccs.call("/api/ARState_Output", "454100010-06/16/2020")
    assert r.status_code == 401 and r.json()["ErrorCode"] == "AUTHENTICATION_FAILED"


# -- contracts: the named fields fault plans read ---------------------------------------------------
def test_the_base_contracts_json_pointer_field() -> None:
    contract = load_contract("imt")
    message = Response(200, {"Content-Type": "application/json"},
                       b'{"a": {"b/c": [1, "x", true, null, {"d": 2.5}]}}')
    assert [contract.field(message, p) for p in ("/a/b~1c/0", "/a/b~1c/1", "/a/b~1c/2", "/a/b~1c/3",
                                                  "/a/b~1c/4/d", "/a/x", "/a/b~1c/9")] == \
        ["1", "x", "true", None, "2.5", None, None]
    assert contract.field(Response(200, {}, b"not json"), "/a") is None


def test_the_soap_contracts_payload_and_header_fields() -> None:
    contract = load_contract("sapiens")
    exchange = next(e for e in contract.exchanges if e.operation == "post_payment" and "design" not in e.id)
    request, response = exchange.request, exchange.response
    assert response is not None
    assert contract.field(request, "payload //remit/paymentID") == "4624100001"
    assert contract.field(request, "payload count(//remit)") == "1"
    assert contract.field(request, "payload //remit/@ExtAction") == "A"
    assert contract.field(request, "ActionCode") == "createRemitACHPmt"
    assert contract.field(request, "header PWAuthentication/UserLoginName") == "system-user"
    assert contract.field(response, "header TransResult/ReturnCode") == "SUCCESS"
    assert contract.field(request, "payload //nothing") is None
    assert contract.field(Request("POST", "/", body=b"<not xml"), "payload //a") is None
    with pytest.raises(KeyError, match="is not an XPath"):
        contract.field(request, "payload //[")
