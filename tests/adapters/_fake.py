"""What the fake partners of the adapter tests share: a scripted answer and how it becomes a response.

Each fake (``fake_imt``, ``fake_tccs``, ``fake_spectrum``, ``fake_sapiens``) routes a request its own
way (URL path, TCCS operation, SOAP action) to a script of answers; the answer is built here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

__all__ = ["Answer", "Script", "next_answer", "respond"]


@dataclass
class Answer:
    """A scripted answer: JSON (sent with ``content_type`` unless the headers say otherwise) or a raw body."""

    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def content(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if self.json is not None:
            headers.setdefault("Content-Type", self.content_type)
            return json.dumps(self.json).encode(), headers
        return self.body, headers


#: An answer, an exception to raise instead (a timeout, a refused connection), or a function of the request.
Script = Answer | BaseException | Callable[[requests.PreparedRequest], Answer]


def next_answer(script: list[Script]) -> Script:
    """The script's next answer; the last one repeats, so a one-answer script answers every time."""
    return script.pop(0) if len(script) > 1 else script[0]


def respond(request: requests.PreparedRequest, answer: Script) -> requests.Response:
    """The ``requests.Response`` for ``answer`` (raised when it is an exception)."""
    if isinstance(answer, BaseException):
        raise answer
    if callable(answer):
        answer = answer(request)
    body, headers = answer.content()
    response = requests.Response()
    response.status_code = answer.status
    response._content = body
    response.headers = CaseInsensitiveDict(headers)
    response.url = str(request.url)
    response.request = request
    return response
