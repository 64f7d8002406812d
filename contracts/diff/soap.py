"""Breaking changes of a SOAP contract: WSDL 1.1, its types schema, the payload XSDs carried in CDATA,
and ``operations.yaml`` (services, ActionCode / InterfaceCode dispatch, payloads, rules).

Payload trees are compared per operation and side (the same XSD may be a request of one operation and
an answer of another); identical changes of several operations are merged by ``contracts.diff.tree``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from contracts.diff.constraints import enum_delta
from contracts.diff.model import CLIENTS, PARTNER, Change, Severity, Side, added, judge, removed
from contracts.diff.xsd import XS, SchemaSet, compare_nodes, simple_delta
from contracts.errors import ContractLoadError
from contracts.xmlbody import XmlProblem, parse_xml

__all__ = ["diff_wsdl", "diff_operations", "diff_xsd", "load_yaml"]

WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"


def _w(name: str) -> str:
    return f"{{{WSDL}}}{name}"


_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there: ten times faster


def load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContractLoadError(f"{path}: cannot read: {exc}") from exc


def _read_xml(path: Path) -> etree._Element:
    try:
        return parse_xml(path.read_bytes(), part=path.name)
    except (OSError, XmlProblem) as exc:
        raise ContractLoadError(f"{path}: cannot read: {exc}") from exc


def _local(qname: str | None) -> str:
    return (qname or "").rpartition(":")[2]


# -- WSDL -------------------------------------------------------------------------------------------
class _Wsdl:
    def __init__(self, path: Path) -> None:
        root = _read_xml(path)
        if root.tag != _w("definitions"):
            raise ContractLoadError(f"{path}: not a WSDL 1.1 document (root {root.tag})")
        self.name = path.name
        self.tns = str(root.get("targetNamespace", ""))
        self.messages = {str(m.get("name")): [(str(p.get("name")), _local(p.get("element") or p.get("type")))
                                              for p in m.findall(_w("part"))] for m in root.findall(_w("message"))}
        self.operations: dict[str, tuple[str, str]] = {}
        for port_type in root.findall(_w("portType")):
            for op in port_type.findall(_w("operation")):
                io = [_local(op.find(_w(tag)).get("message")) if op.find(_w(tag)) is not None else ""
                      for tag in ("input", "output")]
                self.operations[str(op.get("name"))] = (io[0], io[1])
        self.actions: dict[str, tuple[str, str]] = {}
        for binding in root.findall(_w("binding")):
            style = binding.find(f"{{{WSDL_SOAP}}}binding")
            for op in binding.findall(_w("operation")):
                soap_op = op.find(f"{{{WSDL_SOAP}}}operation")
                self.actions[str(op.get("name"))] = (
                    str(soap_op.get("soapAction", "")) if soap_op is not None else "",
                    str((soap_op.get("style") if soap_op is not None else None)
                        or (style.get("style") if style is not None else "") or "document"))
        self.ports = {str(p.get("name")): str(a.get("location", "")) if (a := p.find(f"{{{WSDL_SOAP}}}address")) is not None else ""
                      for p in root.iter(_w("port"))}
        self.types = SchemaSet()
        for schema in root.iterfind(f"{_w('types')}/{{{XS}}}schema"):
            self.types.add_schema(schema, path.parent)

    def elements_of(self, message: str) -> list[str]:
        return [element for _, element in self.messages.get(message, [])]

    def sides(self) -> dict[str, set[str]]:
        """Which operation uses each element, as request or response."""
        out: dict[str, set[str]] = {}
        for op, (request, response) in self.operations.items():
            for side, message in (("request", request), ("response", response)):
                for element in self.elements_of(message):
                    out.setdefault(element, set()).add(f"{side} {op}")
        return out


def diff_wsdl(old_path: Path, new_path: Path) -> Iterator[Change]:
    old, new = _Wsdl(old_path), _Wsdl(new_path)
    doc = new.name
    if old.tns != new.tns:
        yield removed(doc, f"target namespace changed from {old.tns} to {new.tns}", "namespace-changed")
    for name, (request, response) in old.operations.items():
        if name not in new.operations:
            yield removed(name, "WSDL operation removed", "operation-removed")
            continue
        for side, before, after in (("request", request, new.operations[name][0]),
                                    ("response", response, new.operations[name][1])):
            a, b = old.elements_of(before), new.elements_of(after)
            if a != b:
                yield removed(name, f"{side} message element changed from {', '.join(a) or '(none)'} to "
                              f"{', '.join(b) or '(none)'}", "message-changed")
        if name in old.actions and name in new.actions and old.actions[name] != new.actions[name]:
            yield removed(name, f"SOAP binding changed from soapAction {old.actions[name][0]!r} style "
                          f"{old.actions[name][1]} to soapAction {new.actions[name][0]!r} style {new.actions[name][1]}",
                          "binding-changed")
    for name in new.operations:
        if name not in old.operations:
            yield added("request", name, "WSDL operation added", "operation-added")
    for port, location in old.ports.items():
        if port not in new.ports:
            yield removed(doc, f"port {port} removed", "port-removed")
        elif new.ports[port] != location:
            yield Change(Severity.OK, (), doc, f"port {port} address changed from {location} to {new.ports[port]} "
                         "(an environment's, not the contract's)", "address-changed")
    sides = old.sides()
    for name in old.types.elements:
        users = sides.get(name, set())
        where = ", ".join(sorted({u.split(" ", 1)[1] for u in users})) or doc
        old_tree, new_tree = old.types.tree(name), new.types.tree(name)
        if new_tree is None:
            yield removed(where, f"element {name} removed from the types schema", "element-removed")
            continue
        assert old_tree is not None
        side = _side(users)
        yield from compare_nodes(old_tree, new_tree, side, where, f"{side if side != 'both' else 'message'} element",
                                 namespaces=old.tns == new.tns)


def _side(users: set[str]) -> Side:
    kinds = {u.split(" ", 1)[0] for u in users}
    return "request" if kinds == {"request"} else "response" if kinds == {"response"} else "both"


def diff_xsd(old_path: Path, new_path: Path, side: Side = "both") -> Iterator[Change]:
    """Two versions of one XSD: every global element, on ``side``."""
    old, new = SchemaSet.from_file(old_path), SchemaSet.from_file(new_path)
    for name in old.elements:
        before, after = old.tree(name), new.tree(name)
        if after is None:
            yield removed(new_path.name, f"global element {name} removed", "element-removed")
        elif before is not None:
            yield from compare_nodes(before, after, side, new_path.name, "element")
    for name in new.elements:
        if name not in old.elements:
            yield added(side, new_path.name, f"global element {name} added", "element-added")
    if old.elements:
        return
    # A schema of shared types (common.xsd) declares no element: its named types are its contract.
    for name in old.simple:
        if name not in new.simple:
            yield removed(new_path.name, f"simple type {name} removed", "type-removed")
            continue
        for direction, text in simple_delta(old.simple_type(old.simple[name], name), new.simple_type(new.simple[name], name)):
            yield judge(side, direction, new_path.name, f"simple type {name}: {text}", f"type-{direction}")
    for name in old.complex:
        before, after = old.type_tree(name), new.type_tree(name)
        if after is None:
            yield removed(new_path.name, f"complex type {name} removed", "type-removed")
        elif before is not None:
            yield from compare_nodes(before, after, side, new_path.name, "type", namespaces=False)


# -- operations.yaml ------------------------------------------------------------------------------
def _mapping(data: Any, key: str) -> Mapping[str, Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _clark(doc: Mapping[str, Any], qname: str) -> str:
    prefix, _, local = str(qname).partition(":")
    return f"{{{_mapping(doc, 'namespaces').get(prefix, prefix)}}}{local}" if local else str(qname)


class _Trees:
    """Payload trees by (XSD, root), each file read once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sets: dict[str, SchemaSet] = {}

    def tree(self, spec: Mapping[str, Any]) -> Any:
        xsd = str(spec.get("xsd", ""))
        if xsd not in self._sets:
            self._sets[xsd] = SchemaSet.from_file(self.folder / xsd)
        return self._sets[xsd].tree(str(spec.get("root", "")))


