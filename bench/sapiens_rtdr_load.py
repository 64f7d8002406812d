"""Sapiens account RTDR (``PWSTRUCTUREDSEARCH`` / ``icAccountBalanceUpd``) under wrk. Run by hand.

    .venv/bin/python bench/sapiens_rtdr_load.py [seconds] [--workers N]

Every request goes the whole way: WS-Security checked, the envelope checked against the WSDL's
schema and the CDATA payload against its XSD (contract checks on), Spyne, the ledger, the journal.
Needs ``wrk`` (Debian: apt-get install wrk). The load generator shares the two cores with the server.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _sandbox import UpProcess, wrk

parser = argparse.ArgumentParser()
parser.add_argument("seconds", nargs="?", type=int, default=10)
parser.add_argument("--workers", default="2")
parser.add_argument("--threads", default="2")
parser.add_argument("--wrk-threads", default="1", help="load generator threads (default 1: it shares the cores)")
args = parser.parse_args()

ENVELOPE = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:bil="http://adaptik.com/ws/xml/billing">
<soapenv:Header><wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
<wsse:UsernameToken><wsse:Username>sandbox</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">sandbox</wsse:Password></wsse:UsernameToken>
</wsse:Security></soapenv:Header><soapenv:Body><bil:PWInvokeBillingActionRequest><TransRef>bench</TransRef><ReqDateTime>2026-11-22T10:00:00</ReqDateTime>
<ActionCode>PWSTRUCTUREDSEARCH</ActionCode><InterfaceCode>icAccountBalanceUpd</InterfaceCode><PWAuthentication><UserLoginName>system-user</UserLoginName></PWAuthentication>
<Data><![CDATA[<SearchRequest><SearchID>BM_ACCT_SRCH</SearchID><searchCriteria><acctName>981000001</acctName></searchCriteria></SearchRequest>]]></Data>
</bil:PWInvokeBillingActionRequest></soapenv:Body></soapenv:Envelope>"""

up = UpProcess("--workers", args.workers, "--threads", args.threads)
script = Path(tempfile.mkdtemp()) / "soap.lua"
script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "text/xml; charset=utf-8"\n'
                  f"wrk.body = [==[{ENVELOPE}]==]\n")
url = f"{up.url}/sapiens/AdaptikBilling/soapservices/PWBillingService"


def run(connections: int, seconds: int) -> dict[str, str]:
    return wrk(url, script, connections, seconds, args.wrk_threads)


try:
    run(16, 2)  # warm up
    for c in (16, 64):
        r = run(c, args.seconds)
        print(f"Sapiens account RTDR, {c} connections, workers={args.workers} threads={args.threads}: "
              f"{float(r['rps']):.0f} req/s, p50 {r['p50']}, p99 {r['p99']}, non-2xx {r['errors']}")
finally:
    up.stop()
