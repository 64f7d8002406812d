"""What the adapters that cache a partner's JWT share (IMT, Spectrum): the expiry check and the cache."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import jwt

__all__ = ["EXPIRY_MARGIN_S", "TokenCache", "expiring"]

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


class TokenCache:
    """JWTs by who asked for them (token URL and credentials), each used until it is nearly expired on
    ``clock`` (seconds since the epoch) or the caller asks for a new one after a 401."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._tokens: dict[Hashable, str] = {}

    def fresh(self, key: Hashable, *, renew: bool = False) -> str | None:
        """The cached token, or None when there is none, it is nearly expired, or ``renew`` is asked
        (then it is forgotten)."""
        cached = self._tokens.pop(key, None)
        if cached and not renew and not expiring(cached, self._clock()):
            self._tokens[key] = cached
            return cached
        return None

    def keep(self, key: Hashable, token: str) -> None:
        self._tokens[key] = token