def diff_operations(old_path: Path, new_path: Path) -> Iterator[Change]:
    """``operations.yaml`` and everything it names: the services' WSDLs and the payload XSDs."""
    old, new = load_yaml(old_path), load_yaml(new_path)
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        raise ContractLoadError(f"{new_path}: not an operations file (needs 'services' and 'operations')")
    yield from _security_and_dispatch(old, new)
    yield from _services(old, new, old_path.parent, new_path.parent)
    trees = (_Trees(old_path.parent), _Trees(new_path.parent))
    old_ops, new_ops = _mapping(old, "operations"), _mapping(new, "operations")
    for name, spec in old_ops.items():
        other = new_ops.get(name)
        if not isinstance(other, Mapping):
            yield removed(str(name), f"operation ({_codes(spec)}) removed", "operation-removed")
        elif isinstance(spec, Mapping):
            yield from _operation(str(name), spec, other, trees)
    for name, spec in new_ops.items():
        if name not in old_ops:
            yield added("request", str(name), f"operation ({_codes(spec)}) added", "operation-added")


def _codes(spec: Any) -> str:
    if not isinstance(spec, Mapping):
        return "?"
    if spec.get("kind") == "soap":
        interface = f" InterfaceCode {spec['interface_code']}" if spec.get("interface_code") else ""
        return f"ActionCode {spec.get('action_code')}{interface}"
    return f"{spec.get('kind')} {spec.get('method', 'GET')} {spec.get('path', spec.get('service', ''))}".strip()


