"""Sapiens CoreSuite, BillingPro and PolicyPro (design 004): IC's SOAP client.

Every rule is an "IC Use" line or an integration modification of design 004:

- §RTDR: Balance Update: searches from Custom7..Custom10 (INT-4903) or Custom2/Custom3, none for
  quotes (INT-3540), the RTDRInvoiceFilter of setting 131 (INT-6924), balance forward (INT-9667,
  ITG-2475), BalanceDue = amountDue, TotalAmountDue = balance, PastDue = pastDueAmount;
- §DataPump: Payment and §Payments Sent from IC to BP: ``createRemitACHPmt`` with the allocation
  level of Custom5 and its target tag (INT-3609, INT-4810, INT-4811, ITG-1597), paymentType
  (INT-3881), card brand and last digits (INT-3509); quotes go to PolicyPro ``updPaymentInfo``;
- §Data Pump: ACH Reject and §Remittance Search: ``remitBatchSearch`` then ``createRemitReversal``
  with ``nsfInd``; no C-series rejects;
- §Data Pump: Paperless/AutoPay Enrollment: ``updateICSettings`` by the MC_ID of Custom6 (INT-3697),
  account or single-policy form, unchanged settings omitted;
- §PDF Linking: the ``scsGetBase64Document`` path of Custom1, base64 decoded to the PDF.

``_rules`` holds the rules, ``_payloads`` the messages in ``<Data>``, ``_soap`` the envelope and
the judgement of answers, ``adapter`` the calls.
"""

from adapters.sapiens.adapter import SapiensAdapter

__all__ = ["SapiensAdapter"]
