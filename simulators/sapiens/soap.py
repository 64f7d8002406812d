"""The SOAP side of Sapiens CoreSuite (design 004): envelope, WS-Security, Spyne services, Faults.

A request goes through three gates before a handler sees it, in the order a SOAP stack would apply
them:

1. the envelope must be well-formed XML without a DOCTYPE (``contracts.xmlbody.parse_xml``), else a
   ``SOAP-ENV:Client`` Fault;
2. the ``wsse:Security`` header must carry a ``UsernameToken`` with the sandbox's user and PasswordText
   password, else a ``wsse:InvalidSecurity`` (missing) or ``wsse:FailedAuthentication`` (wrong) Fault,
   the WS-Security 1.0 fault codes a SOAP client understands;
3. Spyne reads the body into ``PWInvokeBillingActionRequest`` / ``PWInvokePolicyActionRequest`` and
   calls the service, whose answer it writes back as ``...Response``.

Children of the request and response elements are unqualified, as in every sample of the design. The
response's ``<Data>`` is written as a CDATA section (the design's samples do so) holding the payload,
wrapped once more in a literal ``<![CDATA[ ... ]]`` where Sapiens does that.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree
from spyne import Application, ComplexModel, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from contracts.soap import PASSWORD_TEXT, SOAP_ENV, WSSE
from contracts.xmlbody import XmlProblem, parse_xml

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

# Spyne keeps a process-wide registry of applications for its own debugging and warns when one is built
# again under the same name: every sandbox (each test's, each gunicorn worker's) builds its own on purpose.
logging.getLogger("spyne.util.appreg").setLevel(logging.ERROR)

__all__ = ["SOAP_ENV", "WSSE", "BILLING_NS", "POLICY_NS", "Invocation", "Outcome", "Fault", "soap_fault",
           "authenticate", "create_soap_app"]

BILLING_NS = "http://adaptik.com/ws/xml/billing"
POLICY_NS = "http://adaptik.com/ws/xml"


@dataclass(frozen=True)
class Invocation:
    """What a handler gets: the request's header fields and its ``<Data>`` text."""

    service: str  # "billing" or "policy"
    trans_ref: str
    action_code: str
    interface_code: str
    login_name: str
    data: str
    environ: Any  # the WSGI environ (journal notes, the front door's contract verdict)


@dataclass(frozen=True)
class Outcome:
    """A handler's answer: ``TransResult`` and the payload for ``<Data>``."""

    code: str  # SUCCESS, NONEFOUND, MISSINGPARAMS, FAILURE
    message: str = ""
    reject: str = ""
    payload: str = ""  # the XML text, with its declaration
    wrap: bool = True  # the literal nested CDATA wrapper inside Data's CDATA
    action_echo: str = ""  # the ActionCode the answer names, when Sapiens names another than asked


class Fault(Exception):
    """A SOAP 1.1 Fault; ``code`` is a QName written with a prefix bound in ``namespaces``."""

    def __init__(self, code: str, message: str, namespaces: dict[str, str] | None = None, status: int = 500) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.namespaces = namespaces or {}
        self.status = status


def soap_fault(fault: Fault) -> bytes:
    nsmap = {"SOAP-ENV": SOAP_ENV, **fault.namespaces}
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    node = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(node, "faultcode").text = fault.code
    etree.SubElement(node, "faultstring").text = fault.message
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))


def _text(node: etree._Element | None) -> str:
    return "".join(node.itertext()).strip() if node is not None else ""


def authenticate(body: bytes, username: str, password: str) -> etree._Element:
    """The parsed envelope, once it is well-formed and its UsernameToken is the sandbox's; else a Fault."""
    try:
        root = parse_xml(body, part="envelope")
    except XmlProblem as exc:
        raise Fault("SOAP-ENV:Client", f"The request is not a readable SOAP envelope: {exc.violation.found}") from exc
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise Fault("SOAP-ENV:Client", f"Expected a SOAP 1.1 Envelope ({{{SOAP_ENV}}}Envelope), found {root.tag}.")
    if root.find(f"{{{SOAP_ENV}}}Body") is None:
        raise Fault("SOAP-ENV:Client", "The SOAP envelope has no Body.")
    wsse = {"wsse": WSSE}
    token = root.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        raise Fault("wsse:InvalidSecurity", "An error was discovered processing the <wsse:Security> header: "
                    "no wsse:Security header with a UsernameToken was found.", wsse)
    user, secret = token.find(f"{{{WSSE}}}Username"), token.find(f"{{{WSSE}}}Password")
    kind = secret.get("Type", PASSWORD_TEXT) if secret is not None else PASSWORD_TEXT
    if kind != PASSWORD_TEXT:
        raise Fault("wsse:UnsupportedSecurityToken", f"Only PasswordText passwords are supported, found {kind}.", wsse)
    if _text(user) != username or _text(secret) != password:
        raise Fault("wsse:FailedAuthentication", "The security token could not be authenticated or authorized.", wsse)
    return root


