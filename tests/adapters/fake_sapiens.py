"""A scripted fake Sapiens for the adapter tests, mounted on the adapter's ``requests.Session``.

Like ``fake_imt``: a ``requests`` transport adapter (no socket), answering from scripts and keeping
every request, so a test asserts on what the adapter sent by parsing it (``Sent``). Routes are keyed
by what Sapiens dispatches on: ``ActionCode`` (``createRemitACHPmt``), ``ActionCode/InterfaceCode``
(``PWSTRUCTUREDSEARCH/icInvoiceBalanceUpd``) or ``GET`` for the document service. Answers are
written as Sapiens writes them, quirks kept: the payload in a literal ``<![CDATA[`` inside Data's
CDATA, closed by ``]]]]><![CDATA[]]>``. Each test module declares its ``fake``, ``session`` and
``adapter`` fixtures (the IMT ones of ``conftest`` have the same names) from ``mounted``; the
``fake`` fixture checks every request it received against the sapiens contract when the test ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import requests
from lxml import etree
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from adapters import BillerSettings, Payment, PaymentMethod
from contracts import Request, Violation, load_contract
from contracts.bif import Invoice
from contracts.soap import SOAP_ENV, WSSE

BASE = "http://sapiens.test"
BILLING_URL = f"{BASE}/sapiens/AdaptikBilling/soapservices/PWBillingService"
POLICY_URL = f"{BASE}/sapiens/AdaptikPolicy/soapservices/PWPolicyService"
BILLING_NS = "http://adaptik.com/ws/xml/billing"
POLICY_NS = "http://adaptik.com/ws/xml"
PAYMENT_ID = "5f0c7f43-5c51-4d7c-9a55-2a6c3c1f0001"
NOW = datetime(2024, 7, 20, 10, 30, 5, 123000, tzinfo=timezone(timedelta(hours=-4)))

SETTINGS: dict[int, str] = {
    8: BILLING_URL,
    9: "rtdr-user",
    10: "rtdr-secret",
    11: BILLING_URL,
    12: "pump-user",
    13: "pump-secret",
    20: f"{BASE}/sapiens",
    21: "pdf-user",
    22: "pdf-secret",
    89: "system-user",
}


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/xml;charset=utf-8"})


Script = Answer | BaseException | Callable[[requests.PreparedRequest], Answer]


@dataclass
class Sent:
    """One request as the fake received it, parsed: envelope fields and the payload inside ``<Data>``."""

    request: requests.PreparedRequest
    raw: bytes
    root: Any  # the envelope
    call: Any  # PWInvoke...Request
    payload: Any  # the element parsed from Data's text

    @property
    def path(self) -> str:
        return urlsplit(self.request.url or "").path

    def field(self, tag: str) -> str | None:
        found = self.call.find(tag)
        return None if found is None else (found.text or "")

    def token(self, tag: str) -> str:
        return str(self.root.findtext(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken/{{{WSSE}}}{tag}"))

    def text(self, xpath: str) -> str | None:
        """The text of the payload element at ``xpath`` (relative to the payload root), or None when absent."""
        found = self.payload.find(xpath)
        return None if found is None else (found.text or "")

    def tags(self, xpath: str = ".") -> list[str]:
        """Child tags, in order, of the payload element at ``xpath``."""
        return [str(child.tag) for child in self.payload.find(xpath)]


def _route_key(request: requests.PreparedRequest) -> list[str]:
    if request.method == "GET":
        return ["GET"]
    root = etree.fromstring(request.body if isinstance(request.body, bytes) else str(request.body).encode())
    call = root.find(f"{{{SOAP_ENV}}}Body/*")
    action = call.findtext("ActionCode") or ""
    interface = call.findtext("InterfaceCode")
    return ([f"{action}/{interface}"] if interface else []) + [action]


class FakeSapiens(HTTPAdapter):
    """Answers from scripts keyed by ActionCode[/InterfaceCode] or GET; records every request."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[str, list[Script]] = {}
        self.received: list[requests.PreparedRequest] = []
        self.off_contract = False  # set by a test that sends what the contract does not know, on purpose

    def on(self, key: str, *script: Script) -> None:
        self.routes[key] = list(script)

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        self.received.append(request)
        for key in _route_key(request):
            if key in self.routes:
                script = self.routes[key]
                answer = script.pop(0) if len(script) > 1 else script[0]
                break
        else:
            raise AssertionError(f"the fake Sapiens has no route for {_route_key(request)} ({request.url})")
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            answer = answer(request)
        response = requests.Response()
        response.status_code = answer.status
        response._content = answer.body
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = str(request.url)
        response.request = request
        return response

    def sent(self, index: int = -1) -> Sent:
        request = self.received[index]
        raw = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        root = etree.fromstring(raw)
        call = root.find(f"{{{SOAP_ENV}}}Body/*")
        data = call.find("Data")
        payload = etree.fromstring("".join(data.itertext()).encode()) if data is not None else None
        return Sent(request, raw, root, call, payload)

    def soap_requests(self) -> list[Sent]:
        return [self.sent(i) for i, r in enumerate(self.received) if r.method == "POST"]

    def request_violations(self) -> list[Violation]:
        """Every request received, judged by the sapiens contract as the partner would (its own path)."""
        contract = load_contract("sapiens")
        out: list[Violation] = []
        if self.off_contract:
            return out
        for r in self.received:
            body = r.body if isinstance(r.body, bytes) else str(r.body or "").encode()
            path = urlsplit(r.url or "").path.removeprefix("/sapiens")
            out.extend(contract.check_request(Request(str(r.method), path, headers=dict(r.headers), body=body)))
        return out


