"""YAML with line numbers: plain JSON-like data, and the line of every value in it.

PyYAML's composer gives nodes that know where they start (``start_mark.line``); the data is built from
them here rather than by the constructor, so that each value's path (``("steps", 2, "with", "amount")``)
maps to its line. Three deliberate differences from ``yaml.safe_load``:

* dates stay text (``2026-11-01`` is the string the partner sees, not a ``datetime.date``);
* mapping keys are text (``8:`` in biller settings is the key ``"8"``), as in JSON;
* a key given twice is an error, not a silent overwrite.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["Located", "LocatedError", "load_located", "Path", "format_path"]

Path = tuple[str | int, ...]
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAX_DEPTH = 100


class _Loader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp: a date is the text the scenario wrote."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class LocatedError(Exception):
    """The text is not YAML, or not data a scenario can hold; ``line`` is 1-based (0: unknown)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Located:
    """Data and the line of each of its values (a mapping entry's line is its key's line)."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    source: str = ""

    def line(self, path: Iterable[str | int]) -> int:
        """The line of ``path``, or of its nearest ancestor that has one (0 when none)."""
        parts = tuple(path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 0)

    def text(self, path: Iterable[str | int]) -> str:
        """The source of a mapping entry or list item as written (dedented), or "" when unknown.

        YAML's block structure decides where it ends: the lines after its first one that are indented
        deeper than it (a list item's dash counts as its indentation).
        """
        parts = tuple(path)
        if not self.source or not parts or parts not in self.lines:
            return ""
        source = self.source.splitlines()
        first = source[self.lines[parts] - 1]
        depth = len(first) - len(first.lstrip())
        lines = [first[:depth] + "  " + first[depth + 2 :] if first.lstrip().startswith("- ") else first]
        for line in source[self.lines[parts]:]:
            if line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) <= depth:
                break
            lines.append(line)
        while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
            lines.pop()
        return textwrap.dedent("\n".join(lines))


def format_path(path: Iterable[str | int]) -> str:
    """``steps[2].with.amount``; JSON pointer keys are quoted: ``request["/data/id"]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("/") or not part.replace("_", "").replace("-", "").isalnum():
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


def load_located(text: str) -> Located:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise LocatedError(f"not valid YAML: {problem}", mark.line + 1 if mark else 0) from exc
    except yaml.YAMLError as exc:
        raise LocatedError(f"not valid YAML: {exc}", 0) from exc
    finally:
        loader.dispose()
    if node is None:
        return Located(None, {(): 1})
    lines: dict[Path, int] = {(): node.start_mark.line + 1}
    builder = _Builder(_Loader(""), lines)
    data = builder.build(node, (), 0)
    return Located(data, lines, text)


class _Builder:
    def __init__(self, loader: _Loader, lines: dict[Path, int]) -> None:
        self.loader = loader
        self.lines = lines

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise LocatedError(f"nested deeper than {_MAX_DEPTH} levels (a recursive alias?)", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            out = []
            for index, item in enumerate(node.value):
                self.lines.setdefault((*path, index), item.start_mark.line + 1)
                out.append(self.build(item, (*path, index), depth + 1))
            return out
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise LocatedError(f"cannot read this value: {exc}", node.start_mark.line + 1) from exc

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        try:
            self.loader.flatten_mapping(node)  # YAML merge keys (<<: *defaults)
        except yaml.YAMLError as exc:
            raise LocatedError(f"cannot merge this mapping: {exc}", node.start_mark.line + 1) from exc
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise LocatedError("a mapping key must be plain text, found a mapping or list", line)
            raw = self.loader.construct_object(key_node)
            key = ("true" if raw else "false") if isinstance(raw, bool) else ("" if raw is None else str(raw))
            if key in out:
                raise LocatedError(f"the key {key!r} is given twice in this mapping; keep one", line)
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out