# -- the Spyne services -----------------------------------------------------------------------------
def _field() -> Any:
    return Unicode(sub_ns="")  # unqualified, as the design's samples write every child


def _models(ns: str, request_name: str, response_name: str) -> tuple[type[ComplexModel], type[ComplexModel], Any]:
    auth: Any = type(f"PWAuthentication_{request_name}", (ComplexModel,), {
        "__namespace__": ns, "__type_name__": "PWAuthentication",
        "_type_info": [("UserLoginName", _field())]})
    result: Any = type(f"TransResult_{response_name}", (ComplexModel,), {
        "__namespace__": ns, "__type_name__": "TransResult",
        "_type_info": [("ReturnCode", _field()), ("ReturnReasonCode", _field()), ("ReturnMessage", _field()),
                       ("RejectMessage", _field())]})
    request = type(request_name, (ComplexModel,), {
        "__namespace__": ns, "__type_name__": request_name,
        "_type_info": [("TransRef", _field()), ("ReqDateTime", _field()), ("ActionCode", _field()),
                       ("InterfaceCode", _field()), ("PWAuthentication", auth.customize(sub_ns="")),
                       ("Data", _field())]})
    response = type(response_name, (ComplexModel,), {
        "__namespace__": ns, "__type_name__": response_name,
        "_type_info": [("TransRef", _field()), ("ActionCode", _field()), ("InterfaceCode", _field()),
                       ("TransDateTime", _field()), ("TransResult", result.customize(sub_ns="")),
                       ("Data", _field())]})
    return request, response, result


Handler = Callable[[Invocation], Outcome]


def _answer(response_cls: type[ComplexModel], result_cls: Any, inv: Invocation, outcome: Outcome, now: str) -> ComplexModel:
    data = outcome.payload
    if data and outcome.wrap:
        data = f"<![CDATA[{data}]]"
    return response_cls(
        TransRef=inv.trans_ref, ActionCode=outcome.action_echo or inv.action_code,
        InterfaceCode=inv.interface_code or None, TransDateTime=now,
        TransResult=result_cls(ReturnCode=outcome.code, ReturnReasonCode=outcome.code,
                               ReturnMessage=outcome.message, RejectMessage=outcome.reject),
        Data=data or None)


def _service(service: str, ns: str, request_name: str, response_name: str, method: str,
             handler: Handler, clock: Callable[[], str]) -> Application:
    request_cls, response_cls, result_cls = _models(ns, request_name, response_name)

    def invoke(ctx: Any, req: Any) -> Any:
        auth = req.PWAuthentication
        inv = Invocation(service=service, trans_ref=req.TransRef or "", action_code=(req.ActionCode or "").strip(),
                         interface_code=(req.InterfaceCode or "").strip(),
                         login_name=((auth.UserLoginName if auth is not None else "") or "").strip(),
                         data=req.Data or "", environ=ctx.transport.req_env)
        return _answer(response_cls, result_cls, inv, handler(inv), clock())

    invoke.__name__ = method
    decorated = rpc(request_cls, _returns=response_cls, _body_style="bare", _in_message_name=request_name,
                    _out_message_name=response_name, _operation_name=method)(invoke)
    service_cls = type(f"{method}Service", (ServiceBase,), {method: decorated})
    app = Application([service_cls], tns=ns, name=method, in_protocol=Soap11(), out_protocol=Soap11())

    def data_as_cdata(ctx: Any) -> None:
        for node in ctx.out_document.iter("Data"):
            if node.text:
                node.text = etree.CDATA(node.text)

    app.event_manager.add_listener("method_return_document", data_as_cdata)
    return app


class SoapEndpoint:
    """One SOAP service: WS-Security first, then Spyne. Faults are answered here, never a traceback."""

    def __init__(self, service: str, handler: Handler, clock: Callable[[], str],
                 credentials: Callable[[], tuple[str, str]]) -> None:
        if service == "billing":
            app = _service(service, BILLING_NS, "PWInvokeBillingActionRequest", "PWInvokeBillingActionResponse",
                           "PWInvokeBillingAction", handler, clock)
        else:
            app = _service(service, POLICY_NS, "PWInvokePolicyActionRequest", "PWInvokePolicyActionResponse",
                           "PWInvokePolicyAction", handler, clock)
        self.spyne = WsgiApplication(app)
        self.credentials = credentials

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            authenticate(body, *self.credentials())
        except Fault as fault:
            return fault_answer(fault, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.setdefault("CONTENT_TYPE", "text/xml; charset=utf-8")
        result: Iterable[bytes] = self.spyne(environ, start_response)
        return result


def fault_answer(fault: Fault, start_response: StartResponse) -> list[bytes]:
    from http import HTTPStatus

    body = soap_fault(fault)
    start_response(f"{fault.status} {HTTPStatus(fault.status).phrase}",
                   [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