# -- answers --------------------------------------------------------------------------------------
def soap_answer(action: str, payload: str = "", *, code: str = "SUCCESS", interface: str = "", reject: str = "",
                message: str = "", wrap: bool = True, policy: bool = False, status: int = 200) -> Answer:
    """A ``PWInvoke...Response`` as Sapiens writes it (design 004 response samples)."""
    if policy:
        opening = f'<ns3:PWInvokePolicyActionResponse xmlns:ns3="{POLICY_NS}">'
        closing = "</ns3:PWInvokePolicyActionResponse>"
    else:
        opening = f'<ns4:PWInvokeBillingActionResponse xmlns:ns4="{BILLING_NS}" xmlns:ns3="{POLICY_NS}">'
        closing = "</ns4:PWInvokeBillingActionResponse>"
    data = ""
    if payload:
        data = (f"<Data><![CDATA[<![CDATA[{payload}]]]]><![CDATA[]]></Data>" if wrap
                else f"<Data><![CDATA[{payload}]]></Data>")
    body = (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}"><SOAP-ENV:Header/><SOAP-ENV:Body>{opening}'
        f"<TransRef>1</TransRef><ActionCode>{action}</ActionCode>"
        + (f"<InterfaceCode>{interface}</InterfaceCode>" if interface else "")
        + "<TransDateTime>2022-09-27T19:59:56.967-04:00</TransDateTime>"
        f"<TransResult><ReturnCode>{code}</ReturnCode><ReturnReasonCode>{code}</ReturnReasonCode>"
        f"<ReturnMessage>{escape(message)}</ReturnMessage>"
        + (f"<RejectMessage>{escape(reject)}</RejectMessage>" if reject else "<RejectMessage/>")
        + f"</TransResult>{data}{closing}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    return Answer(status=status, body=body.encode())


def fault(code: str = "wsse:FailedAuthentication", string: str = "The security token could not be authenticated",
          status: int = 500) -> Answer:
    """A SOAP 1.1 Fault with the ``wsse`` prefix bound, as the sandbox answers bad credentials."""
    body = (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:wsse="{WSSE}"><SOAP-ENV:Body><SOAP-ENV:Fault>'
        f"<faultcode>{code}</faultcode><faultstring>{escape(string)}</faultstring>"
        "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    return Answer(status=status, body=body.encode())


def results(search_id: str, *rows: dict[str, str]) -> str:
    """A ``SearchResults`` payload, with the declaration Sapiens writes."""
    items = "".join("<SearchResult>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in row.items()) + "</SearchResult>"
                    for row in rows)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<SearchResults><SearchID>{search_id}</SearchID>'
            f"{items}</SearchResults>\n")


def account_row(acct: str = "981000001", balance: str = "1500.00", due: str = "250.00", past: str = "0",
                **extra: str) -> dict[str, str]:
    return {"acctName": acct, **extra, "balance": balance, "amountDue": due, "pastDueAmount": past}


def invoice_row(number: str, due: str, acct: str = "384300001", balance: str = "491327.98",
                past: str = "0") -> dict[str, str]:
    return {"acctName": acct, "invoiceNbr": number, "invStatus": "A", "balance": balance, "amountDue": due,
            "pastDueAmount": past}


