"""The IMT Spectrum contract (design 001): the document, the recorded samples, the checks and the BIF mapping."""

from __future__ import annotations

import re

import json
from typing import Any

import pytest

from contracts import Exchange, Redactor, Request, Response, load_contract
from contracts.bif import iter_violations, load_mapping, parse
from contracts.openapi import OpenApiContract
from contracts.spectrum import HERE
from partnersim.cli import main

RECEIPT: dict[str, Any] = {
    "invoiceNumber": "30254", "policyNumber": "30254", "fullName": "Pat Example", "datePaid": "2024-01-30",
    "referenceNumber": "3f2b9a4e", "amount": 100.00, "fee": 2.95, "transactionID": "IC-1",
    "transactionMessage": "", "paymentType": "CreditCard", "approved": True, "onlineVendor": "InvoiceCloud",
}


@pytest.fixture(scope="module")
def contract() -> OpenApiContract:
    loaded = load_contract("spectrum")
    assert isinstance(loaded, OpenApiContract)
    return loaded


def _receipt(**changes: Any) -> Request:
    body = {k: v for k, v in {**RECEIPT, **changes}.items() if v is not None}
    return Request("POST", "/api/OnlineReceipt", host="wsSpectrumAPICore", body=json.dumps(body).encode(),
                   headers={"Content-Type": "application/json", "Authorization": "Bearer x"})


def _settings(method: str, attributes: dict[str, Any], media: str = "application/vnd.api+json") -> Request:
    body = {"data": {"type": "policy-settings", "id": "30254", "attributes": attributes}}
    return Request(method, "/sandbox/api/settings/30254/", host="auth", body=json.dumps(body).encode(),
                   headers={"Content-Type": media})


def _where(violations: list[Any]) -> list[str]:
    return [v.location for v in violations]


# -- the contract as a whole --------------------------------------------------------------------
def test_the_document_is_valid_openapi_with_both_hosts(contract: OpenApiContract) -> None:
    assert contract.document_violations() == []
    ops = {op.name: (op.method, op.host, op.path) for op in contract.operations()}
    assert ops == {
        "token": ("POST", "wsSpectrumAPICore", "/api/Token"),
        "invoice_balance_due": ("GET", "wsSpectrumAPICore", "/api/Invoice/InvoiceBalanceDue"),
        "online_receipt": ("POST", "wsSpectrumAPICore", "/api/OnlineReceipt"),
        "sessions": ("POST", "auth", "/{biller_id}/api/sessions/"),
        "set_paperless": ("POST", "auth", "/{biller_id}/api/settings/{account_number}/"),
        "set_autopay": ("PATCH", "auth", "/{biller_id}/api/settings/{account_number}/"),
    }


def test_every_recorded_exchange_conforms_and_cites_design_001(contract: OpenApiContract) -> None:
    assert len(contract.exchanges) == 8
    for exchange in contract.exchanges:
        assert contract.check_exchange(exchange) == [], exchange.id
        assert exchange.source.startswith("design 001 §"), exchange.id
        assert "ssumed" in exchange.notes, exchange.id  # each says what it assumes


def test_what_the_design_leaves_out_is_marked_assumed(contract: OpenApiContract) -> None:
    doc = contract.doc
    for name, op in (("token", doc["paths"]["/api/Token"]["post"]),
                     ("online_receipt", doc["paths"]["/api/OnlineReceipt"]["post"])):
        assert op["responses"]["200"]["x-partnersim-assumed"], name
    for name in ("CoreUnauthorized", "AuthForbidden", "AuthConflict", "PolicySettings"):
        assert doc["components"]["responses"][name]["x-partnersim-assumed"], name


def test_secrets_are_placeholders_and_hosts_synthetic() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(HERE.rglob("*"))
                     if p.is_file() and "__pycache__" not in p.parts)
    hosts = set(re.findall(r"https?://([^/\s\"'<>)]+)", text))
    assert hosts and all(h.endswith(".example.test") or h.startswith("127.0.0.1") for h in hosts), hosts
    token = (HERE / "exchanges" / "01_token.yaml").read_text(encoding="utf-8")
    assert "<API_TOKEN>" in token and "<PASSWORD>" in token and "<JWT>" in token


def test_verify_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--partner", "spectrum"]) == 0
    out = capsys.readouterr().out
    assert "spectrum: openapi document valid" in out and "OK: 0 violation(s) in 8 exchange(s)" in out


# -- requests -----------------------------------------------------------------------------------
def test_a_receipt_built_from_the_design_s_field_list_conforms(contract: OpenApiContract) -> None:
    assert contract.check_request(_receipt()) == []
    assert contract.check_request(_receipt(transactionMessage=None)) == []  # the one optional field


@pytest.mark.parametrize("changes,location", [
    ({"paymentType": "Visa"}, "body /paymentType"),
    ({"onlineVendor": "Other"}, "body /onlineVendor"),
    ({"transactionID": "x" * 51}, "body /transactionID"),
    ({"datePaid": "01/30/2024"}, "body /datePaid"),
    ({"amount": 0}, "body /amount"),
    ({"amount": "100.00"}, "body /amount"),
    ({"fee": -1}, "body /fee"),
    ({"approved": "true"}, "body /approved"),
    ({"referenceNumber": None}, "body /"),
])
def test_receipt_violations_point_at_the_field(contract: OpenApiContract, changes: dict[str, Any], location: str) -> None:
    assert _where(contract.check_request(_receipt(**changes))) == [location]


