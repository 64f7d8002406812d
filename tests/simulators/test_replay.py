"""``simulators.replay``: recorded answers in order, the last repeating; near misses in the partner's form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from contracts import Exchange, Request, Response, load_contract
from simulators.appserver import AppServerThread
from simulators.replay import ReplayApp, ReplayError

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PAY = "consumerGUID=SANDBOX&entryKey=<REDACTED>&contentInfo=306-12/11/2019|24.00:CC"


def _pay(status: int, ident: str, content: str = PAY) -> Exchange:
    return Exchange("tccs", Request("POST", "/api/Pay_Input", host="invoicecloudapi", headers=FORM, body=content.encode()),
                    Response(status, {"Content-Type": "application/json", "Server": "x"}, f'{{"n": "{ident}"}}'.encode()),
                    operation="Pay_Input", id=ident)


@pytest.fixture
def replay() -> Iterator[tuple[ReplayApp, str, list[str]]]:
    log: list[str] = []
    app = ReplayApp([_pay(503, "first"), _pay(200, "second")], log=log.append)
    with AppServerThread(app) as server:
        yield app, server.url, log


def test_a_recorded_sequence_replays_in_order_and_the_last_repeats(replay: tuple[ReplayApp, str, list[str]]) -> None:
    app, url, _ = replay
    data = "consumerGUID=SANDBOX&entryKey=real&contentInfo=306-12/11/2019|24.00:CC"
    answers = [requests.post(f"{url}/tccs/invoicecloudapi/api/Pay_Input", data=data, headers=FORM, timeout=5)
               for _ in range(3)]
    assert [(a.status_code, a.json()["n"]) for a in answers] == [(503, "first"), (200, "second"), (200, "second")]
    assert "Server" not in answers[0].headers or answers[0].headers["Server"] != "x"
    assert [e.served for e in app.journal] == ["first", "second", "second"]


def test_an_unmatched_request_gets_the_partners_404_with_the_differing_fields(replay: tuple[ReplayApp, str, list[str]]) -> None:
    app, url, log = replay
    answer = requests.post(f"{url}/invoicecloudapi/api/Pay_Input", headers=FORM, timeout=5,
                           data="consumerGUID=SANDBOX&entryKey=k&contentInfo=306-12/11/2019|99.00:CC")
    assert answer.status_code == 404
    body = answer.json()
    assert body["Status"] == "Error"  # TCCS's own error form
    assert ("nearest first: form contentInfo: recorded '306-12/11/2019|24.00:CC', received '306-12/11/2019|99.00:CC'"
            in body["Message"])
    assert app.unmatched()[0].near_misses[0][0] == "first"
    assert any(line.startswith("replay: UNMATCHED") for line in log)


def test_a_request_of_no_operation_lists_the_nearest_operations_too(replay: tuple[ReplayApp, str, list[str]]) -> None:
    _, url, _ = replay
    answer = requests.get(f"{url}/invoicecloudapi/api/Pay_Inptu", timeout=5)
    assert answer.status_code == 404 and "nearest operation tccs.Pay_Input" in answer.json()["Message"]


def test_sapiens_answers_unmatched_requests_with_a_soap_fault() -> None:
    recorded = load_contract("sapiens").exchanges[0]
    app = ReplayApp([recorded], log=lambda line: None)
    with AppServerThread(app) as server:
        answer = requests.post(f"{server.url}{recorded.request.path}", data=b"<nope/>", timeout=5,
                               headers={"Content-Type": "text/xml"})
    assert answer.status_code == 404 and b"Fault" in answer.content and b"no recorded exchange matches" in answer.content


def test_nothing_to_replay_is_refused_with_the_reason() -> None:
    unanswered = Exchange("imt", Request("GET", "/x"))
    with pytest.raises(ReplayError, match="none of the exchanges given has a response"):
        ReplayApp([unanswered])
    with pytest.raises(ReplayError, match="no answered exchange of 'imt'"):
        ReplayApp([_pay(200, "x")], "imt")
