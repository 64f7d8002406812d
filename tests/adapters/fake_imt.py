"""A scripted fake IMT for the adapter tests, mounted on the adapter's ``requests.Session``.

The fake is a ``requests`` transport adapter (no socket, no server thread): it answers from a
script of routes and keeps every request it received, so a test can assert on the bytes the adapter
sent. Base URLs mimic the sandbox (``/imt/users``, ``/imt/billing``) so that prefix stripping is
exercised on every call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from adapters import BillerSettings
from contracts.bif import Invoice
from tests.adapters._fake import Answer as _Answer
from tests.adapters._fake import Script, next_answer, respond

BASE = "http://imt.test"
USERS = f"{BASE}/imt/users"
BILLING = f"{BASE}/imt/billing"
JSONAPI = "application/vnd.api+json"

SETTINGS: dict[int, str] = {
    8: BILLING + "/api/v1/accounts/{account_number}/?customer_username={username}",
    11: BILLING + "/api/v1/accounts/{account_number}/payments/{payment_id}/post/",
    12: "ic-service",
    14: BILLING + "/api/v1/accounts/{account_number}/",
    17: BILLING + "/api/v1/accounts/{account_number}/",
    20: BILLING + "/api/v1/accounts/{account_number}/invoices/",
    88: USERS + "/api/v1/tokens/",
    89: "ic@example.test",
    90: "s3cret",
}





@dataclass
class Answer(_Answer):
    content_type: str = JSONAPI


@dataclass
class _Route:
    method: str
    path: re.Pattern[str]
    script: list[Script]

    def next(self) -> Script:
        # The last answer repeats, so a route with one answer answers every time.
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


class FakePartner(HTTPAdapter):
    """Answers from routes (method + regex on the URL path); records every request it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: list[_Route] = []
        self.received: list[requests.PreparedRequest] = []
        self.tokens_issued = 0
        self.on("POST", r"/api/v1/tokens/$", self._issue_token)

    def on(self, method: str, path: str, *script: Script) -> None:
        """Later routes win over earlier ones for the same request."""
        self.routes.insert(0, _Route(method, re.compile(path), list(script)))

    def _issue_token(self, request: requests.PreparedRequest) -> Answer:
        self.tokens_issued += 1
        return Answer(json={"data": {"type": "Token", "id": 1, "attributes": {
            "auth": f"jwt-{self.tokens_issued}", "two_factor_required": False, "next": "x"}}})

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        self.received.append(request)
        path = urlsplit(request.url or "").path
        for route in self.routes:
            if route.method == request.method and route.path.search(path or ""):
                answer = route.next()
                break
        else:
            raise AssertionError(f"the fake IMT has no route for {request.method} {request.url}")
        return respond(request, answer)

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.body or b"null") for r in self.received if re.search(path, r.url or "")]

    def billing_requests(self) -> list[requests.PreparedRequest]:
        return [r for r in self.received if "/imt/billing/" in (r.url or "")]


def make_settings(settings: dict[int, str] | None = None, **options: Any) -> BillerSettings:
    return BillerSettings.from_dict({"partner": "imt", "settings": settings or SETTINGS, "options": options})


def invoice(number: str = "INV-2024-07-12-ACCT0001-1", *, account: str = "ACCT0001", on: date = date(2024, 7, 12),
            balance_forward: bool | None = True, email: str = "jane.doe@example.test", **custom: str) -> Invoice:
    return Invoice(
        account_number=account,
        invoice_number=number,
        invoice_date=on,
        due_date=date(2024, 8, 1),
        total_amount_due=Decimal("120.00"),
        balance_forward=balance_forward,
        email=email,
        custom={int(k[1:]): v for k, v in custom.items()},
    )


def account_v1(balance: Any = 150.25, total_bill: Any = 120.5, past_due: Any = 30, **extra: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "raw_data": {"receivableCategories": [
            {"receivableCategoryCode": "PREMIUM", "billBalanceAmount": 99.99, "currentBalance": 1},
            {"receivableCategoryCode": "TOTAL", "billBalanceAmount": total_bill, "currentBalance": 777},
        ]},
        "account_number": "ACCT0001", "payment_method": "CHECK", "balance": balance, "total_due": 888,
        "past_due": past_due, "address_type": "BILLING", "due_date": "2019-08-24",
    }
    attributes.update(extra)
    return {"type": "Account", "attributes": attributes}


def account_v2(balance: Any = 150.25, bill_balance: Any = 120.5, past_due: Any = 30) -> dict[str, Any]:
    return {"type": "Account", "attributes": {
        "account_number": "ACCT0001", "payment_method": "CHECK", "balance": balance, "bill_balance": bill_balance,
        "current_due": 999, "past_due": past_due, "address_type": "BILLING", "due_date": "2019-08-24"}}


def errors(status: int, detail: str, pointer: str = "", code: str = "") -> Answer:
    item: dict[str, Any] = {"status": str(status), "detail": detail}
    if pointer:
        item["source"] = {"pointer": pointer}
    if code:
        item["code"] = code
    return Answer(status=status, json={"errors": [item]})
