from __future__ import annotations

from pathlib import Path

import pytest

from contracts import Exchange, ExchangeFormatError, Redactor, Request, Response, dump_exchanges, load_exchanges


def _exchange(body: bytes = b'{"a": 1}\n') -> Exchange:
    return Exchange(partner="imt", operation="rtdr_v2", source="design 000 §RTDR",
                    request=Request("GET", "/api/v2/accounts/A1/", host="billing", query={"customer_username": "pat"},
                                    headers={"Authorization": "secret-jwt"}),
                    response=Response(200, {"Content-Type": "application/vnd.api+json"}, body))


def test_round_trip_keeps_bodies_byte_for_byte(tmp_path: Path) -> None:
    original = _exchange(b'{\n  "type": "Account",\n  "x": "  spaced  "\n}')
    path = tmp_path / "e.yaml"
    dump_exchanges([original], path)
    (loaded,) = load_exchanges(path)
    assert loaded.response is not None and original.response is not None
    assert loaded.response.body == original.response.body
    assert loaded.request == original.request
    assert loaded.source == "design 000 §RTDR"


def test_binary_body_is_kept_as_base64(tmp_path: Path) -> None:
    pdf = b"%PDF-1.3\n\x00\xff\xfe binary"
    path = tmp_path / "e.yaml"
    dump_exchanges([_exchange(pdf)], path)
    assert "body_base64" in path.read_text()
    (loaded,) = load_exchanges(path)
    assert loaded.response is not None and loaded.response.body == pdf


def test_unknown_version_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text("version: 7\npartner: imt\nrequest: {method: GET, path: /}\n")
    with pytest.raises(ExchangeFormatError, match=r"version 7 is not known.*version 1"):
        load_exchanges(path)


def test_missing_request_is_named(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text("version: 1\npartner: imt\n")
    with pytest.raises(ExchangeFormatError, match="missing required key 'request'"):
        load_exchanges(path)


def test_redactor_scrubs_secrets_but_not_the_rest() -> None:
    exchange = Exchange(partner="imt", request=Request(
        "POST", "/api/v1/tokens/", headers={"Authorization": "jwt", "Content-Type": "application/vnd.api+json"},
        body=b'{"data": {"attributes": {"username_or_email": "me", "password": "pw", "keep": "x"}}}'))
    safe = exchange.redacted(Redactor())
    assert safe.request.headers["Authorization"] == "<REDACTED>"
    data = safe.request.json()["data"]["attributes"]
    assert data == {"username_or_email": "<REDACTED>", "password": "<REDACTED>", "keep": "x"}
    assert exchange.request.headers["Authorization"] == "jwt"  # the original is untouched


def test_redactor_extra_fields_scrub_form_bodies() -> None:
    exchange = Exchange(partner="tccs", request=Request(
        "POST", "/api/Pay_Input", headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=b"consumerGUID=G&entryKey=K&contentInfo=abc&insuredName=Pat"))
    safe = exchange.redacted(Redactor(extra_fields=frozenset({"insuredname"})))
    assert safe.request.body == b"consumerGUID=%3CREDACTED%3E&entryKey=%3CREDACTED%3E&contentInfo=abc&insuredName=%3CREDACTED%3E"


def test_redactor_scrubs_a_ws_security_password_and_keeps_the_xml_well_formed() -> None:
    from lxml import etree

    body = (b'<e xmlns:wsse="urn:w"><wsse:UsernameToken><wsse:Username>u</wsse:Username>'
            b'<wsse:Password Type="x#PasswordText">s3cret</wsse:Password></wsse:UsernameToken><Data>keep</Data></e>')
    exchange = Exchange(partner="sapiens", operation="x",
                        request=Request(method="POST", path="/", headers={"Content-Type": "text/xml"}, body=body))
    scrubbed = Redactor().apply(exchange).request.body
    assert b"s3cret" not in scrubbed and b"<Data>keep</Data>" in scrubbed
    assert etree.fromstring(scrubbed).findtext("{urn:w}UsernameToken/{urn:w}Password") == "<REDACTED>"
