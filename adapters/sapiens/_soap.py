"""SOAP 1.1 on IC's side of Sapiens: the request envelope, and the answer read back (design 004).

Every BillingPro and PolicyPro call is one envelope (design 004, every request sample): a
``wsse:Security`` header with a WS-Security 1.0 ``UsernameToken`` (PasswordText), and in the body
``PWInvokeBillingActionRequest`` (or ``PWInvokePolicyActionRequest``) whose children are unqualified:
``TransRef``, ``ReqDateTime``, ``ActionCode``, ``InterfaceCode`` (searches only),
``PWAuthentication/UserLoginName`` and ``Data``, which carries the real message as XML text in a
CDATA section. Everything is built with lxml: no value is ever pasted into XML text by hand.

An answer is judged in this order:

1. a SOAP Fault (Sapiens sends them with HTTP 500, as SOAP 1.1 says): a WS-Security fault code
   (``wsse:FailedAuthentication``, ``wsse:InvalidSecurity``, ...) is an ``AuthError``; a fault that
   blames IC's message (SOAP 1.1 §4.4.1 ``Client``, ``VersionMismatch``, ``MustUnderstand``, any
   prefix, with or without a ``.`` refinement) is a ``PartnerRejected`` carrying ``faultcode`` and
   ``faultstring``; a ``Server`` fault, or any other fault answered with an HTTP 5xx, means Sapiens
   failed rather than refused: ``PartnerUnavailable``, as for every partner ("no answer at all, or
   HTTP 5xx", ``adapters.base``); any other fault answered with another status is a ``PartnerRejected``;
2. ``TransResult/ReturnCode``: ``SUCCESS`` gives the payload; ``NONEFOUND``, ``MISSINGPARAMS``,
   ``FAILURE`` (and any code Sapiens adds) are a ``PartnerRejected`` whose ``code`` is the
   ReturnCode and whose ``detail`` is the ``RejectMessage`` (or ``ReturnMessage`` when that is empty);
3. the payload: Sapiens wraps it in a literal ``<![CDATA[ ... ]]>`` inside the CDATA of ``<Data>``
   (every response sample but ``updateICSettings``'s); both forms are read.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from contracts import Exchange, Violation
from contracts.soap import PASSWORD_TEXT, SOAP_ENV, WSSE
from contracts.xmlbody import XmlProblem, parse_xml, payload_text, unwrap_payload

from adapters.errors import (
    AdapterError, AuthError, ContractViolation, JsonApiError, PartnerRejected, PartnerUnavailable,
)

__all__ = [
    "SOAP_ENV", "WSSE", "PASSWORD_TEXT", "Service", "BILLING", "POLICY", "Credentials", "envelope", "SoapFault",
    "read_fault", "fault_error", "SoapAnswer", "read_answer", "parse_payload",
]

CONTENT_TYPE = "text/xml; charset=utf-8"

# WS-Security 1.0 §12: the fault codes of a message whose security header failed. Sapiens answers
# FailedAuthentication (wrong user or password) and InvalidSecurity (no header); the others are
# the same failure in a stack's own words.
_SECURITY_FAULTS = frozenset({
    "FailedAuthentication", "InvalidSecurity", "InvalidSecurityToken", "UnsupportedSecurityToken",
    "SecurityTokenUnavailable", "FailedCheck", "UnsupportedAlgorithm", "MessageExpired",
})
# SOAP 1.1 §4.4.1: the fault codes that blame the message the client sent (a refusal, not an outage).
_SENDER_FAULTS = frozenset({"Client", "VersionMismatch", "MustUnderstand"})


@dataclass(frozen=True)
class Service:
    """One of Sapiens' two SOAP services, with the partner's own endpoint path (SPEC §Partner and paths)."""

    name: str  # "BillingPro" or "PolicyPro"
    namespace: str
    prefix: str  # the prefix the design's samples use
    request: str
    response: str
    path: str


BILLING = Service("BillingPro", "http://adaptik.com/ws/xml/billing", "bil", "PWInvokeBillingActionRequest",
                  "PWInvokeBillingActionResponse", "/AdaptikBilling/soapservices/PWBillingService")
POLICY = Service("PolicyPro", "http://adaptik.com/ws/xml", "sch", "PWInvokePolicyActionRequest",
                 "PWInvokePolicyActionResponse", "/AdaptikPolicy/soapservices/PWPolicyService")


@dataclass(frozen=True)
class Credentials:
    """The UsernameToken and UserLoginName of one call, and the settings they come from (for messages)."""

    username: str
    password: str
    login_name: str
    settings: str  # e.g. "settings 9 and 10 (RTDR)"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def envelope(service: Service, *, action: str, interface: str, credentials: Credentials, trans_ref: str,
             requested_at: str, payload: etree._Element) -> bytes:
    """The request envelope; ``payload`` travels serialized in a CDATA section of ``<Data>``."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV, service.prefix: service.namespace})
    header = _sub(env, f"{{{SOAP_ENV}}}Header")
    security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    security.set(f"{{{SOAP_ENV}}}mustUnderstand", "1")
    token = _sub(security, f"{{{WSSE}}}UsernameToken")
    _sub(token, f"{{{WSSE}}}Username", credentials.username)
    _sub(token, f"{{{WSSE}}}Password", credentials.password).set("Type", PASSWORD_TEXT)
    body = _sub(env, f"{{{SOAP_ENV}}}Body")
    request = _sub(body, f"{{{service.namespace}}}{service.request}")
    _sub(request, "TransRef", trans_ref)
    _sub(request, "ReqDateTime", requested_at)
    _sub(request, "ActionCode", action)
    if interface:
        _sub(request, "InterfaceCode", interface)
    _sub(_sub(request, "PWAuthentication"), "UserLoginName", credentials.login_name)
    data = _sub(request, "Data")
    # lxml escapes '>' in text and attributes, so a serialized payload never holds ']]>'.
    data.text = etree.CDATA(etree.tostring(payload, encoding="unicode"))
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


