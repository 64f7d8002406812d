"""SOAP 1.1 contracts: WSDL 1.1 and XSD, with the real message carried as XML text inside the body.

A SOAP partner does not tell its operations apart by path: one endpoint takes every action and a field
of the body element names it (Sapiens: ``ActionCode`` and, for searches, ``InterfaceCode``). The action's
own document travels as text in another field (``<Data>``, a CDATA section), so a message is checked in
two passes, as ``contracts.xmlbody`` describes: the envelope (well-formed, WS-Security UsernameToken, the
body element against the WSDL's types schema), then the payload against its own XSD and the rules XSD 1.0
cannot state (which element a code selects, two amounts that must agree).

What is partner-specific lives in ``operations.yaml`` next to the WSDLs (``contracts/sapiens``): the
services (WSDL, path, body elements), the dispatch fields, and per operation its codes, payload XSDs and
rules. Everything is read and compiled when the contract loads; a check parses a message once, and
``match`` parses each distinct body once (cached).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass, replace
from dataclasses import field as _field
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml
from lxml import etree

from contracts.contract import Contract, NearMiss, OperationInfo, OperationMatch
from contracts.errors import ContractLoadError
from contracts.exchange import Request, Response
from contracts.violation import Violation
from contracts.xmlbody import XmlProblem, XmlSchema, parse_xml, unwrap_payload

__all__ = ["SoapContract", "SoapOperation", "Payload", "Rule", "SOAP_ENV", "WSSE", "PASSWORD_TEXT", "WSDL_NS"]

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
SOAP_HTTP = "http://schemas.xmlsoap.org/soap/http"
_KINDS = ("soap", "wsdl", "xml")
_SIDES = ("request", "response")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(:path)?\}")


@dataclass(frozen=True)
class Payload:
    """The document an operation carries: its XSD (relative to the contract folder) and root element."""

    xsd: str
    root: str
    wrapped: bool = False  # wrapped once more in a literal <![CDATA[ ... ]]> (a plain payload is accepted too)


@dataclass(frozen=True)
class Rule:
    """A co-occurrence rule: ``selects`` (the value of ``field`` in ``context`` names the one element of the
    set that must be there) or ``equal`` (the amounts at these paths must be equal)."""

    section: str = ""
    context: str = ""
    field: str = ""
    selects: Mapping[str, str] = _field(default_factory=dict)
    equal: tuple[str, ...] = ()


@dataclass(frozen=True)
class SoapOperation:
    """Everything ``operations.yaml`` says about one operation."""

    info: OperationInfo
    kind: str  # soap | wsdl | xml
    service: str = ""
    action_code: str = ""
    interface_code: str = ""
    response_action_codes: tuple[str, ...] = ()
    request: Payload | None = None
    response: Payload | None = None
    rules: tuple[Rule, ...] = ()
    headers: tuple[str, ...] = ()
    section: str = ""
    assumed: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None


class _Checker:
    """An ``XmlSchema`` behind a lock: lxml keeps one error log per schema, so validations must not overlap."""

    def __init__(self, schema: XmlSchema) -> None:
        self.schema = schema
        self._lock = threading.Lock()

    def violations(self, root: etree._Element, part: str) -> list[Violation]:
        with self._lock:
            return self.schema.violations(root, part=part)


@dataclass(frozen=True)
class _Service:
    name: str
    path: str
    wsdl_path: Path
    raw: bytes
    location: str
    target_namespace: str
    request_element: str  # Clark notation
    response_element: str
    request_name: str  # prefixed, as violations write it
    response_name: str
    types: _Checker


@lru_cache(maxsize=512)
def _dispatch_codes(body: bytes, action: str, interface: str) -> tuple[str, str] | None:
    """(ActionCode, InterfaceCode) of a SOAP request body, or None when it is not a readable envelope."""
    try:
        root = parse_xml(body, part="envelope")
    except XmlProblem:
        return None
    element = _body_child(root)
    if element is None:
        return None
    return _text(element.find(action)), _text(element.find(interface))


def _body_child(root: etree._Element) -> etree._Element | None:
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        return None
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        return None
    return next((child for child in body if isinstance(child.tag, str)), None)


def _text(node: etree._Element | None) -> str:
    return "".join(node.itertext()).strip() if node is not None else ""


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class SoapContract(Contract):
    """A SOAP 1.1 partner from its WSDLs, payload XSDs and ``operations.yaml``."""

    kind = "soap"
    media_type = "text/xml"

    def __init__(self, partner: str, operations: Path, exchanges_dir: Path | None = None) -> None:
        super().__init__(partner, exchanges_dir)
        self.path = operations
        self.folder = operations.parent
        try:
            doc = yaml.safe_load(operations.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ContractLoadError(f"{operations}: cannot read the operations file: {exc}") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("operations"), dict) or not doc.get("services"):
            raise ContractLoadError(f"{operations}: not an operations file (needs 'services' and 'operations')")
        if doc.get("partner", partner) != partner:
            raise ContractLoadError(f"{operations}: describes partner {doc.get('partner')!r}, not {partner!r}")
        self._namespaces: dict[str, str] = {str(k): str(v) for k, v in (doc.get("namespaces") or {}).items()}
        self._prefixes = {uri: prefix for prefix, uri in self._namespaces.items()}
        security = doc.get("security") or {}
        self._token_required = security.get("username_token") == "required"
        self._password_type = str(security.get("password_type", ""))
        dispatch = doc.get("dispatch") or {}
        self._action_tag = str(dispatch.get("action", "ActionCode"))
        self._interface_tag = str(dispatch.get("interface", "InterfaceCode"))
        self._payload_tag = str(dispatch.get("payload", "Data"))
        self._result_path = str(dispatch.get("result", "TransResult/ReturnCode"))
        self._success = str(dispatch.get("success", "SUCCESS"))
        self._schemas: dict[str, _Checker] = {}
        self._services = {str(name): self._load_service(str(name), spec) for name, spec in doc["services"].items()}
        self._by_path = {s.path: s for s in self._services.values()}
        self._document_service = str(doc.get("document", next(iter(self._services))))
        if self._document_service not in self._services:
            raise ContractLoadError(f"{operations}: document: no service {self._document_service!r}")
        self._ops = [self._load_operation(str(name), spec) for name, spec in doc["operations"].items()]
        self._spec = {op.info.name: op for op in self._ops}
        self._by_action = {(self._services[op.service].path, op.action_code, op.interface_code): op
                           for op in self._ops if op.kind == "soap"}
        self._wsdl_ops = {op.service: op for op in self._ops if op.kind == "wsdl"}

    # -- loading ----------------------------------------------------------------------------
    def _where(self, *keys: str) -> str:
        return f"{self.path}: {'/'.join(keys)}"

    def _clark(self, qname: str, where: str) -> str:
        prefix, _, local = qname.partition(":")
        if not local or prefix not in self._namespaces:
            raise ContractLoadError(f"{where}: {qname!r} needs a prefix declared under 'namespaces'")
        return f"{{{self._namespaces[prefix]}}}{local}"

    def _prefix(self, uri: str) -> str:
        """``soapenv:`` for the SOAP envelope namespace: the contract's prefix, or the Clark form."""
        return f"{self._prefixes[uri]}:" if uri in self._prefixes else f"{{{uri}}}"

    def _qname(self, clark: str) -> str:
        """A Clark name written with the contract's prefix (``{ns}Body`` -> ``soapenv:Body``)."""
        if clark.startswith("{"):
            uri, _, local = clark[1:].partition("}")
            return f"{self._prefixes[uri]}:{local}" if uri in self._prefixes else clark
        return clark

    def _load_service(self, name: str, spec: Any) -> _Service:
        where = self._where("services", name)
        if not isinstance(spec, dict) or not {"wsdl", "path", "request_element", "response_element"} <= set(spec):
            raise ContractLoadError(f"{where}: needs wsdl, path, request_element and response_element")
        wsdl_path = self.folder / str(spec["wsdl"])
        try:
            raw = wsdl_path.read_bytes()
            root = parse_xml(raw, part="wsdl")
        except (OSError, XmlProblem) as exc:
            raise ContractLoadError(f"{wsdl_path}: cannot read the WSDL: {exc}") from exc
        address = root.find(f"{{{WSDL_NS}}}service/{{{WSDL_NS}}}port/{{{WSDL_SOAP}}}address")
        schema = root.find(f"{{{WSDL_NS}}}types/{{{XSD_NS}}}schema")
        if address is None or schema is None:
            raise ContractLoadError(f"{wsdl_path}: needs wsdl:types with an xs:schema and a port with soap:address")
        try:
            types = XmlSchema(wsdl_path, etree.XMLSchema(_standalone(schema)))
        except etree.XMLSchemaParseError as exc:
            raise ContractLoadError(f"{wsdl_path}: its types schema does not compile: {exc}") from exc
        request, response = str(spec["request_element"]), str(spec["response_element"])
        return _Service(name=name, path=str(spec["path"]), wsdl_path=wsdl_path, raw=raw,
                        location=str(address.get("location", "")),
                        target_namespace=str(root.get("targetNamespace", "")),
                        request_element=self._clark(request, where), response_element=self._clark(response, where),
                        request_name=request, response_name=response, types=_Checker(types))

    def _checker(self, xsd: str) -> _Checker:
        found = self._schemas.get(xsd)
        if found is None:
            found = self._schemas[xsd] = _Checker(XmlSchema.load(self.folder / xsd))
        return found

    def _payload(self, spec: Any, where: str) -> Payload | None:
        if spec is None:
            return None
        if not isinstance(spec, dict) or "xsd" not in spec or "root" not in spec:
            raise ContractLoadError(f"{where}: a payload needs 'xsd' and 'root'")
        payload = Payload(str(spec["xsd"]), str(spec["root"]), bool(spec.get("wrapped", False)))
        self._checker(payload.xsd)  # compiled now: a broken XSD stops the contract from loading
        return payload

    def _load_operation(self, name: str, spec: Any) -> SoapOperation:
        where = self._where("operations", name)
        if not isinstance(spec, dict) or spec.get("kind") not in _KINDS:
            raise ContractLoadError(f"{where}: 'kind' must be one of {', '.join(_KINDS)}")
        kind = str(spec["kind"])
        service = str(spec.get("service", ""))
        if kind in ("soap", "wsdl") and service not in self._services:
            raise ContractLoadError(f"{where}: service {service!r} is not one of {', '.join(self._services)}")
        regex = None
        if kind == "soap":
            if not spec.get("action_code"):
                raise ContractLoadError(f"{where}: a soap operation needs an action_code")
            method, path = "POST", self._services[service].path
        elif kind == "wsdl":
            method, path = "GET", self._services[service].path + ".wsdl"
        else:
            method, path = str(spec.get("method", "GET")).upper(), str(spec.get("path", ""))
            if not path.startswith("/"):
                raise ContractLoadError(f"{where}: an xml operation needs a path")
            regex = _path_regex(path)
        info = OperationInfo(partner=self.partner, name=name, method=method, host="", path=_PARAM.sub(r"{\1}", path),
                             summary=str(spec.get("summary", "")), safe=bool(spec.get("safe", method == "GET")))
        rules = tuple(_rule(r, f"{where}/rules") for r in spec.get("rules") or [])
        return SoapOperation(
            info=info, kind=kind, service=service, action_code=str(spec.get("action_code", "")),
            interface_code=str(spec.get("interface_code", "") or ""),
            response_action_codes=tuple(str(c) for c in spec.get("response_action_codes") or []),
            request=self._payload(spec.get("request"), f"{where}/request"),
            response=self._payload(spec.get("response"), f"{where}/response"),
            rules=rules, headers=tuple(str(h) for h in spec.get("headers") or []),
            section=str(spec.get("section", "")), assumed=tuple(str(a) for a in spec.get("assumed") or []),
            regex=regex)

    # -- documents --------------------------------------------------------------------------
    def document(self) -> tuple[bytes, str]:
        return self._services[self._document_service].raw, self.media_type

    def wsdl(self, service: str, address: str | None = None) -> bytes:
        """The service's WSDL, its ``soap:address`` pointing at ``address`` when given."""
        found = self._services.get(service)
        if found is None:
            raise KeyError(f"no service {service!r}; services: {', '.join(self._services)}")
        if address is None:
            return found.raw
        old = f'location="{escape(found.location, {chr(34): "&quot;"})}"'.encode()
        new = f'location="{escape(address, {chr(34): "&quot;"})}"'.encode()
        return found.raw.replace(old, new)

    def document_violations(self) -> list[Violation]:
        out: list[Violation] = []
        for service in self._services.values():
            out.extend(_wsdl_problems(service))
        for xsd in sorted(self.folder.glob("xsd/*.xsd")):
            try:
                XmlSchema.load(xsd)
            except ContractLoadError as exc:
                out.append(Violation(f"document {xsd.relative_to(self.folder)}", "a valid XML Schema", str(exc)[-200:]))
        for op in self._ops:
            for side, payload in (("request", op.request), ("response", op.response)):
                if payload is not None and not _declares(self.folder / payload.xsd, payload.root):
                    out.append(Violation(f"document {self.path.name}#/operations/{op.info.name}/{side}",
                                         f"a global element {payload.root} in {payload.xsd}", "none",
                                         contract=self.path.name))
        return out

    # -- named fields -----------------------------------------------------------------------
    def outcome(self, response: Response) -> dict[str, str]:
        """The answer's ``ReturnCode`` (``header TransResult/ReturnCode``: SUCCESS, NONEFOUND, FAILURE...)."""
        name = f"header {self._result_path}"
        code = self.field(response, name)
        return {name: code} if code else {}

    def field_kinds(self) -> tuple[str, ...]:
        return (*super().field_kinds(), "payload", "header")

    def field(self, message: Request | Response, name: str) -> str | None:
        """``payload <xpath>``: an XPath into the payload of ``<Data>`` (the CDATA text, unwrapped of
        Sapiens' literal ``<![CDATA[`` when there is one), e.g. ``payload //remit/paymentID``;
        ``header <xpath>``: an XPath from the body element (``PWInvokeBillingActionRequest``), e.g.
        ``header TransRef``, ``header TransResult/ReturnCode``; ``ActionCode`` and ``InterfaceCode`` alone
        are short for ``header ActionCode`` / ``header InterfaceCode``. XPaths may use the contract's
        prefixes (``bil``, ``sch``, ``wsse``, ``soapenv``). A node found is its text, stripped; an
        attribute or an XPath function its value. JSON pointers and ``form <name>`` as every contract."""
        if name in (self._action_tag, self._interface_tag):
            name = f"header {name}"
        kind, _, rest = name.partition(" ")
        if kind not in ("payload", "header") or not rest.strip():
            return super().field(message, name)
        xpath = _compiled_xpath(rest.strip(), tuple(sorted(self._namespaces.items())))
        try:
            envelope = parse_xml(message.body, part="envelope")
        except XmlProblem:
            return None
        element = _body_child(envelope)
        if element is None:
            return None
        if kind == "header":
            return _xpath_value(xpath, element)
        data = element.find(self._payload_tag)
        if data is None:
            return None
        try:
            payload = parse_xml(unwrap_payload("".join(data.itertext()))[0].strip(), part="payload")
        except XmlProblem:
            return None
        return _xpath_value(xpath, payload)

    # -- operations -------------------------------------------------------------------------
    def operations(self) -> list[OperationInfo]:
        return [op.info for op in self._ops]

    def spec(self, operation: str) -> SoapOperation:
        """What ``operations.yaml`` says about an operation (codes, payloads, rules, ``assumed``)."""
        found = self._spec.get(operation)
        if found is None:
            raise KeyError(f"no operation {operation!r}; operations: {', '.join(self._spec)}")
        return found

    def operation_by_action(self, service_path: str, action_code: str, interface_code: str = "") -> OperationInfo | None:
        """The operation a request to ``service_path`` with these codes invokes, or None.

        An ``InterfaceCode`` sent with an action that takes none is ignored (assumed).
        """
        op = self._by_action.get((service_path, action_code, interface_code or ""))
        if op is None and interface_code:
            op = self._by_action.get((service_path, action_code, ""))
        return op.info if op is not None else None

    def payload_schema(self, operation: str, side: str) -> XmlSchema:
        """The XSD of an operation's request or response payload."""
        return self._checker(self._payload_of(operation, side).xsd).schema

    def match(self, request: Request) -> OperationMatch | None:
        method, path = request.method, request.path
        if method == "POST" and path in self._by_path:
            codes = _dispatch_codes(request.body, self._action_tag, self._interface_tag)
            info = self.operation_by_action(path, *codes) if codes is not None else None
            return OperationMatch(info) if info is not None else None
        if method == "GET":
            service = self._wsdl_service(request)
            if service is not None and service.name in self._wsdl_ops:
                return OperationMatch(self._wsdl_ops[service.name].info)
        for op in self._ops:
            if op.regex is not None and op.info.method == method:
                m = op.regex.match(path)
                if m:
                    return OperationMatch(op.info, m.groupdict())
        return None

    def _wsdl_service(self, request: Request) -> _Service | None:
        if request.path.endswith(".wsdl"):
            return self._by_path.get(request.path[: -len(".wsdl")])
        if any(key.lower() == "wsdl" for key in request.query):
            return self._by_path.get(request.path)
        return None

    def _path_matches(self, op: SoapOperation, request: Request) -> bool:
        if op.kind == "soap":
            return request.path == op.info.path
        if op.kind == "wsdl":
            service = self._services[op.service]
            return request.path in (op.info.path, service.path)
        return op.regex is not None and op.regex.match(request.path) is not None

    def near_misses(self, request: Request, limit: int = 3) -> list[NearMiss]:
        codes = _dispatch_codes(request.body, self._action_tag, self._interface_tag) if request.body else None
        scored: list[tuple[int, float, NearMiss]] = []
        for op in self._ops:
            diffs: list[Violation] = []
            likeness = 0.0
            if not self._path_matches(op, request):
                diffs.append(Violation("path", op.info.path, request.path))
            if op.info.method != request.method:
                diffs.append(Violation("method", op.info.method, request.method))
            if op.kind == "soap" and codes is not None:
                if codes[0] != op.action_code:
                    diffs.append(Violation(f"envelope {self._action_tag}", op.action_code, codes[0] or "absent"))
                    likeness = SequenceMatcher(None, codes[0], op.action_code).ratio()
                if op.interface_code and codes[1] != op.interface_code:
                    diffs.append(Violation(f"envelope {self._interface_tag}", op.interface_code, codes[1] or "absent"))
            scored.append((len(diffs), -likeness, NearMiss(op.info, diffs)))
        scored.sort(key=lambda item: item[:2])
        return [miss for _, _, miss in scored[:limit]]

    # -- requests ---------------------------------------------------------------------------
    def check_request(self, request: Request, match: OperationMatch | None = None) -> list[Violation]:
        match = match or self.match(request)
        if match is None:
            service = self._by_path.get(request.path) if request.method == "POST" else None
            if service is None:
                return [self._no_operation(request)]
            return self._soap_request(request, service, None)  # reports the unknown ActionCode
        op = self._spec[match.operation.name]
        if op.kind == "soap":
            return self._soap_request(request, self._services[op.service], op)
        return [Violation(f"header {name}", "present (required)", "absent", f"{self.path.name}#/operations/{op.info.name}")
                for name in op.headers if not request.header(name)]

    def _soap_request(self, request: Request, service: _Service, op: SoapOperation | None) -> list[Violation]:
        out = list(self._content_type(request.header("content-type"), "header Content-Type", service))
        try:
            root = parse_xml(request.body, part="envelope")
        except XmlProblem as exc:
            return [*out, exc.violation]
        if self._token_required and root.tag == f"{{{SOAP_ENV}}}Envelope":
            out.extend(self._security(root, service))  # the header first, whatever the body holds
        element = self._envelope(root, service.request_element, service.request_name, "envelope", service, out)
        if element is None:
            return out
        base = self._body_path(service.request_name)
        out.extend(self._types(service, element, base, "envelope"))
        if op is None:
            out.append(self._unknown_action(service, element, base))
            return out
        assert op.request is not None, f"{op.info.name}: a soap operation carries a request payload"
        data = element.find(self._payload_tag)
        if data is None:
            return out  # the types schema has said it is missing
        text = "".join(data.itertext())
        if not unwrap_payload(text)[0].strip():
            out.append(Violation(f"envelope {base}/{self._payload_tag}",
                                 f"a {op.request.root} document ({Path(op.request.xsd).name})", "empty",
                                 contract=Path(op.request.xsd).name))
            return out
        out.extend(self.payload_violations(op.info.name, "request", text))
        return out

    def _body_path(self, element_name: str) -> str:
        env = self._prefix(SOAP_ENV)
        return f"/{env}Envelope/{env}Body/{element_name}"

    def _content_type(self, content_type: str, where: str, service: _Service) -> Iterator[Violation]:
        if _media(content_type) != "text/xml":
            yield Violation(where, "text/xml (SOAP 1.1)", content_type or "absent", service.wsdl_path.name)

    def _envelope(self, root: etree._Element, expected: str, expected_name: str, part: str, service: _Service,
                  out: list[Violation]) -> etree._Element | None:
        """The body's element if it is ``expected``; else None, with the reasons appended to ``out``."""
        env = self._prefix(SOAP_ENV)
        ref = service.wsdl_path.name
        if root.tag != f"{{{SOAP_ENV}}}Envelope":
            found = "a SOAP 1.2 envelope" if root.tag.startswith(f"{{{SOAP12_ENV}}}") else self._qname(str(root.tag))
            out.append(Violation(f"{part} /", f"{env}Envelope ({SOAP_ENV})", found, ref))
            return None
        body = root.find(f"{{{SOAP_ENV}}}Body")
        if body is None:
            out.append(Violation(f"{part} /{env}Envelope", f"a child {env}Body", "absent", ref))
            return None
        children = [child for child in body if isinstance(child.tag, str)]
        where = f"{part} /{env}Envelope/{env}Body"
        if not children:
            out.append(Violation(where, expected_name, "an empty Body", ref))
            return None
        if children[0].tag != expected:
            out.append(Violation(where, expected_name, self._qname(str(children[0].tag)), ref))
            return None
        if len(children) > 1:
            out.append(Violation(where, f"{expected_name} alone", f"also {self._qname(str(children[1].tag))}", ref))
        return children[0]

    def _security(self, root: etree._Element, service: _Service) -> Iterator[Violation]:
        env, wsse = self._prefix(SOAP_ENV), self._prefix(WSSE)
        ref = f"{service.wsdl_path.name} (WS-Security UsernameToken, PasswordText)"
        header = root.find(f"{{{SOAP_ENV}}}Header")
        security = header.find(f"{{{WSSE}}}Security") if header is not None else None
        node = security.find(f"{{{WSSE}}}UsernameToken") if security is not None else None
        where = f"/{env}Envelope/{env}Header/{wsse}Security/{wsse}UsernameToken"
        if node is None:  # named at the first step that is missing
            missing = where.rsplit("/", 2 if header is None else 1 if security is None else 0)[0]
            yield Violation(f"envelope {missing}", f"a {wsse}Security header with a {wsse}UsernameToken "
                            "(Username, PasswordText Password)", "absent", ref)
            return
        for name in ("Username", "Password"):
            child = node.find(f"{{{WSSE}}}{name}")
            if child is None or not _text(child):
                yield Violation(f"envelope {where}/{wsse}{name}", f"a non-empty {wsse}{name}",
                                "absent" if child is None else "empty", ref)
            elif name == "Password" and self._password_type and child.get("Type", self._password_type) != self._password_type:
                # An absent Type means PasswordText (WSS UsernameToken Profile 1.0, section 3.1).
                yield Violation(f"envelope {where}/{wsse}Password/@Type", self._password_type, str(child.get("Type")), ref)

    def _types(self, service: _Service, element: etree._Element, base: str, part: str) -> list[Violation]:
        out = []
        for v in service.types.violations(element, part):
            where = v.location[len(part) + 1:]
            rest = where.split("/", 2)[2] if where.count("/") >= 2 else ""
            out.append(replace(v, location=f"{part} {base}/{rest}" if rest else f"{part} {base}"))
        return _tidy(out, self._qname)

    def _unknown_action(self, service: _Service, element: etree._Element, base: str) -> Violation:
        action, interface = _text(element.find(self._action_tag)), _text(element.find(self._interface_tag))
        ops = [op for op in self._ops if op.kind == "soap" and op.service == service.name]
        ref = f"{self.path.name}#/operations"
        actions = sorted({op.action_code for op in ops})
        if action not in actions:
            return Violation(f"envelope {base}/{self._action_tag}", "one of " + ", ".join(actions), action or "absent",
                             ref, f"no operation of {service.path} has this {self._action_tag}")
        interfaces = sorted(op.interface_code for op in ops if op.action_code == action)
        return Violation(f"envelope {base}/{self._interface_tag}",
                         f"one of {', '.join(interfaces)} (with {self._action_tag} {action})", interface or "absent",
                         ref, f"no operation of {service.path} has this {self._interface_tag}")

    def _no_operation(self, request: Request) -> Violation:
        misses = self.near_misses(request, limit=1)
        hint = f"; nearest: {misses[0].operation.method} {misses[0].operation.path}" if misses else ""
        return Violation("path", f"an operation of the {self.partner} contract", f"{request.method} {request.path}",
                         self.path.name, f"no such operation{hint}")

    # -- payloads ---------------------------------------------------------------------------
    def _payload_of(self, operation: str, side: str) -> Payload:
        if side not in _SIDES:
            raise ValueError(f"side must be one of {', '.join(_SIDES)}, not {side!r}")
        payload = self.spec(operation).request if side == "request" else self.spec(operation).response
        if payload is None:
            raise KeyError(f"operation {operation!r} carries no {side} payload")
        return payload

    def payload_violations(self, operation: str, side: str, payload_text: str, *, part: str = "payload") -> list[Violation]:
        """The violations of a payload (the text of ``<Data>``, nested CDATA wrapper or not) against its XSD
        and rules, with locations ``payload /root/...``."""
        payload = self._payload_of(operation, side)
        xsd = Path(payload.xsd).name
        text = unwrap_payload(payload_text)[0].strip()
        if not text:
            return [Violation(part, f"a {payload.root} document ({xsd})", "empty", xsd)]
        try:
            root = parse_xml(text, part=part)
        except XmlProblem as exc:
            return [replace(exc.violation, contract=xsd)]
        if root.tag != payload.root:
            return [Violation(f"{part} /", f"root element {payload.root}", f"root element {root.tag}", xsd)]
        out = _tidy(self._checker(payload.xsd).violations(root, part), self._qname)
        if side == "request":
            out.extend(self._rule_violations(self._spec[operation], root, part))
        return out

    def _rule_violations(self, op: SoapOperation, root: etree._Element, part: str) -> Iterator[Violation]:
        tree = root.getroottree()
        for i, rule in enumerate(op.rules):
            ref = f"{self.path.name}#/operations/{op.info.name}/rules/{i}"
            if rule.selects:
                targets = set(rule.selects.values())
                for context in root.iterfind(rule.context) if rule.context else [root]:
                    value = _text(context.find(rule.field))
                    wanted = rule.selects.get(value)
                    if wanted is None:
                        continue  # an unknown value is the schema's to report
                    present = [str(c.tag) for c in context if isinstance(c.tag, str) and c.tag in targets]
                    if present != [wanted]:
                        yield Violation(f"{part} {tree.getpath(context)}", f"{wanted} ({rule.field} {value} allocates by it)",
                                        ", ".join(present) or "none", ref, rule.section)
            if len(rule.equal) >= 2:
                nodes = [root.find(p) for p in rule.equal]
                amounts = [_decimal(_text(n)) for n in nodes]
                first = amounts[0]
                for path, node, amount in zip(rule.equal[1:], nodes[1:], amounts[1:]):
                    if node is None or first is None or amount is None or amount == first:
                        continue
                    yield Violation(f"{part} {tree.getpath(node)}", f"{_text(nodes[0])} (equal to {rule.equal[0]})",
                                    _text(node), ref, rule.section)

    # -- responses --------------------------------------------------------------------------
    def check_response(self, request: Request, response: Response, match: OperationMatch | None = None) -> list[Violation]:
        match = match or self.match(request)
        if match is None:
            return [self._no_operation(request)]
        op = self._spec[match.operation.name]
        if op.kind == "wsdl":
            return self._wsdl_response(self._services[op.service], response)
        if op.kind == "xml":
            assert op.response is not None, f"{op.info.name}: an xml operation answers a document"
            return self.payload_violations(op.info.name, "response", response.text, part="response body")
        service = self._services[op.service]
        if response.status == 500:
            return self._fault(service, response)
        if response.status != 200:
            return [Violation("status", "200, or 500 with a SOAP Fault", str(response.status), service.wsdl_path.name)]
        out = list(self._content_type(response.header("content-type"), "response header Content-Type", service))
        try:
            root = parse_xml(response.body, part="response envelope")
        except XmlProblem as exc:
            return [*out, exc.violation]
        part = "response envelope"
        element = self._envelope(root, service.response_element, service.response_name, part, service, out)
        if element is None:
            return out
        base = self._body_path(service.response_name)
        out.extend(self._types(service, element, base, part))
        out.extend(self._echo(op, request, element, base))
        data = element.find(self._payload_tag)
        if data is not None and _text(data) and _text(element.find(self._result_path)) == self._success:
            # a refusal's Data is not the operation's document; a success may carry none (assumed)
            out.extend(self.payload_violations(op.info.name, "response", "".join(data.itertext()),
                                               part="response payload"))
        return out

    def _echo(self, op: SoapOperation, request: Request, element: etree._Element, base: str) -> Iterator[Violation]:
        codes = _dispatch_codes(request.body, self._action_tag, self._interface_tag)
        asked, interface = codes if codes is not None else (op.action_code, op.interface_code)
        ref = f"{self.path.name}#/operations/{op.info.name}"
        allowed = [asked, *(c for c in op.response_action_codes if c != asked)]
        action = _text(element.find(self._action_tag))
        if action and action not in allowed:
            yield Violation(f"response envelope {base}/{self._action_tag}", " or ".join(allowed), action, ref,
                            "the answer names another action than the request")
        answered = _text(element.find(self._interface_tag))
        if answered and interface and answered != interface:
            yield Violation(f"response envelope {base}/{self._interface_tag}", interface, answered, ref,
                            "the answer names another interface than the request")

    def _fault(self, service: _Service, response: Response) -> list[Violation]:
        out = list(self._content_type(response.header("content-type"), "response header Content-Type", service))
        part, env = "response envelope", self._prefix(SOAP_ENV)
        try:
            root = parse_xml(response.body, part=part)
        except XmlProblem as exc:
            return [*out, exc.violation]
        fault = self._envelope(root, f"{{{SOAP_ENV}}}Fault", f"{env}Fault", part, service, out)
        if fault is None:
            return out
        where = f"{part} /{env}Envelope/{env}Body/{env}Fault"
        node = fault.find("faultcode")
        code = _text(node)
        if node is None or not code:
            out.append(Violation(f"{where}/faultcode", "a QName (SOAP 1.1 Fault)", "absent", service.wsdl_path.name))
        elif ":" in code and code.split(":", 1)[0] not in node.nsmap:
            out.append(Violation(f"{where}/faultcode", "a QName whose prefix is declared", code, service.wsdl_path.name))
        if fault.find("faultstring") is None:
            out.append(Violation(f"{where}/faultstring", "a faultstring (SOAP 1.1 Fault)", "absent", service.wsdl_path.name))
        return out

    def _wsdl_response(self, service: _Service, response: Response) -> list[Violation]:
        ref = service.wsdl_path.name
        if response.status != 200:
            return [Violation("status", "200", str(response.status), ref)]
        try:
            root = parse_xml(response.body, part="response body")
        except XmlProblem as exc:
            return [exc.violation]
        if root.tag != f"{{{WSDL_NS}}}definitions":
            return [Violation("response body /", "a WSDL 1.1 document (wsdl:definitions)", str(root.tag), ref)]
        if root.get("targetNamespace") != service.target_namespace:
            return [Violation("response body /wsdl:definitions/@targetNamespace", service.target_namespace,
                              str(root.get("targetNamespace")), ref)]
        return []


