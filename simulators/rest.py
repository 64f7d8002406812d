"""Shared plumbing for REST partner apps (Flask): app factory, JSON answers, tokens."""

from __future__ import annotations

import json
import uuid
from typing import Any

import jwt
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from contracts import Request, Violation
from simulators.context import SandboxContext
from simulators.partner import PartnerSimulator
from simulators.wsgi import NOTES_KEY, check_request, request_of

__all__ = ["create_partner_flask", "ctx", "reject", "json_answer", "own_request", "violations", "issue_token", "verify_token",
           "TokenError", "ERROR_CODES", "error_code", "token_detail"]


def create_partner_flask(sim: PartnerSimulator, context: SandboxContext) -> Flask:
    """A Flask app for one partner: state through ``app.extensions``, every error in the partner's form."""
    app = Flask(f"simulators.{sim.name}")
    app.extensions["partnersim"] = context
    app.extensions["partnersim.simulator"] = sim
    app.url_map.strict_slashes = False

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        detail = exc.description or exc.name
        if status == 404:
            misses = context.contract(sim.name).near_misses(request_of(request.environ))
            if misses:
                detail += " Nearest operations: " + "; ".join(str(m) for m in misses)
        reject(f"{status}: {detail}")
        body, content_type = sim.error_response(status, detail)
        return Response(body, status=status, content_type=content_type)

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> Response:
        context.record_error(exc)
        body, content_type = sim.error_response(500, "internal error in the sandbox")
        return Response(body, status=500, content_type=content_type)

    return app


def ctx() -> SandboxContext:
    context: SandboxContext = current_app.extensions["partnersim"]
    return context


def own_request() -> Request:
    return request_of(request.environ)


def violations(partner: str) -> list[Violation]:
    return check_request(ctx(), partner, request.environ)


def reject(reason: str) -> None:
    """Note in the journal why the partner refused this request (its business rule, in its words)."""
    environ = request.environ
    environ[NOTES_KEY] = (environ.get(NOTES_KEY, "") + f" rejected {reason}").strip()


def json_answer(doc: Any, status: int = 200, content_type: str = "application/json",
                headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(doc), status=status, content_type=content_type, headers=headers)


#: The JSON:API error codes a fault plan may ask of a REST partner (``answer: {error: <code>}``): status
#: and the default detail (Django REST framework's words, as IMT's answers use them).
ERROR_CODES: dict[str, tuple[int, str]] = {
    "invalid": (400, "Invalid input."),
    "not_authenticated": (401, "Authentication credentials were not provided."),
    "authentication_failed": (401, "Incorrect authentication credentials."),
    "permission_denied": (403, "You do not have permission to perform this action."),
    "not_found": (404, "Not found."),
    "method_not_allowed": (405, "Method not allowed."),
    "conflict": (409, "Conflict."),
    "request_too_large": (413, "Request body too large."),
    "unsupported_media_type": (415, "Unsupported media type in request."),
    "throttled": (429, "Request was throttled."),
    "error": (500, "A server error occurred."),
    "service_unavailable": (503, "Service temporarily unavailable, try again later."),
}
TOKEN_DETAILS = {"expired": "Token has expired.", "revoked": "Token has been revoked."}


def error_code(code: str) -> tuple[int, str]:
    """Status and default detail of a JSON:API error code; ``ValueError`` listing the codes for another."""
    if code not in ERROR_CODES:
        raise ValueError(f"expected one of {', '.join(f'{c} ({s})' for c, (s, _) in ERROR_CODES.items())}; "
                         f"found {code!r}")
    return ERROR_CODES[code]


def token_detail(code: str) -> str:
    """The detail of a 401 for a token that is ``expired`` or ``revoked``; ``ValueError`` for another."""
    if code not in TOKEN_DETAILS:
        raise ValueError(f"expected {' or '.join(TOKEN_DETAILS)}; found {code!r}")
    return TOKEN_DETAILS[code]


class TokenError(Exception):
    """A token that is missing, malformed, signed by someone else, expired or revoked."""


def issue_token(context: SandboxContext, issuer: str, subject: str) -> str:
    now = int(context.store.now())
    claims = {"iss": issuer, "sub": subject, "iat": now, "exp": now + context.config.token_ttl,
              "jti": uuid.uuid4().hex}
    return jwt.encode(claims, context.store.secret, algorithm="HS256")


def verify_token(context: SandboxContext, issuer: str, token: str) -> dict[str, Any]:
    """The token's claims; expiry is judged by the sandbox clock so that tests can move time."""
    if not token:
        raise TokenError("Authentication credentials were not provided.")
    cache = context.verified_tokens
    claims = cache.get((issuer, token))
    if claims is None:
        try:
            # Time is judged by the sandbox clock (below): PyJWT would judge iat and nbf by the real
            # clock and refuse a token issued after /__admin/clock moved time forward.
            claims = jwt.decode(token, context.store.secret, algorithms=["HS256"], issuer=issuer,
                                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                                         "require": ["exp", "iss", "sub"]})
        except jwt.InvalidTokenError as exc:
            raise TokenError(f"Invalid token: {exc}") from exc
        if len(cache) > 10_000:  # a signature, once checked, stays good; only the clock moves
            cache.clear()
        cache[(issuer, token)] = claims
    if claims["exp"] <= context.store.now():
        raise TokenError("Token has expired.")
    return claims


def bearer(header: str, schemes: tuple[str, ...] = ("Bearer",)) -> str:
    """The token of an ``Authorization`` header, bare or behind one of ``schemes``."""
    value = header.strip()
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() in {s.lower() for s in schemes}:
        return rest.strip()
    return value

