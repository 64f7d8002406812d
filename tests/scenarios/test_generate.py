"""``scenarios.generate``: a scenario from exchanges, with the sandbox's credentials for the placeholders."""

from __future__ import annotations

import pytest
import yaml

from contracts import Exchange, Request, Response
from scenarios.errors import ScenarioError
from scenarios.generate import scenario_from_exchanges, substitute_credentials

CREDS = {"username": "u", "password": "pw", "tccs_entry_key": "ek", "tccs_consumer_guid": "CG", "spectrum_api_token": "tk"}


def test_placeholders_of_credential_fields_take_the_credentials() -> None:
    assert substitute_credentials("consumerGUID=%3CREDACTED%3E&entryKey=%3CREDACTED%3E&x=%3CREDACTED%3E", CREDS) == \
        "consumerGUID=CG&entryKey=ek&x=%3CREDACTED%3E"
    assert substitute_credentials('{"token": "<REDACTED>", "password" : "<REDACTED>", "name": "<REDACTED>"}', CREDS) == \
        '{"token": "tk", "password" : "pw", "name": "<REDACTED>"}'
    xml = '<wsse:Password Type="t">&lt;REDACTED&gt;</wsse:Password><payerNM>&lt;REDACTED&gt;</payerNM>'
    assert substitute_credentials(xml, CREDS) == '<wsse:Password Type="t">pw</wsse:Password><payerNM>&lt;REDACTED&gt;</payerNM>'


def test_each_exchange_is_a_send_step_expecting_its_status() -> None:
    exchanges = [
        Exchange("imt", Request("GET", "/api/v2/accounts/A/", host="billing", query={"customer_username": "pat"},
                                headers={"Authorization": "<REDACTED>", "User-Agent": "x", "X-Trace": "1"}),
                 Response(404), operation="rtdr_v2", id="007"),
        Exchange("imt", Request("GET", "/api/nowhere", host="billing"), Response(404), id="008"),
        Exchange("imt", Request("GET", "/dropped"), None, operation="rtdr_v2", id="009"),
    ]
    text = scenario_from_exchanges(exchanges, origin="a test")
    doc = yaml.safe_load(text)
    first, second = doc["steps"]
    assert first["send"]["request"] == {"method": "GET", "host": "billing", "path": "/api/v2/accounts/A/",
                                        "query": {"customer_username": "pat"}, "headers": {"X-Trace": "1"}}
    assert first["expect"] == {"result": {"status": 404},
                               "exchanges": [{"operation": "imt.rtdr_v2", "count": 1, "response": {"status": 404}}]}
    assert "exchanges" not in second["expect"]  # no operation to name
    assert "Authorization" in text.split("version:")[0] and "Left out, never answered" in text


def test_one_partner_per_scenario() -> None:
    two = [Exchange("imt", Request("GET", "/"), Response(200)), Exchange("tccs", Request("GET", "/"), Response(200))]
    with pytest.raises(ScenarioError, match="several partners"):
        scenario_from_exchanges(two, origin="x")
    assert yaml.safe_load(scenario_from_exchanges(two, origin="x", partner="tccs"))["partner"] == "tccs"


def test_a_token_call_captures_and_later_requests_carry_it_as_the_contract_says() -> None:
    secret = {"Authorization": "<REDACTED>"}
    exchanges = [
        Exchange("spectrum", Request("POST", "/api/Token", host="wsSpectrumAPICore",
                                     body=b'{"token": "<REDACTED>", "username": "sandbox", "password": "<REDACTED>"}'),
                 Response(200), operation="token", id="1"),
        Exchange("spectrum", Request("GET", "/api/Invoice/InvoiceBalanceDue", host="wsSpectrumAPICore",
                                     query={"invoiceNumber": "30254"}, headers=secret),
                 Response(200), operation="invoice_balance_due", id="2"),
        Exchange("spectrum", Request("POST", "/sandbox/api/sessions/", host="auth", body=b"{}"),
                 Response(201, headers={"Set-Cookie": "<REDACTED>"}), operation="sessions", id="3"),
        Exchange("spectrum", Request("POST", "/sandbox/api/settings/30254/", host="auth",
                                     headers={"Cookie": "<REDACTED>"}, body=b'{"note": "{not_a_placeholder}"}'),
                 Response(200), operation="set_paperless", id="4"),
    ]
    text = scenario_from_exchanges(exchanges, origin="a test", credentials=CREDS)
    token, rtdr, session, paperless = yaml.safe_load(text)["steps"]
    assert token["capture"] == {"token": {"json": "/data/attributes/token"}}
    assert '"token": "tk"' in token["send"]["request"]["body"]
    assert rtdr["send"]["request"]["headers"] == {"Authorization": "Bearer {token}"}
    assert session["capture"] == {"session": {"header": "Set-Cookie", "matches": r"sessionid=([^;,\s]+)"}}
    assert paperless["send"]["request"]["headers"] == {"Cookie": "sessionid={session}"}
    assert paperless["send"]["request"]["body"] == '{"note": "{{not_a_placeholder}}"}'  # recorded text stays literal
    assert "capture them from the sandbox's answer" in text and "sent without it" not in text


def test_imt_carries_its_token_bare_and_a_token_issued_before_the_slice_is_left_out() -> None:
    rtdr = Exchange("imt", Request("GET", "/api/v2/accounts/A/", host="billing", headers={"Authorization": "<REDACTED>"}),
                    Response(200), operation="rtdr_v2", id="2")
    token = Exchange("imt", Request("POST", "/api/v1/tokens/", host="users", body=b"{}"), Response(200),
                     operation="token", id="1")
    steps = yaml.safe_load(scenario_from_exchanges([token, rtdr], origin="x"))["steps"]
    assert steps[0]["capture"] == {"token": {"json": "/data/attributes/auth"}}
    assert steps[1]["send"]["request"]["headers"] == {"Authorization": "{token}"}
    alone = scenario_from_exchanges([rtdr], origin="x")
    assert "headers" not in yaml.safe_load(alone)["steps"][0]["send"]["request"]
    assert "sent without it" in alone
    refused = Exchange("imt", token.request, Response(400), operation="token", id="1")
    steps = yaml.safe_load(scenario_from_exchanges([refused, rtdr], origin="x"))["steps"]
    assert "capture" not in steps[0] and "headers" not in steps[1]["send"]["request"]  # no token was issued
