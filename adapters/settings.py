"""A biller's settings as IC stores them: numbered settings plus a few named options.

The numbered settings are IC's "Advanced Settings" (design 000 and design 004 §Advanced Settings):
endpoint URLs (IMT's are templates with ``{account_number}``, ``{payment_id}`` and ``{username}``;
Sapiens' are fixed SOAP endpoints), credentials, and the JSON configuration (setting 131). Pointing an adapter at the sandbox instead of the real partner changes
these values only. A scenario gives them as::

    partner: imt
    settings:
      8:  "http://127.0.0.1:8700/imt/billing/api/v1/accounts/{account_number}/?customer_username={username}"
      88: "http://127.0.0.1:8700/imt/users/api/v1/tokens/"
      89: "ic@example.test"
      90: "secret"
    options: {rtdr_version: 2, timeout: 5, strict_contract: true}

An empty value counts as absent, as in IC's settings screen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from adapters.errors import AdapterConfigError

__all__ = ["Setting", "BillerSettings", "OPTIONS"]


class Setting(IntEnum):
    """IC setting IDs, with the descriptions IC shows (designs 000 and 004 §Advanced Settings)."""

    SSO_LOGIN_URL = 3
    RTDR_URL = 8
    RTDR_USERNAME = 9
    RTDR_PASSWORD = 10
    PAYMENTS_URL = 11
    PAYMENTS_USERNAME = 12
    PAYMENTS_PASSWORD = 13
    PAPERLESS_URL = 14
    PAPERLESS_USERNAME = 15
    PAPERLESS_PASSWORD = 16
    AUTOPAY_URL = 17
    AUTOPAY_USERNAME = 18
    AUTOPAY_PASSWORD = 19
    PDF_URL = 20
    PDF_USERNAME = 21
    PDF_PASSWORD = 22
    SSO_LOGOFF_URL = 23
    SERVICE_VERSION = 35
    SSO_RETURN_URL = 36
    TOKEN_URL = 88
    TOKEN_USERNAME = 89
    TOKEN_PASSWORD = 90
    ACH_REJECTS_URL = 101
    ACH_REJECTS_USERNAME = 102
    ACH_REJECTS_PASSWORD = 103
    JSON_CONFIGURATION = 131

    @property
    def title(self) -> str:
        return _TITLES[self]

    def describe(self) -> str:
        return f"setting {int(self)} ({self.title})"


_TITLES: dict[Setting, str] = {
    Setting.SSO_LOGIN_URL: "SSO Customer Login URL",
    Setting.RTDR_URL: "RTDR EndPoint/WebService URL",
    Setting.RTDR_USERNAME: "RTDR Username if Applicable",
    Setting.RTDR_PASSWORD: "RTDR Key or Password if Applicable",
    Setting.PAYMENTS_URL: "DataPump Payments EndPoint/WebService URL",
    Setting.PAYMENTS_USERNAME: "DataPump Payments EndPoint/WebService Username",
    Setting.PAYMENTS_PASSWORD: "DataPump Payments EndPoint/WebService Password",
    Setting.PAPERLESS_URL: "DataPump Paperless EndPoint/WebService URL",
    Setting.PAPERLESS_USERNAME: "DataPump Paperless EndPoint/WebService Username",
    Setting.PAPERLESS_PASSWORD: "DataPump Paperless EndPoint/WebService Password",
    Setting.AUTOPAY_URL: "DataPump AutoPay EndPoint/WebService URL",
    Setting.AUTOPAY_USERNAME: "DataPump AutoPay EndPoint/WebService Username",
    Setting.AUTOPAY_PASSWORD: "DataPump AutoPay EndPoint/WebService Password",
    Setting.PDF_URL: "Remote PDF EndPoint/WebService URL",
    Setting.PDF_USERNAME: "Remote PDF EndPoint/WebService Username",
    Setting.PDF_PASSWORD: "Remote PDF EndPoint/WebService Password",
    Setting.SSO_LOGOFF_URL: "SSO Customer LogOff Url",
    Setting.SERVICE_VERSION: "Service Version",
    Setting.SSO_RETURN_URL: "SSO - One Time Payment ReturnUrl",
    Setting.TOKEN_URL: "Secondary RTDR EndPoint/WebService URL",
    Setting.TOKEN_USERNAME: "Secondary RTDR Username if Applicable",
    Setting.TOKEN_PASSWORD: "Secondary RTDR Key or Password if Applicable",
    Setting.ACH_REJECTS_URL: "DataPump ACH Rejects EndPoint/WebService URL",
    Setting.ACH_REJECTS_USERNAME: "DataPump ACH Rejects EndPoint/WebService Username",
    Setting.ACH_REJECTS_PASSWORD: "DataPump ACH Rejects EndPoint/WebService Password",
    Setting.JSON_CONFIGURATION: "JSON Configuration",
}

_URL_SETTINGS = frozenset(
    {
        Setting.SSO_LOGIN_URL, Setting.RTDR_URL, Setting.PAYMENTS_URL, Setting.PAPERLESS_URL,
        Setting.AUTOPAY_URL, Setting.PDF_URL, Setting.SSO_LOGOFF_URL, Setting.SSO_RETURN_URL,
        Setting.TOKEN_URL, Setting.ACH_REJECTS_URL,
    }
)

#: The named options and what they mean; an unknown option is refused with this list.
OPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "rtdr_version": "1 or 2: which RTDR response IC reads (default: 2 when setting 8 contains /v2/)",
        "timeout": "seconds to wait for a partner's answer (default 30)",
        "strict_contract": "true: an answer that breaks the contract raises ContractViolation (default true)",
        "datapump_retry": "true: a data pump call the partner did not answer is sent again (TCCS ITG-1853; default true)",
        "retry_attempts": "how many times a data pump call is sent at most when retry is on (default 3)",
        "retry_backoff": "seconds to wait before the first retry, doubled before each next one (default 1)",
    }
)


def describe(setting_id: int) -> str:
    """``setting 8 (RTDR EndPoint/WebService URL)``, or ``setting 77`` for an ID we have no name for."""
    try:
        return Setting(setting_id).describe()
    except ValueError:
        return f"setting {setting_id}"


@dataclass(frozen=True)
class BillerSettings:
    """The settings of one biller. Build with ``from_dict``; read with ``get`` and ``require``."""

    values: Mapping[int, str] = field(default_factory=dict)
    partner: str = ""
    rtdr_version: int | None = None
    timeout: float = 30.0
    strict_contract: bool = True
    datapump_retry: bool = True
    retry_attempts: int = 3
    retry_backoff: float = 1.0

    def __post_init__(self) -> None:
        cleaned = {int(k): v for k, v in self.values.items() if v}
        object.__setattr__(self, "values", MappingProxyType(cleaned))
        for setting_id, value in cleaned.items():
            if setting_id in _URL_SETTINGS:
                _check_url(setting_id, value)
        if self.rtdr_version not in (None, 1, 2):
            raise AdapterConfigError(f"option rtdr_version must be 1 or 2, found {self.rtdr_version!r}")
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)) or self.timeout <= 0:
            raise AdapterConfigError(f"option timeout must be a positive number of seconds, found {self.timeout!r}")
        if not isinstance(self.strict_contract, bool):
            raise AdapterConfigError(f"option strict_contract must be true or false, found {self.strict_contract!r}")
        if not isinstance(self.datapump_retry, bool):
            raise AdapterConfigError(f"option datapump_retry must be true or false, found {self.datapump_retry!r}")
        if isinstance(self.retry_attempts, bool) or not isinstance(self.retry_attempts, int) or self.retry_attempts < 1:
            raise AdapterConfigError(f"option retry_attempts must be a whole number of at least 1, found {self.retry_attempts!r}")
        if (isinstance(self.retry_backoff, bool) or not isinstance(self.retry_backoff, (int, float))
                or self.retry_backoff < 0):
            raise AdapterConfigError(f"option retry_backoff must be a number of seconds, 0 or more, found {self.retry_backoff!r}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "biller settings") -> BillerSettings:
        """Read ``{partner, settings: {id: value}, options: {...}}`` (all three keys optional)."""
        if not isinstance(data, Mapping):
            raise AdapterConfigError(f"{where}: expected a mapping with 'settings' and 'options', found {type(data).__name__}")
        unknown = sorted(set(data) - {"partner", "settings", "options"})
        if unknown:
            raise AdapterConfigError(f"{where}: unknown keys {unknown}; expected partner, settings, options")
        raw = data.get("settings") or {}
        options = data.get("options") or {}
        if not isinstance(raw, Mapping) or not isinstance(options, Mapping):
            raise AdapterConfigError(f"{where}: 'settings' and 'options' must be mappings")
        bad = sorted(str(k) for k in options if k not in OPTIONS)
        if bad:
            valid = "; ".join(f"{k}: {v}" for k, v in OPTIONS.items())
            raise AdapterConfigError(f"{where}: unknown options {bad}; valid options are {valid}")
        values = {_setting_id(key, where): _setting_value(key, value, where) for key, value in raw.items()}
        return cls(values=values, partner=str(data.get("partner") or ""), **dict(options))

    # -- reading ----------------------------------------------------------------------------
    def get(self, setting_id: int) -> str | None:
        return self.values.get(int(setting_id))

    def require(self, setting_id: int, needed_for: str) -> str:
        """The value, or an ``AdapterConfigError`` naming the setting and why it is needed."""
        value = self.get(setting_id)
        if value is None:
            raise AdapterConfigError(
                f"{describe(setting_id)} is not set; it is needed for {needed_for}. "
                f"Add it under 'settings: {{{int(setting_id)}: ...}}' in the biller's settings."
            )
        return value

    def json_configuration(self) -> dict[str, Any]:
        """Setting 131 parsed (an empty mapping when it is not set)."""
        text = self.get(Setting.JSON_CONFIGURATION)
        if text is None:
            return {}
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise AdapterConfigError(f"{Setting.JSON_CONFIGURATION.describe()} is not valid JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise AdapterConfigError(
                f"{Setting.JSON_CONFIGURATION.describe()} must be a JSON object, found {type(doc).__name__}"
            )
        return doc

    @property
    def effective_rtdr_version(self) -> int:
        """The option when given, else 2 when setting 8 contains ``/v2/`` (design 000 §New Request)."""
        if self.rtdr_version is not None:
            return self.rtdr_version
        return 2 if "/v2/" in (self.get(Setting.RTDR_URL) or "") else 1


def _setting_id(key: Any, where: str) -> int:
    if isinstance(key, bool):
        raise AdapterConfigError(f"{where}: setting ID {key!r} is not a number")
    try:
        return int(key)
    except (TypeError, ValueError):
        names = ", ".join(f"{int(s)} {s.title}" for s in Setting)
        raise AdapterConfigError(
            f"{where}: settings are keyed by IC setting ID (a number), found {key!r}; known IDs: {names}"
        ) from None


def _setting_value(key: Any, value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and _setting_id(key, where) == Setting.JSON_CONFIGURATION:
        # IC stores setting 131 as text; a scenario may write it as YAML for readability.
        return json.dumps(value)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise AdapterConfigError(f"{where}: {describe(int(key))} must be text, found {type(value).__name__}")


def _check_url(setting_id: int, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AdapterConfigError(
            f"{describe(setting_id)} must be an absolute http(s) URL, found {value!r}; "
            "give the full URL, e.g. https://billing.example/api/v1/accounts/{account_number}/"
        )
