"""Sapiens account RTDR (``PWSTRUCTUREDSEARCH`` / ``icAccountBalanceUpd``) under wrk. Run by hand.

    .venv/bin/python bench/sapiens_rtdr_load.py [seconds] [--workers N]

Every request goes the whole way: WS-Security checked, the envelope checked against the WSDL's
schema and the CDATA payload against its XSD (contract checks on), Spyne, the ledger, the journal.
Needs ``wrk`` (Debian: apt-get install wrk). The load generator shares the two cores with the server.
"""

from __future__ import annotations

from _sandbox import UpProcess, load_arguments, lua, measure

args = load_arguments()

ENVELOPE = """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:bil="http://adaptik.com/ws/xml/billing">
<soapenv:Header><wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
<wsse:UsernameToken><wsse:Username>sandbox</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">sandbox</wsse:Password></wsse:UsernameToken>
</wsse:Security></soapenv:Header><soapenv:Body><bil:PWInvokeBillingActionRequest><TransRef>bench</TransRef><ReqDateTime>2026-11-22T10:00:00</ReqDateTime>
<ActionCode>PWSTRUCTUREDSEARCH</ActionCode><InterfaceCode>icAccountBalanceUpd</InterfaceCode><PWAuthentication><UserLoginName>system-user</UserLoginName></PWAuthentication>
<Data><![CDATA[<SearchRequest><SearchID>BM_ACCT_SRCH</SearchID><searchCriteria><acctName>981000001</acctName></searchCriteria></SearchRequest>]]></Data>
</bil:PWInvokeBillingActionRequest></soapenv:Body></soapenv:Envelope>"""

up = UpProcess("--workers", args.workers, "--threads", args.threads)
try:
    script = lua("soap.lua", 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "text/xml; charset=utf-8"\n'
                 f"wrk.body = [==[{ENVELOPE}]==]\n")
    measure("Sapiens account RTDR", f"{up.url}/sapiens/AdaptikBilling/soapservices/PWBillingService", script, args)
finally:
    up.stop()