def _security_and_dispatch(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    before, after = _mapping(old, "security"), _mapping(new, "security")
    if before.get("username_token") != after.get("username_token"):
        now = after.get("username_token") == "required"
        yield judge("request", "narrowed" if now else "widened", "security",
                    f"WS-Security UsernameToken {'now' if now else 'no longer'} required", "security-changed")
    if before.get("password_type") != after.get("password_type"):
        yield removed("security", f"password type changed from {before.get('password_type')} to "
                      f"{after.get('password_type')}", "security-changed")
    old_dispatch, new_dispatch = _mapping(old, "dispatch"), _mapping(new, "dispatch")
    for key in sorted(old_dispatch.keys() | new_dispatch.keys()):
        if old_dispatch.get(key) != new_dispatch.get(key):
            yield removed("dispatch", f"dispatch {key} changed from {old_dispatch.get(key)!r} to "
                          f"{new_dispatch.get(key)!r}", "dispatch-changed", (CLIENTS, PARTNER))


def _services(old: Mapping[str, Any], new: Mapping[str, Any], old_dir: Path, new_dir: Path) -> Iterator[Change]:
    old_services, new_services = _mapping(old, "services"), _mapping(new, "services")
    for name, spec in old_services.items():
        other = new_services.get(name)
        where = f"service {name}"
        if not isinstance(other, Mapping) or not isinstance(spec, Mapping):
            yield removed(where, "service removed", "service-removed")
            continue
        if spec.get("path") != other.get("path"):
            yield removed(where, f"path changed from {spec.get('path')} to {other.get('path')}", "path-changed")
        for key in ("request_element", "response_element"):
            a, b = _clark(old, str(spec.get(key))), _clark(new, str(other.get(key)))
            if a != b:
                yield removed(where, f"{key.replace('_', ' ')} changed from {a} to {b}", "element-changed")
        old_wsdl, new_wsdl = old_dir / str(spec.get("wsdl")), new_dir / str(other.get("wsdl"))
        if old_wsdl.is_file() and new_wsdl.is_file():
            yield from (c.at("", str(other.get("wsdl"))) for c in diff_wsdl(old_wsdl, new_wsdl))
        elif old_wsdl.is_file():
            yield removed(where, f"WSDL {other.get('wsdl')} missing", "wsdl-removed")
    for name in new_services:
        if name not in old_services:
            yield added("request", f"service {name}", "service added", "service-added")


def _operation(name: str, old: Mapping[str, Any], new: Mapping[str, Any], trees: tuple[_Trees, _Trees]) -> Iterator[Change]:
    for key, what in (("kind", "kind"), ("service", "service"), ("action_code", "ActionCode"),
                      ("interface_code", "InterfaceCode"), ("method", "method"), ("path", "path")):
        if (old.get(key) or "") != (new.get(key) or ""):
            yield removed(name, f"{what} mapping changed from {old.get(key) or '(none)'} to {new.get(key) or '(none)'}",
                          "dispatch-changed")
    codes = enum_delta(set(map(str, old.get("response_action_codes") or [])) or None,
                       set(map(str, new.get("response_action_codes") or [])) or None, "answer ActionCode")
    for direction, text in codes:
        yield judge("response", direction, name, text, f"action-codes-{direction}")
    for direction, text in enum_delta(set(map(str, old.get("headers") or [])) or None,
                                      set(map(str, new.get("headers") or [])) or None, "header"):
        yield judge("request", "widened" if direction == "narrowed" else "narrowed", name, f"required {text}",
                    "headers-changed")
    for side in ("request", "response"):
        yield from _payload(name, side, old.get(side), new.get(side), trees)
    yield from _rules(name, old.get("rules") or [], new.get("rules") or [])


def _payload(name: str, side: str, old: Any, new: Any, trees: tuple[_Trees, _Trees]) -> Iterator[Change]:
    s: Side = "request" if side == "request" else "response"
    if not isinstance(old, Mapping) and not isinstance(new, Mapping):
        return
    if not isinstance(new, Mapping):
        yield removed(name, f"{side} payload removed", "payload-removed")
        return
    if not isinstance(old, Mapping):
        yield judge(s, "narrowed", name, f"{side} payload {new.get('root')} ({new.get('xsd')}) added", "payload-added")
        return
    if bool(old.get("wrapped")) != bool(new.get("wrapped")):
        yield judge(s, "unknown", name, f"{side} payload {'now' if new.get('wrapped') else 'no longer'} wrapped in a "
                    "literal CDATA section", "payload-wrapping")
    before, after = trees[0].tree(old), trees[1].tree(new)
    if before is None or after is None:
        if after is None:
            yield removed(name, f"{side} payload root {new.get('root')} not declared in {new.get('xsd')}", "payload-root")
        return
    for change in compare_nodes(before, after, s, name, f"{side} payload"):
        yield change.at("", str(new.get("xsd")))


def _rule_key(rule: Any) -> str:
    if not isinstance(rule, Mapping):
        return str(rule)
    if rule.get("selects"):
        return f"{rule.get('context', '')}/{rule.get('field')} selects"
    return f"{' = '.join(map(str, rule.get('equal') or []))}"


def _rules(name: str, old: list[Any], new: list[Any]) -> Iterator[Change]:
    before = {_rule_key(r): r for r in old}
    after = {_rule_key(r): r for r in new}
    for key, rule in before.items():
        other = after.get(key)
        if other is None:
            yield judge("request", "widened", name, f"rule {key} removed", "rule-removed")
            continue
        if isinstance(rule, Mapping) and isinstance(other, Mapping) and rule.get("selects"):
            a, b = dict(rule.get("selects") or {}), dict(other.get("selects") or {})
            for code in a:
                if code not in b:
                    yield judge("request", "narrowed", name, f"rule {key}: code {code} removed", "rule-narrowed")
                elif a[code] != b[code]:
                    yield judge("request", "incompatible", name, f"rule {key}: code {code} now selects {b[code]} "
                                f"instead of {a[code]}", "rule-changed")
            for code in b:
                if code not in a:
                    yield judge("request", "widened", name, f"rule {key}: code {code} added", "rule-widened")
    for key in after:
        if key not in before:
            yield judge("request", "narrowed", name, f"rule {key} added", "rule-added")
