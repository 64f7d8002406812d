"""``TccsContract``: OpenAPI for the form, ``grammars.yaml`` for what ``contentInfo`` holds.

Design 002 writes the same path as ``Pay_Input`` and ``Pay_input``; the partner's IIS host treats paths
without regard to case, so the contract matches them that way too (and the sandbox serves them so).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from contracts.contract import OperationMatch
from contracts.errors import ContractLoadError
from contracts.exchange import Request, Response
from contracts.formgrammar import GrammarSet, Parsed, load_grammars, required_form_fields
from contracts.jsonbody import BodyError, is_form_media, parse_body
from contracts.openapi import OpenApiContract
from contracts.violation import Violation

__all__ = ["TccsContract"]

FORM_MEDIA = "application/x-www-form-urlencoded"
_CACHED_TEXT = 4096  # contentInfo values up to this length keep their parse (the design's are under 100)


class TccsContract(OpenApiContract):
    """TCCS (design 002): form bodies whose ``contentInfo`` follows a grammar per operation."""

    def __init__(self, document: Path, grammars: Path, exchanges_dir: Path | None = None) -> None:
        super().__init__("tccs", document, exchanges_dir)
        for op in self._ops:
            op.regex = re.compile(op.regex.pattern, re.IGNORECASE)
        self.grammars: GrammarSet = load_grammars(grammars)
        names = {op.info.name for op in self._ops}
        if names != set(self.grammars.grammars):
            raise ContractLoadError(
                f"{grammars}: the grammars ({', '.join(sorted(self.grammars.grammars))}) and the operations of "
                f"{document.name} ({', '.join(sorted(names))}) must be the same")
        self._required = {op.info.name: self._form_required(op.pointer, op.spec) for op in self._ops}

    def _form_required(self, pointer: str, spec: dict[str, Any]) -> tuple[str, ...]:
        if "requestBody" not in spec:
            return ()
        _, body = self._deref_at(f"{pointer}/requestBody", spec["requestBody"])
        media = body.get("content", {}).get(FORM_MEDIA)
        if not media or "schema" not in media:
            return ()
        return tuple(str(name) for name in self._deref(media["schema"]).get("required", []))

    @property
    def form_field(self) -> str:
        return self.grammars.form_field

    def form(self, request: Request) -> dict[str, str] | None:
        """The request's form fields, or None when the body is not a readable form."""
        content_type = request.header("content-type")
        if not is_form_media(content_type):
            return None
        try:
            data: dict[str, str] = parse_body(request.body, content_type)
        except BodyError:
            return None
        return data

    def parse_content(self, operation: str, text: str) -> Parsed:
        """The parse of ``contentInfo`` for ``operation`` (fields normalised, violations if any).

        The last parses are kept: the sandbox checks a request against the contract and then acts on the
        same parse, so the grammar is read once per request (a ``Parsed`` is never changed by its users).
        """
        grammar = self.grammars.get(operation)
        if grammar is None:
            raise KeyError(f"no contentInfo grammar for operation {operation!r}")
        if len(text) > _CACHED_TEXT:  # a hostile megabyte is parsed twice rather than kept
            return grammar.parse(text)
        return self._parse(operation, text)

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one contract per process, loaded once and kept
    def _parse(self, operation: str, text: str) -> Parsed:
        grammar = self.grammars.get(operation)
        assert grammar is not None
        return grammar.parse(text)

    def outcome(self, response: Response) -> dict[str, str]:
        """``/Status`` of a JSON answer (Success, Duplicate, Error); a PDF states none."""
        status = self.field(response, "/Status")
        return {"/Status": status} if status is not None else {}

    def field_kinds(self) -> tuple[str, ...]:
        return (*super().field_kinds(), self.form_field)

    def field(self, message: Request | Response, name: str) -> str | None:
        """``contentInfo <field>`` of a request: the grammar's field (``contentInfo amount``), normalised
        as the partner reads it (spaces around separators dropped); a field that breaks the grammar is
        given as written. ``form <name>`` as every contract."""
        kind, _, rest = name.partition(" ")
        if kind != self.form_field or not rest:
            return super().field(message, name)
        if not isinstance(message, Request):
            return None
        match = self.match(message)
        form = self.form(message)
        if match is None or form is None or self.form_field not in form:
            return None
        text = form[self.form_field]
        parsed = self.parse_content(match.operation.name, text)
        if rest in parsed.fields:
            return parsed.fields[rest]
        grammar = self.grammars.get(match.operation.name)
        assert grammar is not None
        raw = grammar.variant_for(text).split(text).get(rest)
        return None if raw is None else raw.strip()

    def check_request(self, request: Request, match: OperationMatch | None = None) -> list[Violation]:
        """The OpenAPI checks, a missing form field named ``body <field>``, and the ``contentInfo`` grammar."""
        match = match or self.match(request)
        found = super().check_request(request, match)
        if match is None:
            return found
        form = self.form(request)
        if form is None:
            return found
        name = match.operation.name
        ref = f"{self.path.name}#/paths/{match.operation.path.replace('/', '~1')}/post/requestBody"
        # The schema's "required" names the form as a whole (``body /``); a form field is named by itself.
        out = [v for v in found if not (v.location == "body /" and v.expected.startswith("required"))]
        out.extend(required_form_fields(form, self._required[name], ref))
        text = form.get(self.form_field)
        if text is not None:
            out.extend(self.parse_content(name, text).violations)
        return out
