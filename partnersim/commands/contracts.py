"""``partnersim contracts diff``: breaking changes between two versions of the contracts.

``OLD NEW`` are two documents, two partner folders or two ``contracts/`` trees; ``--base REV`` compares
the contracts folder at a git revision with the working tree (or ``--head REV``), so a CI job can gate a
pull request that edits contracts. One line per change, then a summary. Exit 0 when nothing breaks
(compatible changes or none), 1 on a breaking or to-check change, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contracts.diff import Change, Severity, diff_paths, diff_trees
from contracts.errors import HarnessError

__all__ = ["register"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "contracts", help="contract maintenance: breaking-change check between two versions",
        description="Contract maintenance: breaking-change check between two versions.")
    actions = parser.add_subparsers(dest="contracts_action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    diff = actions.add_parser(
        "diff", help="list the changes between two versions of the contracts and whom each breaks",
        description="List every change between two versions of the contracts (OpenAPI, WSDL + XSD with the "
        "CDATA payload XSDs, contentInfo grammars, BIF mappings) and whether it breaks clients or the partner. "
        "OLD and NEW are two documents, two partner folders or two contracts/ folders; or give --base REV "
        "to compare the contracts folder at a git revision with the working tree (or --head REV). "
        "Exit 0 when nothing breaks, 1 on a breaking change (or one to check), 2 on a usage error.")
    diff.add_argument("old", nargs="?", type=Path, metavar="OLD", help="the old document or folder")
    diff.add_argument("new", nargs="?", type=Path, metavar="NEW", help="the new document or folder")
    diff.add_argument("--base", metavar="REV", help="compare the contracts at this git revision ...")
    diff.add_argument("--head", metavar="REV", help="... with this revision (default: the working tree)")
    diff.add_argument("--repo", type=Path, default=Path("."), metavar="DIR", help="the git checkout (default: the current folder)")
    diff.add_argument("--contracts", default="contracts", metavar="PATH",
                      help="the contracts folder inside the checkout (default: contracts)")
    diff.add_argument("--partner", metavar="P",
                      help="only this partner (with --base or two contracts/ trees); names the partner of two "
                           "documents or partner folders")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(func=run_diff)


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except OSError as exc:
        raise HarnessError(f"cannot run git: {exc}") from exc
    if done.returncode != 0:
        raise HarnessError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


@contextmanager
def _revision(repo: Path, rev: str, folder: str) -> Iterator[Path]:
    """The contracts folder as it is at ``rev``, in a temporary folder (empty when it did not exist)."""
    try:
        commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except HarnessError:
        raise HarnessError(f"{rev!r} is not a revision of the git checkout {repo}") from None
    with tempfile.TemporaryDirectory(prefix="partnersim-diff-") as tmp:
        out = Path(tmp) / "contracts"
        out.mkdir()
        listed = _git(repo, "ls-tree", "--name-only", commit, "--", folder).decode().strip()
        if listed:
            data = _git(repo, "archive", "--format=tar", commit, "--", folder)
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later: refuse links out of tmp
                    tar.extractall(tmp, filter="data")
                else:  # pragma: no cover - git archive of our own checkout holds plain files
                    tar.extractall(tmp)  # noqa: S202
            out = Path(tmp) / folder
        yield out


def _changes(args: argparse.Namespace) -> list[Change]:
    if args.base is None:
        return diff_paths(args.old, args.new, args.partner)
    repo = Path(_git(args.repo, "rev-parse", "--show-toplevel").decode().strip())
    partners = [args.partner] if args.partner else []
    with _revision(repo, args.base, args.contracts) as old:
        if args.head is None:
            return diff_trees(old, repo / args.contracts, partners)
        with _revision(repo, args.head, args.contracts) as new:
            return diff_trees(old, new, partners)


def _summary(changes: list[Change]) -> tuple[str, int]:
    breaking = sum(c.severity is Severity.BREAKING for c in changes)
    check = sum(c.severity is Severity.CHECK for c in changes)
    compatible = len(changes) - breaking - check
    if not changes:
        return "OK: no change", EXIT_OK
    if breaking or check:
        parts = [f"{breaking} breaking"] + ([f"{check} to check"] if check else []) + [f"{compatible} compatible"]
        return f"FAILED: {', '.join(parts)} change(s)", EXIT_FAILED
    return f"OK: {compatible} compatible change(s), none breaking", EXIT_OK


def run_diff(args: argparse.Namespace) -> int:
    if args.base is None and (args.old is None or args.new is None):
        print("partnersim contracts diff: give OLD and NEW, or --base REV", file=sys.stderr)
        return EXIT_USAGE
    if args.base is not None and args.old is not None:
        print("partnersim contracts diff: give OLD and NEW or --base REV, not both", file=sys.stderr)
        return EXIT_USAGE
    if args.head is not None and args.base is None:
        print("partnersim contracts diff: --head needs --base", file=sys.stderr)
        return EXIT_USAGE
    changes = _changes(args)
    summary, code = _summary(changes)
    if args.format == "json":
        json.dump({"breaking": sum(c.severity is Severity.BREAKING for c in changes),
                   "check": sum(c.severity is Severity.CHECK for c in changes),
                   "compatible": sum(c.severity is Severity.OK for c in changes),
                   "changes": [c.to_dict() for c in changes]}, sys.stdout, indent=2)
        print()
    else:
        for change in changes:
            print(change)
        print(summary)
    return code
