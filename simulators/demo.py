"""Demo data that answers the designs' own examples (seed fixture format).

IMT (design 000, sample): account ``ACCT0001``, policy ``INVOICECLOUDPOLICY``; invoice numbers in the
BIF's ``-N`` instance form (``DIRINV-2024-07-12-A10123433-1``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["imt_demo", "sapiens_demo", "spectrum_demo", "tccs_demo"]


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


def sapiens_demo() -> dict[str, Any]:
    """Sapiens BillingPro/PolicyPro (design 004): the accounts, policies, invoices, remittance and document
    that the design's samples name, so that each sample, sent as written, finds what it asks for.

    An account is a BillingPro account, numbered by its ``MC_ID``. ``data`` holds what BillingPro allocates
    by besides the account (design 004 §Payments Sent from IC to BP): ``acct_name`` (the billing account
    code RTDR's ``<acctName>`` carries), ``billing_account_codes`` (``<billAcctCd>``, level A and C),
    ``certificates`` (level C), ``agreements`` (level N) and ``mc_ids`` (other MC_IDs naming it: a PolicyPro
    quote's). Figures the design does not give are assumed.
    """
    return {"accounts": [
        {   # the account-billed sample (RTDR by <acctName>); figures assumed
            "account_number": "981000001", "name": "Avery Account", "email": "avery@example.test",
            "billing": "balance_forward",
            "data": {"acct_name": "981000001", "billing_account_codes": ["981000001"]},
            "invoices": [
                {"invoice_number": "98100000101", "invoice_date": "2026-10-01", "due_date": "2026-10-21",
                 "total": "1500.00", "due": "250.00"},
                {"invoice_number": "98100000102", "invoice_date": "2026-11-01", "due_date": "2026-11-21",
                 "total": "1500.00", "due": "250.00"},
            ],
            "settings": {"autoPayInd": "N", "paperlessBillingInd": "N"},
        },
        {   # single policy billing: the RTDR response sample (balance 1467, nothing due)
            "account_number": "653000001", "name": "Pat Policy", "billing": "balance_forward",
            "data": {"acct_name": "653000001", "billing_account_codes": ["653000001"]},
            "policies": [{"policy_number": "I-706200001-1", "data": {"status": "A", "agreement": "AG0001"}}],
            "invoices": [
                {"invoice_number": "65300000101", "policy_number": "I-706200001-1", "invoice_date": "2026-11-01",
                 "due_date": "2026-11-21", "total": "1467.00", "due": "0.00"},
            ],
        },
        {   # the posting sample's targets: billAcctCd 1000000109, agreement HOM123456, policy HOM123456-01
            "account_number": "369200001", "name": "Homer Owner", "email": "homer@example.test",
            "billing": "balance_forward",
            "data": {"acct_name": "1000000109", "billing_account_codes": ["1000000109"],
                     "certificates": ["CERT-0001"], "agreements": ["HOM123456"]},
            "policies": [{"policy_number": "HOM123456-01", "data": {"status": "A", "agreement": "HOM123456"}}],
            "invoices": [
                {"invoice_number": "36920000101", "policy_number": "HOM123456-01", "invoice_date": "2026-11-01",
                 "due_date": "2026-11-21", "total": "2400.00", "due": "600.00", "past_due": "100.00"},
            ],
        },
        {   # invoice billing (open item): the icInvoiceBalanceUpd response sample
            "account_number": "384300001", "name": "Open Item Industries", "billing": "open_item",
            "data": {"acct_name": "384300001", "billing_account_codes": ["384300001"]},
            "invoices": [
                {"invoice_number": "45405", "invoice_date": "2026-09-01", "due_date": "2026-09-30",
                 "total": "394405.04", "due": "27960.65"},
                {"invoice_number": "45605", "invoice_date": "2026-10-01", "due_date": "2026-10-31",
                 "total": "49961.47", "due": "49961.47"},
                {"invoice_number": "45606", "invoice_date": "2026-11-01", "due_date": "2026-11-30",
                 "total": "46961.47", "due": "46961.47"},
            ],
        },
        {   # the updateICSettings samples: MC_ID 522000001 with policy HOM123445_01
            "account_number": "522000001", "name": "Sam Settings", "billing": "balance_forward",
            "data": {"acct_name": "522000001"},
            "policies": [{"policy_number": "HOM123445_01", "data": {"status": "A"}}],
            "invoices": [
                {"invoice_number": "52200000101", "policy_number": "HOM123445_01", "invoice_date": "2026-11-01",
                 "due_date": "2026-11-21", "total": "800.00", "due": "200.00"},
            ],
            "settings": {"autoPayInd": "N", "paperlessBillingInd": "N"},
        },
        {   # the PolicyPro quote of the down payment sample (MC_ID 112111001)
            "account_number": "Q12345678", "name": "Polly Payer", "email": "polly.payer@example.test",
            "billing": "balance_forward", "data": {"mc_ids": ["112111001"], "quote": True},
            "policies": [{"policy_number": "Q12345678", "data": {"status": "Q", "mc_id": "112111001"}}],
            "invoices": [
                {"invoice_number": "Q12345678", "policy_number": "Q12345678", "invoice_date": "2026-11-15",
                 "due_date": "2026-11-15", "total": "1000.00", "due": "1000.00"},
            ],
        },
        {   # the remittance search sample: payment 800700001-2021- in remit batch 833100001, remit 2
            "account_number": "800700001", "name": "Alex Bear", "billing": "balance_forward",
            "data": {"acct_name": "800700001"},
            "invoices": [
                {"invoice_number": "80070000101", "invoice_date": "2026-10-15", "due_date": "2026-11-16",
                 "total": "1905.00", "due": "1905.00"},
            ],
            "payments": [
                {"payment_id": "800700001-2021-", "amount": "1905.00", "method": "CHECK", "paid_on": "2026-11-16",
                 "data": {"batch_mc_id": "833100001", "remit_id": "2", "payer": "Alex Bear",
                          "alloc_level": "A", "target": "800700001", "payment_type": ""}},
            ],
        },
        {   # the posted-batch answer sample's policy WC10002361-01, and the reversal answer sample's remittance
            # 21321 in remit batch 613000001 (its remit ID is not in the design: 1 assumed); figures assumed
            "account_number": "100200001", "name": "Wade Comp", "billing": "balance_forward",
            "data": {"acct_name": "100200001"},
            "policies": [{"policy_number": "WC10002361-01", "data": {"status": "A"}}],
            "invoices": [
                {"invoice_number": "10020000101", "policy_number": "WC10002361-01", "invoice_date": "2026-11-01",
                 "due_date": "2026-11-21", "total": "8935.25", "due": "3935.25"},
            ],
            "payments": [
                {"payment_id": "21321", "amount": "500.00", "method": "ACH", "paid_on": "2026-10-20",
                 "data": {"batch_mc_id": "613000001", "remit_id": "1", "payer": "Wade Comp",
                          "alloc_level": "P", "target": "WC10002361-01", "payment_type": "ACH"}},
            ],
        },
        {   # the document service sample's path
            "account_number": "422130001", "name": "Dana Document", "billing": "balance_forward",
            "data": {"acct_name": "422130001"},
            "invoices": [
                {"invoice_number": "42213000101", "invoice_date": "2026-11-01", "due_date": "2026-11-21",
                 "total": "310.00", "due": "310.00"},
            ],
            "documents": [{"key": "DocumentsPro/DevEnv/Policies/422130001/MiscellaneousDocuments/document.pdf",
                           "data": {"document_date": "2026-11-01"}}],
        },
    ]}


def spectrum_demo() -> dict[str, Any]:
    """IMT Spectrum (design 001): the account is the policy number, one invoice per policy (open item:
    "BalanceForward N/A"). Policy and invoice 30254 owe 731.37, the design's InvoiceBalanceDue sample;
    30255 owes 150.00 and is on autopay and paperless; 30256 is paid up. Names and dates are assumed.
    """
    def policy(number: str, name: str, due: str, settings: dict[str, str]) -> dict[str, Any]:
        return {"account_number": number, "name": name, "billing": "open_item",
                "invoices": [{"invoice_number": number, "policy_number": number, "invoice_date": "2026-11-01",
                              "due_date": "2026-11-21", "total": due, "due": due}],
                "settings": settings}

    return {"accounts": [
        policy("30254", "Pat Example", "731.37", {"paperless": "False", "bill_mode": "direct"}),
        policy("30255", "Harbor Mutual Farms LLC", "150.00", {"paperless": "True", "bill_mode": "autopay"}),
        policy("30256", "Paid Up", "0.00", {"paperless": "False", "bill_mode": "direct"}),
    ]}


def tccs_demo() -> dict[str, Any]:
    """TCCS (design 002): the policies and quotes its samples name, so that each sample, sent as written,
    finds what it asks for. An account is a policy number (a quote's is ``Q<policy>``), one invoice per
    invoice number ``Policy-MM/DD/YYYY`` (the policy term's expiration date, BIF FileSpecID 10), open item.

    Policy 454100010: invoice ``454100010-06/16/2020`` owes 125.00 of the policy's 480.00 (the RTDR sample);
    ``454100010-03/01/2019`` owes 355.00 after a 25.00 ACH payment of 06/22/2020, the payment the NSF sample
    ``454100010 -03/01/2019 : 06/22/2020 | 25.00 | IFR`` reverses. Quotes ``Q454100010-03/01/2019`` and
    ``Q3272-12/11/2019`` (the quote deposit samples) and policy 306 (``306-12/11/2019``, the PaymentGUID
    sample's 24.00) owe more than their samples pay. Names and figures are assumed.
    """
    def account(number: str, name: str, invoices: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
        return {"account_number": number, "name": name, "billing": "open_item",
                "invoices": [{"invoice_number": f"{number}-{day}", "policy_number": number,
                              "invoice_date": f"{day[6:]}-{day[:2]}-{day[3:5]}", "total": owed, "due": owed}
                             for day, owed in invoices],
                "settings": {"paperless": "N", "recurring": "N"}, **extra}

    return {"accounts": [
        account("454100010", "Pat Example", [("03/01/2019", "380.00"), ("06/16/2020", "125.00")],
                payments=[{"payment_id": "receipt:TC000001", "amount": "25.00", "invoice_number": "454100010-03/01/2019",
                           "method": "ACH", "paid_on": "2020-06-22",
                           "data": {"receipt": "TC000001", "payment_guid": None, "kind": "payment"}}]),
        account("Q454100010", "Pat Example", [("03/01/2019", "200.00")]),
        account("306", "Sam Sample", [("12/11/2019", "150.00")]),
        account("Q3272", "Test Name", [("12/11/2019", "100.00")]),
    ]}