def test_the_invoice_number_may_be_sent_in_any_case(contract: OpenApiContract) -> None:
    for name in ("invoiceNumber", "InvoiceNumber"):
        request = Request("GET", "/api/Invoice/InvoiceBalanceDue", host="wsSpectrumAPICore", query={name: "30254"})
        assert contract.check_request(request) == []


def test_the_balance_due_is_a_string_with_four_decimals(contract: OpenApiContract) -> None:
    request = Request("GET", "/api/Invoice/InvoiceBalanceDue", host="wsSpectrumAPICore", query={"invoiceNumber": "1"})
    for value, ok in (("731.3700", True), ("731.37", False), ("731", False)):
        body = {"data": {"id": "1", "type": "invoiceNumber", "attributes": {"balanceDue": value}}}
        found = contract.check_response(request, Response(200, {"Content-Type": "application/json"},
                                                          json.dumps(body).encode()))
        assert _where(found) == ([] if ok else ["response body /data/attributes/balanceDue"]), value


def test_paperless_is_a_post_and_autopay_a_patch(contract: OpenApiContract) -> None:
    assert contract.check_request(_settings("POST", {"paperless": True})) == []
    assert contract.check_request(_settings("PATCH", {"bill_mode": "direct"})) == []
    assert _where(contract.check_request(_settings("POST", {"bill_mode": "autopay"}))) == ["body /data/attributes"]
    assert _where(contract.check_request(_settings("PATCH", {"bill_mode": "sometimes"}))) == \
        ["body /data/attributes/bill_mode"]
    assert _where(contract.check_request(_settings("POST", {"paperless": "True"}))) == \
        ["body /data/attributes/paperless"]
    assert "header Content-Type" in _where(contract.check_request(_settings("POST", {"paperless": True},
                                                                            "application/json")))


def test_a_session_needs_username_and_password(contract: OpenApiContract) -> None:
    body = {"data": {"type": "sessions", "attributes": {"username": "u"}}}
    request = Request("POST", "/sandbox/api/sessions/", host="auth", body=json.dumps(body).encode(),
                      headers={"Content-Type": "application/vnd.api+json"})
    assert _where(contract.check_request(request)) == ["body /data/attributes"]


# -- secrets ------------------------------------------------------------------------------------
def test_the_redactor_scrubs_the_token_body_the_jwt_and_the_session_cookie() -> None:
    json_media = {"Content-Type": "application/json"}
    token = Exchange(partner="spectrum", operation="token",
                     request=Request("POST", "/api/Token", host="wsSpectrumAPICore", headers=json_media,
                                     body=b'{"token":"k3y", "username":"InvCloud", "password":"pw"}'),
                     response=Response(200, json_media, b'{"data": {"attributes": {"token": "eyJ.sig"}}}'))
    safe = token.redacted(Redactor())
    assert safe.request.json() == {"token": "<REDACTED>", "username": "InvCloud", "password": "<REDACTED>"}
    assert safe.response is not None and safe.response.json() == {"data": {"attributes": {"token": "<REDACTED>"}}}
    session = Exchange(partner="spectrum", request=Request("PATCH", "/sandbox/api/settings/30254/", host="auth",
                                                           headers={"Cookie": "sessionid=abc; other=1"}),
                       response=Response(201, {"Set-Cookie": "sessionid=abc; Path=/; HttpOnly"}))
    safe_session = session.redacted(Redactor())
    assert safe_session.request.headers["Cookie"] == "<REDACTED>"
    assert safe_session.response is not None and safe_session.response.headers["Set-Cookie"] == "<REDACTED>"


def test_the_redactor_scrubs_a_token_body_sent_without_its_content_type() -> None:
    for media in ("", "text/plain"):
        exchange = Exchange(partner="spectrum", request=Request(
            "POST", "/api/Token", host="wsSpectrumAPICore", headers={"Content-Type": media} if media else {},
            body=b'{"token":"k3y", "username":"InvCloud", "password":"pw"}'))
        safe = exchange.redacted(Redactor())
        assert b"k3y" not in safe.request.body and b"pw" not in safe.request.body, media
        assert safe.request.json()["username"] == "InvCloud"


# -- the BIF mapping ----------------------------------------------------------------------------
def test_the_sample_bif_conforms(capsys: pytest.CaptureFixture[str]) -> None:
    sample = HERE / "sample.bif"
    assert main(["bif", "check", str(sample), "--partner", "spectrum"]) == 0
    assert capsys.readouterr().out.strip() == f"{sample}: conforms (3 invoices, spectrum mapping)"


@pytest.mark.parametrize("old,new,location", [
    ("|8~R|", "|8~N|", "line 2 FileSpecID 8"),  # "Always sending R records"
    ("|10~30254|", "|10~INV-30254|", "line 2 FileSpecID 10"),  # InvoiceNumber INT
    ("|183~Spectrum|", "|183~IMT|", "line 2 FileSpecID 183"),  # static 'Spectrum'
    ("|59~30254|", "|59~P-30254|", "line 3 FileSpecID 59"),  # the policy number, INT
    ("|252~1|", "|252~164|", "line 2 FileSpecID 252"),  # IC value '1'
])
def test_the_mapping_enforces_the_design_s_values(old: str, new: str, location: str) -> None:
    text = (HERE / "sample.bif").read_text(encoding="utf-8")
    assert old in text
    found = list(iter_violations(parse(text.replace(old, new, 1)), load_mapping("spectrum")))
    assert [v.location for v in found] == [location]


def test_the_mapping_cites_the_design() -> None:
    mapping = load_mapping("spectrum")
    assert mapping.source.startswith("design 001")
    assert {f.spec_id for f in mapping.fields_for("IH")} >= {10, 11, 12, 13, 20, 21, 183, 248, 252, 375}
