"""A scenario that reproduces exchanges: a journal slice of the sandbox, or a recording of a partner.

Each exchange becomes a ``send`` step with the request written in it (method, host, path, query, the
headers that matter, the body as recorded) expecting the recorded status, and the exchange the partner
received (its operation, answered with that status). ``given`` is left out: the sandbox's demo data.

Secrets were scrubbed before anything was written, so the bodies hold ``<REDACTED>`` placeholders; with
``credentials`` (the sandbox's, ``GET /__admin/credentials``) the placeholders of known credential fields
(``password``, ``entryKey``, ``consumerGUID``, Spectrum's ``token``, WS-Security ``Password``) are replaced.
A bearer token or session cookie (``Authorization``, ``Cookie``) cannot be written ahead of time: the
exchange that issued it (an operation the contract marks ``x-partnersim-issues``: IMT ``token``, Spectrum
``token`` and ``sessions``) becomes a step that captures the fresh value from the answer
(``capture: {token: {json: /data/attributes/auth}}``), and the later requests carry it back as the
contract says (``Authorization: "Bearer {token}"``, ``Cookie: "sessionid={session}"``). A request whose
token was issued before the slice is written without it, and the file's opening comment says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import yaml

from contracts import Exchange, HarnessError, load_contract
from contracts.contract import IssuedToken
from contracts.exchange import REDACTED

from scenarios.errors import ScenarioError

__all__ = ["scenario_from_exchanges", "CREDENTIAL_FIELDS"]

#: Field (or element) name, lower case -> the key of the sandbox's credential set it takes.
CREDENTIAL_FIELDS: Mapping[str, str] = {
    "password": "password",
    "username_or_email": "username",
    "username": "username",
    "entrykey": "tccs_entry_key",
    "consumerguid": "tccs_consumer_guid",
    "token": "spectrum_api_token",
}
_KEPT_OUT = frozenset({"content-length", "host", "user-agent", "accept-encoding", "accept", "connection",
                       "authorization", "cookie", "proxy-authorization", "transfer-encoding"})
_FORM_PLACEHOLDER = "%3CREDACTED%3E"
_XML_PLACEHOLDER = "&lt;REDACTED&gt;"


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def substitute_credentials(text: str, credentials: Mapping[str, str]) -> str:
    """``text`` with the placeholder of every credential field it knows replaced by the credential."""

    def value(name: str) -> str | None:
        key = CREDENTIAL_FIELDS.get(name.lower())
        return credentials.get(key) if key else None

    def form(m: re.Match[str]) -> str:
        found = value(m.group(2))
        from urllib.parse import quote_plus

        return m.group(0) if found is None else f"{m.group(1)}{m.group(2)}={quote_plus(found)}"

    def json_field(m: re.Match[str]) -> str:
        import json

        found = value(m.group(1))
        return m.group(0) if found is None else m.group(0)[: -len(f'"{REDACTED}"')] + json.dumps(found)

    def xml(m: re.Match[str]) -> str:
        from xml.sax.saxutils import escape

        found = value(m.group(2))
        return m.group(0) if found is None else m.group(1) + escape(found) + m.group(3)

    text = re.sub(r"(^|[&;])([^&;=]+)=" + re.escape(_FORM_PLACEHOLDER), form, text)
    text = re.sub(r'"([^"\\]+)"\s*:\s*"' + re.escape(REDACTED) + '"', json_field, text)
    return re.sub(r"(<(?:[\w.-]+:)?([\w.-]+)\b[^>]*>)" + re.escape(_XML_PLACEHOLDER) + r"(</)", xml, text)


def _issued(exchange: Exchange) -> IssuedToken | None:
    """The token or session the exchange's operation issues, as its contract says (None: not such a call)."""
    if not exchange.operation:
        return None
    try:
        operations = load_contract(exchange.partner).operations()
    except HarnessError:
        return None
    return next((op.issues for op in operations if op.name == exchange.operation), None)


def _capture(issued: IssuedToken) -> dict[str, str]:
    if issued.json:
        return {"json": issued.json}
    return {"header": issued.header, **({"matches": issued.matches} if issued.matches else {})}


def _escape_braces(text: str) -> str:
    """Recorded text as a written request's template: a literal ``{name}`` is written ``{{name}}``."""
    return re.sub(r"\{([A-Za-z_]\w*)\}", r"{{\1}}", text)


