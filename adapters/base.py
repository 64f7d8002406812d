"""What every adapter shares: settings, the session, the exchanges made, and the contract check.

An adapter is IC's client side for one partner. It takes the biller's settings and a
``requests.Session`` (tests mount a fake transport on it; nothing else differs between the sandbox
and the real partner), records every exchange in ``exchanges`` in the order it was made, and checks
each answer against the partner's contract. The order of judgement of an answer is:

1. no answer at all, or HTTP 5xx: ``PartnerUnavailable``;
2. the answer breaks the contract and ``strict_contract`` is on: ``ContractViolation``;
3. everything else is the partner adapter's to interpret (auth, rejections, results).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlsplit

import requests

from contracts import Contract, Exchange, load_contract

from adapters._http import Target, Transport, locate, query_of
from adapters.errors import AdapterConfigError, ContractViolation, PartnerUnavailable
from adapters.settings import BillerSettings, describe

__all__ = ["PartnerAdapter"]


class PartnerAdapter:
    """Base of the partner adapters; a subclass sets ``partner`` and adds the partner's calls."""

    partner: ClassVar[str] = ""

    def __init__(self, settings: BillerSettings, session: requests.Session | None = None) -> None:
        if settings.partner and settings.partner != self.partner:
            raise AdapterConfigError(
                f"these biller settings are for partner {settings.partner!r}, not {self.partner!r}; "
                f"use create_adapter({settings.partner!r}, ...) or fix 'partner:' in the settings"
            )
        self.settings = settings
        self.session = session if session is not None else requests.Session()
        self.exchanges: list[Exchange] = []
        self.contract: Contract = load_contract(self.partner)
        self._transport = Transport(self.partner, self.session, settings.timeout, self.exchanges)

    def target(self, operation: str, method: str, url: str, setting_id: int) -> Target:
        """Where ``operation`` goes, with the partner's own host and path found from the contract.

        With ``strict_contract`` a URL that does not end in the operation's path is a settings
        error caught before anything is sent; without it the exchange keeps the URL's whole path.
        """
        found = locate(self.contract, operation, method, url)
        if found is None:
            info = next((op for op in self.contract.operations() if op.name == operation), None)
            template = info.path if info is not None else "?"
            if self.settings.strict_contract:
                raise AdapterConfigError(
                    f"{describe(setting_id)} gives {url!r} for {self.partner}.{operation}, but its path does "
                    f"not end in the contract's {method} {template}. Fix the setting (a base URL followed "
                    "by the partner's own path), or turn the 'strict_contract' option off."
                )
            return Target(operation, method, url, "", urlsplit(url).path or "/", query_of(url))
        host, path = found
        return Target(operation, method, url, host, path, query_of(url))

    def send(self, target: Target, headers: Mapping[str, str], body: bytes = b"") -> Exchange:
        """Send, then judge the answer: unavailable, or in breach of the contract (see module doc)."""
        exchange = self._transport.send(target, headers, body)
        response = exchange.response
        assert response is not None  # the transport raises when there is no answer
        if response.status >= 500:
            raise PartnerUnavailable(
                f"{exchange.qualified_operation}: the partner answered HTTP {response.status} (a server "
                "error, not a refusal). Nothing was changed on IC's side; retry later.",
                exchange=exchange,
            )
        exchange.violations = self.contract.check_response(exchange.request, response)
        if exchange.violations and self.settings.strict_contract:
            raise ContractViolation.of(exchange, exchange.violations)
        return exchange
