"""The errors of the adapters: what went wrong when IC called a partner.

Two families, as in ``contracts.errors``: the *partner* did not give IC what it needs (an
``AdapterError``, carrying the exchange that caused it), or *our setup* is broken (a
``contracts.HarnessError``: the biller's settings, or input IC would never send).

::

    Exception
    ├── AdapterError                .exchange: the call that caused it, or None
    │   ├── AuthError               credentials refused, or a token that cannot be renewed
    │   ├── PartnerRejected         a business or HTTP error answer: .status .code .detail .pointer
    │   ├── PartnerUnavailable      connection refused or dropped, timeout, HTTP 5xx
    │   └── ContractViolation       the answer does not conform to the contract: .violations
    └── contracts.HarnessError
        ├── AdapterConfigError      a biller setting is missing or malformed (names the setting ID)
        └── AdapterInputError       the adapter was called with input IC would never send

Messages say what was expected, what was found and what to do next. They never quote request
bodies or headers (those carry passwords and tokens): read ``error.exchange`` for the details, and
redact it (``Exchange.redacted()``) before writing it anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts import Exchange, HarnessError, Violation, best_match

__all__ = [
    "AdapterError",
    "AuthError",
    "PartnerRejected",
    "PartnerUnavailable",
    "ContractViolation",
    "AdapterConfigError",
    "AdapterInputError",
    "JsonApiError",
]


class AdapterError(Exception):
    """A partner call did not give IC what it needs."""

    def __init__(self, message: str, *, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange

    @property
    def operation(self) -> str:
        """``partner.operation`` of the exchange that caused the error, or ""."""
        return self.exchange.qualified_operation if self.exchange is not None else ""


class AuthError(AdapterError):
    """The partner refused IC's credentials, or refused a token even after renewing it."""


@dataclass(frozen=True)
class JsonApiError:
    """One entry of a JSON:API ``errors[]`` answer (every member optional, as JSON:API says)."""

    status: str = ""
    code: str = ""
    title: str = ""
    detail: str = ""
    pointer: str = ""
    parameter: str = ""

    def __str__(self) -> str:
        text = self.detail or self.title or self.code or "no detail given"
        if self.pointer:
            text += f" (at {self.pointer})"
        elif self.parameter:
            text += f" (parameter {self.parameter})"
        return text


class PartnerRejected(AdapterError):
    """The partner answered, and the answer is a refusal (an HTTP 4xx or a business error).

    ``status``, ``code``, ``detail`` and ``pointer`` come from the first JSON:API error; all of them
    are in ``errors``. A partner that gives no code gets one from the status (404: ``not_found``).
    """

    def __init__(
        self,
        message: str,
        *,
        exchange: Exchange | None = None,
        status: int = 0,
        errors: Sequence[JsonApiError] = (),
    ) -> None:
        super().__init__(message, exchange=exchange)
        self.status = status
        self.errors = tuple(errors)
        first = self.errors[0] if self.errors else JsonApiError()
        self.code = first.code
        self.detail = first.detail or first.title
        self.pointer = first.pointer


class PartnerUnavailable(AdapterError):
    """The partner could not be reached or could not answer: refused, dropped, timed out, HTTP 5xx.

    ``exchange.response`` is None when no answer arrived at all. Whether to retry is the caller's
    decision (IMT answers a repeated ``payment_id`` with the same payment, so re-posting is safe).
    """


class ContractViolation(AdapterError):
    """The partner's answer does not conform to its contract (``violations`` says where and why)."""

    def __init__(
        self, message: str, *, exchange: Exchange | None = None, violations: Sequence[Violation] = ()
    ) -> None:
        super().__init__(message, exchange=exchange)
        self.violations = list(violations)

    @classmethod
    def of(cls, exchange: Exchange, violations: Sequence[Violation], what: str = "") -> ContractViolation:
        """The error for an answer that broke the contract, led by the violation to read first."""
        first = best_match(violations)
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        status = exchange.response.status if exchange.response is not None else "no"
        message = (
            f"{exchange.qualified_operation}: the partner's answer (HTTP {status}) does not conform to "
            f"the contract{': ' + what if what else ''}: {first}{more}. If the partner changed its API, "
            f"record the answer and update contracts/{exchange.partner}/; see error.exchange."
        )
        return cls(message, exchange=exchange, violations=violations)


class AdapterConfigError(HarnessError):
    """A biller setting the adapter needs is missing or malformed: fix the biller's settings."""


class AdapterInputError(HarnessError, ValueError):
    """The adapter was called with input IC would never send (no invoice, a negative amount, ...)."""
