"""Whatever a client sends, the IMT sandbox answers in IMT's form: never a 500, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators import ServerThread
from tests.conftest import IMT_MEDIA, Imt

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
# Bodies that look like IMT's, with any attribute values: the shapes that reach the business rules.
attributes = st.dictionaries(
    st.sampled_from(["invoice_number", "payment_amount", "payment_date", "payment_method", "policy_number",
                     "credit_amount", "credit_reason", "setting_type", "new_value", "customer_username"]),
    json_values, max_size=6)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda t, a: json.dumps({"data": {"type": t, "attributes": a}}).encode(),
              st.sampled_from(["Payment", "PaymentCredit", "Account", "Token", 7]), attributes),
    st.binary(max_size=200),
)
segments = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
POSTS = ["/imt/billing/api/v1/accounts/{a}/payments/{p}/post/", "/imt/billing/api/v1/accounts/{a}/payments/{p}/credit/",
         "/imt/billing/api/v1/accounts/{a}/", "/imt/users/api/v1/tokens/"]
GETS = ["/imt/billing/api/v1/accounts/{a}/", "/imt/billing/api/v2/accounts/{a}/", "/imt/billing/api/v1/accounts/{a}/invoices/"]
FAST = settings(max_examples=35, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _ok(live: ServerThread, r: requests.Response) -> None:
    assert r.status_code < 500, r.text[:300]
    if r.headers.get("Content-Type", "").startswith(IMT_MEDIA) and r.status_code >= 400:
        assert r.json()["errors"][0]["status"] == str(r.status_code)
    live.check_errors()


@FAST
@given(template=st.sampled_from(POSTS), account=segments, payment=segments, body=bodies,
       media=st.sampled_from([IMT_MEDIA, "application/json", "text/plain", ""]))
def test_any_post_gets_a_partner_answer(imt: Imt, live: ServerThread, template: str, account: str, payment: str,
                                        body: bytes, media: str) -> None:
    path = template.format(a=requests.utils.quote(account, safe=""), p=requests.utils.quote(payment, safe=""))
    headers: dict[str, Any] = {**imt.auth, "Content-Type": media}
    _ok(live, requests.post(f"{live.url}{path}", data=body, headers=headers))


@FAST
@given(template=st.sampled_from(GETS), account=segments, query=st.dictionaries(segments, segments, max_size=3),
       auth=st.one_of(st.none(), st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=60)))
def test_any_get_gets_a_partner_answer(imt: Imt, live: ServerThread, template: str, account: str,
                                       query: dict[str, str], auth: str | None) -> None:
    path = template.format(a=requests.utils.quote(account, safe=""))
    headers = imt.auth if auth is None else {"Authorization": auth}
    _ok(live, requests.get(f"{live.url}{path}", params=query, headers=headers))
