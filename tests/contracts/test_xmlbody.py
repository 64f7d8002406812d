"""The XML checker: safe parsing, XSD violations with XPaths, payloads inside CDATA (design 004's quirk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.xmlbody import XmlProblem, XmlSchema, parse_xml, payload_text, unwrap_payload

REMIT = XmlSchema.load(Path(__file__).parent / "data" / "remit.xsd")
SOAP = {"soap": "http://schemas.xmlsoap.org/soap/envelope/"}


def _envelope(data: str) -> bytes:
    return (f'<soap:Envelope xmlns:soap="{SOAP["soap"]}"><soap:Body><Req><Data>{data}</Data></Req>'
            "</soap:Body></soap:Envelope>").encode()


def test_a_conforming_payload_has_no_violations() -> None:
    root = parse_xml('<remitBatch ExtAction="A"><batchTotal>10.00</batchTotal>'
                     "<remit><amount>10.00</amount><dbAllocLevel>P</dbAllocLevel></remit></remitBatch>")
    assert REMIT.violations(root) == []


def test_every_xsd_error_comes_with_its_xpath() -> None:
    root = parse_xml('<remitBatch><batchTotal>ten</batchTotal><remit><amount>1</amount>'
                     "<dbAllocLevel>Z</dbAllocLevel></remit><remit><amount>2</amount></remit></remitBatch>")
    found = {(v.location, v.found) for v in REMIT.violations(root)}
    assert ("payload /remitBatch/batchTotal", "'ten'") in found
    assert ("payload /remitBatch/remit[1]/dbAllocLevel", "'Z'") in found
    assert ("payload /remitBatch/remit[2]", "absent") in found
    assert ("payload /remitBatch", "absent") in found  # the required ExtAction attribute
    assert all(v.contract == "remit.xsd" for v in REMIT.violations(root))


@pytest.mark.parametrize("data,why", [
    (b"<remitBatch><open></remitBatch>", "mismatch"),
    (b"", "Document is empty"),
    (b"not xml", "Start tag expected"),
])
def test_malformed_xml_is_a_violation_naming_the_line(data: bytes, why: str) -> None:
    with pytest.raises(XmlProblem) as exc:
        parse_xml(data)
    assert exc.value.violation.expected == "well-formed XML" and why in exc.value.violation.found


def test_entities_and_dtds_are_refused_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not leak")
    xxe = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'
    laughs = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>'
    for doc in (xxe, laughs):
        with pytest.raises(XmlProblem) as exc:
            parse_xml(doc)
        assert "DOCTYPE" in exc.value.violation.expected
        assert "do not leak" not in str(exc.value)


def test_a_payload_inside_cdata_is_read_and_checked() -> None:
    payload = '<?xml version="1.0" encoding="UTF-8"?><remitBatch ExtAction="A"><batchTotal>5</batchTotal>' \
              "<remit><amount>5</amount><dbAllocLevel>A</dbAllocLevel></remit></remitBatch>"
    root = parse_xml(_envelope(f"<![CDATA[{payload}]]>"))
    text = payload_text(root, "//Data")
    assert text is not None and unwrap_payload(text) == (text, False)
    assert REMIT.violations(parse_xml(text)) == []
    assert payload_text(root, "//Missing") is None


def test_sapiens_nested_literal_cdata_wrapper_is_unwrapped() -> None:
    """Design 004's responses: <Data><![CDATA[<![CDATA[<?xml ...?>...]]]]><![CDATA[]]></Data>."""
    inner = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<remitBatch ExtAction="A">' \
            "<batchTotal>5</batchTotal><remit><amount>5</amount><dbAllocLevel>I</dbAllocLevel></remit></remitBatch>\n"
    root = parse_xml(_envelope(f"<![CDATA[<![CDATA[{inner}]]]]><![CDATA[]]>"))
    text = payload_text(root, "//Data")
    assert text is not None and text.startswith("<![CDATA[")
    unwrapped, wrapped = unwrap_payload(text)
    assert wrapped and unwrapped.startswith("<?xml")
    assert REMIT.violations(parse_xml(unwrapped)) == []