# -- faults ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SoapFault:
    """A SOAP 1.1 Fault: ``code`` as written (``wsse:FailedAuthentication``), its namespace and local name."""

    code: str
    namespace: str
    local: str
    message: str

    @property
    def is_security(self) -> bool:
        """A WS-Security fault: the code is in the secext namespace (or, unbound, one of its names)."""
        return self.namespace == WSSE or (not self.namespace and self.local in _SECURITY_FAULTS)

    @property
    def kind(self) -> str:
        """The SOAP 1.1 class of the code: ``Server`` for ``SOAP-ENV:Server.Database`` (§4.4.1 dot notation)."""
        return self.local.split(".", 1)[0]


def _root(body: bytes) -> etree._Element | None:
    try:
        return parse_xml(body, part="response body")
    except XmlProblem:
        return None


def read_fault(body: bytes) -> SoapFault | None:
    """The Fault of an answer's body, or None when the body is not a SOAP envelope with a Fault."""
    root = _root(body)
    found = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault") if root is not None else None
    if found is None:
        return None
    # SOAP 1.1 §4.4: faultcode and faultstring are unqualified; some stacks qualify them anyway.
    code_el = _either(found, "faultcode")
    code = (code_el.text or "").strip() if code_el is not None else ""
    prefix, _, local = code.rpartition(":")
    namespace = (code_el.nsmap.get(prefix or None) or "") if code_el is not None else ""
    string_el = _either(found, "faultstring")
    message = "".join(string_el.itertext()).strip() if string_el is not None else ""
    return SoapFault(code, namespace, local, message)


def _either(parent: etree._Element, tag: str) -> etree._Element | None:
    found = parent.find(tag)
    return found if found is not None else parent.find(f"{{{SOAP_ENV}}}{tag}")


