"""The error tree of the adapters (``adapters.errors``)."""

from __future__ import annotations

import pytest

import adapters.errors as errors_module
from adapters import (
    AdapterConfigError, AdapterError, AdapterInputError, AuthError, ContractViolation, JsonApiError,
    PartnerRejected, PartnerUnavailable,
)
from contracts import Exchange, HarnessError, Request, Response, Violation


@pytest.mark.parametrize("cls", [AuthError, PartnerRejected, PartnerUnavailable, ContractViolation])
def test_partner_failures_are_adapter_errors_with_an_exchange(cls: type[AdapterError]) -> None:
    exchange = Exchange("imt", Request("GET", "/x"), operation="rtdr_v1")
    error = cls("boom", exchange=exchange)
    assert isinstance(error, AdapterError) and not isinstance(error, HarnessError)
    assert error.exchange is exchange and error.operation == "imt.rtdr_v1"
    assert cls.__name__ in (errors_module.__doc__ or "")  # the docstring draws the tree


@pytest.mark.parametrize("cls", [AdapterConfigError, AdapterInputError])
def test_setup_errors_are_harness_errors(cls: type[Exception]) -> None:
    assert issubclass(cls, HarnessError) and not issubclass(cls, AdapterError)
    assert cls.__name__ in (errors_module.__doc__ or "")


def test_rejection_exposes_its_first_error() -> None:
    first = JsonApiError(status="400", code="invalid", detail="bad amount", pointer="/data/attributes/payment_amount")
    error = PartnerRejected("refused", status=400, errors=[first, JsonApiError(detail="second")])
    assert (error.status, error.code, error.detail, error.pointer) == (400, "invalid", "bad amount", first.pointer)
    assert str(first) == "bad amount (at /data/attributes/payment_amount)"


def test_contract_violation_leads_with_the_violation_to_read_first() -> None:
    exchange = Exchange("imt", Request("GET", "/x"), Response(200), operation="rtdr_v2")
    deep = Violation("response body /attributes/raw_data/x", "a number", "str")
    shallow = Violation("response body /attributes", "an object", "null")
    error = ContractViolation.of(exchange, [deep, shallow])
    assert error.violations == [deep, shallow]
    assert str(error).startswith("imt.rtdr_v2: the partner's answer (HTTP 200) does not conform")
    assert "response body /attributes: expected an object, found null" in str(error)
    assert "(and 1 more)" in str(error)
