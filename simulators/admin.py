"""The admin API under ``/__admin`` (the convention WireMock users know).

health, reset, seed (JSON/YAML fixture or BIF), state, journal (list, filter, one entry, clear),
credentials, contracts/<partner> (the partner's OpenAPI or WSDL for outside tools), clock, faults
(``simulators.faults``: add, list, remove one, clear; a reset clears them too).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import yaml
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from contracts import ContractLoadError, HarnessError
from simulators.faults import FaultPlan, FaultPlanError
from simulators.journal import JournalFilter
from simulators.ledger import from_cents

if TYPE_CHECKING:
    from simulators.app import Sandbox

__all__ = ["create_admin_app"]


def _json(doc: Any, status: int = 200) -> Response:
    return Response(json.dumps(doc, indent=2, default=str), status=status, content_type="application/json")


def _problem(status: int, detail: str, **extra: Any) -> Response:
    return _json({"error": detail, **extra}, status)


def create_admin_app(sandbox: Sandbox) -> Flask:
    app = Flask("simulators.admin")
    app.url_map.strict_slashes = False
    ctx = sandbox.ctx

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        return _problem(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(HarnessError)
    def _harness(exc: HarnessError) -> Response:
        return _problem(400, str(exc))

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> Response:
        ctx.record_error(exc)
        return _problem(500, f"internal error in the sandbox: {exc!r}")

    @app.get("/__admin/health")
    def health() -> Response:
        with ctx.store.read() as conn:
            conn.execute("SELECT 1").fetchone()
        return _json({"status": "ok", "partners": list(sandbox.partners), "state": ctx.store.path})

    @app.get("/__admin/partners")
    def partners() -> Response:
        base = request.host_url.rstrip("/")
        return _json({name: {"title": sim.title, "endpoints": sim.endpoints(base),
                             "operations": [op.qualified for op in ctx.contract(name).operations()]}
                      for name, sim in sandbox.partners.items()})

    @app.post("/__admin/reset")
    def reset() -> Response:
        body = request.get_json(silent=True) or {}
        sandbox.reset(demo=bool(body.get("demo", ctx.config.demo)))
        return _json({"status": "reset", "demo": bool(body.get("demo", ctx.config.demo))})

    @app.post("/__admin/seed")
    def seed() -> Response:
        mode = request.args.get("mode", "merge")
        if mode not in ("merge", "replace"):
            return _problem(400, f"mode must be one of merge, replace; found {mode!r}")
        if mode == "replace":
            sandbox.reset(demo=False)
        partner = request.args.get("partner", "")
        content_type = request.mimetype
        if content_type in ("application/x-bif", "text/plain") or request.args.get("format") in ("bif", "form"):
            if partner not in sandbox.partners:
                return _problem(400, f"a BIF seed needs ?partner= one of {list(sandbox.partners)}")
            count = sandbox.seed_bif(partner, request.get_data(as_text=True), form=request.args.get("format") == "form")
            return _json({"status": "seeded", "partner": partner, "invoices": count})
        try:
            doc = yaml.safe_load(request.get_data(as_text=True)) or {}
        except yaml.YAMLError as exc:
            return _problem(400, f"the seed is not JSON or YAML: {exc}")
        if partner:
            doc = {partner: doc}
        counts = sandbox.seed(doc)
        return _json({"status": "seeded", "accounts": counts})

    @app.get("/__admin/state")
    def state() -> Response:
        only = request.args.get("partner", "")
        return _json({name: _partner_state(sandbox, name) for name in sandbox.partners if not only or name == only})

    @app.get("/__admin/journal")
    def journal() -> Response:
        try:
            flt = JournalFilter(partner=request.args.get("partner", ""), operation=request.args.get("operation", ""),
                                since_id=int(request.args.get("since", 0)), limit=int(request.args.get("limit", 100)),
                                violations_only=request.args.get("violations") in ("1", "true"))
        except ValueError:
            return _problem(400, "since and limit must be whole numbers")
        return _json({"entries": ctx.journal.entries(flt)})

    @app.get("/__admin/journal/<int:entry_id>")
    def journal_entry(entry_id: int) -> Response:
        entry = ctx.journal.get(entry_id)
        if entry is None:
            return _problem(404, f"no journal entry {entry_id}")
        if request.args.get("format") == "yaml":
            from contracts import Exchange, dump_exchanges

            return Response(dump_exchanges([Exchange.from_dict(entry)]), content_type="application/yaml")
        return _json(entry)

    @app.delete("/__admin/journal")
    def journal_clear() -> Response:
        return _json({"status": "cleared", "removed": ctx.journal.clear()})

    @app.get("/__admin/credentials")
    def credentials() -> Response:
        return _json(ctx.config.credentials.to_dict())

    @app.get("/__admin/contracts/<partner>")
    def contract(partner: str) -> Response:
        if partner not in sandbox.partners:
            return _problem(404, f"no partner {partner!r}; known: {list(sandbox.partners)}")
        try:
            body, media = ctx.contract(partner).document()
        except ContractLoadError as exc:
            return _problem(500, str(exc))
        return Response(body, content_type=media)

    @app.get("/__admin/clock")
    def clock() -> Response:
        return _json({"now": ctx.store.now(), "offset": float(ctx.store.meta("clock_offset", "0"))})

    @app.post("/__admin/clock")
    def clock_move() -> Response:
        body = request.get_json(silent=True) or {}
        if body.get("reset"):
            ctx.store.reset_clock()
        elif isinstance(body.get("advance"), (int, float)) and not isinstance(body.get("advance"), bool):
            ctx.store.advance_clock(float(body["advance"]))
        else:
            return _problem(400, 'send {"advance": seconds} or {"reset": true}')
        return clock()

    @app.post("/__admin/faults")
    def fault_add() -> Response:
        doc = request.get_json(silent=True)
        if doc is None:
            return _problem(400, "send the fault plan as a JSON object, e.g. "
                                 '{"partner": "imt", "operation": "post_payment", "status": 503}', field="plan")
        try:
            plan = FaultPlan.parse(doc, list(sandbox.partners),
                                   lambda p: [op.name for op in ctx.contract(p).operations()],
                                   contract=ctx.contract, simulator=sandbox.partners.__getitem__)
        except FaultPlanError as exc:
            return _problem(400, str(exc), field=exc.field)
        return _json(ctx.faults.add(plan).to_dict(), 201)

    @app.get("/__admin/faults")
    def fault_list() -> Response:
        return _json({"faults": [plan.to_dict() for plan in ctx.faults.all()]})

    @app.delete("/__admin/faults/<int:plan_id>")
    def fault_remove(plan_id: int) -> Response:
        if not ctx.faults.remove(plan_id):
            return _problem(404, f"no fault plan {plan_id}")
        return _json({"status": "removed", "id": plan_id})

    @app.delete("/__admin/faults")
    def fault_clear() -> Response:
        return _json({"status": "cleared", "removed": ctx.faults.clear()})

    return app


def _partner_state(sandbox: Sandbox, partner: str) -> dict[str, Any]:
    ctx = sandbox.ctx
    ledger = ctx.ledger(partner)
    out: dict[str, Any] = {"accounts": []}
    with ctx.store.read() as conn:
        numbers = [r[0] for r in conn.execute("SELECT account_number FROM accounts WHERE partner = ? ORDER BY account_number",
                                              (partner,))]
        for number in numbers:
            acct = ledger.account(conn, number)
            bal = ledger.balance(conn, number)
            payments = conn.execute("SELECT payment_id FROM payments WHERE partner = ? AND account_number = ? "
                                    "ORDER BY created_at, payment_id", (partner, number)).fetchall()
            out["accounts"].append({
                "account_number": number, "name": acct["name"], "billing": acct["billing"],
                "balance": {"total_due": str(from_cents(bal.total_due)), "bill_balance": str(from_cents(bal.bill_balance)),
                            "past_due": str(from_cents(bal.past_due)), "current_due": str(from_cents(bal.current_due)),
                            "invoice_number": bal.invoice_number},
                "invoices": [{"invoice_number": i["invoice_number"], "invoice_date": i["invoice_date"],
                              "total": str(from_cents(i["total_cents"])), "due": str(from_cents(i["due_cents"])),
                              "paid": str(from_cents(i["paid_cents"])), "carries_balance": i["carries"]}
                             for i in ledger.invoices(conn, number)],
                "payments": [_payment_state(ledger, conn, p[0]) for p in payments],
                "settings": ledger.settings(conn, number),
            })
        sessions = ledger.sessions(conn, ctx.store.now())
    if sessions:  # partners with login sessions (Spectrum's auth host)
        out["sessions"] = sessions
    return out


def _payment_state(ledger: Any, conn: Any, payment_id: str) -> dict[str, Any]:
    p = ledger.payment(conn, payment_id)
    return {"payment_id": p.payment_id, "amount": str(from_cents(p.amount_cents)), "status": p.status,
            "invoice_number": p.invoice_number, "method": p.method, "paid_on": p.paid_on,
            "credited": str(from_cents(p.credited_cents)),
            "credits": [{"amount": str(from_cents(c["amount_cents"])), "reason": c["reason"]}
                        for c in ledger.credits(conn, payment_id)]}