def fault_error(exchange: Exchange, fault: SoapFault, credentials: Credentials) -> AdapterError:
    """``AuthError`` for a WS-Security fault; ``PartnerUnavailable`` for a ``Server`` fault or another fault
    answered with HTTP 5xx (Sapiens failed); ``PartnerRejected`` for a ``Client`` fault (SOAP 1.1 §4.4.1)."""
    assert exchange.response is not None
    status = exchange.response.status
    said = f"faultcode {fault.code or '(none)'}: {(fault.message or 'no faultstring').rstrip('. ')}"
    if fault.is_security:
        return AuthError(
            f"{exchange.qualified_operation}: Sapiens refused IC's WS-Security UsernameToken (HTTP {status}, {said}). "
            f"Expected the biller's credentials to be accepted; check the username and password of "
            f"{credentials.settings}: Sapiens provides them per biller (design 004, 'Values to be provided separately').",
            exchange=exchange,
        )
    if fault.kind == "Server" or (status >= 500 and fault.kind not in _SENDER_FAULTS):
        return PartnerUnavailable(
            f"{exchange.qualified_operation}: Sapiens failed to handle the call (HTTP {status}, {said}): a server "
            "error, not a refusal. Retry later; see error.exchange for the fault.",
            exchange=exchange,
        )
    hint = ("Sapiens could not read the envelope IC sent; see error.exchange for the request"
            if fault.kind == "Client" else "ask Sapiens what the fault means")
    return PartnerRejected(
        f"{exchange.qualified_operation}: Sapiens answered a SOAP Fault (HTTP {status}, {said}). Expected a "
        f"PWInvoke...Response; {hint}.",
        exchange=exchange,
        status=status,
        errors=[JsonApiError(status=str(status), code=fault.code, detail=fault.message)],
    )


# -- answers --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SoapAnswer:
    """``TransResult`` of an answer and the text of its ``<Data>`` (None when absent)."""

    return_code: str
    reason_code: str
    message: str
    reject: str
    data: str | None

    @property
    def why(self) -> str:
        """The RejectMessage (or ReturnMessage), without its final full stop: messages go on after it."""
        return (self.reject or self.message or "no RejectMessage given").rstrip(". ")


def _violation(exchange: Exchange, location: str, expected: str, found: str, what: str) -> ContractViolation:
    return ContractViolation.of(exchange, [Violation(location, expected, found, "design 004 (SOAP envelope)")], what)


def read_answer(exchange: Exchange, service: Service, credentials: Credentials) -> SoapAnswer:
    """The answer's TransResult and Data; a Fault or an envelope without a response is an error."""
    assert exchange.response is not None
    body = exchange.response.body
    fault = read_fault(body)
    if fault is not None:
        raise fault_error(exchange, fault, credentials)
    root = _root(body)
    if root is None:
        found = body[:40].decode("utf-8", "replace") or "an empty body"
        raise _violation(exchange, "response body", "a SOAP 1.1 envelope", repr(found), "IC cannot read it")
    response = root.find(f"{{{SOAP_ENV}}}Body/{{{service.namespace}}}{service.response}")
    if response is None:
        raise _violation(exchange, "envelope /Envelope/Body", f"{{{service.namespace}}}{service.response}",
                         str(root.tag), "IC cannot read it")
    code = (response.findtext("TransResult/ReturnCode") or "").strip()
    if not code:
        raise _violation(exchange, f"envelope //{service.response}/TransResult/ReturnCode", "a ReturnCode",
                         "absent or empty", "IC cannot tell whether Sapiens did what was asked")
    return SoapAnswer(
        return_code=code.upper(),
        reason_code=(response.findtext("TransResult/ReturnReasonCode") or "").strip(),
        message=(response.findtext("TransResult/ReturnMessage") or "").strip(),
        reject=(response.findtext("TransResult/RejectMessage") or "").strip(),
        data=payload_text(response, "Data"),
    )


def parse_payload(exchange: Exchange, answer: SoapAnswer, root_tag: str, rule: str) -> etree._Element:
    """The ``<Data>`` payload as an element (nested CDATA wrapper or not); its root must be ``root_tag``."""
    text = unwrap_payload(answer.data or "")[0].strip()
    if not text:
        raise ContractViolation.of(exchange, [Violation("envelope Data", f"a {root_tag} payload", "absent or empty",
                                                        rule)], "IC needs the payload")
    try:
        root = parse_xml(text.encode("utf-8"), part="payload")
    except XmlProblem as problem:
        raise ContractViolation.of(exchange, [problem.violation], "the payload in <Data> is not XML") from None
    if root.tag != root_tag:
        raise ContractViolation.of(exchange, [Violation("payload /", f"root element {root_tag}", str(root.tag), rule)])
    return root
