"""Sapiens CoreSuite P&C (design 004): BillingPro and PolicyPro over SOAP 1.1, and the document service.

Paths below ``/sapiens`` are the partner's own:

- ``/AdaptikBilling/soapservices/PWBillingService``: BillingPro (POST a SOAP envelope; GET ``.wsdl`` or
  ``?wsdl`` for its WSDL, whose ``soap:address`` points at this sandbox);
- ``/AdaptikPolicy/soapservices/PWPolicyService``: PolicyPro, likewise;
- ``/s/scsGetBase64Document/{path}``: a bill as base64 inside a ``scsResponse``.

The WSDLs served are the contract's (``contracts/sapiens``), not generated: the recorded contract is
the truth, and Spyne (``simulators.sapiens.soap``) reads and writes the messages it describes.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from simulators.context import SandboxContext
from simulators.partner import PartnerSimulator
from simulators.sapiens.billing import SERVICE_PATHS, SapiensHandlers
from simulators.sapiens.documents import DOCUMENT_PREFIX, serve_document
from simulators.sapiens.faults import ANSWER_KINDS, sapiens_fault_answer
from simulators.sapiens.soap import Fault, SoapEndpoint, fault_answer, soap_fault
from simulators.wsgi import NOTES_KEY, request_of

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from contracts import Request

__all__ = ["SapiensSimulator"]


class SapiensApp:
    """Routes a request below ``/sapiens`` to a SOAP service, its WSDL, or the document service."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        handlers = SapiensHandlers(ctx)

        def credentials() -> tuple[str, str]:
            return ctx.config.credentials.username, ctx.config.credentials.password

        self.services = {path: (name, SoapEndpoint(name, handlers, handlers.now_text, credentials))
                         for name, path in SERVICE_PATHS.items()}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if path.startswith(DOCUMENT_PREFIX):
            return serve_document(self.ctx, environ, start_response)
        wsdl_suffix = path.endswith(".wsdl")
        service = self.services.get(path[: -len(".wsdl")] if wsdl_suffix else path)
        if service is None:
            return self._refuse(environ, start_response, Fault(
                "SOAP-ENV:Client", f"No Sapiens service at {path}. {self._nearest(environ)}", status=404))
        name, endpoint = service
        query = environ.get("QUERY_STRING", "")
        if method == "GET" and (wsdl_suffix or query.lower().split("&")[0] in ("wsdl", "wsdl=")):
            return self._wsdl(name, environ, start_response)
        if method != "POST" or wsdl_suffix:
            return self._refuse(environ, start_response, Fault(
                "SOAP-ENV:Client", f"{method} is not served here: POST a SOAP 1.1 envelope, or GET {path}?wsdl.",
                status=405))
        return endpoint(environ, start_response)

    def _nearest(self, environ: WSGIEnvironment) -> str:
        misses = self.ctx.contract("sapiens").near_misses(request_of(environ))
        return ("Nearest operations: " + "; ".join(str(m) for m in misses)) if misses else ""

    @staticmethod
    def _refuse(environ: WSGIEnvironment, start_response: StartResponse, fault: Fault) -> list[bytes]:
        environ[NOTES_KEY] = (environ.get(NOTES_KEY, "") + f" rejected {fault.status}: {fault.message}").strip()
        return fault_answer(fault, start_response)

    def _wsdl(self, service: str, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '80')}"
        base = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{environ.get('SCRIPT_NAME', '')}"
        body = self.ctx.contract("sapiens").wsdl(service, address=base + SERVICE_PATHS[service])  # type: ignore[attr-defined]
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]


class SapiensSimulator(PartnerSimulator):
    name = "sapiens"
    hosts = ()
    title = "Sapiens BillingPro / PolicyPro"

    def create_app(self, ctx: SandboxContext) -> SapiensApp:
        return SapiensApp(ctx)

    def error_response(self, status: int, detail: str) -> tuple[bytes, str]:
        code = "SOAP-ENV:Server" if status >= 500 else "SOAP-ENV:Client"
        return soap_fault(Fault(code, detail, status=status)), "text/xml; charset=utf-8"

    answer_kinds = MappingProxyType(ANSWER_KINDS)

    def fault_answer(self, kind: str, detail: str, operation: str, *, message: str = "",
                     request: Request | None = None, now: float | None = None) -> tuple[int, bytes, str] | None:
        """A ReturnCode answer, a SOAP Fault, or the FailedAuthentication Fault (``simulators.sapiens.faults``)."""
        return sapiens_fault_answer(kind, detail, operation, message, request, now)

    def demo_seed(self) -> dict[str, Any]:
        from simulators.demo import sapiens_demo

        return sapiens_demo()

    def endpoints(self, base_url: str) -> dict[str, str]:
        """Every operation's URL: the SOAP ones share their service's (``ActionCode`` tells them apart)."""
        from contracts import load_contract

        return {op.name: f"{base_url}/sapiens{op.path.replace('{path:path}', '{path}')}"
                for op in load_contract(self.name).operations()}
