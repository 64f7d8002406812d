"""A scripted fake IMT Spectrum for the adapter tests, mounted on the adapter's ``requests.Session``.

Like ``fake_imt``: a ``requests`` transport adapter (no socket, no server thread) answering from routes
(method + regex on the URL path) and keeping every request, so a test asserts on the bytes the adapter
sent. Base URLs mimic the sandbox (``/spectrum/wsSpectrumAPICore``, ``/spectrum/auth``) so that the
prefix stripping is exercised on every call. By default it issues JWTs (expiring ``TOKEN_TTL`` after
``now``), opens sessions with a ``Set-Cookie`` and answers settings changes with the value set; a test
overrides a route with ``on``. ``request_violations`` judges every request received against the
spectrum contract, as the partner would (the ``fake`` fixture asserts there are none).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from adapters import BillerSettings, Payment, PaymentMethod
from contracts import Request, Violation, load_contract
from contracts.bif import Invoice
from tests.adapters._fake import Answer, Script, next_answer, respond

BASE = "http://spectrum.test"
CORE = f"{BASE}/spectrum/wsSpectrumAPICore"
AUTH = f"{BASE}/spectrum/auth"
SESSIONS = f"{AUTH}/sandbox/api/sessions/"
HOSTS = ("wsSpectrumAPICore", "auth")
JSON = "application/json"
JSONAPI = "application/vnd.api+json"
NOW = 1_800_000_000.0  # the fake's clock when a test does not move it
TOKEN_TTL = 3600
SESSION_ID = "s3ss10n-0001"
PAYMENT_ID = "7c1e2a4b-9d0f-4c3e-8b5a-1f2e3d4c5b6a"

SETTINGS: dict[int, str] = {
    8: f"{CORE}/api/Invoice/InvoiceBalanceDue",
    9: "InvCloud",
    10: "9w!tbbKa!xxx|99A9999F-DCBC-9F9A-B999-999AD99999F9",
    11: f"{CORE}/api/OnlineReceipt",
    12: "InvCloud",
    13: "9w!tbbKa!xxx|99A9999F-DCBC-9F9A-B999-999AD99999F9",
    14: SESSIONS,
    15: "paper-user",
    16: "paper-secret",
    17: SESSIONS,
    18: "autopay-user",
    19: "autopay-secret",
}





@dataclass
class _Route:
    method: str
    path: re.Pattern[str]
    script: list[Script]

    def next(self) -> Script:
        # The last answer repeats, so a route with one answer answers every time.
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def body_of(request: requests.PreparedRequest) -> bytes:
    return request.body if isinstance(request.body, bytes) else str(request.body or "").encode()


def json_of(request: requests.PreparedRequest) -> Any:
    return json.loads(body_of(request) or b"null")


class FakeSpectrum(HTTPAdapter):
    """Answers from routes (method + regex on the URL path); records every request it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: list[_Route] = []
        self.received: list[requests.PreparedRequest] = []
        self.now = NOW
        self.tokens_issued: list[str] = []
        self.off_contract = False  # set by a test that makes the adapter send what the contract refuses
        self.on("POST", r"/api/Token$", self.issue_token)
        self.on("POST", r"/api/sessions/$", self.open_session)
        self.on("POST", r"/api/settings/[^/]+/$", self.settings_answer)
        self.on("PATCH", r"/api/settings/[^/]+/$", self.settings_answer)

    def on(self, method: str, path: str, *script: Script) -> None:
        """Later routes win over earlier ones for the same request."""
        self.routes.insert(0, _Route(method, re.compile(path), list(script)))

    # -- default answers ------------------------------------------------------------------------
    def issue_token(self, request: requests.PreparedRequest) -> Answer:
        claims = {"sub": json_of(request)["username"], "exp": int(self.now) + TOKEN_TTL,
                  "jti": str(len(self.tokens_issued) + 1)}
        token = jwt.encode(claims, "fake-secret-of-at-least-32-bytes!", algorithm="HS256")
        self.tokens_issued.append(token)
        return Answer(json={"data": {"id": "58", "type": "jwtToken", "attributes": {"token": token}}})

    def open_session(self, request: requests.PreparedRequest) -> Answer:
        attributes = json_of(request)["data"]["attributes"]
        return Answer(status=201, content_type=JSONAPI,
                      json={"data": {"type": "sessions", "id": "1", "attributes": {"username": attributes["username"]}}},
                      headers={"Set-Cookie": f"sessionid={SESSION_ID}; Path=/spectrum/auth/sandbox/; HttpOnly"})

    def settings_answer(self, request: requests.PreparedRequest) -> Answer:
        data = json_of(request)["data"]
        attributes = {"paperless": False, "bill_mode": "direct", **data["attributes"]}
        return Answer(content_type=JSONAPI, json={"data": {"type": "policy-settings", "id": data["id"],
                                                           "attributes": attributes}})

    # -- transport ------------------------------------------------------------------------------
    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        self.received.append(request)
        path = urlsplit(request.url or "").path
        for route in self.routes:
            if route.method == request.method and route.path.search(path or ""):
                answer = route.next()
                break
        else:
            raise AssertionError(f"the fake Spectrum has no route for {request.method} {request.url}")
        return respond(request, answer)

    # -- what was received ----------------------------------------------------------------------
    def requests_to(self, path: str, method: str | None = None) -> list[requests.PreparedRequest]:
        return [r for r in self.received if re.search(path, urlsplit(r.url or "").path)
                and (method is None or r.method == method)]

    def bodies(self, path: str, method: str | None = None) -> list[Any]:
        return [json_of(r) for r in self.requests_to(path, method)]

    def query(self, request: requests.PreparedRequest) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(request.url or "").query, keep_blank_values=True)

    def request_violations(self) -> list[Violation]:
        """Every request received, judged by the spectrum contract as the partner would (its own path)."""
        if self.off_contract:
            return []
        contract = load_contract("spectrum")
        out: list[Violation] = []
        for r in self.received:
            parts = urlsplit(r.url or "")
            segments = parts.path.split("/")
            at = next((i for i, s in enumerate(segments) if s in HOSTS), 0)  # the prefix before the host goes
            query = dict(parse_qsl(parts.query))
            out.extend(contract.check_request(Request(str(r.method), "/" + "/".join(segments[at + 1:]),
                                                      host=segments[at], query=query, headers=dict(r.headers),
                                                      body=body_of(r))))
        return out


