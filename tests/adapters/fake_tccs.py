"""A scripted fake TCCS for the adapter tests, mounted on the adapter's ``requests.Session``.

Like ``fake_imt`` and ``fake_sapiens``: a ``requests`` transport adapter (no socket), answering from
scripts and keeping every request. Routes are keyed by the operation TCCS dispatches on, the last
segment of the path (``Pay_Input``), without regard to case as TCCS matches it. ``Sent`` parses a
request's form, so a test asserts on ``contentInfo`` as TCCS reads it. Answers are the JSON of
``contracts/tccs`` (assumed: design 002 gives no response bodies). Base URLs mimic the sandbox
(``/tccs/invoicecloudapi``) so that prefix stripping is exercised on every call; each channel has its
own consumerGUID and entryKey, so a test sees which settings a call used. The ``fake`` fixture of
``tests/adapters/tccs/conftest.py`` checks every request against the tccs contract when a test ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import MaxRetryError, NewConnectionError

from adapters import BillerSettings, Credit, CreditKind, Payment, PaymentMethod
from contracts import Request, Violation, load_contract
from contracts.bif import Invoice
from tests.adapters._fake import Answer, Script, next_answer, respond

BASE = "http://tccs.test"
API = f"{BASE}/tccs/invoicecloudapi"
JSON = "application/json; charset=utf-8"
PAYMENT_ID = "e99fc166-9d990-4a99-bb16-99fe155ebf99"  # the design's sample GUID (§Version 1 - PaymentGUID)
INVOICE = "454100010-03/01/2019"
QUOTE = "Q3272-12/11/2019"

SETTINGS: dict[int, str] = {
    8: API + "/api/ARState_Output", 9: "GUID-RTDR", 10: "key-rtdr",
    11: API + "/api/Pay_Input", 12: "GUID-PAY", 13: "key-pay",
    14: API + "/api/Paperless_Bill", 15: "GUID-PB", 16: "key-pb",
    17: API + "/api/Recurring_Pay", 18: "GUID-R", 19: "key-r",
    20: API + "/Retrieve_Bill_Image", 21: "GUID-PDF", 22: "key-pdf",
    101: API + "/api/Insufficient_Pay_Report", 102: "GUID-NSF", 103: "key-nsf",
}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"





@dataclass
class Sent:
    """One request as the fake received it, its form parsed."""

    request: requests.PreparedRequest
    operation: str
    form: dict[str, str]

    @property
    def content(self) -> str:
        return self.form.get("contentInfo", "")

    @property
    def credentials(self) -> tuple[str, str]:
        return self.form.get("consumerGUID", ""), self.form.get("entryKey", "")


def _operation(request: requests.PreparedRequest) -> str:
    return urlsplit(request.url or "").path.rstrip("/").rsplit("/", 1)[-1].lower()


def _body(request: requests.PreparedRequest) -> bytes:
    return request.body if isinstance(request.body, bytes) else str(request.body or "").encode()


class FakeTccs(HTTPAdapter):
    """Answers from scripts keyed by operation (``pay_input``, any case); records every request."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[str, list[Script]] = {}
        self.received: list[requests.PreparedRequest] = []
        self.off_contract = False  # set by a test that sends what the contract refuses, on purpose

    def on(self, operation: str, *script: Script) -> None:
        """Answer ``operation`` from ``script`` in order; the last answer repeats."""
        self.routes[operation.lower()] = list(script)

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        self.received.append(request)
        script = self.routes.get(_operation(request))
        if script is None:
            raise AssertionError(f"the fake TCCS has no route for {request.method} {request.url}")
        answer = next_answer(script)
        return respond(request, answer)

    def sent(self, index: int = -1) -> Sent:
        request = self.received[index]
        form = {k: v[0] for k, v in parse_qs(_body(request).decode("ascii"), keep_blank_values=True).items()}
        return Sent(request, _operation(request), form)

    def contents(self, operation: str = "") -> list[str]:
        """The contentInfo of every request received (of one operation), in order."""
        return [self.sent(i).content for i in range(len(self.received))
                if not operation or _operation(self.received[i]) == operation.lower()]

    def request_violations(self) -> list[Violation]:
        """Every request received, judged by the tccs contract as TCCS would (its own path)."""
        if self.off_contract:
            return []
        contract = load_contract("tccs")
        out: list[Violation] = []
        for r in self.received:
            path = urlsplit(r.url or "").path.removeprefix("/tccs/invoicecloudapi")
            out.extend(contract.check_request(Request(str(r.method), path, host="invoicecloudapi",
                                                      headers=dict(r.headers), body=_body(r))))
        return out


