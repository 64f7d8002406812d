"""What IC knows about an invoice: the fields of a BIF invoice that adapters and scenarios use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = ["Invoice"]


@dataclass
class Invoice:
    """One invoice as IC holds it after loading a BIF (IH + CR records and their custom fields).

    ``custom`` maps 1..10 to Custom1..Custom10 (FileSpecIDs 38..47); absent fields are absent.
    ``extra`` keeps every other FileSpecID of the IH/CR records, by FileSpecID.
    ``details`` keeps the invoice's ID records (each without its RowType pair), so that an invoice read
    from a BIF can be written back whole.
    """

    account_number: str
    invoice_number: str
    invoice_date: date | None = None
    due_date: date | None = None
    total_amount_due: Decimal | None = None
    balance_due: Decimal | None = None
    minimum_amount_due: Decimal | None = None
    balance_forward: bool | None = None
    customer_name: str = ""
    email: str = ""
    custom: dict[int, str] = field(default_factory=dict)
    extra: dict[int, str] = field(default_factory=dict)
    details: list[dict[int, str]] = field(default_factory=list)

    def custom_field(self, n: int) -> str:
        """CustomN, or "" when the BIF did not carry it."""
        return self.custom.get(n, "")

    @property
    def is_quote(self) -> bool:
        """Invoice numbers that start with ``Q`` are quotes (TCCS, Sapiens INT-3540)."""
        return self.invoice_number.upper().startswith("Q")