# -- helpers ------------------------------------------------------------------------------------
@lru_cache(maxsize=128)
def _compiled_xpath(expression: str, namespaces: tuple[tuple[str, str], ...]) -> etree.XPath:
    """An XPath of a named field; one that does not compile is ``KeyError`` (a field the partner has not)."""
    try:
        return etree.XPath(expression, namespaces=dict(namespaces))
    except etree.XPathSyntaxError as exc:
        raise KeyError(f"{expression!r} is not an XPath: {exc}") from None


def _xpath_value(xpath: etree.XPath, root: etree._Element) -> str | None:
    try:
        found = xpath(root)
    except etree.XPathEvalError:
        return None
    if isinstance(found, list):
        if not found:
            return None
        found = found[0]
    if isinstance(found, etree._Element):
        return "".join(found.itertext()).strip()
    if isinstance(found, bool):
        return "true" if found else "false"
    if isinstance(found, float):
        return str(int(found)) if found.is_integer() else str(found)
    return str(found).strip()


def _path_regex(template: str) -> re.Pattern[str]:
    """``{name}`` matches one path segment, ``{name:path}`` the rest of the path (Werkzeug's converter)."""
    out, pos = "^", 0
    for m in _PARAM.finditer(template):
        out += re.escape(template[pos:m.start()]) + f"(?P<{m.group(1)}>{'.+' if m.group(2) else '[^/]+'})"
        pos = m.end()
    return re.compile(out + re.escape(template[pos:]) + "$")


