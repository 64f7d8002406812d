"""The adapter calls a scenario step can make, from ``with:`` arguments to typed adapter input.

Each call names an adapter method shared by the partner adapters (``adapters.PartnerAdapter``
subclasses) and builds its arguments: invoice numbers become the given ``contracts.bif.Invoice``
objects, amounts ``Decimal``, dates ``date``, payments and credits ``adapters.Payment`` /
``adapters.Credit``. The typed input is built *inside* the step, so input the adapter's model refuses
(``AdapterInputError``: an unknown payment method, a negative amount) is the step's outcome and can be
expected like any error. Adding a call: one function here, one entry in ``CALLS``, and its ``with:``
schema in ``schema.json`` (``tests/scenarios`` checks that the two lists agree).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import adapters
from adapters import Credit, Payment
from contracts.bif import Invoice

from scenarios.model import Given

__all__ = ["CALLS", "Problem", "check_call", "invoke", "outcome_fields", "error_fields", "error_class", "error_types"]

Problem = tuple[str, str]  # (argument, what is wrong)
_Invoke = Callable[[Any, Mapping[str, Any], Given], Any]


def _invoice(given: Given, number: Any) -> Invoice:
    found = given.invoice(str(number))
    assert found is not None, "checked when the scenario was loaded"
    return found


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _refresh_balance(adapter: Any, args: Mapping[str, Any], given: Given) -> Any:
    if "invoices" in args:
        invoices = [_invoice(given, n) for n in args["invoices"]]
    elif "account" in args:
        invoices = given.invoices_of(str(args["account"]))
    else:
        invoices = list(given.invoices)
    return adapter.refresh_balance(invoices, email=args.get("email"))


def _post_payment(adapter: Any, args: Mapping[str, Any], given: Given) -> Any:
    payment = Payment(
        payment_id=str(args["payment_id"]),
        invoice=_invoice(given, args["invoice"]),
        amount=_money(args["amount"]),
        paid_on=date.fromisoformat(str(args["paid_on"])),
        method=args["method"],
        payer_email=str(args.get("payer_email", "")),
        source=str(args.get("source", "")),
        service_fee=_money(args.get("service_fee", 0)),
        **{k: str(args[k]) for k in ("card_brand", "last_digits", "payer_name", "reference", "message") if k in args},
    )
    return adapter.post_payment(payment)


def _post_credit(adapter: Any, args: Mapping[str, Any], given: Given) -> Any:
    credit = Credit(
        payment_id=str(args["payment_id"]),
        account_number=str(args["account"]),
        amount=_money(args["amount"]),
        kind=args["kind"],
        reject_code=str(args.get("reject_code", "")),
        payer_email=str(args.get("payer_email", "")),
        invoice_number=str(args.get("invoice", "")),
        paid_on=date.fromisoformat(str(args["paid_on"])) if "paid_on" in args else None,
    )
    return adapter.post_credit(credit)


def _holder(args: Mapping[str, Any], given: Given) -> Any:
    """Whose settings change: the account number, or the given invoice for partners that need its fields."""
    return _invoice(given, args["invoice"]) if "invoice" in args else str(args["account"])


def _set_autopay(adapter: Any, args: Mapping[str, Any], given: Given) -> Any:
    # The method goes to the adapter as written: parsing it is the adapter's business (and refusal).
    return adapter.set_autopay(_holder(args, given), args["method"], args.get("email"))


def _set_paperless(adapter: Any, args: Mapping[str, Any], given: Given) -> Any:
    return adapter.set_paperless(_holder(args, given), bool(args["enabled"]), args.get("email"))


def _fetch_bill(adapter: Any, args: Mapping[str, Any], given: Given) -> Any:
    return adapter.fetch_bill(_invoice(given, args["invoice"]))


#: call name -> how to make it; the adapter method has the same name.
CALLS: Mapping[str, _Invoke] = {
    "refresh_balance": _refresh_balance,
    "post_payment": _post_payment,
    "post_credit": _post_credit,
    "set_autopay": _set_autopay,
    "set_paperless": _set_paperless,
    "fetch_bill": _fetch_bill,
}


def check_call(call: str, args: Mapping[str, Any], given: Given) -> Iterator[Problem]:
    """What a call's arguments refer to that the scenario does not give (checked on load)."""
    numbers = [("invoice", args["invoice"])] if "invoice" in args else []
    numbers += [(f"invoices[{i}]", n) for i, n in enumerate(args.get("invoices", []))]
    known = ", ".join(inv.invoice_number for inv in given.invoices) or "none"
    for where, number in numbers:
        if given.invoice(str(number)) is None:
            yield where, f"no given invoice is numbered {number!r} (given: {known}); add it under given.invoices"
    if "paid_on" in args:
        try:
            date.fromisoformat(str(args["paid_on"]))
        except ValueError:
            yield "paid_on", f"{args['paid_on']!r} is not a date (YYYY-MM-DD)"
    if call == "refresh_balance" and "invoices" not in args:
        account = args.get("account")
        mine = given.invoices_of(str(account)) if account else list(given.invoices)
        if not mine:
            which = f"of account {account!r} " if account else ""
            yield "account" if account else "", (
                f"refresh_balance sends the invoices IC knows {which}but the scenario gives none; "
                "add them under given.invoices")


def invoke(adapter: Any, call: str, args: Mapping[str, Any], given: Given) -> Any:
    return CALLS[call](adapter, args, given)


# -- outcomes as matchable data -------------------------------------------------------------------
def outcome_fields(value: Any) -> Any:
    """A result as plain data: a dataclass's fields, enums by value, dates as text, bytes as latin-1 text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: outcome_fields(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, (list, tuple)):
        return [outcome_fields(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): outcome_fields(v) for k, v in value.items()}
    return value


_ERROR_FIELDS = ("operation", "status", "code", "detail", "pointer")


def error_fields(exc: BaseException) -> dict[str, Any]:
    """An error as plain data: type, message, and what the adapters' errors carry."""
    out: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    for name in _ERROR_FIELDS:
        if hasattr(exc, name):
            out[name] = getattr(exc, name)
    errors = getattr(exc, "errors", None)
    if isinstance(errors, tuple) and errors:
        out["errors"] = [outcome_fields(e) for e in errors]
    violations = getattr(exc, "violations", None)
    if isinstance(violations, list):
        out["violations"] = [v.to_dict() if hasattr(v, "to_dict") else str(v) for v in violations]
    return out


def error_types() -> dict[str, type[BaseException]]:
    """The error classes a scenario may name: those ``adapters`` exports."""
    found = {name: getattr(adapters, name) for name in adapters.__all__}
    return {name: cls for name, cls in found.items() if isinstance(cls, type) and issubclass(cls, BaseException)}


def error_class(name: str) -> type[BaseException] | None:
    return error_types().get(name)
