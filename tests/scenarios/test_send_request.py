"""The ``send`` step with a request written in the scenario: form, JSON or text body; the answer's JSON.

Runs against the plugin's ``partnersim`` sandbox (TCCS and Spectrum), so the request goes over HTTP exactly
as written and the journal judges it like any other exchange.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scenarios import ScenarioError, load_scenario, run_scenario
from simulators import ServerThread

PAY_CONTENT = "306-12/11/2019|24.00:CC"


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_form_request_is_sent_url_encoded_and_its_json_answer_is_parsed(
        tmp_path: Path, partnersim: ServerThread) -> None:
    text = f"""\
    version: 1
    partner: tccs
    steps:
      - send:
          request:
            host: invoicecloudapi
            path: /api/Pay_Input
            form: {{consumerGUID: SANDBOX, entryKey: sandbox, contentInfo: "{PAY_CONTENT}"}}
        expect:
          result:
            status: 200
            content_type: {{starts_with: application/json}}
            body: {{contains: '"Status": "Success"'}}
            json: {{Status: Success, AmountPaid: "24.00", PaymentType: CC, ReceiptNumber: TC000002}}
    expect:
      exchanges:
        - operation: tccs.Pay_Input
          count: 1
          request:
            method: POST
            path: /api/Pay_Input
            headers: {{Content-Type: application/x-www-form-urlencoded}}
            form consumerGUID: "<REDACTED>"
            form entryKey: "<REDACTED>"
            form contentInfo: "{PAY_CONTENT}"
            contentInfo amount: "24.00"
          violations: []
      ledger:
        "306":
          balance: {{total_due: 126.00}}
    """
    result = run_scenario(write(tmp_path, text), partnersim)
    assert result.passed, result.report()
    answer = result.steps[0].outcome
    assert answer.status == 200 and answer.json["Status"] == "Success"
    assert answer.json["InvoiceNumber"] == "306-12/11/2019"
    [exchange] = result.exchanges
    assert exchange.request.body.decode() == (
        "consumerGUID=%3CREDACTED%3E&entryKey=%3CREDACTED%3E&contentInfo=306-12%2F11%2F2019%7C24.00%3ACC")


def test_a_json_request_is_sent_as_application_json(tmp_path: Path, partnersim: ServerThread) -> None:
    text = """\
    version: 1
    partner: spectrum
    steps:
      - send:
          request:
            host: wsSpectrumAPICore
            path: /api/Token
            json: {token: sandbox, username: sandbox, password: sandbox}
        expect:
          result: {status: 200, json: {data: {id: "58", type: jwtToken, attributes: {token: present}}}}
    expect:
      exchanges:
        - operation: spectrum.token
          count: 1
          request: {headers: {content-type: application/json}, /username: sandbox}
          response: {status: 200, /data/type: jwtToken}
          violations: []
    """
    result = run_scenario(write(tmp_path, text), partnersim)
    assert result.passed, result.report()
    assert result.steps[0].outcome.json["data"]["attributes"]["token"].count(".") == 2, "a JWT"


def test_a_json_request_to_a_form_partner_is_refused_with_its_json_error(
        tmp_path: Path, partnersim: ServerThread) -> None:
    text = f"""\
    version: 1
    partner: tccs
    steps:
      - send:
          request:
            host: invoicecloudapi
            path: /api/Pay_Input
            json: {{consumerGUID: SANDBOX, entryKey: sandbox, contentInfo: "{PAY_CONTENT}"}}
        expect:
          result: {{status: 415, json: {{Status: Error, ErrorCode: UNSUPPORTED_MEDIA_TYPE}}}}
    expect:
      exchanges:
        - {{operation: tccs.Pay_Input, count: 1, request: {{headers: {{content-type: application/json}}}}}}
      ledger:
        "306":
          payments: {{equals: {{}}}}
    """
    result = run_scenario(write(tmp_path, text), partnersim)
    assert result.passed, result.report()


def test_a_text_body_is_sent_as_written_with_the_headers_given(tmp_path: Path, partnersim: ServerThread) -> None:
    text = """\
    version: 1
    partner: tccs
    steps:
      - name: a form written by hand
        send:
          request:
            host: invoicecloudapi
            path: /api/Paperless_Bill
            headers: {Content-Type: application/x-www-form-urlencoded}
            body: "consumerGUID=SANDBOX&entryKey=sandbox&contentInfo=306-12%2F11%2F2019%3AY%7CPB"
        expect:
          result: {status: 200, json: {Status: Success, Paperless: "Y"}}
          exchanges:
            - {operation: tccs.Paperless_Bill, count: 1, request: {contentInfo flag: "Y", contentInfo code: PB}}
      - name: a bill image, not JSON
        send:
          request:
            host: invoicecloudapi
            path: /Retrieve_Bill_Image
            form: {consumerGUID: SANDBOX, entryKey: sandbox, contentInfo: 306-12/11/2019}
        expect:
          result: {status: 200, content_type: application/pdf, body: {starts_with: "%PDF-"}, json: null}
    expect:
      ledger:
        "306":
          settings: {paperless: "Y"}
    """
    result = run_scenario(write(tmp_path, text), partnersim)
    assert result.passed, result.report()
    assert result.steps[1].outcome.json is None


def test_method_and_query_are_sent_as_written(tmp_path: Path, partnersim: ServerThread) -> None:
    text = """\
    version: 1
    partner: tccs
    steps:
      - send:
          request: {method: GET, host: invoicecloudapi, path: /api/ARState_Output, query: {contentInfo: 306-12/11/2019}}
        expect:
          result: {status: 405, json: {ErrorCode: METHOD_NOT_ALLOWED}}
    """
    result = run_scenario(write(tmp_path, text), partnersim)
    assert result.passed, result.report()
    [exchange] = result.exchanges  # no operation of the contract is GET: the journal names none
    assert (exchange.request.method, exchange.request.path, exchange.operation) == ("GET", "/api/ARState_Output", "")
    assert exchange.request.query == {"contentInfo": "306-12/11/2019"} and exchange.request.body == b""


def test_a_wrong_expectation_on_the_answer_fails_naming_the_json_field(
        tmp_path: Path, partnersim: ServerThread) -> None:
    text = """\
    version: 1
    partner: tccs
    steps:
      - send:
          request:
            host: invoicecloudapi
            path: /api/Pay_Input
            form: {consumerGUID: SANDBOX, entryKey: sandbox, contentInfo: "306-12/11/2019|24,00:CC"}
        expect:
          result: {status: 400, json: {Field: payment_type}}
    """
    result = run_scenario(write(tmp_path, text), partnersim)
    assert not result.passed
    assert 'result.json.Field: expected "payment_type", found "amount"' in result.report()


def test_a_request_with_both_form_and_json_is_refused_on_load_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, """\
    version: 1
    partner: tccs
    steps:
      - send:
          request:
            host: invoicecloudapi
            path: /api/Pay_Input
            form: {contentInfo: x}
            json: {contentInfo: x}
    """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    error = info.value
    assert error.line == 5 and error.where == "steps[0].send.request"
    assert str(error).startswith(f"{path}:5: ") and "at most one of body, form and json; found form and json" in error.message


@pytest.mark.parametrize("request_text", [
    "{host: invoicecloudapi, form: {contentInfo: x}}",
    "{path: api/Pay_Input}",
    "{path: /api/Pay_Input, verb: POST}",
])
def test_a_malformed_request_is_refused_on_load(tmp_path: Path, request_text: str) -> None:
    path = write(tmp_path, f"""\
    version: 1
    partner: tccs
    steps:
      - send:
          request: {request_text}
    """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.line == 5 and info.value.where.startswith("steps[0].send.request")
