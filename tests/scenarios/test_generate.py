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
