"""Demo data that answers the designs' own examples (seed fixture format).

IMT (design 000, sample): account ``ACCT0001``, policy ``INVOICECLOUDPOLICY``; invoice numbers in the
BIF's ``-N`` instance form (``DIRINV-2024-07-12-A10123433-1``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["imt_demo"]


def imt_demo() -> dict[str, Any]:
    return {"accounts": [
        {
            "account_number": "ACCT0001",
            "name": "Pat Example",
            "email": "pat.example@example.test",
            "billing": "balance_forward",
            "data": {"first_name": "Pat", "last_name": "Example", "payment_method": "CHECK", "paperless": False,
                     "address": {"street_line_1": "1 Sample Street", "street_line_2": None, "city": "Mount Vernon",
                                 "state": "IA", "zip_code": "52314"}},
            "invoices": [
                {"invoice_number": "DIRINV-2026-10-01-ACCT0001-1", "policy_number": "INVOICECLOUDPOLICY",
                 "invoice_date": "2026-10-01", "due_date": "2026-10-21", "total": "1250.00", "due": "312.50"},
                {"invoice_number": "DIRINV-2026-11-01-ACCT0001-1", "policy_number": "INVOICECLOUDPOLICY",
                 "invoice_date": "2026-11-01", "due_date": "2026-11-21", "total": "1250.00", "due": "412.50",
                 "past_due": "100.00"},
            ],
            "documents": [{"key": "2026-10-01"}, {"key": "2026-11-01"}],
        },
        {
            "account_number": "ACCT0002",
            "name": "Sam Sample",
            "email": "sam@example.test",
            "billing": "balance_forward",
            "data": {"first_name": "Sam", "last_name": "Sample", "payment_method": "EFT", "paperless": True,
                     "address": {"street_line_1": "22 Test Avenue", "city": "Des Moines", "state": "IA",
                                 "zip_code": "50309"}},
            "invoices": [
                {"invoice_number": "DIRINV-2026-11-05-ACCT0002-1", "policy_number": "IMTPOLICY0002",
                 "invoice_date": "2026-11-05", "due_date": "2026-11-25", "total": "860.00", "due": "215.00"},
                {"invoice_number": "DIRINV-2026-11-05-ACCT0002-2", "policy_number": "IMTPOLICY0003",
                 "invoice_date": "2026-11-05", "due_date": "2026-11-25", "total": "120.00", "due": "120.00",
                 "balance_forward": False},
            ],
            "documents": [{"key": "2026-11-05"}],
        },
        {
            "account_number": "ACCT0003",
            "name": "Paid Up",
            "billing": "balance_forward",
            "data": {"payment_method": "CREDIT_CARD"},
            "invoices": [
                {"invoice_number": "DIRINV-2026-11-10-ACCT0003-1", "policy_number": "IMTPOLICY0004",
                 "invoice_date": "2026-11-10", "due_date": "2026-11-30", "total": "0.00", "due": "0.00"},
            ],
        },
    ]}
