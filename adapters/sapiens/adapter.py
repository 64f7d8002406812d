"""``SapiensAdapter``: IC's calls to Sapiens BillingPro and PolicyPro (design 004).

The "IC Use" rules are in ``_rules`` (which search, which allocation tag, what is skipped), the
messages in ``_payloads``, the SOAP envelope and the judgement of answers in ``_soap``; this module
puts them together call by call.

Channels (design 004 §Advanced Settings): RTDR balance searches go to setting 8 with the
UsernameToken of settings 9 and 10; everything else (payments, the remittance search, reversals,
settings changes, PolicyPro down payments) is Data Pump: setting 11 with 12 and 13. The
``UserLoginName`` is setting 89 (assumed; the design says "Values to be provided separately"),
or the UsernameToken's username when 89 is not set. PolicyPro has no setting of its own: its URL is
setting 11 with ``AdaptikBilling/soapservices/PWBillingService`` replaced by
``AdaptikPolicy/soapservices/PWPolicyService`` (assumed). A URL setting may be given as the
design's base URLs are, with ``.wsdl`` or ``?wsdl``: IC posts to the endpoint without it.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from lxml import etree

from contracts import Exchange, Violation
from contracts.bif import Invoice
from contracts.xmlbody import XmlProblem, parse_xml, unwrap_payload

from adapters._http import Target, query_of
from adapters.base import PartnerAdapter
from adapters.errors import (
    AdapterConfigError, AdapterInputError, AuthError, ContractViolation, JsonApiError, PartnerRejected,
    PartnerUnavailable,
)
from adapters.model import (
    BalanceRefresh, BalanceUpdate, Credit, CreditKind, CreditResult, Payment, PaymentMethod, PaymentResult,
    SettingsChange, SkippedInvoice, wants_autopay,
)
from adapters.sapiens._documents import read_document
from adapters.sapiens._payloads import (
    Reader, down_payment_policy, remittance_batch, reversal_batch, search_request, search_results, settings_account,
)
from adapters.sapiens._rules import (
    RtdrConfig, SearchKey, allocation, bif, document_path, is_quote, plan_refresh, quote_mc_id, settings_target,
)
from adapters.sapiens._soap import (
    BILLING, CONTENT_TYPE, POLICY, Credentials, Service, SoapAnswer, envelope, fault_error, parse_payload,
    read_answer, read_fault,
)
from adapters.settings import BillerSettings, Setting, describe

__all__ = ["SapiensAdapter"]

_RTDR_RULE = "design 004 §RTDR Response Field Mapping"
_POSTING_RULE = "design 004 §DataPump: Payment"
_SEARCH_RULE = "design 004 §Remittance Search"
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"  # RFC 3986 pchar and '/': kept; anything else (spaces) percent-encoded


@dataclass(frozen=True)
class _Channel:
    """Where a call goes and as whom: the URL setting and the UsernameToken."""

    url_setting: Setting
    credentials: Credentials


@dataclass(frozen=True)
class _Remittance:
    """What the remittance search gives for a payment: the keys ``createRemitReversal`` needs."""

    batch_mc_id: str  # MCID: the remitBatch MC_ID
    remittance_id: str  # remittanceCID: the remit ID


def _endpoint(url: str) -> str:
    """The service address of a URL given as the design gives them (``...PWBillingService.wsdl``, ``?wsdl``)."""
    parts = urlsplit(url)
    path = parts.path[: -len(".wsdl")] if parts.path.lower().endswith(".wsdl") else parts.path
    query = "" if parts.query.lower() == "wsdl" else parts.query
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


class SapiensAdapter(PartnerAdapter):
    """IC's calls to Sapiens. Results are frozen dataclasses; failures are ``adapters.errors`` types.

    ``clock`` gives ``ReqDateTime`` (ISO 8601 with the local offset, as Sapiens writes
    ``TransDateTime``); ``trans_refs`` a fresh ``TransRef`` per call (a UUID).
    """

    partner = "sapiens"

    def __init__(
        self,
        settings: BillerSettings,
        session: requests.Session | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        trans_refs: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(settings, session)
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._trans_refs = trans_refs or (lambda: str(uuid.uuid4()))
        self.rtdr_config = RtdrConfig.of(settings.json_configuration())  # setting 131, checked up front

    # -- RTDR ---------------------------------------------------------------------------------
    def refresh_balance(self, invoices: Sequence[Invoice], *, email: str | None = None) -> BalanceRefresh:
        """Ask BillingPro for the balances of IC's invoices (design 004 §RTDR: Balance Update).

        Which invoices and which searches: ``_rules.plan_refresh`` (INT-3540 quotes, INT-6924 filter,
        INT-9667 / ITG-2475 balance forward, INT-4903 search fields); one call per distinct search.
        Mapping: BalanceDue = ``amountDue``, TotalAmountDue = ``balance``, PastDue = ``pastDueAmount``.
        An answer with ``invoiceNbr`` updates each of the searched invoices whose InvoiceNumber it
        returns ("All invoices returned should be updated"); an invoice it does not return is skipped
        (``not_returned``: IC keeps its balance). Any other answer applies to every searched invoice.

        ``NONEFOUND`` is a ``PartnerRejected`` with code ``NONEFOUND``, as are ``MISSINGPARAMS`` and
        ``FAILURE`` (with the RejectMessage): the invoice names something Sapiens does not know, which
        is a BIF problem to see, not an empty refresh to overlook. ``email`` is accepted for the
        shared call signature; Sapiens' RTDR takes no user.
        """
        del email
        searches, skipped = plan_refresh(invoices, self.rtdr_config)
        updates: list[BalanceUpdate] = []
        for key, group in searches.items():
            payload = search_request(key.search_id, [(key.tag, key.value)])
            exchange, answer = self._call(
                BILLING, key.operation, "PWSTRUCTUREDSEARCH", key.interface_code, payload, self._rtdr_channel(),
                f"the balance of {key}",
                none_found=f"Check the RTDR fields of invoice {group[0].invoice_number} in the BIF ({bif(7)}..{bif(10)}, "
                "or Custom2/Custom3): they name what IC asks for.",
            )
            root = parse_payload(exchange, answer, "SearchResults", _RTDR_RULE)
            found, missing = self._balances(exchange, key, group, search_results(root))
            updates.extend(found)
            skipped.extend(missing)
        return BalanceRefresh(tuple(updates), tuple(skipped))

    def _balances(self, exchange: Exchange, key: SearchKey, group: list[Invoice],
                  results: list[dict[str, str]]) -> tuple[list[BalanceUpdate], list[SkippedInvoice]]:
        reader = Reader(_RTDR_RULE)
        updates: list[BalanceUpdate] = []
        missing: list[SkippedInvoice] = []

        def update(inv: Invoice, values: dict[str, str], index: int) -> BalanceUpdate:
            where = f"/SearchResults/SearchResult[{index}]"
            return BalanceUpdate(
                account_number=inv.account_number,
                invoice_number=inv.invoice_number,
                total_amount_due=reader.amount(values, "balance", where),
                balance_due=reader.amount(values, "amountDue", where),
                past_due=reader.amount(values, "pastDueAmount", where),
                operation=key.operation,
            )

        if any("invoiceNbr" in r for r in results) or not results:
            returned: dict[str, tuple[int, dict[str, str]]] = {}
            for index, values in enumerate(results, 1):
                returned.setdefault(values.get("invoiceNbr", "").upper(), (index, values))
            for inv in group:
                hit = returned.get(inv.invoice_number.strip().upper())
                if hit is not None:
                    updates.append(update(inv, hit[1], hit[0]))
                    continue
                missing.append(SkippedInvoice(
                    inv.invoice_number, inv.account_number, "not_returned",
                    f"Sapiens returned no open invoice {inv.invoice_number} for {key}: IC keeps the balance it has "
                    "(a paid or closed invoice is no longer returned)"))
        else:
            same = [(i, r) for i, r in enumerate(results, 1) if r.get(key.tag, "").upper() == key.value.upper()]
            chosen = same[0] if len(same) == 1 else (1, results[0]) if len(results) == 1 else None
            if chosen is None:
                reader.flag("/SearchResults", f"one SearchResult for {key.tag} {key.value}",
                            f"{len(results)} results, {len(same)} of them for it")
            else:
                updates.extend(update(inv, chosen[1], chosen[0]) for inv in group)
        if reader.violations:
            raise ContractViolation.of(exchange, reader.violations, "IC cannot refresh the balance from it")
        return updates, missing

    # -- payments -----------------------------------------------------------------------------
    def post_payment(self, payment: Payment) -> PaymentResult:
        """Post a payment: BillingPro ``createRemitACHPmt``, or PolicyPro ``updPaymentInfo`` for a quote.

        BillingPro is "used only if the IC AccountNumber (or IC InvoiceNumber as these would be the
        same) does not start with Q" (design 004 §Payments Sent from IC to BP); the batch is
        ``_payloads.remittance_batch``, the allocation ``_rules.allocation`` (INT-3609, INT-4810,
        INT-4811, ITG-1597). The result carries the posted ``remitBatch`` ``MC_ID`` (``batch_id``) and
        ``remit`` ``ID`` (``remittance_id``), which a later reversal refers to.
        """
        invoice = payment.invoice
        if is_quote(invoice):
            return self._down_payment(payment)
        level, targets = allocation(invoice)
        payload = remittance_batch(payment, level, targets)
        exchange, answer = self._call(BILLING, "post_payment", "createRemitACHPmt", "", payload,
                                      self._datapump_channel(), f"payment {payment.payment_id}")
        root = parse_payload(exchange, answer, "remitBatch", _POSTING_RULE)
        reader = Reader(_POSTING_RULE)
        batch_id = (root.get("MC_ID") or "").strip()
        if not batch_id:
            reader.flag("/remitBatch/@MC_ID", "the posted batch's MC_ID", "absent or empty")
        remit = root.find("remit")
        remit_id = echoed = ""
        if remit is None:
            reader.flag("/remitBatch/remit", "the posted remit", "absent")
        else:
            remit_id = (remit.get("ID") or remit.findtext("remit_ID") or "").strip()
            if not remit_id:
                reader.flag("/remitBatch/remit/@ID", "the posted remit's ID", "absent or empty")
            echoed = (remit.findtext("paymentID") or "").strip()
            if self.settings.strict_contract and echoed and echoed.lower() != payment.payment_id.lower():
                reader.flag("/remitBatch/remit/paymentID", f"the paymentID sent, {payment.payment_id!r}", echoed)
        if reader.violations:
            raise ContractViolation.of(exchange, reader.violations, "IC cannot tell which remittance was posted")
        return PaymentResult(echoed or payment.payment_id, invoice.account_number, invoice.invoice_number,
                             batch_id=batch_id, remittance_id=remit_id, operation="post_payment")

    def _down_payment(self, payment: Payment) -> PaymentResult:
        """A quote's payment goes to PolicyPro ``updPaymentInfo`` (design 004 §Data Pump: DownPayment).

        The design marks this API "Unused ... Sapiens is using the InvoicePaymentHistory instead of
        data pump for Down Payments", yet says PolicyPro is the endpoint for accounts starting with
        Q; the sandbox serves it, so IC's side is here. ``policy`` MC_ID: ``_rules.quote_mc_id``.
        """
        invoice = payment.invoice
        payload = down_payment_policy(quote_mc_id(invoice), payment, invoice)
        exchange, answer = self._call(POLICY, "down_payment", "updPaymentInfo", "", payload, self._datapump_channel(),
                                      f"the down payment {payment.payment_id} of quote {invoice.account_number}",
                                      url=self._policy_url())
        if self.settings.strict_contract and answer.data:
            rule = "design 004 §Data Pump: DownPayment"
            echoed = (parse_payload(exchange, answer, "policy", rule).findtext("paymentReferenceID") or "").strip()
            if echoed and echoed.lower() != payment.payment_id.lower():
                raise ContractViolation.of(exchange, [Violation("payload /policy/paymentReferenceID",
                                                                f"the payment sent, {payment.payment_id!r}", echoed, rule)])
        return PaymentResult(payment.payment_id, invoice.account_number, invoice.invoice_number,
                             operation="down_payment")

    def post_credit(self, credit: Credit) -> CreditResult:
        """Reverse a posted payment (design 004 §Data Pump: ACH Reject, §Remittance Search).

        First ``remitBatchSearch`` (SearchID ``BM_REMIT_SRCH1``, ``paymentID`` = IC payment GUID) for
        the remittance's ``MCID`` and ``remittanceCID``; then ``createRemitReversal`` with them and
        ``nsfInd`` Y for an ACH reject (NSF), N for every other credit (an unapply of the payment).
        Not sent: C-series reject codes ("Do not include ACH Reject C series codes"), and quotes,
        whose down payment went to PolicyPro, which has no reversal in the design. An unknown
        payment (the search answers ``NONEFOUND``) is a ``PartnerRejected`` and nothing is reversed.
        Sapiens reverses the whole remittance: the design's reversal carries no amount.
        """
        nsf = credit.kind is CreditKind.ACH_REJECT
        if nsf and credit.reject_code.startswith("C"):
            return CreditResult(credit.payment_id, credit.account_number, credit.reject_code, posted=False,
                                skipped_because=f"{credit.reject_code} is a C-series ACH reject (a notification of "
                                "change): Sapiens takes none (design 004 §Data Pump: ACH Reject)")
        reason = f"nsfInd={'Y' if nsf else 'N'}"
        if credit.account_number.strip().upper().startswith("Q"):
            return CreditResult(credit.payment_id, credit.account_number, reason, posted=False,
                                skipped_because=f"account {credit.account_number} is a quote: its down payment went to "
                                "PolicyPro, which has no reversal in design 004 (BillingPro reverses only its own "
                                "remittances)")
        found = self._find_remittance(credit.payment_id)
        payload = reversal_batch(found.batch_mc_id, found.remittance_id, credit.payment_id, nsf)
        self._call(BILLING, "reverse_payment", "createRemitReversal", "", payload, self._datapump_channel(),
                   f"the {credit.kind.value} of payment {credit.payment_id} (remit {found.remittance_id} of batch "
                   f"{found.batch_mc_id})")
        return CreditResult(credit.payment_id, credit.account_number, reason, posted=True,
                            batch_id=found.batch_mc_id, remittance_id=found.remittance_id)

    def _find_remittance(self, payment_id: str) -> _Remittance:
        payload = search_request("BM_REMIT_SRCH1", [("paymentID", payment_id)])
        exchange, answer = self._call(
            BILLING, "remit_search", "PWSTRUCTUREDSEARCH", "remitBatchSearch", payload, self._datapump_channel(),
            f"the remittance of payment {payment_id}",
            none_found="Nothing was reversed: IC reverses only payments BillingPro holds. Check that the payment was "
            "posted (not a quote's down payment) and that the GUID is IC's payment GUID.",
        )
        results = search_results(parse_payload(exchange, answer, "SearchResults", _SEARCH_RULE))
        reader = Reader(_SEARCH_RULE)
        same = [(i, r) for i, r in enumerate(results, 1) if r.get("paymentID", "").lower() == payment_id.lower()]
        if len(same) == 1:
            index, values = same[0]
        elif len(results) == 1 and not (self.settings.strict_contract and results[0].get("paymentID")):
            index, values = 1, results[0]
        else:
            reader.flag("/SearchResults", f"one SearchResult for paymentID {payment_id!r}",
                        f"{len(results)} results, {len(same)} of them for it")
            raise ContractViolation.of(exchange, reader.violations, "IC cannot tell which remittance to reverse")
        where = f"/SearchResults/SearchResult[{index}]"
        remittance = _Remittance(reader.text(values, "MCID", where), reader.text(values, "remittanceCID", where))
        if reader.violations:
            raise ContractViolation.of(exchange, reader.violations, "IC cannot reverse the payment without them")
        return remittance

    # -- autopay and paperless ----------------------------------------------------------------
    def set_autopay(self, target: Invoice, method: PaymentMethod | str | bool | None,
                    email: str | None = None) -> SettingsChange:
        """Autopay on (any payment method: ``autoPayInd`` Y) or off (None or False: N); paperless untouched."""
        del email
        return self.update_settings(target, autopay=wants_autopay(method))

    def set_paperless(self, target: Invoice, enabled: bool, email: str | None = None) -> SettingsChange:
        """Paperless on (``paperlessBillingInd`` Y) or off (N); autopay untouched."""
        del email
        return self.update_settings(target, paperless=bool(enabled))

    def update_settings(self, invoice: Invoice, *, autopay: bool | None = None,
                        paperless: bool | None = None) -> SettingsChange:
        """``updateICSettings`` with what changes; the tag of a setting that does not change is omitted.

        Account MC_ID from Custom6 (INT-3697); the single-policy form when Custom3 is set
        (``_rules.settings_target``). A quote is not sent: enrollments made during a down payment
        are pulled by Sapiens through IC's web services (design 004 §Paperless/AutoPay Enrollment).
        """
        if not isinstance(invoice, Invoice):
            raise AdapterInputError(
                f"Sapiens settings changes take the invoice as IC holds it (for {bif(6)}, the account MC_ID, and "
                f"{bif(3)}, the policy number), found {type(invoice).__name__} {invoice!r}"
            )
        if autopay is None and paperless is None:
            raise AdapterInputError("update_settings needs autopay or paperless (or both); nothing would change")
        if is_quote(invoice):
            return SettingsChange(invoice.account_number, autopay, paperless, sent=False,
                                  skipped_because=f"account {invoice.account_number} is a quote: Sapiens pulls "
                                  "enrollments made during a down payment from IC (design 004 §Paperless/AutoPay "
                                  "Enrollment); nothing was sent")
        mc_id, policy = settings_target(invoice)
        payload = settings_account(mc_id, policy, autopay, paperless)
        exchange, answer = self._call(BILLING, "update_settings", "updateICSettings", "", payload,
                                      self._datapump_channel(), f"the settings change of account MC_ID {mc_id}")
        self._check_settings_echo(exchange, answer, autopay, paperless)
        return SettingsChange(mc_id, autopay, paperless, policy_number=policy)

    def _check_settings_echo(self, exchange: Exchange, answer: SoapAnswer, autopay: bool | None,
                             paperless: bool | None) -> None:
        """Contract-strict: an echoed indicator must be the one sent. The echo itself is optional:
        IC needs only SUCCESS, and the design's own sample answer is not well-formed (a second
        ``</account>``), so an unreadable echo is left to the contract check."""
        if not self.settings.strict_contract:
            return
        try:
            root = parse_xml(unwrap_payload(answer.data or "")[0].strip().encode("utf-8"), part="payload")
        except XmlProblem:
            return
        reader = Reader("design 004 §Update Settings")
        for tag, sent in (("autoPayInd", autopay), ("paperlessBillingInd", paperless)):
            echoed = root.xpath(f"string(.//{tag})").strip()
            if sent is not None and echoed and echoed != ("Y" if sent else "N"):
                reader.flag(f"//{tag}", f"{'Y' if sent else 'N'}, the value just set", echoed)
        if reader.violations:
            raise ContractViolation.of(exchange, reader.violations)

    # -- bill image ---------------------------------------------------------------------------
    def fetch_bill(self, invoice: Invoice) -> bytes:
        """The bill PDF: GET setting 20 + the path in Custom1 (design 004 §PDF Linking, HTTPURLParams).

        HTTP Basic with settings 21 and 22 (assumed: the design says "Authentication JNDIs: User /
        Password"). The answer is a ``scsResponse`` whose ``documents/document/file`` is the base64
        PDF; a returnCode other than SUCCESS is a ``PartnerRejected``, a file that is not a PDF a
        ``ContractViolation``.
        """
        path = document_path(invoice)
        why = "bill images (design 004 §PDF Linking)"
        base = self.settings.require(Setting.PDF_URL, why)
        user = self.settings.require(Setting.PDF_USERNAME, why)
        password = self.settings.require(Setting.PDF_PASSWORD, why)
        encoded = quote(path, safe=_PATH_SAFE)
        url = base.rstrip("/") + encoded
        target = Target("get_document", "GET", url, "", encoded, query_of(url))
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        exchange = self.send(target, {"Accept": "application/xml", "Content-Type": "application/xml",
                                      "Authorization": f"Basic {token}"})
        return read_document(exchange, path)

    # -- SOAP ---------------------------------------------------------------------------------
    def _call(self, service: Service, operation: str, action: str, interface: str, payload: etree._Element,
              channel: _Channel, what: str, *, url: str | None = None, none_found: str = "") -> tuple[Exchange, SoapAnswer]:
        """Send one envelope; answer the exchange and a SUCCESS TransResult, or raise the typed error."""
        credentials = channel.credentials
        body = envelope(service, action=action, interface=interface, credentials=credentials,
                        trans_ref=self._trans_refs(), requested_at=self._clock().isoformat(timespec="milliseconds"),
                        payload=payload)
        address = url or self.settings.require(channel.url_setting, f"{service.name} calls (design 004 §Advanced Settings)")
        target = self._soap_target(operation, address, channel.url_setting, service)
        try:
            exchange = self.send(target, {"Content-Type": CONTENT_TYPE, "SOAPAction": '""'}, body)
        except PartnerUnavailable as unavailable:
            # SOAP 1.1 sends every Fault with HTTP 500: fault_error tells a refusal (Client, WS-Security) from
            # an outage (Server, or another fault with a 5xx).
            failed = unavailable.exchange
            fault = read_fault(failed.response.body) if failed is not None and failed.response is not None else None
            if failed is None or failed.response is None or fault is None:
                raise
            failed.violations = self.contract.check_response(failed.request, failed.response)
            raise fault_error(failed, fault, credentials) from None
        assert exchange.response is not None
        status = exchange.response.status
        if status != 200 and read_fault(exchange.response.body) is None:
            if status in (401, 403):
                raise AuthError(f"{exchange.qualified_operation}: {service.name} refused IC with HTTP {status} before "
                                f"reading the envelope. Check the credentials of {credentials.settings}.",
                                exchange=exchange)
            raise PartnerRejected(
                f"{exchange.qualified_operation}: {service.name} answered HTTP {status} without a SOAP envelope. Expected "
                f"200 with a {service.response}; check that {describe(channel.url_setting)} is the service's address.",
                exchange=exchange, status=status, errors=[JsonApiError(status=str(status), code=f"HTTP {status}")])
        answer = read_answer(exchange, service, credentials)
        if answer.return_code != "SUCCESS":
            raise self._refusal(exchange, answer, what, none_found)
        return exchange, answer

    def _refusal(self, exchange: Exchange, answer: SoapAnswer, what: str, none_found: str) -> PartnerRejected:
        code = answer.return_code
        said = f"{code}{f' / {answer.reason_code}' if answer.reason_code and answer.reason_code != code else ''}"
        if code == "NONEFOUND":
            message = f"Sapiens found nothing for {what} ({said}: {answer.why}). {none_found or 'Check what IC sent.'}"
        elif code == "MISSINGPARAMS":
            message = (f"Sapiens says {what} lacks required values ({said}: {answer.why}). Expected the criteria IC "
                       "sends to be there: check the BIF fields they come from (see error.exchange).")
        else:
            message = (f"Sapiens refused {what} ({said}): {answer.why}. Expected SUCCESS; fix what the message points "
                       "at, or ask Sapiens why it refuses.")
        assert exchange.response is not None
        status = exchange.response.status
        return PartnerRejected(f"{exchange.qualified_operation}: {message}", exchange=exchange, status=status,
                               errors=[JsonApiError(status=str(status), code=code, title=answer.reason_code,
                                                    detail=answer.reject or answer.message)])

    def _soap_target(self, operation: str, url: str, setting: int, service: Service) -> Target:
        """The partner's own path is the service path; the URL's prefix (the sandbox's ``/sapiens``) is dropped."""
        address = _endpoint(url)
        path = urlsplit(address).path or "/"
        if path.rstrip("/").endswith(service.path):
            own = service.path
        elif self.settings.strict_contract:
            raise AdapterConfigError(
                f"{describe(setting)} gives {url!r} for sapiens.{operation}, but {service.name}'s endpoint ends in "
                f"{service.path}. Fix the setting (a base URL followed by {service.path}), or turn the "
                "'strict_contract' option off."
            )
        else:
            own = path
        return Target(operation, "POST", address, "", own, query_of(address))

    def _policy_url(self) -> str:
        url = _endpoint(self.settings.require(Setting.PAYMENTS_URL, "PolicyPro down payments (design 004)"))
        parts = urlsplit(url)
        if not parts.path.rstrip("/").endswith(BILLING.path):
            raise AdapterConfigError(
                f"{Setting.PAYMENTS_URL.describe()} must end in {BILLING.path}: IC derives PolicyPro's address from it "
                f"by replacing that with {POLICY.path} (assumed: design 004 has no PolicyPro setting); found {url!r}"
            )
        path = parts.path.rstrip("/")[: -len(BILLING.path)] + POLICY.path
        return urlunsplit(parts._replace(path=path))

    def _channel(self, url: Setting, user: Setting, password: Setting, purpose: str) -> _Channel:
        why = f"the WS-Security UsernameToken of {purpose} (design 004 §Advanced Settings)"
        username = self.settings.require(user, why)
        secret = self.settings.require(password, why)
        login = self.settings.get(Setting.TOKEN_USERNAME) or username
        return _Channel(url, Credentials(username, secret, login, f"settings {int(user)} and {int(password)} ({purpose})"))

    def _rtdr_channel(self) -> _Channel:
        return self._channel(Setting.RTDR_URL, Setting.RTDR_USERNAME, Setting.RTDR_PASSWORD, "RTDR")

    def _datapump_channel(self) -> _Channel:
        return self._channel(Setting.PAYMENTS_URL, Setting.PAYMENTS_USERNAME, Setting.PAYMENTS_PASSWORD, "Data Pump")

