"""The client side: how IC calls each partner (the code under test).

``create_adapter(partner, settings)`` gives a partner's adapter for a biller's settings; its calls
take IC's view of invoices and payments and answer frozen results or raise ``AdapterError``s that
carry the exchange that caused them. Adapters never import the simulators: only the settings
(base URLs, credentials) differ between the sandbox and the real partner.
"""

from adapters.base import PartnerAdapter
from adapters.errors import (
    AdapterConfigError,
    AdapterError,
    AdapterInputError,
    AuthError,
    ContractViolation,
    JsonApiError,
    PartnerRejected,
    PartnerUnavailable,
)
from adapters.imt import ImtAdapter
from adapters.model import (
    BalanceRefresh,
    BalanceUpdate,
    Credit,
    CreditKind,
    CreditResult,
    Payment,
    PaymentMethod,
    PaymentResult,
    SettingsChange,
    SettingsResult,
    SkippedInvoice,
)
from adapters.registry import adapter_names, create_adapter
from adapters.sapiens import SapiensAdapter
from adapters.settings import BillerSettings, Setting
from adapters.spectrum import SpectrumAdapter
from adapters.tccs import TccsAdapter

__all__ = [
    "AdapterConfigError",
    "AdapterError",
    "AdapterInputError",
    "AuthError",
    "BalanceRefresh",
    "BalanceUpdate",
    "BillerSettings",
    "ContractViolation",
    "Credit",
    "CreditKind",
    "CreditResult",
    "ImtAdapter",
    "JsonApiError",
    "PartnerAdapter",
    "PartnerRejected",
    "PartnerUnavailable",
    "Payment",
    "PaymentMethod",
    "PaymentResult",
    "SapiensAdapter",
    "Setting",
    "SettingsChange",
    "SettingsResult",
    "SkippedInvoice",
    "SpectrumAdapter",
    "TccsAdapter",
    "adapter_names",
    "create_adapter",
]
