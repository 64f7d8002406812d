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
