"""Reading and writing BIF text: the file (one record a line) and the web-service form.

Reading is strict about what makes a record unreadable (a pair without ``~``, a FileSpecID that is
not a number, a record that is not FH/IH/CR/ID) and raises ``BifError`` naming the line; everything a
partner mapping decides (required fields, formats, counts) is left to the checker, which reports
``Violation``s. Writing gives back exactly what was read, so ``build(parse(text)) == text``.

No design defines an escape for ``|`` or ``~`` inside a value, so a value holding one (or a line
break) is refused both ways rather than silently producing a file IC would split differently.
"""

from __future__ import annotations

import re
from urllib.parse import quote_plus, unquote_plus

from contracts.bif.records import FORM_RECORD_KEYS, ROW_TYPE_IDS, Bif, BifForm, Record
from contracts.errors import BifError

__all__ = ["parse", "build", "parse_form", "build_form", "parse_record", "format_record"]

_SPEC_ID = re.compile(r"\d+")
_FORBIDDEN = ("|", "~", "\r", "\n")
_FORM_SAFE = "~|/:"  # left readable when a form is percent-encoded; all are legal in a form value


def parse_record(text: str, where: str) -> list[tuple[int, str]]:
    """The pairs of one record; ``where`` (``line 3``) goes into the error message."""
    pairs: list[tuple[int, str]] = []
    for n, chunk in enumerate(text.split("|"), start=1):
        spec_id, tilde, value = chunk.partition("~")
        if not tilde:
            raise BifError(f"{where}: pair {n} {chunk!r} is not FileSpecID~value")
        if not _SPEC_ID.fullmatch(spec_id):
            raise BifError(f"{where}: pair {n} {chunk!r}: the FileSpecID {spec_id!r} is not a number")
        if "~" in value:
            raise BifError(f"{where}: FileSpecID {spec_id}: the value {value!r} holds a '~'; "
                           "the BIF defines no escaping, so IC would read it differently")
        pairs.append((int(spec_id), value))
    kind = pairs[0][1]
    if kind not in ROW_TYPE_IDS:
        raise BifError(f"{where}: the record starts with {text.split('|', 1)[0]!r}; expected the RowType "
                       f"of an FH, IH, CR or ID record ({', '.join(f'{i}~{k}' for k, i in ROW_TYPE_IDS.items())})")
    return pairs


def format_record(record: Record) -> str:
    """One record as BIF text; refuses a value the format cannot carry."""
    if not record.pairs:
        raise BifError(f"{record.where}: a record needs at least its RowType pair")
    for spec_id, value in record.pairs:
        bad = [c for c in _FORBIDDEN if c in value]
        if bad:
            raise BifError(f"{record.location(spec_id)}: the value {value!r} holds {bad[0]!r}; "
                           "the BIF defines no escaping for '|', '~' or line breaks: remove them")
    return "|".join(f"{spec_id}~{value}" for spec_id, value in record.pairs)


def parse(text: str) -> Bif:
    """A BIF file. Blank lines are skipped; line numbers count them, as an editor does."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise BifError("the BIF file is empty; expected an FH record on line 1")
    if "CustomerRecord=" in text.split("\n", 1)[0] or "InvoiceHeaderRecord=" in text.split("\n", 1)[0]:
        raise BifError("line 1 looks like a web-service form (CustomerRecord=...), not a BIF file; "
                       "read it with parse_form (partnersim bif check --form)")
    lines = text.split("\n")
    final_newline = lines[-1] == ""
    if final_newline:
        lines.pop()
    newline = "\r\n" if lines[0].endswith("\r") else "\n"
    records = []
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        records.append(Record(parse_record(line, f"line {number}"), line=number))
    return Bif(records, newline=newline, final_newline=final_newline)


def build(bif: Bif) -> str:
    """The text of a BIF file, with its own line endings."""
    text = bif.newline.join(format_record(r) for r in bif.records)
    return text + bif.newline if bif.final_newline and bif.records else text


def parse_form(text: str) -> BifForm:
    """The web-service form (``CustomerRecord=58~CR|...&InvoiceHeaderRecord=7~IH|...&...``).

    Values are decoded as ``application/x-www-form-urlencoded`` (what the design's request declares);
    the design's own sample is not encoded and decodes to itself. Several ID records in
    ``InvoiceDetailRecords`` are told apart by their RowType pair ``70~ID`` (assumed: the design shows one).
    """
    body = text.strip()
    if not body:
        raise BifError("the web-service form is empty; expected CustomerRecord=...&InvoiceHeaderRecord=...")
    trailing = body.endswith("&")
    form = BifForm(records=[], trailing_separator=trailing)
    for n, part in enumerate(body.removesuffix("&").split("&"), start=1):
        if not part:
            continue
        key, eq, raw = part.partition("=")
        key = unquote_plus(key)
        if not eq:
            raise BifError(f"form field {n} {part[:40]!r} is not name=value")
        if key in form.keys:
            raise BifError(f"form field {key} appears twice; a form carries one invoice")
        form.keys.append(key)
        value = unquote_plus(raw)
        if key in FORM_RECORD_KEYS:
            form.records.extend(_form_records(key, value))
        else:
            form.params[key] = value
    return form


def _form_records(key: str, value: str) -> list[Record]:
    """Split a form field into records at each RowType pair (``70~ID`` starts a new ID record)."""
    pairs = parse_record(value, key)
    starts = [i for i, pair in enumerate(pairs) if ROW_TYPE_IDS.get(pair[1]) == pair[0]] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    chunks = [pairs[a:b] for a, b in zip(starts, [*starts[1:], len(pairs)], strict=True)]
    return [
        Record(chunk, where=key if len(chunks) == 1 else f"{key}[{n}]", origin=key)
        for n, chunk in enumerate(chunks, start=1)
    ]


def build_form(form: BifForm, *, encoded: bool = False) -> str:
    """The text of a web-service form, fields in ``form.keys`` order.

    ``encoded=False`` writes values raw, as the design's sample does (so ``&`` is refused in a value);
    ``encoded=True`` percent-encodes them as an HTTP client would.
    """
    by_key: dict[str, list[Record]] = {}
    kind_key = {kind: key for key, kind in FORM_RECORD_KEYS.items()}
    for record in form.records:
        by_key.setdefault(record.origin or kind_key[record.kind], []).append(record)
    keys = list(form.keys) or [*form.params, *FORM_RECORD_KEYS]
    keys += [k for k in [*form.params, *by_key] if k not in keys]
    parts = []
    for key in keys:
        if key in FORM_RECORD_KEYS:
            if key not in by_key:
                continue
            value = "|".join(format_record(r) for r in by_key[key])
        elif key in form.params:
            value = form.params[key]
        else:
            continue
        if encoded:
            parts.append(f"{quote_plus(key)}={quote_plus(value, safe=_FORM_SAFE)}")
        elif "&" in value or "&" in key:
            raise BifError(f"form field {key}: the value {value[:40]!r} holds '&', which an unencoded "
                           "form cannot carry; build it with encoded=True")
        else:
            parts.append(f"{key}={value}")
    return "&".join(parts) + ("&" if form.trailing_separator else "")