def _rule(spec: Any, where: str) -> Rule:
    if not isinstance(spec, dict) or not (spec.get("selects") or spec.get("equal")):
        raise ContractLoadError(f"{where}: a rule needs 'selects' (with 'field') or 'equal'")
    if spec.get("selects") and not spec.get("field"):
        raise ContractLoadError(f"{where}: a 'selects' rule needs the 'field' whose value selects")
    return Rule(section=str(spec.get("section", "")), context=str(spec.get("context", "")),
                field=str(spec.get("field", "")),
                selects={str(k): str(v) for k, v in (spec.get("selects") or {}).items()},
                equal=tuple(str(p) for p in spec.get("equal") or []))


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _standalone(schema: etree._Element) -> etree._Element:
    """An inline ``xs:schema`` as a document of its own, with every namespace in scope where it was
    (QNames in ``type=`` attributes may use prefixes the WSDL declares on ``wsdl:definitions``)."""
    copy = etree.Element(schema.tag, attrib=dict(schema.attrib), nsmap=schema.nsmap)
    for child in schema:
        copy.append(deepcopy(child))
    return copy


def _declares(xsd: Path, root: str) -> bool:
    try:
        doc = parse_xml(xsd.read_bytes(), part="xsd")
    except (OSError, XmlProblem):
        return False
    return any(el.get("name") == root for el in doc.iterfind(f"{{{XSD_NS}}}element"))