def _step(exchange: Exchange, credentials: Mapping[str, str] | None,
          carried: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The send step of one exchange, and what could not be written (left-out secret headers). ``carried``:
    header (lower case) -> its value as a template of a value captured earlier (``Bearer {token}``)."""
    req = exchange.request
    written: dict[str, Any] = {"method": req.method}
    if req.host:
        written["host"] = req.host
    written["path"] = _escape_braces(req.path)
    if req.query:
        written["query"] = {k: _escape_braces(v[0] if isinstance(v, list) and v else str(v))
                            for k, v in req.query.items()}
    headers = {k: _escape_braces(v) for k, v in req.headers.items()
               if k.lower() not in _KEPT_OUT and REDACTED not in v}
    secret = [k for k, v in req.headers.items() if k.lower() in ("authorization", "cookie") and v]
    headers.update({k: carried[k.lower()] for k in secret if k.lower() in carried})
    left_out = [k for k in secret if k.lower() not in carried]
    if headers:
        written["headers"] = headers
    if req.body:
        text = req.text
        written["body"] = _escape_braces(substitute_credentials(text, credentials) if credentials else text)
    assert exchange.response is not None
    status = exchange.response.status
    expect: dict[str, Any] = {"result": {"status": status}}
    if exchange.operation:
        expect["exchanges"] = [{"operation": exchange.qualified_operation, "count": 1, "response": {"status": status}}]
    name = f"{exchange.id + ' ' if exchange.id else ''}{exchange.qualified_operation} answered {status}"
    step: dict[str, Any] = {"name": name, "send": {"request": written}}
    issued = _issued(exchange)
    if issued is not None and status < 300:
        step["capture"] = {issued.name: _capture(issued)}
    step["expect"] = expect
    return step, left_out


def scenario_from_exchanges(exchanges: Sequence[Exchange], *, origin: str, credentials: Mapping[str, str] | None = None,
                            partner: str = "") -> str:
    """The scenario's YAML text (with an opening comment), reproducing ``exchanges`` in order."""
    partners = sorted({e.partner for e in exchanges if not partner or e.partner == partner})
    if not partners:
        raise ScenarioError(f"nothing to turn into a scenario: no exchanges{' of ' + partner if partner else ''} in {origin}")
    if len(partners) > 1:
        raise ScenarioError(f"{origin} holds exchanges of several partners ({', '.join(partners)}); a scenario is "
                            "about one: choose one with --partner")
    chosen = partners[0]
    steps: list[dict[str, Any]] = []
    skipped: list[str] = []
    token_steps: list[str] = []
    carried: dict[str, str] = {}  # header (lower case) -> the template that carries a captured token
    for exchange in exchanges:
        if exchange.partner != chosen:
            continue
        if exchange.response is None:
            skipped.append(exchange.id or exchange.qualified_operation)
            continue
        step, left_out = _step(exchange, credentials, carried)
        steps.append(step)
        if left_out:
            token_steps.append(f"{step['name']} ({', '.join(left_out)})")
        issued = _issued(exchange)
        if "capture" in step and issued is not None:
            carried[issued.carried_in.lower()] = issued.carried_as.replace("{value}", "{" + issued.name + "}")
    if not steps:
        raise ScenarioError(f"nothing to turn into a scenario: no exchange of {chosen} in {origin} has an answer")
    doc = {"version": 1, "partner": chosen, "title": f"Reproduces {origin}",
           "source": f"generated {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')} from {origin}", "steps": steps}
    comment = [f"Generated by partnersim from {origin}: one send step per exchange, expecting the recorded status.",
               "given is left out: the steps run on the sandbox's demo data.",
               "Secrets were scrubbed when the exchanges were recorded: <REDACTED> in a body is a placeholder."]
    if credentials:
        comment.append("The placeholders of credential fields (password, entryKey, consumerGUID, token) were replaced "
                       "by the sandbox's credentials (GET /__admin/credentials).")
    else:
        comment.append("Replace them with real values (or generate with --credentials sandbox) before running this "
                       "against a sandbox that checks them.")
    captures = [f"{s['name']} ({', '.join(s['capture'])})" for s in steps if "capture" in s]
    if captures:
        comment.append("Tokens and sessions are not written: the steps that get them capture them from the "
                       "sandbox's answer, and the later requests carry them as {name}: " + "; ".join(captures) + ".")
    if token_steps:
        comment.append("These requests carried a token or session cookie the partner issued at the time, which a written "
                       "request cannot carry; they are sent without it and the partner will refuse them: "
                       + "; ".join(token_steps) + ".")
    if skipped:
        comment.append("Left out, never answered (dropped connection or timeout): " + ", ".join(skipped) + ".")
    header = "".join(f"# {line}\n" for line in _wrap(comment))
    return header + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def _wrap(lines: list[str]) -> list[str]:
    import textwrap

    out: list[str] = []
    for line in lines:
        out.extend(textwrap.wrap(line, 106) or [""])
    return out
