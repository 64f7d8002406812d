"""What BillingPro and PolicyPro do with a request (design 004): searches, remittances, settings, down payments.

Each handler turns the ``<Data>`` payload into ledger operations and answers an ``Outcome`` in Sapiens'
own terms: ``SUCCESS``, ``NONEFOUND`` (nothing matches the search), ``MISSINGPARAMS`` (the search names
nothing to look for) or ``FAILURE`` with a ``RejectMessage`` (a payload that is not well-formed or not
valid, an unknown action, a business rule broken). The order of checks is: action, login name, payload
well-formed, search criteria present, payload valid against its XSD, then the ledger.

Where the design is silent the choice is marked *assumed* here and in the contract.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from lxml import etree

from contracts.xmlbody import XmlProblem, parse_xml, unwrap_payload
from simulators.context import SandboxContext
from simulators.errors import LedgerError
from simulators.ledger import Ledger, Payment, from_cents, to_cents
from simulators.sapiens.soap import Invocation, Outcome
from simulators.wsgi import NOTES_KEY, check_request

__all__ = ["SapiensHandlers", "SERVICE_PATHS"]

PARTNER = "sapiens"
SERVICE_PATHS = {
    "billing": "/AdaptikBilling/soapservices/PWBillingService",
    "policy": "/AdaptikPolicy/soapservices/PWPolicyService",
}
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_SEARCH_IDS = {  # the SearchIDs of the design per interface (assumed: any of them answers the interface)
    "account_balance": {"BM_ACCT_SRCH", "BM_ACCT_SRCH1"},
    "policy_balance": {"BM_ACCT_SRCH", "BM_ACCT_SRCH1"},
    "invoice_balance": {"BM_INVOICE_SRCH", "BM_INVOICE_SRCH1", "BM_ACCT_SRCH", "BM_ACCT_SRCH1"},
    "remit_search": {"BM_REMIT_SRCH1"},
}
_ALLOC_TAGS = {"A": "billAcctCd", "C": "billAcctCd", "N": "agreementNbr", "P": "policyNbr", "I": "invoiceNbr",
               "S": "invoiceNbr"}
_ALLOC_LITERALS = {"A": "Account", "C": "Certificate", "N": "Agreement", "P": "Policy", "I": "Invoice",
                   "S": "Invoice"}
_PAYMENT_LITERALS = {"CC": "Credit Card", "ACH": "ACH", "CHECK": "Check", "CASH": "Cash"}
_STATES = {"PA": "Pennsylvania", "NY": "New York", "NJ": "New Jersey", "OH": "Ohio", "CA": "California",
           "TX": "Texas", "FL": "Florida", "IA": "Iowa", "NM": "New Mexico"}
_COUNTRIES = {"US": "United States", "CA": "Canada"}


class _Refusal(Exception):
    def __init__(self, code: str, reject: str, message: str = "") -> None:
        super().__init__(reject)
        self.outcome = Outcome(code, message or _MESSAGES.get(code, code), reject)


_MESSAGES = {"NONEFOUND": "No results were found.", "MISSINGPARAMS": "Required parameters are missing.",
             "FAILURE": "The request could not be processed."}


def _amount(cents: int) -> str:
    """Sapiens writes amounts without trailing zeros when whole (``1467``, ``491327.98``, ``0``)."""
    value = from_cents(cents)
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def _grouped(cents: int) -> str:
    """The remittance search's amount, with a thousands comma (``1,905``)."""
    value = from_cents(cents)
    return f"{int(value):,}" if value == value.to_integral_value() else f"{value:,.2f}"


