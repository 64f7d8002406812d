"""What every partner contract offers, whatever its wire format.

One question: *does this message conform, and if not, where and why?* The answer is a list of
``Violation``s. REST partners implement it from OpenAPI (``contracts.openapi``); SOAP partners from
WSDL and XSD; TCCS adds its ``contentInfo`` grammars.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from contracts.exchange import Exchange, Request, Response, load_exchanges
from contracts.jsonbody import BodyError, is_form_media, parse_body
from contracts.violation import Violation

__all__ = ["Contract", "IssuedToken", "OperationInfo", "OperationMatch", "NearMiss"]


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token or session an operation's answer issues and later requests carry back.

    Where the answer has it: ``json`` (a JSON pointer into the body), or ``header`` (``Set-Cookie``) and
    ``matches`` (a regex whose first group is the value). How a request carries it: in the header
    ``carried_in``, as ``carried_as`` with ``{value}`` in place of the value (``Bearer {value}``,
    ``sessionid={value}``). A recording keeps neither (secrets are scrubbed), so whoever replays the
    exchanges (``partnersim scenario from-journal``) must take the value from a fresh answer.
    """

    name: str  # what the value is called: token, session
    carried_in: str  # the request header: Authorization, Cookie
    carried_as: str = "{value}"
    json: str = ""
    header: str = ""
    matches: str = ""


@dataclass(frozen=True)
class OperationInfo:
    partner: str
    name: str
    method: str
    host: str
    path: str
    summary: str = ""
    safe: bool = False  # read-only: may be replayed against a live partner
    issues: IssuedToken | None = None  # a token or session its answer issues (x-partnersim-issues)

    @property
    def qualified(self) -> str:
        return f"{self.partner}.{self.name}"


@dataclass(frozen=True)
class OperationMatch:
    operation: OperationInfo
    path_params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NearMiss:
    """An operation the request came close to, and the fields that differ (WireMock's near miss)."""

    operation: OperationInfo
    differences: list[Violation]

    def __str__(self) -> str:
        diffs = "; ".join(str(d) for d in self.differences) or "no difference in method, host or path"
        return f"{self.operation.qualified} ({self.operation.method} {self.operation.path}): {diffs}"


class Contract(ABC):
    """A partner's contract: its operations, its recorded exchanges, and the checks."""

    kind = "abstract"

    def __init__(self, partner: str, exchanges_dir: Path | None) -> None:
        self.partner = partner
        self.exchanges_dir = exchanges_dir

    @abstractmethod
    def document(self) -> tuple[bytes, str]:
        """The contract document as served to outside tools, and its media type."""

    @abstractmethod
    def document_violations(self) -> list[Violation]:
        """Whether the contract document itself is a valid document of its kind."""

    @abstractmethod
    def operations(self) -> list[OperationInfo]: ...

    @abstractmethod
    def match(self, request: Request) -> OperationMatch | None: ...

    @abstractmethod
    def near_misses(self, request: Request, limit: int = 3) -> list[NearMiss]: ...

    @abstractmethod
    def check_request(self, request: Request, match: OperationMatch | None = None) -> list[Violation]: ...

    @abstractmethod
    def check_response(
        self, request: Request, response: Response, match: OperationMatch | None = None
    ) -> list[Violation]: ...

    def field_kinds(self) -> tuple[str, ...]:
        """The kinds of named field ``field`` reads, as the first word of a name (``form``)."""
        return ("form",)

    def field(self, message: Request | Response, name: str) -> str | None:
        """One field of a message in the partner's own terms, or None when the message has none.

        ``/data/attributes/payment_amount`` is a JSON pointer into a JSON body (a string as it is, any
        other value as JSON text: ``77``, ``true``); ``form <name>`` is a field of a form-encoded body. A
        partner whose meaning lives inside a field adds its own kinds (TCCS: ``contentInfo amount``, a
        field of the ``contentInfo`` grammar; Sapiens: ``payload <xpath>`` into the CDATA payload), so
        that a scenario or a fault plan can name what the partner itself would name. A name of a kind
        this contract does not know raises ``KeyError``.
        """
        if name.startswith("/"):
            return _json_pointer(message, name)
        kind, _, rest = name.partition(" ")
        if kind != "form" or not rest:
            raise KeyError(f"{self.partner} messages have no field {name!r}; kinds: '/<json pointer>', "
                           + ", ".join(f"'{k} <name>'" for k in self.field_kinds()))
        media = message.header("Content-Type")
        if not is_form_media(media):
            return None
        try:
            form = parse_body(message.body, media)
        except BodyError:
            return None
        value = form.get(rest)
        return None if value is None else str(value)

    def outcome(self, response: Response) -> dict[str, str]:
        """The business outcome an answer states besides its status, by field name in the partner's terms
        (Sapiens ``header TransResult/ReturnCode``, TCCS ``/Status``); empty when the partner states none.
        Provider verification (``partnersim verify --against``) expects a live answer to state the outcome
        its recorded exchange states."""
        return {}

    def check_exchange(self, exchange: Exchange) -> list[Violation]:
        """Request and response of one exchange; the operation it names must be the one it matches."""
        match = self.match(exchange.request)
        out: list[Violation] = []
        if match is not None and exchange.operation and match.operation.name != exchange.operation:
            out.append(Violation("operation", exchange.operation, match.operation.name,
                                 message="the exchange names another operation than its request matches"))
        out.extend(self.check_request(exchange.request, match))
        if exchange.response is not None and match is not None:
            out.extend(self.check_response(exchange.request, exchange.response, match))
        return out

    @cached_property
    def exchanges(self) -> list[Exchange]:
        """The recorded exchanges, in file-name order."""
        if self.exchanges_dir is None or not self.exchanges_dir.is_dir():
            return []
        out: list[Exchange] = []
        for path in sorted(self.exchanges_dir.glob("*.yaml")):
            for exchange in load_exchanges(path):
                if not exchange.id:
                    exchange.id = path.stem
                out.append(exchange)
        return out


def _json_pointer(message: Request | Response, pointer: str) -> str | None:
    """The value at a JSON pointer (RFC 6901) of a JSON body, as text; None when absent or not JSON."""
    try:
        node: Any = json.loads(message.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    if node is None:
        return None
    return node if isinstance(node, str) else json.dumps(node)
