"""XML messages: safe parsing, XSD validation, and payloads carried as text inside an element.

SOAP partners (Sapiens) send their real message as XML text inside an element (``<Data>``, in a
CDATA section), so a message is checked twice: the envelope against the WSDL's schema, then the
payload against its own XSD. Every problem is a ``Violation`` whose location is an XPath, into the
envelope (``envelope /soap:Envelope/...``) or into the payload (``payload /remitBatch/remit[1]/amount``).

Parsing never resolves entities, never loads a DTD and never touches the network: a message with a
DOCTYPE is refused, which stops entity expansion ("billion laughs") and external entities (XXE).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from contracts.errors import ContractLoadError
from contracts.violation import Violation

__all__ = ["parse_xml", "XmlSchema", "payload_text", "unwrap_payload", "XmlProblem"]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


class XmlProblem(ValueError):
    """The bytes are not a well-formed, DTD-free XML document; ``violation`` says where and why."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(str(violation))
        self.violation = violation


def parse_xml(data: bytes | str, *, part: str = "body") -> etree._Element:
    """The document's root element, or ``XmlProblem`` naming the line and the parser's complaint."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else 0
        raise XmlProblem(Violation(part, "well-formed XML", f"{exc.msg} (line {line})")) from exc
    except ValueError as exc:  # e.g. a str with an encoding declaration
        raise XmlProblem(Violation(part, "well-formed XML", str(exc))) from exc
    if root.getroottree().docinfo.doctype:
        raise XmlProblem(Violation(part, "XML without a DOCTYPE (DTDs and entities are refused)",
                                   root.getroottree().docinfo.doctype[:80]))
    return root


@dataclass(frozen=True)
class XmlSchema:
    """An XSD, loaded once; ``violations()`` answers every validation error with its XPath."""

    path: Path
    schema: etree.XMLSchema

    @classmethod
    def load(cls, path: Path) -> XmlSchema:
        try:
            doc = etree.parse(str(path), _parser())
            return cls(path, etree.XMLSchema(doc))
        except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
            raise ContractLoadError(f"{path}: not a usable XML Schema: {exc}") from exc

    def violations(self, root: etree._Element, *, part: str = "payload") -> list[Violation]:
        if self.schema.validate(root):
            return []
        return list(self._explain(part))

    def _explain(self, part: str) -> Iterator[Violation]:
        for error in self.schema.error_log:
            where = error.path or "/"
            message = str(error.message)
            expected, found = _split(message)
            yield Violation(f"{part} {where}", expected, found, contract=f"{self.path.name}", message=message[:200])


def _value(head: str) -> str:
    """The offending value of a libxml2 message's head: ``Element 'x': [facet 'enumeration'] The value 'Z' ``."""
    found = re.search(r"The value ('.*')\s*$", head)
    return found.group(1) if found else head.split(":", 1)[-1].strip()


def _split(message: str) -> tuple[str, str]:
    """libxml2's message as (expected, found), for the messages a client most often meets."""
    if "This element is not expected. Expected is" in message:
        head, _, tail = message.partition("This element is not expected. Expected is")
        return f"one of{tail.rstrip('.')}", head.split(":", 1)[0].replace("Element ", "element ").strip()
    if "This element is not expected." in message:
        return "no such element here", message.split(":", 1)[0].replace("Element ", "element ").strip()
    if "Missing child element(s). Expected is" in message:
        return "child" + message.partition("Expected is")[2].rstrip("."), "absent"
    if "is not a valid value of" in message:
        value, _, rule = message.partition("is not a valid value of")
        return f"a value of{rule.rstrip('.')}", _value(value)
    if "is not accepted by the pattern" in message:
        value, _, rule = message.partition("is not accepted by the pattern")
        return f"a value matching{rule.rstrip('.')}", _value(value)
    if "is not an element of the set" in message:
        value, _, rule = message.partition("is not an element of the set")
        return f"one of{rule.rstrip('.')}", _value(value)
    if "The attribute" in message and "is required but missing" in message:
        return message.split(":", 1)[-1].strip().replace(" is required but missing.", ""), "absent"
    return "conforms to the schema", message.split(":", 1)[-1].strip()


def payload_text(root: etree._Element, xpath: str, namespaces: Mapping[str, str] | None = None) -> str | None:
    """The text of the element that carries a payload (CDATA sections merged), or None when absent."""
    found = root.xpath(xpath, namespaces=dict(namespaces or {}))
    if not found or not isinstance(found, list) or not isinstance(found[0], etree._Element):
        return None
    return "".join(found[0].itertext())


def unwrap_payload(text: str) -> tuple[str, bool]:
    """The payload without a literal ``<![CDATA[ ... ]]>`` wrapper inside its text, and whether there was one.

    Sapiens wraps its response payload in a literal ``<![CDATA[`` inside the CDATA of ``<Data>`` and
    closes it with ``]]]]><![CDATA[]]>``, so the element's text starts with ``<![CDATA[`` and ends
    with ``]]`` or ``]]>`` (design 004, every response sample).
    """
    stripped = text.strip()
    if not stripped.startswith("<![CDATA["):
        return text, False
    inner = stripped[len("<![CDATA["):].rstrip()
    for tail in ("]]>", "]]"):
        if inner.endswith(tail):
            inner = inner[: -len(tail)]
            break
    return inner.strip(), True