def _us_date(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%m/%d/%Y")
    except ValueError:
        return iso


def _text(root: etree._Element, path: str) -> str:
    node = root.find(path)
    return "".join(str(t) for t in node.itertext()).strip() if node is not None else ""


def _xml(root: etree._Element, declaration: str = _XML_DECL) -> str:
    return declaration + str(etree.tostring(root, encoding="unicode"))


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, tag, {k: v for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


class SapiensHandlers:
    """The dispatcher Spyne calls with each authenticated request (see ``simulators.sapiens.soap``)."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self._handlers: dict[str, Callable[[Invocation, etree._Element, str], Outcome]] = {
            "account_balance": self._balance, "policy_balance": self._balance, "invoice_balance": self._balance,
            "remit_search": self._remit_search, "post_payment": self._post_payment,
            "reverse_payment": self._reverse_payment, "update_settings": self._update_settings,
            "down_payment": self._down_payment,
        }

    @property
    def contract(self) -> Any:  # contracts.SoapContract (its extra methods: operation_by_action, payload_schema)
        return self.ctx.contract(PARTNER)

    @property
    def ledger(self) -> Ledger:
        return self.ctx.ledger(PARTNER)

    def now_text(self) -> str:
        """``TransDateTime``: the sandbox clock, with milliseconds and offset, as in the samples."""
        moment = datetime.fromtimestamp(self.ctx.store.now(), tz=timezone(timedelta(hours=-5)))
        return moment.isoformat(timespec="milliseconds")

    # -- the frame -----------------------------------------------------------------------------
    def __call__(self, inv: Invocation) -> Outcome:
        try:
            outcome = self._handle(inv)
        except _Refusal as refusal:
            outcome = refusal.outcome
        except LedgerError as exc:
            outcome = Outcome("FAILURE", _MESSAGES["FAILURE"], exc.detail)
        if outcome.code != "SUCCESS":
            environ = inv.environ
            note = f"rejected {outcome.code}: {outcome.reject or outcome.message}"
            environ[NOTES_KEY] = (environ.get(NOTES_KEY, "") + " " + note).strip()
        return outcome

    def _handle(self, inv: Invocation) -> Outcome:
        op = self.contract.operation_by_action(SERVICE_PATHS[inv.service], inv.action_code, inv.interface_code)
        if op is None or op.name not in self._handlers:
            what = f"ActionCode {inv.action_code!r}" + (f" with InterfaceCode {inv.interface_code!r}" if inv.interface_code else "")
            known = ", ".join(sorted({o.name for o in self.contract.operations() if o.name in self._handlers}))
            raise _Refusal("FAILURE", f"{what} is not an action of this service (operations: {known}).")
        if not inv.login_name:
            raise _Refusal("MISSINGPARAMS", "PWAuthentication/UserLoginName is required.")
        text = unwrap_payload(inv.data)[0].strip()
        if not text:
            raise _Refusal("MISSINGPARAMS", "Data carries no payload.")
        try:
            root = parse_xml(text, part="payload")
        except XmlProblem as exc:
            raise _Refusal("FAILURE", f"The Data payload is not well-formed XML: {exc.violation.found}") from exc
        if op.name in _SEARCH_IDS:
            self._criteria(root)  # MISSINGPARAMS before the schema's verdict (assumed order)
        self._validate(inv, op.name, text)
        return self._handlers[op.name](inv, root, op.name)

    def _validate(self, inv: Invocation, operation: str, text: str) -> None:
        if self.ctx.config.check_contracts:  # the front door's verdict on this request, computed once
            problems = [v for v in check_request(self.ctx, PARTNER, inv.environ) if v.location.startswith("payload")]
        else:
            problems = self.contract.payload_violations(operation, "request", text)  # thread-safe, unlike the schema
        if problems:
            listed = "; ".join(str(v).split(" [", 1)[0] for v in problems[:5])
            raise _Refusal("FAILURE", f"The Data payload is not valid: {listed}")

    # -- searches ------------------------------------------------------------------------------
    @staticmethod
    def _criteria(root: etree._Element) -> dict[str, str]:
        found = {child.tag: "".join(child.itertext()).strip() for child in root.iterfind("searchCriteria/*")
                 if isinstance(child.tag, str)}
        found = {k: v for k, v in found.items() if v}
        if not found:
            raise _Refusal("MISSINGPARAMS", "searchCriteria names nothing to search for "
                           "(acctName, policyNbr, invoiceNbr or paymentID).")
        return found

    def _balance(self, inv: Invocation, root: etree._Element, op: str) -> Outcome:
        search_id = _text(root, "SearchID")
        if search_id not in _SEARCH_IDS[op]:
            raise _Refusal("FAILURE", f"SearchID {search_id!r} does not answer {inv.interface_code} "
                           f"(expected one of {', '.join(sorted(_SEARCH_IDS[op]))}).")
        criteria = self._criteria(root)
        results = etree.Element("SearchResults")
        _sub(results, "SearchID", search_id)
        with self.ctx.store.read() as conn:
            account = self._account_of(conn, criteria)
            if account is None:
                raise _Refusal("NONEFOUND", f"No account, policy or invoice matches {self._describe(criteria)}.")
            invoices = self.ledger.invoices(conn, account["account_number"])
            policies = self._policies(conn, account["account_number"])
        name = account["data"].get("acct_name") or account["account_number"]
        carrying = [i for i in invoices if i["carries"]]
        if op == "invoice_balance":
            total = _totals(carrying)[0]
            open_invoices = [i for i in carrying if i["total_cents"] - i["paid_cents"] > 0]
            for invoice in open_invoices:
                _, due, past = _totals([invoice])
                row = _sub(results, "SearchResult")
                for tag, value in (("acctName", name), ("invoiceNbr", invoice["invoice_number"]), ("invStatus", "A"),
                                   ("balance", _amount(total)), ("amountDue", _amount(due)),
                                   ("pastDueAmount", _amount(past))):
                    _sub(row, tag, value)
        elif "policyNbr" in criteria or op == "policy_balance":
            wanted = [criteria["policyNbr"]] if "policyNbr" in criteria else sorted(policies)
            for number in wanted:
                total, due, past = _totals([i for i in carrying if i["policy_number"] == number])
                row = _sub(results, "SearchResult")
                for tag, value in (("acctName", name), ("policyNbr", number),
                                   ("policyStatus", policies.get(number, {}).get("status", "A")),
                                   ("balance", _amount(total)), ("amountDue", _amount(due)),
                                   ("pastDueAmount", _amount(past))):
                    _sub(row, tag, value)
        else:
            total, due, past = _totals(carrying)
            row = _sub(results, "SearchResult")
            for tag, value in (("acctName", name), ("balance", _amount(total)), ("amountDue", _amount(due)),
                               ("pastDueAmount", _amount(past))):
                _sub(row, tag, value)
        if not len(results.findall("SearchResult")):
            raise _Refusal("NONEFOUND", f"No open item matches {self._describe(criteria)}.")
        return Outcome("SUCCESS", "Retrieved results are being returned.", payload=_xml(results))

    @staticmethod
    def _describe(criteria: dict[str, str]) -> str:
        return ", ".join(f"{k} {v!r}" for k, v in criteria.items())

    def _account_of(self, conn: sqlite3.Connection, criteria: dict[str, str]) -> dict[str, Any] | None:
        number = ""
        if "policyNbr" in criteria:
            number = self._policy_account(conn, criteria["policyNbr"])
        elif "invoiceNbr" in criteria:
            row = conn.execute("SELECT account_number FROM invoices WHERE partner = ? AND invoice_number = ?",
                               (PARTNER, criteria["invoiceNbr"])).fetchone()
            number = str(row[0]) if row else ""
        elif "acctName" in criteria:
            number = self._find_account(conn, criteria["acctName"], ("acct_name", "billing_account_codes"))
        return self.ledger.account(conn, number) if number else None

    @staticmethod
    def _find_account(conn: sqlite3.Connection, value: str, keys: Iterable[str]) -> str:
        """The account numbered ``value``, or whose ``data`` names it under one of ``keys`` (a value or a list)."""
        row = conn.execute("SELECT account_number FROM accounts WHERE partner = ? AND account_number = ?",
                           (PARTNER, value)).fetchone()
        if row:
            return str(row[0])
        for key in keys:
            row = conn.execute(
                "SELECT account_number FROM accounts WHERE partner = ? AND (json_extract(data, ?) = ? OR EXISTS "
                "(SELECT 1 FROM json_each(accounts.data, ?) WHERE json_each.value = ?)) ORDER BY account_number",
                (PARTNER, f"$.{key}", value, f"$.{key}", value)).fetchone()
            if row:
                return str(row[0])
        return ""

    @staticmethod
    def _policy_account(conn: sqlite3.Connection, policy_number: str) -> str:
        row = conn.execute("SELECT account_number FROM policies WHERE partner = ? AND policy_number = ?",
                           (PARTNER, policy_number)).fetchone()
        return str(row[0]) if row else ""

    @staticmethod
    def _policies(conn: sqlite3.Connection, account_number: str) -> dict[str, dict[str, Any]]:
        rows = conn.execute("SELECT policy_number, data FROM policies WHERE partner = ? AND account_number = ?",
                            (PARTNER, account_number)).fetchall()
        return {str(r[0]): json.loads(r[1]) for r in rows}

    def _remit_search(self, inv: Invocation, root: etree._Element, _op: str) -> Outcome:
        criteria = self._criteria(root)
        search_id = _text(root, "SearchID")
        if search_id not in _SEARCH_IDS["remit_search"]:
            raise _Refusal("FAILURE", f"SearchID {search_id!r} does not answer remitBatchSearch (expected BM_REMIT_SRCH1).")
        payment_id = criteria.get("paymentID", "")
        if not payment_id:
            raise _Refusal("MISSINGPARAMS", "remitBatchSearch needs searchCriteria/paymentID.")
        with self.ctx.store.read() as conn:
            payment = self.ledger.payment(conn, payment_id)
            credits = self.ledger.credits(conn, payment_id) if payment else []
        if payment is None or "batch_mc_id" not in payment.data:
            raise _Refusal("NONEFOUND", f"No remittance has paymentID {payment_id!r}.")
        nsf = "Y" if any(c["data"].get("nsfInd") == "Y" for c in credits) else "N"
        status = "Reversed" if payment.open_cents == 0 and payment.amount_cents else "Closed"
        results = etree.Element("SearchResults")
        _sub(results, "SearchID", _text(root, "SearchID"))
        row = _sub(results, "SearchResult")
        paid = _us_date(payment.paid_on)
        for tag, value in (("payerNM", payment.data.get("payer", "")), ("remitAmt", _grouped(payment.amount_cents)),
                           ("remainingAmt", "0"), ("status", status), ("depositDate", paid), ("receiptDate", paid),
                           ("acctPeriod", payment.paid_on[:7].replace("-", "")),
                           ("payType", payment.data.get("payment_type", "")), ("transferInd", "N"), ("nsfInd", nsf),
                           ("remittanceCID", payment.data["remit_id"]), ("MCID", payment.data["batch_mc_id"]),
                           ("paymentID", payment.payment_id)):
            _sub(row, tag, value)
        return Outcome("SUCCESS", "Retrieved results are being returned.", payload=_xml(results))

    # -- remittances ---------------------------------------------------------------------------
    def _post_payment(self, inv: Invocation, root: etree._Element, _op: str) -> Outcome:
        # The payload passed its XSD and the contract's rules (operations.yaml): one remit, nbrOfRemitItems 1,
        # bankRemittanceAmount equal to batchTotal, and the one target tag its dbAllocLevel names.
        remit = root.find("remit")
        assert remit is not None, "the XSD requires a remit"
        remitted = to_cents(_text(remit, "bankRemittanceAmount"))
        level = _text(remit, "dbAllocLevel")
        target = _text(remit, _ALLOC_TAGS[level])
        payment_id = _text(remit, "paymentID")
        try:
            deposit = datetime.strptime(_text(remit, "depositDate"), "%m/%d/%Y").date().isoformat()
        except ValueError:
            raise _Refusal("FAILURE", f"depositDate {_text(remit, 'depositDate')!r} is not a date (MM/DD/YYYY).") from None
        payment_type = _text(root, "paymentType")
        with self.ctx.store.transaction() as conn:
            existing = self.ledger.payment(conn, payment_id)
            if existing is None:
                account, invoice, policy = self._allocation(conn, level, target)
                count_row = conn.execute("SELECT COUNT(*) FROM payments WHERE partner = ?", (PARTNER,)).fetchone()
                data = {
                    "batch_mc_id": str(369200001 + 1000 * (int(count_row[0]) + 1)), "remit_id": "2",
                    "alloc_level": level, "target": target, "payment_type": payment_type,
                    "card_brand": _text(remit, "creditCardBrand"), "last_digits": _text(remit, "lastDigitsOfPayment"),
                    "notes": _text(remit, "notes"), "batch_source": _text(root, "batchSource"),
                    "posted_by": inv.login_name, "trans_ref": inv.trans_ref,
                }
                existing, _created = self.ledger.post_payment(
                    conn, payment_id, account, remitted, invoice_number=invoice, policy_number=policy,
                    method=payment_type, paid_on=deposit, data=data, now=self.ctx.store.now())
            else:
                inv.environ[NOTES_KEY] = (inv.environ.get(NOTES_KEY, "") + f" duplicate paymentID {payment_id}: "
                                          "answered as first posted, nothing posted again").strip()
        return Outcome("SUCCESS", "SUCCESS", payload=_posted_batch(existing, self._today()),
                       action_echo="createRemitBatch")

    def _today(self) -> date:
        return datetime.fromtimestamp(self.ctx.store.now(), tz=timezone.utc).date()

    def _allocation(self, conn: sqlite3.Connection, level: str, target: str) -> tuple[str, str, str]:
        """(account, invoice, policy) a remit allocates to, by its level (design 004 §Payments Sent from IC to BP)."""
        account = invoice = policy = ""
        if level == "A":
            account = self._find_account(conn, target, ("acct_name", "billing_account_codes"))
        elif level == "C":  # a certificate number, or the MC_ID when Custom4 is blank (INT-3609)
            account = self._find_account(conn, target, ("certificates", "billing_account_codes", "acct_name"))
        elif level == "N":
            account = self._find_account(conn, target, ("agreements",))
            if account:
                rows = conn.execute("SELECT policy_number FROM policies WHERE partner = ? AND account_number = ? "
                                    "AND json_extract(data, '$.agreement') = ? ORDER BY policy_number",
                                    (PARTNER, account, target)).fetchall()
                policy = str(rows[0][0]) if rows else ""
        elif level == "P":
            policy = target
            account = self._policy_account(conn, target)
        else:  # I, S: an invoice number
            row = conn.execute("SELECT account_number FROM invoices WHERE partner = ? AND invoice_number = ?",
                               (PARTNER, target)).fetchone()
            account, invoice = (str(row[0]), target) if row else ("", "")
        if not account:
            raise _Refusal("FAILURE", f"Allocation target not found: no {_ALLOC_LITERALS[level].lower()} "
                           f"{target!r} for dbAllocLevel {level}.")
        return account, invoice, policy

    def _reverse_payment(self, inv: Invocation, root: etree._Element, _op: str) -> Outcome:
        batch_mc_id, remit = root.get("MC_ID", ""), root.find("remit")
        assert remit is not None, "the XSD requires a remit"
        remit_id, payment_id, nsf = remit.get("ID", ""), _text(remit, "paymentID"), _text(root, "nsfInd")
        with self.ctx.store.transaction() as conn:
            payment = self.ledger.payment(conn, payment_id)
            if payment is None or "batch_mc_id" not in payment.data:
                raise _Refusal("FAILURE", f"No remittance has paymentID {payment_id!r}.")
            if (payment.data["batch_mc_id"], payment.data["remit_id"]) != (batch_mc_id, remit_id):
                raise _Refusal("FAILURE", f"Remittance {payment_id!r} is remit ID {payment.data['remit_id']} of "
                               f"remit batch MC_ID {payment.data['batch_mc_id']}, not remit ID {remit_id!r} of "
                               f"MC_ID {batch_mc_id!r}; search it with remitBatchSearch first.")
            if payment.open_cents <= 0:
                raise _Refusal("FAILURE", f"Remittance {payment_id!r} is already reversed.")
            self.ledger.credit_payment(conn, payment_id, payment.open_cents,
                                       reason="NSF" if nsf == "Y" else "unapply",
                                       kind="nsf" if nsf == "Y" else "reversal",
                                       data={"nsfInd": nsf, "by": inv.login_name}, now=self.ctx.store.now())
        batch = etree.Element("remitBatch", {"CT_ID": root.get("CT_ID", "1"), "ExtAction": "U", "GT_ID": "1",
                                             "MC_ID": batch_mc_id, "VERSION_NO": root.get("VERSION_NO", "1")})
        _sub(batch, "nsfInd", nsf)
        _sub(_sub(batch, "remit"), "paymentID", payment_id)
        return Outcome("SUCCESS", "", payload=_xml(batch, '<?xml version="1.0" encoding="UTF-8"?>'))

    # -- settings and down payments ------------------------------------------------------------
    def _update_settings(self, inv: Invocation, root: etree._Element, _op: str) -> Outcome:
        mc_id = root.get("MC_ID", "")
        with self.ctx.store.transaction() as conn:
            account = self._find_account(conn, mc_id, ("mc_ids",))
            if not account:
                raise _Refusal("FAILURE", f"No account has MC_ID {mc_id!r}.")
            policy = root.find("policy")
            holder, prefix = (root, "") if policy is None else (policy, f"policy:{_text(policy, 'policyNbr')}:")
            if policy is not None and self._policy_account(conn, _text(policy, "policyNbr")) != account:
                raise _Refusal("FAILURE", f"Policy {_text(policy, 'policyNbr')!r} is not on account MC_ID {mc_id}.")
            now = self.ctx.store.now()
            for tag in ("autoPayInd", "paperlessBillingInd"):  # an omitted tag leaves its setting as it is
                if holder.find(tag) is not None:
                    self.ledger.set_setting(conn, account, prefix + tag, _text(holder, tag), now)
        return Outcome("SUCCESS", "SUCCESS", payload=_xml(root, '<?xml version="1.0" encoding="UTF-8"?>'), wrap=False)

    def _down_payment(self, inv: Invocation, root: etree._Element, _op: str) -> Outcome:
        mc_id = root.get("MC_ID", "")
        reference = _text(root, "paymentReferenceID")
        amount = to_cents(_text(root, "downPaymentReceived"))
        with self.ctx.store.transaction() as conn:
            account = self._find_account(conn, mc_id, ("mc_ids",))
            if not account:
                raise _Refusal("FAILURE", f"No policy or quote has MC_ID {mc_id!r}.")
            policies = [n for n, d in self._policies(conn, account).items() if d.get("mc_id") == mc_id]
            self.ledger.post_payment(
                conn, reference, account, amount, policy_number=policies[0] if policies else "",
                method="DOWNPAYMENT", paid_on=self._today().isoformat(),
                data={"payer": _text(root, "paymentPayerName"), "email": _text(root, "paymentPayerEMail"),
                      "mc_id": mc_id}, now=self.ctx.store.now())
        answer = etree.Element("policy", {
            "VERSION_NO": root.get("VERSION_NO", "1"), "MC_ID": mc_id, "ID": root.get("ID", "1"),
            "GenerationTS": datetime.fromtimestamp(self.ctx.store.now()).isoformat(timespec="milliseconds"),
            "CT_INT": "1", "CT_ID": root.get("CT_ID", "1")}, nsmap={"ns2": "http://adaptik.com/ws/xml"})
        for child in root:
            if not isinstance(child.tag, str):
                continue
            node = _sub(answer, child.tag, (child.text or "").strip())
            literal = {"paymentPayerAddressCountry": _COUNTRIES, "paymentPayerAddressState": _STATES}.get(child.tag)
            if literal and node.text in literal:
                node.set("LITERAL", literal[node.text])
        return Outcome("SUCCESS", "SUCCESS", payload=_xml(answer, '<?xml version="1.0" encoding="UTF-8"?>'),
                       action_echo="updatePaymentInfo")


def _totals(invoices: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(balance, amountDue, pastDueAmount) of invoices, in cents, after what was paid on them."""
    total = due = past = 0
    for inv in invoices:
        paid = inv["paid_cents"]
        total += inv["total_cents"] - paid
        due += max(0, inv["due_cents"] - paid)
        past += max(0, inv["past_due_cents"] - paid)
    return total, due, past


def _posted_batch(payment: Payment, today: date) -> str:
    """The posted ``remitBatch`` as BillingPro answers it: every field with its QTAG (design 004 sample)."""
    data, amount = payment.data, str(from_cents(payment.amount_cents))
    level = data.get("alloc_level", "")
    deposit = _us_date(payment.paid_on)
    period = payment.paid_on[:7].replace("-", "")
    kind = data.get("payment_type", "")
    batch = etree.Element("remitBatch", {"VERSION_NO": "1", "MC_ID": data["batch_mc_id"], "ID": "1",
                                         "GenerationTS": f"{today.isoformat()}T00:00:00.000", "CT_INT": "1",
                                         "CT_ID": "1", "ACTION": "A"}, nsmap={"ns2": "http://adaptik.com/ws/xml"})
    _sub(batch, "POLICY_TRANSACTION", TYPE_LITERAL="", TYPE="", SUBTYPE_LITERAL="", SUBTYPE="",
         EFF_DATE=_us_date(today.isoformat()), DESC="")
    for tag, qtag, value, literal in (
        ("productGroup", "30000-1", "REM", "Remittance"), ("transactionDate", "30000-143", deposit, ""),
        ("status", "30000-541", "POSTED", "Posted"), ("depositDate", "30000-544", deposit, ""),
        ("paymentType", "30000-546", kind, _PAYMENT_LITERALS.get(kind, kind)),
        ("nbrOfRemitItems", "30000-557", "1", ""), ("batchTotal", "30000-558", amount, ""),
        ("accountingPeriod", "30000-559", period, ""), ("inputMode", "30000-578", "AUTO", "Automatic"),
        ("notes", "30000-613", data.get("notes", ""), ""), ("batchCtrlType", "30000-621", "REG", ""),
        ("userID", "30000-700", data.get("posted_by", ""), ""), ("postedBy", "30000-817", data.get("posted_by", ""), ""),
    ):
        _sub(batch, tag, value, QTAG=qtag, **({"LITERAL": literal} if literal else {}))
    remit = _sub(batch, "remit", ID=data["remit_id"], ACTION="A")
    target = data.get("target", "")
    for tag, qtag, value, literal in (
        ("policyNbr", "30002-4", payment.policy_number, ""), ("remitStatus", "30002-6", "A", "Applied"),
        ("unallocatedAmt", "30002-10", "0.00", ""), ("depositDate", "30002-14", deposit, ""),
        ("paymentType", "30002-16", kind, _PAYMENT_LITERALS.get(kind, kind)),
        ("appliedAmount", "30002-19", amount, ""), ("remittanceAmount", "30002-27", amount, ""),
        ("acctPeriod", "30002-47", period, ""), ("notes", "30002-49", data.get("notes", ""), ""),
        ("nsfInd", "30002-50", "", ""), ("paymentID", "30002-52", payment.payment_id, ""),
        ("mc_id", "30002-78", data["batch_mc_id"], ""), ("bankRemittanceAmount", "30002-73", amount, ""),
        ("remit_ID", "30002-85", data["remit_id"], ""),
        ("billAcctCd", "30002-103", target if level in ("A", "C") else "", ""),
        ("createdByUser", "30002-117", data.get("posted_by", ""), ""),
        ("createdDate", "30002-118", deposit, ""), ("entityLiteral", "30002-125", "Remittance", ""),
        ("dbAllocLevel", "30002-171", level, _ALLOC_LITERALS.get(level, "")),
        ("allocTargetFoundInd", "30002-172", "Y", "Yes"), ("allocTarget", "30002-179", target, ""),
    ):
        _sub(remit, tag, value, QTAG=qtag, **({"LITERAL": literal} if literal else {}))
    return _xml(batch, '<?xml version="1.0" encoding="UTF-8"?>')

