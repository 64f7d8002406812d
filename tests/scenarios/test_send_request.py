"""The ``send`` step with a request written in the scenario: form, JSON or text body; the answer's JSON.

Runs against the plugin's ``partnersim`` sandbox (TCCS and Spectrum), so the request goes over HTTP exactly
as written and the journal judges it like any other exchange.
"""

from __future__ import annotations

import json
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


# -- captures from the answer, placeholders in later written requests --------------------------------
def test_a_token_and_a_session_cookie_are_captured_and_carried_by_later_requests(
        tmp_path: Path, partnersim: ServerThread) -> None:
    text = """\
    version: 1
    partner: spectrum
    steps:
      - send:
          request: {host: wsSpectrumAPICore, path: /api/Token, json: {token: sandbox, username: sandbox, password: sandbox}}
        capture: {token: {json: /data/attributes/token}}
        expect: {result: {status: 200, captured: {token: {matches: '^[^.]+\\.[^.]+\\.[^.]+$'}}}}
      - send:
          request:
            method: GET
            host: wsSpectrumAPICore
            path: /api/Invoice/InvoiceBalanceDue
            query: {invoiceNumber: "30254"}
            headers: {Authorization: "Bearer {token}"}
        expect: {result: {status: 200}}
      - send:
          request:
            host: auth
            path: /sandbox/api/sessions/
            headers: {Content-Type: application/vnd.api+json}
            json: {data: {type: sessions, attributes: {username: sandbox, password: sandbox}}}
        capture:
          session: {header: set-cookie, matches: 'sessionid=([^;]+)'}
          cookie: {header: Set-Cookie}
          user: {matches: '"username": "(\\w+)"'}
          account: {json: /data/id}
      - send:
          request:
            method: "PATCH"
            host: auth
            path: "/{user}/api/settings/30254/"
            headers: {Content-Type: application/vnd.api+json, Cookie: "sessionid={session}"}
            json: {data: {type: policy-settings, id: "30254", attributes: {autopay: "{{literal}}", note: ["{account}"]}}}
    """
    result = run_scenario(write(tmp_path, text), partnersim)
    token, session = result.steps[0].outcome, result.steps[2].outcome
    assert token.captured["token"].count(".") == 2
    assert session.captured["cookie"].startswith("sessionid=" + session.captured["session"])
    assert (session.captured["user"], session.captured["account"]) == ("sandbox", "sandbox")
    rtdr, settings = result.exchanges[1], result.exchanges[3]
    assert (rtdr.operation, rtdr.response.status) == ("invoice_balance_due", 200)
    assert rtdr.request.headers["Authorization"] == "<REDACTED>"  # what was sent is a secret of the journal
    assert settings.request.path == "/sandbox/api/settings/30254/"
    sent = json.loads(settings.request.body)["data"]["attributes"]
    assert sent == {"autopay": "{literal}", "note": ["sandbox"]}  # filled as text, {{name}} literal


def test_a_value_the_answer_does_not_hold_fails_the_step_and_stops(tmp_path: Path, partnersim: ServerThread) -> None:
    text = """\
    version: 1
    partner: spectrum
    steps:
      - send:
          request: {host: wsSpectrumAPICore, path: /api/Token, json: {token: sandbox, username: sandbox, password: nope}}
        capture: {token: {json: /data/attributes/token}, cookie: {header: Set-Cookie}}
      - send:
          request: {method: GET, host: wsSpectrumAPICore, path: /api/Invoice/InvoiceBalanceDue,
                    headers: {Authorization: "Bearer {token}"}}
    """
    result = run_scenario(write(tmp_path, text), partnersim)
    report = result.report()
    assert "cannot capture token: the answer's body's JSON has nothing at /data/attributes/token" in report
    assert "cannot capture cookie: the answer has no Set-Cookie header" in report
    assert len(result.steps) == 1, "the step that needs the token is not sent"


@pytest.mark.parametrize(("steps", "line", "says"), [
    ('  - send: {request: {path: "/api/{token}"}}\n', 4, "unknown placeholder {token}; this step knows: partner, sandbox"),
    ('  - send: {request: {path: /a, headers: {Authorization: "{tok}"}}}\n    capture: {tok: {json: /t}}\n', 4,
     "unknown placeholder {tok}"),  # a step's own capture is for the steps after it
    ('  - send: {request: {path: /a}}\n    capture: {t: {json: /t}}\n'
     '  - send: {request: {path: /a, json: {a: [1, {b: "{t}{u}"}]}}}\n', 6, "unknown placeholder {u}"),
    ('  - send: {request: {path: /a, form: {f: "{x}"}}}\n', 4, "unknown placeholder {x}"),
    ('  - send: {request: {path: /a, query: {q: "{x}"}}}\n', 4, "unknown placeholder {x}"),
    ('  - send: {request: {path: /a, body: "{x}"}}\n', 4, "unknown placeholder {x}"),
    ('  - send: {request: {path: /a}}\n    capture: {t: {json: /t, matches: x}}\n', 5,
     "a capture takes json (the value at a pointer) or matches"),
    ('  - send: {request: {path: /a}}\n    capture: {t: {header: Set-Cookie, matches: "("}}\n', 5,
     "is not a regular expression"),
    ('  - send: {request: {path: /a}}\n    capture: {partner: {json: /t}}\n', 5, "'partner' is already a placeholder"),
])
def test_a_malformed_placeholder_or_capture_of_a_send_step_is_refused_on_load(
        tmp_path: Path, steps: str, line: int, says: str) -> None:
    path = write(tmp_path, "version: 1\npartner: tccs\nsteps:\n" + steps)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert says in str(info.value)
    assert info.value.line == line, str(info.value)


def test_a_run_step_cannot_capture_a_header(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\npartner: imt\nclient: {command: [echo]}\nsteps:\n"
                           "  - run: {args: [a]}\n    capture: {t: {header: Set-Cookie}}\n")
    with pytest.raises(ScenarioError, match="a run step's output has no headers"):
        load_scenario(path)