# -- answers (contracts/tccs, assumed) --------------------------------------------------------------
def balance(invoice: str = INVOICE, record: str = "125.00", total: str = "480.00") -> Answer:
    return Answer(json={"Status": "Success", "InvoiceNumber": invoice, "RecordBal": record, "TotalBalance": total})


def paid(invoice: str = INVOICE, amount: str = "24.00", kind: str = "CC", receipt: str = "TC000001",
         guid: str | None = PAYMENT_ID) -> Answer:
    return Answer(json={"Status": "Success", "InvoiceNumber": invoice, "AmountPaid": amount, "PaymentType": kind,
                        "ReceiptNumber": receipt, "PaymentGUID": guid})


def deposit(invoice: str = QUOTE, name: str = "Test Name", amount: str = "24.00", receipt: str = "TC000002",
            guid: str | None = PAYMENT_ID) -> Answer:
    return Answer(json={"Status": "Success", "InvoiceNumber": invoice, "AmountPaid": amount, "InsuredName": name,
                        "ReceiptNumber": receipt, "PaymentGUID": guid})


def duplicate(invoice: str = INVOICE, receipt: str = "TC000001", guid: str = PAYMENT_ID) -> Answer:
    return Answer(json={"Status": "Duplicate", "InvoiceNumber": invoice, "PaymentGUID": guid,
                        "ReceiptNumber": receipt, "Message": "Payment already received."})


def reversed_(invoice: str = INVOICE, amount: str = "25.00", receipt: str = "TC000001") -> Answer:
    return Answer(json={"Status": "Success", "InvoiceNumber": invoice, "ReversedAmount": amount,
                        "ReceiptNumber": receipt})


def flag(name: str, value: str, invoice: str = INVOICE) -> Answer:
    """The Paperless_Bill (``Paperless``) or Recurring_Pay (``Recurring``) answer."""
    return Answer(json={"Status": "Success", "InvoiceNumber": invoice, name: value})


def pdf(body: bytes = PDF) -> Answer:
    return Answer(body=body, headers={"Content-Type": "application/pdf"})


def error(status: int, code: str, message: str, field: str = "") -> Answer:
    doc = {"Status": "Error", "ErrorCode": code, "Message": message}
    if field:
        doc["Field"] = field
    return Answer(status=status, json=doc)


def refused() -> requests.exceptions.ConnectionError:
    """What requests raises when nothing listens: the request never left IC."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(MaxRetryError(None, API, reason))  # type: ignore[arg-type]


def dropped() -> requests.exceptions.ConnectionError:
    """The connection closed after the request was sent, before an answer: TCCS may have it."""
    return requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed "
                                               "connection without response'))")


# -- input ----------------------------------------------------------------------------------------
def make_settings(settings: dict[int, str] | None = None, *, version: int | None = 2, **options: Any) -> BillerSettings:
    values: dict[int, str] = dict(SETTINGS if settings is None else settings)
    if version is not None:
        values[35] = str(version)
    return BillerSettings.from_dict({"partner": "tccs", "settings": values, "options": options})


def invoice(number: str = INVOICE, *, name: str = "Pat Insured") -> Invoice:
    return Invoice(account_number=number.split("-")[0], invoice_number=number, invoice_date=date(2019, 3, 1),
                   due_date=date(2019, 3, 1), total_amount_due=Decimal("480.00"), customer_name=name,
                   email="pat.insured@example.test")


def payment(**overrides: Any) -> Payment:
    """A 24.00 card payment of the design's invoice, with a 2.95 service fee; ``invoice=`` and the rest override."""
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "invoice": invoice(),
        "amount": Decimal("24.00"),
        "paid_on": date(2020, 6, 22),
        "method": PaymentMethod.CARD,
        "service_fee": Decimal("2.95"),
    }
    fields.update(overrides)
    return Payment(**fields)


def nsf(**overrides: Any) -> Credit:
    """The design's ACH reject: 25.00 of a payment of 06/22/2020 on invoice 454100010-03/01/2019, returned R01."""
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "account_number": "454100010",
        "amount": Decimal("25.00"),
        "kind": CreditKind.ACH_REJECT,
        "reject_code": "R01",
        "invoice_number": INVOICE,
        "paid_on": date(2020, 6, 22),
    }
    fields.update(overrides)
    return Credit(**fields)


def mounted(fake: FakeTccs) -> requests.Session:
    """A session whose calls to the fake's base URL go to the fake (and nothing comes from the environment)."""
    session = requests.Session()
    session.trust_env = False
    session.mount(f"{BASE}/", fake)
    return session
