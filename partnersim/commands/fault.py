"""``partnersim fault add|list|remove|clear``: fault plans of a running sandbox, through its admin API.

``add`` takes the plan as flags or as the JSON the admin API takes (``--json``); the sandbox checks it
and refuses a bad one with a 400 naming the field, printed as it is. Exit 0 done, 1 refused by the
sandbox (a bad plan, no such plan), 2 usage error or no sandbox at ``--url``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import requests

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
DEFAULT_URL = "http://127.0.0.1:8700"


class _Usage(Exception):
    """A flag whose value cannot become a plan."""


def register(sub: Any) -> None:
    p = sub.add_parser("fault", help="add, list, remove or clear fault plans of a running sandbox",
                       description="Fault plans of a running sandbox (partnersim up), through its /__admin/faults "
                                   "API. Exit 0 done, 1 refused by the sandbox, 2 usage error or no sandbox.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    actions.required = True
    add = actions.add_parser("add", help="set a fault plan",
                             description="Set a fault plan, as flags or --json. Examples: --operation imt.post_payment "
                                         "--status 503; --partner sapiens --operation post_payment --answer "
                                         "return_code=FAILURE; --operation tccs.Pay_Input --where "
                                         "'contentInfo amount=24.00' --drop after.")
    add.add_argument("--json", dest="plan_json", metavar="PLAN", help="the whole plan as JSON (the other flags "
                                                                     "are then not allowed)")
    add.add_argument("--partner")
    add.add_argument("--operation", help="an operation of the partner's contract, e.g. Pay_Input or tccs.Pay_Input")
    add.add_argument("--body-contains", metavar="TEXT", help="only requests whose body contains TEXT")
    add.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                     help="only requests whose field (in the partner's terms: /json/pointer, 'form <name>', "
                          "'contentInfo <field>', 'payload <xpath>', ActionCode) equals VALUE, as text (true and "
                          "false as such; null: the field is absent); FIELD~=REGEX matches a regular expression; repeatable")
    effect = add.add_mutually_exclusive_group()
    effect.add_argument("--status", type=int, help="answer this HTTP status (the partner's own error answer)")
    effect.add_argument("--delay", metavar="SECONDS|MIN..MAX", help="wait, then the partner's answer; MIN..MAX at random")
    effect.add_argument("--drop", nargs="?", const=True, choices=("before", "after"),
                        help="close the connection without an answer: before the partner sees the request, or "
                             "after it handled it")
    effect.add_argument("--corrupt", choices=("empty", "truncated", "malformed"),
                        help="the partner answers, then its body is emptied, cut in half or made unparseable")
    effect.add_argument("--answer", metavar="KIND=CODE",
                        help="the partner's own answer: return_code=FAILURE, soap_fault=SOAP-ENV:Server, "
                             "error=INVOICE_NOT_FOUND, receipt_outcome=no_data")
    effect.add_argument("--token", choices=("expired", "revoked"), help="the partner's answer to a token it refuses")
    add.add_argument("--message", help="the text of an --answer (RejectMessage, faultstring, error detail)")
    add.add_argument("--body", help="the body of a --status answer")
    add.add_argument("--content-type", help="the Content-Type of a --status answer")
    add.add_argument("--then-answer", action="store_true",
                     help="the partner handles the request first (its state changes), then the fault applies")
    add.add_argument("--times", metavar="N|forever", help="how many requests (default 1); forever = until removed")
    lst = actions.add_parser("list", help="list the plans (with remaining and applied)")
    lst.add_argument("--json", dest="as_json", action="store_true", help="print the admin API's JSON")
    rm = actions.add_parser("remove", help="remove one plan")
    rm.add_argument("id", type=int)
    clear = actions.add_parser("clear", help="remove every plan")
    for parser in (add, lst, rm, clear):
        parser.add_argument("--url", default=DEFAULT_URL, help=f"the sandbox's base URL (default {DEFAULT_URL})")
    p.set_defaults(func=run)


def plan_of(args: argparse.Namespace) -> dict[str, Any]:
    """The plan the flags describe (``_Usage`` when they cannot describe one)."""
    flags = {"partner": args.partner, "operation": args.operation, "body_contains": args.body_contains,
             "status": args.status, "delay": args.delay, "drop": args.drop, "corrupt": args.corrupt,
             "answer": args.answer, "token": args.token, "message": args.message, "body": args.body,
             "content_type": args.content_type, "times": args.times}
    if args.plan_json is not None:
        if any(v is not None for v in flags.values()) or args.where or args.then_answer:
            raise _Usage("--json is the whole plan: give no other flag with it")
        try:
            doc: dict[str, Any] = json.loads(args.plan_json)
        except ValueError as exc:
            raise _Usage(f"--json: not JSON: {exc}") from None
        return doc
    plan: dict[str, Any] = {k: v for k, v in flags.items() if v is not None and k not in ("delay", "answer", "message",
                                                                                      "times")}
    if args.where:
        plan["where"] = dict(_where(item) for item in args.where)
    if args.delay is not None:
        plan["delay"] = _delay(args.delay)
    if args.answer is not None:
        kind, _, code = args.answer.partition("=")
        if not kind or not code:
            raise _Usage(f"--answer: expected KIND=CODE such as return_code=FAILURE, found {args.answer!r}")
        plan["answer"] = {kind: code, **({"message": args.message} if args.message is not None else {})}
    elif args.message is not None:
        raise _Usage("--message goes with --answer")
    if args.then_answer:
        plan["then_answer"] = True
    if args.times is not None:
        plan["times"] = _times(args.times)
    return plan


def _where(item: str) -> tuple[str, Any]:
    name, sep, value = item.rpartition("=")
    if not sep or not name:
        raise _Usage(f"--where: expected FIELD=VALUE or FIELD~=REGEX, found {item!r}")
    if name.endswith("~"):
        return name[:-1].strip(), {"matches": value}
    return name.strip(), {"true": True, "false": False, "null": None}.get(value, value)


def _number(text: str, flag: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _Usage(f"{flag}: expected seconds, found {text!r}") from None


def _delay(text: str) -> float | dict[str, float]:
    low, sep, high = text.partition("..")
    if sep:
        return {"min": _number(low, "--delay"), "max": _number(high, "--delay")}
    return _number(text, "--delay")


def _times(text: str) -> int | None:
    if text in ("forever", "null"):
        return None
    if not text.isdigit():
        raise _Usage(f"--times: expected a whole number or 'forever', found {text!r}")
    return int(text)


def _describe(plan: dict[str, Any]) -> str:
    target = f"{plan['partner']}.{plan['operation']}" if plan.get("operation") else f"{plan['partner']} (any)"
    effect = next(f"{k} {json.dumps(plan[k]) if not isinstance(plan[k], str) else plan[k]}"
                  for k in ("status", "delay", "drop", "corrupt", "answer", "token") if k in plan)
    extra = "".join(f" {k}={json.dumps(plan[k])}" for k in ("body_contains", "where") if k in plan)
    extra += " then_answer" if plan.get("then_answer") else ""
    times = "until removed" if plan["times"] is None else f"{plan['remaining']} of {plan['times']} left"
    return f"{plan['id']:>4}  {target}{extra}  {effect}  ({times}, applied {plan['applied']})"


def run(args: argparse.Namespace) -> int:
    base = args.url.rstrip("/") + "/__admin/faults"
    try:
        if args.action == "add":
            answer = requests.post(base, json=plan_of(args), timeout=10)
        elif args.action == "list":
            answer = requests.get(base, timeout=10)
        elif args.action == "remove":
            answer = requests.delete(f"{base}/{args.id}", timeout=10)
        else:
            answer = requests.delete(base, timeout=10)
    except _Usage as exc:
        print(f"partnersim fault {args.action}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except requests.RequestException as exc:
        print(f"partnersim fault: no sandbox answers at {args.url} ({type(exc).__name__}); start one with "
              f"`partnersim up` or give --url", file=sys.stderr)
        return EXIT_USAGE
    try:
        doc = answer.json()
    except ValueError:
        print(f"partnersim fault: {args.url} answered HTTP {answer.status_code}, not the admin API's JSON",
              file=sys.stderr)
        return EXIT_USAGE
    if answer.status_code >= 400:
        print(f"partnersim fault {args.action}: refused (HTTP {answer.status_code}): {doc.get('error', doc)}",
              file=sys.stderr)
        return EXIT_REFUSED
    if args.action == "add":
        print(f"added fault plan {doc['id']}: {json.dumps(doc)}")
    elif args.action == "list":
        if args.as_json:
            print(json.dumps(doc, indent=2))
        else:
            print("\n".join(_describe(p) for p in doc["faults"]) or "no fault plans")
    elif args.action == "remove":
        print(f"removed fault plan {args.id}")
    else:
        print(f"cleared {doc['removed']} fault plan(s)")
    return EXIT_OK
