"""The answers a fault plan may ask of Sapiens (``PartnerSimulator.fault_answer``), in its own terms.

* ``return_code``: ``FAILURE``, ``NONEFOUND`` or ``MISSINGPARAMS``: the SOAP answer of the operation asked
  (its ``...Response`` element echoing ``TransRef``, ``ActionCode`` and ``InterfaceCode``), HTTP 200, with
  that ``ReturnCode`` and a ``RejectMessage``, and no ``Data``: what Sapiens answers a request it refuses.
* ``soap_fault``: a SOAP 1.1 Fault with that ``faultcode`` (``SOAP-ENV:Server``, ``SOAP-ENV:Client``, or a
  WS-Security code such as ``wsse:InvalidSecurity``), HTTP 500.
* ``token``: ``expired`` or ``revoked``: the ``wsse:FailedAuthentication`` Fault its WS-Security layer
  answers a UsernameToken it no longer accepts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from lxml import etree

from contracts import load_contract
from contracts.soap import SOAP_ENV, WSSE
from simulators.sapiens.soap import BILLING_NS, POLICY_NS, Fault, soap_fault

if TYPE_CHECKING:
    from contracts import Request

__all__ = ["ANSWER_KINDS", "sapiens_fault_answer"]

MEDIA = "text/xml; charset=utf-8"
RETURN_CODES = {"FAILURE": "The request could not be processed.", "NONEFOUND": "No results were found.",
                "MISSINGPARAMS": "Required parameters are missing."}
FAULT_PREFIXES = {"SOAP-ENV": SOAP_ENV, "wsse": WSSE}
FAILED_AUTHENTICATION = "The security token could not be authenticated or authorized."
_SERVICES = {"billing": (BILLING_NS, "PWInvokeBillingActionResponse"),
             "policy": (POLICY_NS, "PWInvokePolicyActionResponse")}

ANSWER_KINDS = {
    "return_code": f"{', '.join(RETURN_CODES)}: the operation's answer with that ReturnCode (HTTP 200)",
    "soap_fault": "a faultcode (SOAP-ENV:Server, SOAP-ENV:Client, wsse:<code>): a SOAP 1.1 Fault (HTTP 500)",
    "token": "expired or revoked: the wsse:FailedAuthentication Fault (HTTP 500)",
}


_OFFSET = timezone(timedelta(hours=-5))


def sapiens_fault_answer(kind: str, detail: str, operation: str, message: str,
                         request: Request | None, now: float | None = None) -> tuple[int, bytes, str] | None:
    if kind == "return_code":
        return _return_code(detail, operation, message, request, now)
    if kind == "soap_fault":
        prefix, _, local = detail.partition(":")
        if prefix not in FAULT_PREFIXES or not local:
            raise ValueError(f"expected a faultcode with prefix {' or '.join(FAULT_PREFIXES)} (SOAP-ENV:Server, "
                             f"SOAP-ENV:Client, wsse:FailedAuthentication); found {detail!r}")
        namespaces = {"wsse": WSSE} if prefix == "wsse" else {}
        fault = Fault(detail, message or "The server could not process the request (sandbox fault plan).", namespaces)
        return 500, soap_fault(fault), MEDIA
    if kind == "token":
        if detail not in ("expired", "revoked"):
            raise ValueError(f"expected expired or revoked; found {detail!r}")
        fault = Fault("wsse:FailedAuthentication", message or FAILED_AUTHENTICATION, {"wsse": WSSE})
        return 500, soap_fault(fault), MEDIA
    return None


def _return_code(code: str, operation: str, message: str, request: Request | None,
                 now: float | None = None) -> tuple[int, bytes, str] | None:
    if code not in RETURN_CODES:
        raise ValueError(f"expected one of {', '.join(RETURN_CODES)}; found {code!r}")
    contract = load_contract("sapiens")
    service = "billing"
    if operation:
        spec = contract.spec(operation)  # type: ignore[attr-defined]
        if spec.kind != "soap":
            raise ValueError(f"a ReturnCode answers a SOAP action; {operation} is not one (a {spec.kind} operation)")
        service = spec.service
    elif request is not None:
        return None  # a request that names no action: no ReturnCode to answer it with
    ns, element = _SERVICES[service]

    def echoed(name: str) -> str:
        return (contract.field(request, f"header {name}") or "") if request is not None else ""

    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"SOAP-ENV": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    answer = etree.SubElement(body, f"{{{ns}}}{element}", nsmap={"ns4": ns})
    etree.SubElement(answer, "TransRef").text = echoed("TransRef")
    etree.SubElement(answer, "ActionCode").text = echoed("ActionCode") or (
        contract.spec(operation).action_code if operation else "")  # type: ignore[attr-defined]
    interface = echoed("InterfaceCode")
    if interface:
        etree.SubElement(answer, "InterfaceCode").text = interface
    # TransDateTime on the sandbox clock, as the sandbox's own answers (the samples' offset, -05:00)
    moment = datetime.now(tz=_OFFSET) if now is None else datetime.fromtimestamp(now, tz=_OFFSET)
    etree.SubElement(answer, "TransDateTime").text = moment.isoformat(timespec="milliseconds")
    result = etree.SubElement(answer, "TransResult")
    for tag, text in (("ReturnCode", code), ("ReturnReasonCode", code), ("ReturnMessage", RETURN_CODES[code]),
                      ("RejectMessage", message or f"{RETURN_CODES[code]} (sandbox fault plan)")):
        etree.SubElement(result, tag).text = text
    return 200, bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")), MEDIA
