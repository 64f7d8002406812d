"""Named rules across invoices, which a partner's mapping opts into with ``rules: [...]``.

The Field Mapping table checks one field at a time; some designs add rules that span invoices (IMT's
instance suffix and balance forward, design 000 FileSpecID 10). Each is written once here, generically,
and named in the YAML, so another partner with the same habit opts in with one line. A rule yields
``Violation``s like every check; it skips an invoice whose IH or CR is missing (the checker already
reports that) and a value whose format is wrong (likewise).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from contracts.bif.formats import to_money
from contracts.bif.records import InvoiceRecords
from contracts.errors import BifError
from contracts.violation import Violation

if TYPE_CHECKING:
    from contracts.bif.mapping import BifMapping

__all__ = ["Rule", "RULES", "instance_numbers"]

#: A rule: the invoices of a file or form, the mapping, and whether the invoices are a whole file
#: (a web-service form carries one invoice, so rules that count repeats cannot count there).
Rule = Callable[[Sequence[InvoiceRecords], "BifMapping", bool], Iterator[Violation]]

_SUFFIX = re.compile(r"-([1-9]\d*)$")


def instance_numbers(groups: Sequence[InvoiceRecords]) -> list[int]:
    """For each invoice, which instance of its account it is in the file: 1, 2, ...

    Counted per account and InvoiceTypeID (252), since design 000 counts "each instance of account
    number in that file type" and sends each invoice type in its own file.
    """
    counts: Counter[tuple[str, str]] = Counter()
    out = []
    for group in groups:
        key = (group.account_number, group.header.value(252) if group.header else "")
        counts[key] += 1
        out.append(counts[key])
    return out


def _complete(groups: Sequence[InvoiceRecords]) -> Iterator[tuple[InvoiceRecords, int]]:
    for group, n in zip(groups, instance_numbers(groups), strict=True):
        if group.header is not None and group.customer is not None:
            yield group, n


def instance_suffix(groups: Sequence[InvoiceRecords], mapping: BifMapping, whole_file: bool) -> Iterator[Violation]:
    """The invoice number ends in ``-N``, N counting the invoices of the same account in the file."""
    for group, n in _complete(groups):
        assert group.header is not None  # for mypy: _complete yields complete invoices only
        number = group.invoice_number
        match = _SUFFIX.search(number)
        if match and (not whole_file or int(match.group(1)) == n):
            continue
        ordinal = f"invoice {n} of account {group.account_number!r} in this file"
        yield Violation(
            location=group.header.location(10),
            expected=f"an invoice number ending in -{n} ({ordinal})" if whole_file
            else "an invoice number ending in an instance suffix -N",
            found=repr(number),
            contract=mapping.contract("rules instance_suffix"),
            message="the invoice number carries the instance of its account in the file: -1, then -2, ...",
        )


def balance_forward_off_on_repeat(
    groups: Sequence[InvoiceRecords], mapping: BifMapping, whole_file: bool
) -> Iterator[Violation]:
    """The second and later invoice of an account in a file has BalanceForward (194) off (``0``).

    Otherwise each would overwrite the balance of the one before (design 000, FileSpecID 10).
    An absent 194 is a violation too: IC would then apply the biller's default, which is on.
    """
    if not whole_file:
        return
    for group, n in _complete(groups):
        assert group.header is not None
        value = group.header.get(194)
        if n > 1 and value != "0":
            yield Violation(
                location=group.header.location(194),
                expected=f"0 (BalanceForward off: invoice {n} of account {group.account_number!r} in this file)",
                found="absent" if value is None else repr(value),
                contract=mapping.contract("rules balance_forward_off_on_repeat"),
                message="a repeated account's invoice must not overwrite the balance of its first invoice",
            )


def minimum_due_equals_balance_due(
    groups: Sequence[InvoiceRecords], mapping: BifMapping, whole_file: bool
) -> Iterator[Violation]:
    """MinimumAmountDue (21), when sent, equals BalanceDue (93) (IMT product sheet, design 003)."""
    for group, _ in _complete(groups):
        assert group.header is not None
        minimum, balance = group.header.value(21), group.header.value(93)
        try:
            if not minimum or not balance or to_money(minimum) == to_money(balance):
                continue
        except BifError:
            continue  # a malformed amount is already a format violation
        yield Violation(
            location=group.header.location(21),
            expected=f"{balance} (the BalanceDue, FileSpecID 93)",
            found=repr(minimum),
            contract=mapping.contract("rules minimum_due_equals_balance_due"),
            message="partial payments are off, so the minimum payment is the balance due",
        )


RULES: dict[str, Rule] = {
    "instance_suffix": instance_suffix,
    "balance_forward_off_on_repeat": balance_forward_off_on_repeat,
    "minimum_due_equals_balance_due": minimum_due_equals_balance_due,
}