def _wsdl_problems(service: _Service) -> Iterator[Violation]:
    """A WSDL 1.1 document/literal SOAP 1.1 service: parts, portType, binding, port and address."""
    name = service.wsdl_path.name
    root = parse_xml(service.raw, part="wsdl")  # it parsed when the contract loaded
    w = f"{{{WSDL_NS}}}"

    def problem(where: str, expected: str, found: str) -> Violation:
        return Violation(f"document {name} {where}", expected, found, name)

    if root.tag != f"{w}definitions":
        yield problem("/", "wsdl:definitions", str(root.tag))
        return
    declared = {el.get("name") for el in root.iterfind(f"{w}types/{{{XSD_NS}}}schema/{{{XSD_NS}}}element")}
    for clark in (service.request_element, service.response_element):
        local = clark.rsplit("}", 1)[-1]
        if local not in declared:
            yield problem("/wsdl:types", f"a global element {local}", "none")
    parts = {el.get("element", "").rsplit(":", 1)[-1] for el in root.iterfind(f"{w}message/{w}part")}
    if not {service.request_element.rsplit("}", 1)[-1], service.response_element.rsplit("}", 1)[-1]} <= parts:
        yield problem("/wsdl:message", "messages whose parts are the request and response elements", ", ".join(sorted(parts)))
    if root.find(f"{w}portType/{w}operation") is None:
        yield problem("/wsdl:portType", "an operation", "none")
    binding = root.find(f"{w}binding/{{{WSDL_SOAP}}}binding")
    if binding is None or binding.get("style", "document") != "document" or binding.get("transport") != SOAP_HTTP:
        yield problem("/wsdl:binding/soap:binding", f"style document, transport {SOAP_HTTP}",
                      "absent" if binding is None else f"style {binding.get('style')}, transport {binding.get('transport')}")
    uses = {el.get("use") for el in root.iterfind(f"{w}binding/{w}operation/*/{{{WSDL_SOAP}}}body")}
    if uses != {"literal"}:
        yield problem("/wsdl:binding/wsdl:operation", "soap:body use literal", ", ".join(sorted(str(u) for u in uses)) or "none")
    if not service.location.endswith(service.path):
        yield problem("/wsdl:service/wsdl:port/soap:address/@location", f"an address ending in {service.path}",
                      service.location or "absent")