# -- answers --------------------------------------------------------------------------------------
def balance(invoice_number: str = "30254", balance_due: Any = "731.3700") -> Answer:
    """The design's InvoiceBalanceDue sample."""
    return Answer(json={"data": {"id": invoice_number, "type": "invoiceNumber",
                                 "attributes": {"balanceDue": balance_due}}})


def receipt(message: str = "applied", receipt_id: int = 4711) -> Callable[[requests.PreparedRequest], Answer]:
    """OnlineReceipt's answer: "your original JSON plus receiptID" (and the outcome in ``message``)."""
    def answer(request: requests.PreparedRequest) -> Answer:
        return Answer(json={**json_of(request), "receiptID": receipt_id, "message": message})
    return answer


def errors(status: int, detail: str, *, code: str = "", parameter: str = "", pointer: str = "",
           content_type: str = JSON) -> Answer:
    item: dict[str, Any] = {"status": str(status), "detail": detail}
    if code:
        item["code"] = code
    if parameter or pointer:
        item["source"] = {"parameter": parameter} if parameter else {"pointer": pointer}
    return Answer(status=status, json={"errors": [item]}, content_type=content_type)


# -- input ----------------------------------------------------------------------------------------
def make_settings(settings: dict[int, str] | None = None, **options: Any) -> BillerSettings:
    return BillerSettings.from_dict({"partner": "spectrum", "settings": SETTINGS if settings is None else settings,
                                     "options": options})


def invoice(number: str = "30254", *, account: str = "30254", name: str = "Pat Policyholder") -> Invoice:
    """An invoice as IC holds it from Spectrum's BIF: AccountNumber is the policy number."""
    return Invoice(
        account_number=account,
        invoice_number=number,
        invoice_date=date(2024, 7, 1),
        due_date=date(2024, 8, 1),
        total_amount_due=Decimal("731.37"),
        balance_forward=None,
        customer_name=name,
        email="pat@example.test",
    )


def payment(**overrides: Any) -> Payment:
    """A card payment of invoice 30254; ``invoice=`` and the rest override."""
    fields: dict[str, Any] = {
        "payment_id": PAYMENT_ID,
        "invoice": invoice(),
        "amount": Decimal("100.00"),
        "paid_on": date(2024, 7, 15),
        "method": PaymentMethod.CARD,
        "service_fee": Decimal("2.95"),
    }
    fields.update(overrides)
    return Payment(**fields)


def mounted(fake: FakeSpectrum) -> requests.Session:
    """A session whose calls to the fake's base URL go to the fake (and nothing comes from the environment)."""
    session = requests.Session()
    session.trust_env = False
    session.mount(f"{BASE}/", fake)
    return session
