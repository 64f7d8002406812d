"""A biller's settings for a scenario: the partner's sandbox defaults, the scenario's own, and ``{sandbox}``.

A scenario states only the settings that matter to it (the RTDR URL of a v1 biller, say); the rest
come from ``SANDBOX_BILLERS``, a biller configured against the sandbox as a developer would configure
it (design 000 §Advanced Settings for IMT, design 004 for Sapiens). ``{sandbox}`` in any value becomes the running sandbox's
base URL; the adapter's own placeholders (``{account_number}``, ``{username}``...) are left for it.
An empty value removes a default, as an empty field does in IC's settings screen.

Adding a partner: one entry in ``SANDBOX_BILLERS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["SANDBOX_BILLERS", "SANDBOX", "biller_settings"]

SANDBOX = "{sandbox}"

_IMT_BILLING = SANDBOX + "/imt/billing/api"
_SAPIENS_BILLING = SANDBOX + "/sapiens/AdaptikBilling/soapservices/PWBillingService"
_TCCS = SANDBOX + "/tccs/invoicecloudapi"
_SPECTRUM_CORE = SANDBOX + "/spectrum/wsSpectrumAPICore/api"
_SPECTRUM_SESSIONS = SANDBOX + "/spectrum/auth/sandbox/api/sessions/"
SANDBOX_BILLERS: Mapping[str, Mapping[str, Any]] = MappingProxyType({
    "imt": MappingProxyType({
        "settings": MappingProxyType({
            "8": _IMT_BILLING + "/v2/accounts/{account_number}/?customer_username={username}",
            "11": _IMT_BILLING + "/v1/accounts/{account_number}/payments/{payment_id}/post/",
            "14": _IMT_BILLING + "/v1/accounts/{account_number}/",
            "17": _IMT_BILLING + "/v1/accounts/{account_number}/",
            "20": _IMT_BILLING + "/v1/accounts/{account_number}/invoices/",
            "88": SANDBOX + "/imt/users/api/v1/tokens/",
            "89": "sandbox",
            "90": "sandbox",
        }),
        "options": MappingProxyType({"timeout": 10}),
    }),
    # Design 004 §Advanced Settings: one BillingPro endpoint for RTDR (8) and the data pump (11); the
    # PolicyPro endpoint is derived from 11; the document service's base (20) takes Custom1's path.
    "sapiens": MappingProxyType({
        "settings": MappingProxyType({
            "8": _SAPIENS_BILLING,
            "9": "sandbox",
            "10": "sandbox",
            "11": _SAPIENS_BILLING,
            "12": "sandbox",
            "13": "sandbox",
            "20": SANDBOX + "/sapiens",
            "21": "sandbox",
            "22": "sandbox",
            "89": "system-user",
        }),
        "options": MappingProxyType({"timeout": 10}),
    }),
    # Design 002 §Advanced Settings: one URL per endpoint; consumerGUID in the username settings and
    # entryKey in the password settings; service version 2 (setting 35) sends the payment GUID. No
    # wait between retries in the sandbox.
    "tccs": MappingProxyType({
        "settings": MappingProxyType({
            "8": _TCCS + "/api/ARState_Output", "9": "SANDBOX", "10": "sandbox",
            "11": _TCCS + "/api/Pay_Input", "12": "SANDBOX", "13": "sandbox",
            "14": _TCCS + "/api/Paperless_Bill", "15": "SANDBOX", "16": "sandbox",
            "17": _TCCS + "/api/Recurring_Pay", "18": "SANDBOX", "19": "sandbox",
            "20": _TCCS + "/Retrieve_Bill_Image", "21": "SANDBOX", "22": "sandbox",
            "101": _TCCS + "/api/Insufficient_Pay_Report", "102": "SANDBOX", "103": "sandbox",
            "35": "2",
        }),
        "options": MappingProxyType({"timeout": 10, "retry_backoff": 0}),
    }),
    # Design 001 §Advanced Settings: RTDR (8) and OnlineReceipt (11) on the API core, whose token
    # endpoint is <base URL>/api/Token; 10 and 13 are "private key|password". Paperless (14) and
    # autopay (17) give the sessions URL; the settings resolve ../settings/<AccountNumber>/ against it.
    "spectrum": MappingProxyType({
        "settings": MappingProxyType({
            "8": _SPECTRUM_CORE + "/Invoice/InvoiceBalanceDue", "9": "sandbox", "10": "sandbox|sandbox",
            "11": _SPECTRUM_CORE + "/OnlineReceipt", "12": "sandbox", "13": "sandbox|sandbox",
            "14": _SPECTRUM_SESSIONS, "15": "sandbox", "16": "sandbox",
            "17": _SPECTRUM_SESSIONS, "18": "sandbox", "19": "sandbox",
        }),
        "options": MappingProxyType({"timeout": 10}),
    }),
})


def _expand(value: Any, base_url: str) -> Any:
    if isinstance(value, str):
        return value.replace(SANDBOX, base_url)
    if isinstance(value, Mapping):
        return {k: _expand(v, base_url) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, base_url) for v in value]
    return value


def biller_settings(partner: str, written: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    """``{partner, settings, options}`` for ``adapters.create_adapter``: defaults, then the scenario's."""
    defaults = SANDBOX_BILLERS.get(partner, {})
    settings = {**dict(defaults.get("settings", {})), **{str(k): v for k, v in dict(written.get("settings") or {}).items()}}
    options = {**dict(defaults.get("options", {})), **dict(written.get("options") or {})}
    expanded: dict[str, Any] = _expand({"settings": settings, "options": options}, base_url.rstrip("/"))
    return {"partner": partner, **expanded}