_SET = re.compile(r"^one of \{(.*)\}$")
_NAMES = re.compile(r"\(\s*(.*?)\s*\)")
_ELEMENT = re.compile(r"^Element '([^']*)'")


def _tidy(violations: Iterable[Violation], qname: Callable[[str], str] = str) -> list[Violation]:
    """libxml2's wording made plainer: ``one of A, C, N`` rather than ``one of {'A', 'C', 'N'}``, values
    without quotes, element names with prefixes, and no second message about a value whose facet has
    already been named."""
    out: list[Violation] = []
    for v in violations:
        expected, found = v.expected, v.found
        element = _ELEMENT.match(v.message)
        if found.startswith("element '") and element:
            found = f"element {qname(element.group(1))}"
        m = _SET.match(expected)
        if m:
            expected = "one of " + ", ".join(item.strip().strip("'") for item in m.group(1).split(","))
        names = _NAMES.search(expected) if expected.startswith(("one of", "child")) else None
        if names:
            listed = [n.strip() for n in names.group(1).split(",")]
            which = listed[0] if len(listed) == 1 else "one of " + ", ".join(listed)
            expected = f"child {which}" if expected.startswith("child") else which
        if len(found) >= 2 and found[0] == found[-1] == "'":
            found = found[1:-1] or "empty"
        out.append(replace(v, expected=expected, found=found))
    facets = {v.location for v in out if "[facet" in v.message}
    return [v for v in out if not (v.location in facets and "is not a valid value of the" in v.message)]
