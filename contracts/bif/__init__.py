"""IC's invoice file (BIF): parse, build and check it against a partner's mapping."""

from contracts.bif.model import Invoice

__all__ = ["Invoice"]
