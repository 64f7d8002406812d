"""XML Schema 1.0 as trees of elements, and breaking changes between two such trees.

An element declaration is flattened into a ``Node``: how often it occurs (an element inside a choice
occurs at least zero times), its text's simple type as facets (base type, enumeration, patterns,
lengths, bounds), its attributes and its child elements by name. Groups, ``ref``s, named types and
``include``d files are resolved; namespaces are kept for the root elements only. Two trees are then
compared name by name (see ``contracts.diff.model`` for who a change breaks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from contracts.diff.constraints import Delta, enum_delta, lower_bound_delta, pattern_delta, upper_bound_delta
from contracts.diff.model import Change, Side, added, judge, removed
from contracts.errors import ContractLoadError
from contracts.xmlbody import XmlProblem, parse_xml

__all__ = ["XS", "Node", "Simple", "SchemaSet", "compare_nodes", "simple_delta"]

XS = "http://www.w3.org/2001/XMLSchema"
_MAX_DEPTH = 32
_PRIMITIVES = ("string", "boolean", "decimal", "float", "double", "duration", "dateTime", "time", "date",
               "gYearMonth", "gYear", "gMonthDay", "gDay", "gMonth", "hexBinary", "base64Binary", "anyURI",
               "QName", "NOTATION")
_PARENT: dict[str, str] = {
    **{p: "anySimpleType" for p in _PRIMITIVES}, "anySimpleType": "anyType",
    "normalizedString": "string", "token": "normalizedString", "language": "token", "Name": "token",
    "NCName": "Name", "ID": "NCName", "IDREF": "NCName", "ENTITY": "NCName", "NMTOKEN": "token",
    "integer": "decimal", "nonPositiveInteger": "integer", "negativeInteger": "nonPositiveInteger",
    "long": "integer", "int": "long", "short": "int", "byte": "short", "nonNegativeInteger": "integer",
    "unsignedLong": "nonNegativeInteger", "unsignedInt": "unsignedLong", "unsignedShort": "unsignedInt",
    "unsignedByte": "unsignedShort", "positiveInteger": "nonNegativeInteger",
}
#: Whitespace handling only: every string is a valid token once collapsed.
_SAME = {"normalizedString": "string", "token": "string"}


def _x(name: str) -> str:
    return f"{{{XS}}}{name}"


def _local(qname: str | None) -> str:
    return (qname or "").rpartition(":")[2]


def _num(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Simple:
    """A simple type as the set of values it allows."""

    base: str
    enum: frozenset[str] | None = None
    patterns: tuple[str, ...] = ()
    min_length: float | None = None
    max_length: float | None = None
    bounds: tuple[tuple[str, float], ...] = ()  # (facet, value): minInclusive, maxExclusive, totalDigits...


@dataclass
class Attr:
    name: str
    required: bool
    simple: Simple


@dataclass
class Node:
    name: str
    namespace: str = ""
    min: int = 1
    max: int | None = 1  # None: unbounded
    nillable: bool = False
    simple: Simple | None = None  # the text's type, None for element-only content
    children: dict[str, Node] = field(default_factory=dict)
    ordered: bool = True
    attributes: dict[str, Attr] = field(default_factory=dict)
    any_attribute: bool = False
    any_element: bool = False


class SchemaSet:
    """The global declarations of one or more ``xs:schema`` elements and the files they include."""

    def __init__(self) -> None:
        self.elements: dict[str, tuple[etree._Element, str]] = {}  # local name -> (declaration, namespace)
        self.complex: dict[str, etree._Element] = {}
        self.simple: dict[str, etree._Element] = {}
        self.groups: dict[str, etree._Element] = {}
        self.attribute_groups: dict[str, etree._Element] = {}
        self._loaded: set[Path] = set()
        self.qualified: dict[int, bool] = {}

    @classmethod
    def from_file(cls, path: Path) -> SchemaSet:
        found = cls()
        found.add_file(path)
        return found

    def add_file(self, path: Path, namespace: str | None = None) -> None:
        path = path.resolve()
        if path in self._loaded:
            return
        self._loaded.add(path)
        try:
            root = parse_xml(path.read_bytes(), part=str(path.name))
        except (OSError, XmlProblem) as exc:
            raise ContractLoadError(f"{path}: cannot read the XML Schema: {exc}") from exc
        if root.tag != _x("schema"):
            raise ContractLoadError(f"{path}: not an XML Schema (root {root.tag})")
        self.add_schema(root, path.parent, namespace)

    def add_schema(self, schema: etree._Element, folder: Path, namespace: str | None = None) -> None:
        tns = schema.get("targetNamespace", namespace or "")
        qualified = schema.get("elementFormDefault") == "qualified"
        for child in schema:
            if not isinstance(child.tag, str):
                continue
            name = child.get("name")
            if child.tag in (_x("include"), _x("import"), _x("redefine")) and child.get("schemaLocation"):
                target = folder / str(child.get("schemaLocation"))
                if "://" not in str(child.get("schemaLocation")) and target.is_file():
                    self.add_file(target, tns if child.tag != _x("import") else None)
            elif name and child.tag == _x("element"):
                self.elements[name] = (child, tns)
                self.qualified[id(child)] = qualified
            elif name and child.tag == _x("complexType"):
                self.complex[name] = child
            elif name and child.tag == _x("simpleType"):
                self.simple[name] = child
            elif name and child.tag == _x("group"):
                self.groups[name] = child
            elif name and child.tag == _x("attributeGroup"):
                self.attribute_groups[name] = child

    # -- trees ------------------------------------------------------------------------------------
    def tree(self, name: str) -> Node | None:
        """The tree of the global element ``name``, or None when the schemas do not declare it."""
        found = self.elements.get(name)
        if found is None:
            return None
        declaration, namespace = found
        node = self._element(declaration, 1, 1, ())
        node.namespace = namespace
        return node

    def type_tree(self, name: str) -> Node | None:
        """A named complex type as the tree of an element of that type (named after the type)."""
        found = self.complex.get(name)
        if found is None:
            return None
        node = Node(name)
        self._complex(node, found, (name,))
        return node

    def _builtin(self, ref: etree._Element, qname: str) -> bool:
        prefix = qname.partition(":")[0] if ":" in qname else None
        return bool(ref.nsmap.get(prefix) == XS)

    def simple_type(self, context: etree._Element, qname: str, depth: int = 0) -> Simple:
        name = _local(qname)
        if self._builtin(context, qname) or name not in self.simple or depth > _MAX_DEPTH:
            return Simple(name if name in _PARENT or name == "anyType" else name)
        return self._simple_of(self.simple[name], depth + 1)

    def _simple_of(self, st: etree._Element, depth: int) -> Simple:
        restriction = st.find(_x("restriction"))
        if restriction is None:
            listed, union = st.find(_x("list")), st.find(_x("union"))
            if listed is not None:
                return Simple(f"list of {_local(listed.get('itemType')) or 'an inline type'}")
            return Simple(f"union of {(union.get('memberTypes') if union is not None else None) or 'inline types'}")
        if restriction.get("base"):
            base = self.simple_type(restriction, str(restriction.get("base")), depth)
        else:
            inline = restriction.find(_x("simpleType"))
            base = self._simple_of(inline, depth + 1) if inline is not None else Simple("anySimpleType")
        return _restrict(base, restriction)

    def _element(self, decl: etree._Element, min_occurs: int, max_occurs: int | None,
                 stack: tuple[str, ...]) -> Node:
        if decl.get("ref"):
            target = self.elements.get(_local(decl.get("ref")))
            if target is None:
                return Node(_local(decl.get("ref")), min=min_occurs, max=max_occurs, simple=Simple("anyType"))
            node = self._element(target[0], min_occurs, max_occurs, stack)
            return node
        node = Node(str(decl.get("name", "")), min=min_occurs, max=max_occurs, nillable=decl.get("nillable") == "true")
        if len(stack) > _MAX_DEPTH:
            return node
        type_name = decl.get("type")
        if type_name:
            local = _local(type_name)
            if not self._builtin(decl, type_name) and local in self.complex:
                if local not in stack:
                    self._complex(node, self.complex[local], (*stack, local))
            else:
                node.simple = self.simple_type(decl, type_name)
            return node
        complex_type = decl.find(_x("complexType"))
        simple_type = decl.find(_x("simpleType"))
        if complex_type is not None:
            self._complex(node, complex_type, stack)
        elif simple_type is not None:
            node.simple = self._simple_of(simple_type, 0)
        else:
            node.simple = Simple("anyType")
        return node

    def _complex(self, node: Node, ct: etree._Element, stack: tuple[str, ...]) -> None:
        for child in ct:
            tag = child.tag
            if tag in (_x("sequence"), _x("choice"), _x("all"), _x("group")):
                self._particles(node, child, 1, 1, stack)
            elif tag in (_x("attribute"), _x("attributeGroup"), _x("anyAttribute")):
                self._attribute(node, child)
            elif tag in (_x("simpleContent"), _x("complexContent")):
                derivation = child.find(_x("extension"))
                if derivation is None:
                    derivation = child.find(_x("restriction"))
                if derivation is None:
                    continue
                base = str(derivation.get("base", ""))
                local = _local(base)
                if tag == _x("simpleContent"):
                    if not self._builtin(derivation, base) and local in self.complex and local not in stack:
                        self._complex(node, self.complex[local], (*stack, local))
                    else:
                        node.simple = self.simple_type(derivation, base)
                    if derivation.tag == _x("restriction") and node.simple is not None:
                        node.simple = _restrict(node.simple, derivation)
                elif derivation.tag == _x("extension") and local in self.complex and local not in stack:
                    self._complex(node, self.complex[local], (*stack, local))
                self._complex(node, derivation, stack)
        if ct.get("mixed") == "true" and node.simple is None:
            node.simple = Simple("string")

    def _particles(self, node: Node, group: etree._Element, min_factor: int, max_factor: int | None,
                   stack: tuple[str, ...]) -> None:
        if group.tag == _x("group"):
            target = self.groups.get(_local(group.get("ref")))
            if target is None:
                return
            inner = next((c for c in target if c.tag in (_x("sequence"), _x("choice"), _x("all"))), None)
            if inner is None:
                return
            low, high = _occurs(group)
            self._particles(node, inner, min_factor * low, _times(max_factor, high), stack)
            return
        low, high = _occurs(group)
        low, high = min_factor * low, _times(max_factor, high)
        members = [c for c in group if isinstance(c.tag, str) and c.tag != _x("annotation")]
        if group.tag == _x("choice") and len(members) > 1:
            low = 0
        if group.tag != _x("sequence"):
            node.ordered = False
        for member in members:
            if member.tag == _x("element"):
                m_low, m_high = _occurs(member)
                child = self._element(member, low * m_low, _times(high, m_high), stack)
                _merge(node, child)
            elif member.tag == _x("any"):
                node.any_element = True
            elif member.tag in (_x("sequence"), _x("choice"), _x("all"), _x("group")):
                self._particles(node, member, low, high, stack)

    def _attribute(self, node: Node, decl: etree._Element) -> None:
        if decl.tag == _x("anyAttribute"):
            node.any_attribute = True
        elif decl.tag == _x("attributeGroup"):
            target = self.attribute_groups.get(_local(decl.get("ref")))
            for child in target if target is not None else ():
                if child.tag in (_x("attribute"), _x("attributeGroup"), _x("anyAttribute")):
                    self._attribute(node, child)
        else:
            name = str(decl.get("name") or _local(decl.get("ref")))
            inline = decl.find(_x("simpleType"))
            if decl.get("type"):
                simple = self.simple_type(decl, str(decl.get("type")))
            elif inline is not None:
                simple = self._simple_of(inline, 0)
            else:
                simple = Simple("anySimpleType")
            if decl.get("fixed") is not None:
                simple = Simple(simple.base, frozenset({str(decl.get("fixed"))}))
            if decl.get("use") != "prohibited":
                node.attributes[name] = Attr(name, decl.get("use") == "required", simple)


def _occurs(decl: etree._Element) -> tuple[int, int | None]:
    low, high = decl.get("minOccurs", "1"), decl.get("maxOccurs", "1")
    try:
        return int(low), None if high == "unbounded" else int(high)
    except ValueError:
        raise ContractLoadError(f"line {decl.sourceline}: minOccurs {low!r} / maxOccurs {high!r} are not "
                                "whole numbers (or unbounded)") from None


def _times(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a * b


def _merge(node: Node, child: Node) -> None:
    """The same name twice in one content model (two branches of a choice): the loosest occurrence."""
    seen = node.children.get(child.name)
    if seen is None:
        node.children[child.name] = child
        return
    seen.min = min(seen.min, child.min)
    seen.max = None if seen.max is None or child.max is None else max(seen.max, child.max)
    for name, grandchild in child.children.items():
        if name in seen.children:
            _merge(seen, grandchild)
        else:
            grandchild.min = 0
            seen.children[name] = grandchild
    for name in seen.children:
        if name not in child.children:
            seen.children[name].min = 0


def _restrict(base: Simple, restriction: etree._Element) -> Simple:
    values = [str(e.get("value", "")) for e in restriction.findall(_x("enumeration"))]
    enum = base.enum
    if values:
        enum = frozenset(values) & base.enum if base.enum is not None else frozenset(values)
    patterns = base.patterns + tuple(str(p.get("value", "")) for p in restriction.findall(_x("pattern")))
    min_length, max_length = base.min_length, base.max_length
    bounds = dict(base.bounds)
    for facet in restriction:
        if not isinstance(facet.tag, str):
            continue
        name, value = facet.tag.rpartition("}")[2], _num(facet.get("value"))
        if value is None:
            continue
        if name in ("length", "minLength"):
            min_length = value if min_length is None else max(min_length, value)
        if name in ("length", "maxLength"):
            max_length = value if max_length is None else min(max_length, value)
        if name in ("minInclusive", "minExclusive", "maxInclusive", "maxExclusive", "totalDigits", "fractionDigits"):
            bounds[name] = value
    return Simple(base.base, enum, patterns, min_length, max_length, tuple(sorted(bounds.items())))


def _ancestors(name: str) -> list[str]:
    out, current = [], _SAME.get(name, name)
    while current in _PARENT:
        current = _SAME.get(_PARENT[current], _PARENT[current])
        out.append(current)
    return out


def simple_delta(old: Simple, new: Simple, noun: str = "value") -> list[Delta]:
    deltas: list[Delta] = []
    a, b = _SAME.get(old.base, old.base), _SAME.get(new.base, new.base)
    if a != b:
        text = f"type changed from {old.base} to {new.base}"
        if a in _ancestors(b):
            deltas.append(("narrowed", text))
        elif b in _ancestors(a):
            deltas.append(("widened", text))
        else:
            deltas.append(("incompatible", text))
    deltas += enum_delta(None if old.enum is None else set(old.enum), None if new.enum is None else set(new.enum), noun)
    deltas += pattern_delta(old.patterns, new.patterns)
    deltas += lower_bound_delta("minLength", old.min_length, new.min_length)
    deltas += upper_bound_delta("maxLength", old.max_length, new.max_length)
    before, after = dict(old.bounds), dict(new.bounds)
    for facet in sorted(before.keys() | after.keys()):
        check = lower_bound_delta if facet.startswith("min") else upper_bound_delta
        deltas += check(facet, before.get(facet), after.get(facet))
    return deltas


def compare_nodes(old: Node, new: Node, side: Side, where: str, label: str, *, path: str = "",
                  namespaces: bool = True, depth: int = 0) -> Iterator[Change]:
    """Every change from element tree ``old`` to ``new`` (``label``: ``request payload``...)."""
    here = f"{path}/{new.name}"
    subject = f"{label} {here}"
    if old.name != new.name:
        yield removed(where, f"{label} {path}/{old.name} renamed to {new.name}", "tag-renamed")
    if namespaces and old.namespace != new.namespace:
        yield removed(where, f"{subject}: namespace changed from {old.namespace or '(none)'} to "
                      f"{new.namespace or '(none)'}", "namespace-changed")
    if old.min > 0 and new.min == 0:
        yield judge(side, "widened", where, f"{subject} made optional", "element-optional")
    elif old.min == 0 and new.min > 0:
        yield judge(side, "narrowed", where, f"{subject} made required", "element-required")
    else:
        for d, t in lower_bound_delta("minOccurs", old.min, new.min):
            yield judge(side, d, where, f"{subject}: {t}", f"occurs-{d}")
    for d, t in upper_bound_delta("maxOccurs", old.max, new.max):
        yield judge(side, d, where, f"{subject}: {t}", f"occurs-{d}")
    if old.nillable != new.nillable:
        yield judge(side, "widened" if new.nillable else "narrowed", where,
                    f"{subject} {'now' if new.nillable else 'no longer'} nillable", "nillable")
    yield from _content(old, new, side, where, label, here, subject, depth)


def _content(old: Node, new: Node, side: Side, where: str, label: str, here: str, subject: str,
             depth: int) -> Iterator[Change]:
    if (old.simple is None) != (new.simple is None) and (old.children or new.children):
        what = ("text", "elements") if new.simple is None else ("elements", "text")
        yield judge(side, "incompatible", where, f"{subject}: content changed from {what[0]} to {what[1]}",
                    "content-changed")
    elif old.simple is not None and new.simple is not None:
        noun = "return code" if new.name.lower() == "returncode" else "value"
        for d, t in simple_delta(old.simple, new.simple, noun):
            yield judge(side, d, where, f"{subject}: {t}", f"type-{d}")
    for name, attr in old.attributes.items():
        now = new.attributes.get(name)
        at = f"{label} {here}/@{name}"
        if now is None:
            yield removed(where, f"{at} removed", "attribute-removed")
            continue
        if now.required != attr.required:
            yield judge(side, "narrowed" if now.required else "widened", where,
                        f"{at} made {'required' if now.required else 'optional'}", "attribute-use")
        for d, t in simple_delta(attr.simple, now.simple):
            yield judge(side, d, where, f"{at}: {t}", f"type-{d}")
    for name, attr in new.attributes.items():
        if name not in old.attributes:
            yield added(side, where, f"{label} {here}/@{name} added{' (required)' if attr.required else ''}",
                        "attribute-added", required=attr.required)
    for flag, noun in (("any_attribute", "any attribute"), ("any_element", "any element")):
        was, now = getattr(old, flag), getattr(new, flag)
        if was != now:
            yield judge(side, "widened" if now else "narrowed", where,
                        f"{subject}: {noun} {'now' if now else 'no longer'} allowed", f"{flag}")
    for name, child in old.children.items():
        other = new.children.get(name)
        if other is None:
            yield removed(where, f"{label} {here}/{name} removed", "element-removed")
        elif depth < _MAX_DEPTH:
            yield from compare_nodes(child, other, side, where, label, path=here, namespaces=False, depth=depth + 1)
    for name, child in new.children.items():
        if name not in old.children:
            yield added(side, where, f"{label} {here}/{name} added{' (required)' if child.min else ''}",
                        "element-added", required=child.min > 0)
    common_old = [n for n in old.children if n in new.children]
    common_new = [n for n in new.children if n in old.children]
    if old.ordered and new.ordered and common_old != common_new:
        yield judge(side, "incompatible", where, f"{subject}: child elements reordered", "elements-reordered")
