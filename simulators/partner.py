"""What a partner simulator provides to the sandbox core (one module per partner).

The core (middleware, journal, admin, seeding, server) knows partners only through this interface,
so adding a partner means one module and one line in ``simulators.registry``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from contracts import Request

    from simulators.context import SandboxContext

__all__ = ["PartnerSimulator"]


class PartnerSimulator(ABC):
    name: str = ""
    hosts: tuple[str, ...] = ()  # sub-prefixes, one per partner host (IMT: users, billing)
    title: str = ""

    @abstractmethod
    def create_app(self, ctx: SandboxContext) -> WSGIApplication:
        """The partner's WSGI app; it sees paths below ``/<name>`` (``/billing/api/v1/...``)."""

    @abstractmethod
    def error_response(self, status: int, detail: str) -> tuple[bytes, str]:
        """The partner's own error answer (body, content type) for errors raised outside its app:
        a body over the size limit, an internal error."""

    #: The answers of its own a fault plan may ask of the partner: kind -> the codes it takes (shown in
    #: the 400 that refuses another). ``answer: {<kind>: <code>}`` asks one; ``token: expired | revoked``
    #: asks kind ``token``.
    answer_kinds: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def fault_answer(self, kind: str, detail: str, operation: str, *, message: str = "",
                     request: Request | None = None, now: float | None = None) -> tuple[int, bytes, str] | None:
        """The partner's own answer of ``kind`` with code ``detail`` to a request of ``operation`` (status,
        body, content type), for a fault plan: a business refusal (Sapiens ``return_code`` FAILURE), an
        error answer (TCCS ``error`` INVOICE_NOT_FOUND), the answer to an expired token (``token``
        expired). ``message`` replaces the partner's default text; ``request`` is the request answered
        (None when a plan is checked before any request: answer with placeholders); ``now`` is the sandbox
        clock (seconds since the epoch) for answers that carry a time. None when the
        partner gives no such answer to that operation; ``ValueError`` (its message says what codes it
        takes) for a code it does not know."""
        return None

    def demo_seed(self) -> dict[str, Any]:
        """The demo data, in the seed fixture format (``accounts: [...]``)."""
        return {}

    def endpoints(self, base_url: str) -> dict[str, str]:
        """Named sandbox URLs of the partner's operations, for ``partnersim up`` and the README."""
        return {}

    def split_path(self, path: str) -> tuple[str, str]:
        """The partner host and the partner's own path of a path below ``/<name>``."""
        for host in self.hosts:
            prefix = f"/{host}"
            if path == prefix or path.startswith(prefix + "/"):
                return host, path[len(prefix):] or "/"
        return "", path