def posted_batch(mc_id: str = "369200001", remit_id: str = "2", payment_id: str = PAYMENT_ID,
                 amount: str = "500.00") -> str:
    """The posting answer's ``remitBatch``, cut down from the design's sample (QTAG attributes kept)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?> \n<!-- CV-ID in use: 1207 -->\n'
        f'<remitBatch VERSION_NO="1" MC_ID="{mc_id}" ID="1" CT_INT="1" CT_ID="1" ACTION="A" xmlns:ns2="{POLICY_NS}">'
        '<productGroup QTAG="30000-1" LITERAL="Remittance" CA_ID="1">REM</productGroup>'
        '<status QTAG="30000-541" LITERAL="Posted" CA_ID="464">POSTED</status>'
        '<nbrOfRemitItems QTAG="30000-557" CA_ID="3">1</nbrOfRemitItems>'
        f'<batchTotal QTAG="30000-558" CA_ID="8">{amount}</batchTotal>'
        f'<remit ID="{remit_id}" ACTION="A"><paymentID QTAG="30002-52" CA_ID="23">{payment_id}</paymentID>'
        f'<bankRemittanceAmount QTAG="30002-73" CA_ID="26">{amount}</bankRemittanceAmount>'
        f'<mc_id QTAG="30002-78">{mc_id}</mc_id><remit_ID QTAG="30002-85" CA_ID="476">{remit_id}</remit_ID>'
        '<dbAllocLevel QTAG="30002-171" LITERAL="Account" CA_ID="25">A</dbAllocLevel></remit>'
        "</remitBatch>"
    )


def remit_row(payment_id: str = PAYMENT_ID, mcid: str = "833100001", cid: str = "2") -> dict[str, str]:
    """One remittance search result, as the design's sample gives it."""
    return {"payerNM": "Alex Bear", "remitAmt": "1,905", "remainingAmt": "0", "status": "Closed",
            "depositDate": "11/16/2021", "receiptDate": "11/16/2021", "acctPeriod": "202111", "payType": "",
            "transferInd": "N", "nsfInd": "N", "remittanceCID": cid, "MCID": mcid, "paymentID": payment_id}


def down_payment_answer(mc_id: str = "112111001", payment_id: str = PAYMENT_ID, amount: str = "1000.00") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?> \n<policy VERSION_NO="1" MC_ID="{mc_id}" ID="1" CT_INT="1" '
            f'CT_ID="1" xmlns:ns2="{POLICY_NS}"><downPaymentReceived>{amount}</downPaymentReceived>'
            f"<paymentReferenceID>{payment_id}</paymentReferenceID></policy>")


# -- input ----------------------------------------------------------------------------------------
def make_settings(settings: dict[int, str] | None = None, **options: Any) -> BillerSettings:
    return BillerSettings.from_dict({"partner": "sapiens", "settings": SETTINGS if settings is None else settings,
                                     "options": options})


def invoice(number: str = "INV1001", *, account: str = "981000001", on: date = date(2024, 7, 12),
            balance_forward: bool | None = True, **custom: str) -> Invoice:
    """An invoice as IC holds it; ``c5="A"`` sets Custom5, and so on."""
    return Invoice(
        account_number=account,
        invoice_number=number,
        invoice_date=on,
        due_date=date(2024, 8, 1),
        total_amount_due=Decimal("250.00"),
        balance_forward=balance_forward,
        customer_name="Pat Payer",
        email="pat.payer@example.test",
        custom={int(k[1:]): v for k, v in custom.items()},
    )


def account_bill(number: str = "INV1001", *, on: date = date(2024, 7, 12), balance_forward: bool | None = True,
                 **custom: str) -> Invoice:
    """Account billing as the BIF mapping gives it: AccountNumber = Custom2 = MC_ID, Custom4 the billing account code."""
    fields: dict[str, Any] = {"c2": "981000001", "c4": "1000000109", "c5": "A", "c6": "522000001", **custom}
    return invoice(number, account="981000001", on=on, balance_forward=balance_forward, **fields)


def policy_bill(number: str = "INV2001", *, on: date = date(2024, 7, 12), **custom: str) -> Invoice:
    """Single policy billing: AccountNumber = agreement, Custom2 = MC_ID, Custom3 = policy number."""
    fields: dict[str, Any] = {"c2": "653000001", "c3": "I-706200001-1", "c5": "P", "c6": "653000001", **custom}
    return invoice(number, account="HOM123456", on=on, **fields)


def open_item(number: str, on: date = date(2024, 7, 12), **custom: str) -> Invoice:
    """Invoice billing (INT-4903 fields): one search by the account returns every open invoice."""
    fields: dict[str, Any] = {"c4": number, "c5": "I", "c6": "384300001", "c7": "icInvoiceBalanceUpd", "c8": "acctName",
              "c9": "384300001", "c10": "BM_INVOICE_SRCH", **custom}
    return invoice(number, account="384300001", on=on, **fields)


def payment(**overrides: Any) -> Payment:
    """A card payment of an account-billed invoice; ``invoice=`` and the rest override."""
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "invoice": account_bill(),
        "amount": Decimal("500.00"),
        "paid_on": date(2019, 4, 15),
        "method": PaymentMethod.CARD,
        "payer_email": "polly.payer@example.test",
        "card_brand": "VISA",
        "last_digits": "1234",
    }
    fields.update(overrides)
    return Payment(**fields)


def mounted(fake: FakeSapiens) -> requests.Session:
    """A session whose calls to the fake's base URL go to the fake (and nothing comes from the environment)."""
    session = requests.Session()
    session.trust_env = False
    session.mount(f"{BASE}/", fake)
    return session
