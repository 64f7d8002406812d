"""What the adapters that cache a partner's JWT share (IMT, Spectrum)."""

from __future__ import annotations

import jwt

__all__ = ["EXPIRY_MARGIN_S", "expiring"]

EXPIRY_MARGIN_S = 30  # renew a JWT this close to its ``exp`` before using it, rather than eat a 401


def expiring(token: str, now: float) -> bool:
    """Whether a JWT's ``exp`` is (nearly) past. A token we cannot read is used until the partner
    answers 401: the partner, not the adapter, decides what a token is worth."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    expiry = claims.get("exp")
    return isinstance(expiry, (int, float)) and expiry <= now + EXPIRY_MARGIN_S
