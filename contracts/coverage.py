"""Contract coverage: what a contract offers, and which of it an exchange exercised.

``universe(contract)`` lists, per category, every item a partner's contract offers:

* ``operations``: each operation;
* ``statuses``: each declared answer of an operation (``post_payment 200``, ``rtdr_v2 4XX``); a SOAP
  operation answers 200, or 500 with a Fault;
* ``return codes``: the business outcome an answer states (``Contract.outcome``): Sapiens' ``ReturnCode``
  enumeration (WSDL) per SOAP operation, TCCS's ``Status`` values per operation's answers;
* ``allocation levels``: the values of a ``selects`` rule of ``operations.yaml`` (Sapiens ``dbAllocLevel``
  A, C, N, P, I, S);
* ``grammar variants``: each variant of a ``contentInfo`` grammar, with and without each optional part
  (TCCS ``Pay_Input payment with payment_guid``);
* ``optional fields``: request fields the contract does not require (OpenAPI properties outside
  ``required`` as JSON pointers or ``form <name>``, optional query parameters, ``minOccurs="0"`` elements of
  a SOAP request payload's XSD).

``exercised(contract, exchange)`` gives the items one exchange (a journal entry) touched, in the same
names, so that a catalogue run can be compared with the universe: what was exercised, what never was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from contracts.contract import Contract
from contracts.exchange import Exchange, Request
from contracts.jsonbody import BodyError, is_form_media, parse_body

__all__ = ["CATEGORIES", "universe", "exercised"]

CATEGORIES = ("operations", "statuses", "return codes", "allocation levels", "grammar variants", "optional fields")
_XSD = "http://www.w3.org/2001/XMLSchema"
_OUTCOME_PROPERTY = "Status"  # the top-level answer property a JSON partner states its outcome in (TCCS)

Items = dict[str, set[str]]


def universe(contract: Contract) -> Items:
    from contracts.openapi import OpenApiContract
    from contracts.soap import SoapContract

    out: Items = {c: set() for c in CATEGORIES}
    out["operations"] = {op.name for op in contract.operations()}
    if isinstance(contract, OpenApiContract):
        _openapi_universe(contract, out)
    elif isinstance(contract, SoapContract):
        _soap_universe(contract, out)
    grammars = getattr(contract, "grammars", None)
    if grammars is not None:
        for grammar in grammars:
            for variant in grammar.variants:
                out["grammar variants"].update(_variant_items(grammar.operation, variant.name,
                                                              [p.rule.name for p in variant.parts if p.optional], None))
    return out


def exercised(contract: Contract, exchange: Exchange) -> Items:
    out: Items = {c: set() for c in CATEGORIES}
    match = contract.match(exchange.request)
    if match is None:
        return out
    op = match.operation.name
    out["operations"].add(op)
    request, response = exchange.request, exchange.response
    if response is not None:
        out["statuses"].add(f"{op} {_status_key(contract, op, response.status)}")
        for value in contract.outcome(response).values():
            out["return codes"].add(f"{op} {value}")
    from contracts.soap import SoapContract

    if isinstance(contract, SoapContract):
        spec = contract.spec(op)
        for rule in spec.rules:
            if rule.selects:
                level = contract.field(request, f"payload //{rule.context}/{rule.field}" if rule.context
                                       else f"payload /*/{rule.field}")
                if level:
                    out["allocation levels"].add(f"{op} {rule.field} {level}")
        out["optional fields"].update(f"{op} {name}" for name in _payload_names(contract, request))
    else:
        out["optional fields"].update(f"{op} {name}" for name in _request_names(request))
    grammars = getattr(contract, "grammars", None)
    if grammars is not None and grammars.get(op) is not None:
        form = contract.field(request, f"form {grammars.form_field}")
        if form is not None:
            parsed = contract.parse_content(op, form)  # type: ignore[attr-defined]
            grammar = grammars.get(op)
            variant = grammar.variant_for(form)
            optional = [p.rule.name for p in variant.parts if p.optional]
            out["grammar variants"].update(_variant_items(op, parsed.variant, optional, set(parsed.fields)))
    return out


def _status_key(contract: Contract, op: str, status: int) -> str:
    """The declared answer a status falls under (``404``, else ``4XX``, else ``default``), as OpenAPI reads it."""
    from contracts.openapi import OpenApiContract

    if not isinstance(contract, OpenApiContract):
        return str(status)
    declared = contract._op(op).spec.get("responses", {})
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in declared:
            return key
    return str(status)


def _variant_items(op: str, variant: str, optional: list[str], present: set[str] | None) -> set[str]:
    name = f"{op} {variant}" if variant else op
    if not optional:
        return {name}
    items = set()
    for part in optional:
        if present is None:
            items |= {f"{name} with {part}", f"{name} without {part}"}
        else:
            items.add(f"{name} {'with' if part in present else 'without'} {part}")
    return items


# -- OpenAPI ------------------------------------------------------------------------------------
def _openapi_universe(contract: Any, out: Items) -> None:
    for op in contract._ops:
        name = op.info.name
        for key in op.spec.get("responses", {}):
            out["statuses"].add(f"{name} {key}")
            _, spec = contract._deref_at(f"{op.pointer}/responses/{key}", op.spec["responses"][key])
            for media in (spec.get("content") or {}).values():
                if "schema" in media:
                    schema = contract._inline(media["schema"], ())
                    out["return codes"].update(f"{name} {v}" for v in _property_values(schema, _OUTCOME_PROPERTY))
        for _, param in op.params:
            if param.get("in") == "query" and not param.get("required", False):
                out["optional fields"].add(f"{name} query {param['name']}")
        if "requestBody" in op.spec:
            _, body = contract._deref_at(f"{op.pointer}/requestBody", op.spec["requestBody"])
            for media_type, media in (body.get("content") or {}).items():
                if "schema" not in media:
                    continue
                schema = contract._inline(media["schema"], ())
                form = is_form_media(media_type)
                for pointer in _optional_pointers(schema, "", required=True):
                    out["optional fields"].add(f"{name} {'form ' + pointer.lstrip('/') if form else pointer}")


def _merged(schema: Any) -> dict[str, Any]:
    """An object schema with its ``allOf`` parts folded in (properties and required)."""
    if not isinstance(schema, dict):
        return {}
    props: dict[str, Any] = dict(schema.get("properties") or {})
    required: list[str] = list(schema.get("required") or [])
    for part in schema.get("allOf") or []:
        sub = _merged(part)
        props.update(sub.get("properties") or {})
        required += sub.get("required") or []
    return {**schema, "properties": props, "required": required}


def _optional_pointers(schema: Any, pointer: str, *, required: bool) -> Iterator[str]:
    if pointer and not required:
        yield pointer
    node = _merged(schema)
    if node.get("type") == "array" or "items" in node:
        yield from _optional_pointers(node.get("items"), f"{pointer}/*", required=True)
    for key, sub in (node.get("properties") or {}).items():
        yield from _optional_pointers(sub, f"{pointer}/{key}", required=key in node["required"])


def _property_values(schema: Any, prop: str) -> set[str]:
    node = _merged(schema)
    values: set[str] = set()
    for alternative in (node.get("oneOf") or []) + (node.get("anyOf") or []):
        values |= _property_values(alternative, prop)
    sub = _merged((node.get("properties") or {}).get(prop))
    if "const" in sub:
        values.add(str(sub["const"]))
    values.update(str(v) for v in sub.get("enum") or [])
    return values


def _request_names(request: Request) -> set[str]:
    """The query parameters and body fields of a request, named as ``universe`` names optional fields."""
    names = {f"query {k}" for k in request.query}
    media = request.header("content-type")
    if is_form_media(media):
        try:
            names |= {f"form {k}" for k in parse_body(request.body, media)}
        except BodyError:
            pass
        return names
    try:
        doc = json.loads(request.body) if request.body.strip() else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return names
    names |= set(_json_pointers(doc, ""))
    return names


def _json_pointers(doc: Any, pointer: str) -> Iterator[str]:
    if pointer:
        yield pointer
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _json_pointers(value, f"{pointer}/{key}")
    elif isinstance(doc, list):
        for value in doc:
            yield from _json_pointers(value, f"{pointer}/*")


# -- SOAP ---------------------------------------------------------------------------------------
def _soap_universe(contract: Any, out: Items) -> None:
    codes: dict[str, list[str]] = {}
    for name, service in contract._services.items():
        root = etree.fromstring(service.raw)
        codes[name] = [str(e.get("value")) for e in root.iterfind(
            f".//{{{_XSD}}}simpleType[@name='ReturnCode']//{{{_XSD}}}enumeration")]
    for op in contract._ops:
        name = op.info.name
        if op.kind != "soap":
            out["statuses"].add(f"{name} 200")
            continue
        out["statuses"] |= {f"{name} 200", f"{name} 500"}
        out["return codes"].update(f"{name} {code}" for code in codes.get(op.service, []))
        for rule in op.rules:
            out["allocation levels"].update(f"{name} {rule.field} {key}" for key in rule.selects)
        if op.request is not None:
            out["optional fields"].update(f"{name} {e}" for e in _xsd_optional(contract.folder / op.request.xsd))


def _xsd_optional(path: Any) -> set[str]:
    root = etree.parse(str(path)).getroot()
    return {str(e.get("name")) for e in root.iter(f"{{{_XSD}}}element")
            if e.get("name") and e.get("minOccurs") == "0"}


def _payload_names(contract: Any, request: Request) -> set[str]:
    """The local names of the elements of a SOAP request's payload (the XML inside ``<Data>``)."""
    from contracts.soap import _body_child
    from contracts.xmlbody import XmlProblem, parse_xml, unwrap_payload

    try:
        element = _body_child(parse_xml(request.body, part="envelope"))
        data = element.find(contract._payload_tag) if element is not None else None
        if data is None:
            return set()
        payload = parse_xml(unwrap_payload("".join(data.itertext()))[0].strip(), part="payload")
    except XmlProblem:
        return set()
    return {etree.QName(e).localname for e in payload.iter() if isinstance(e.tag, str)}
