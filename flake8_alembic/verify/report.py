"""Running verify from parsed options and reporting it: results in every output format ``check`` has (as
findings on revision files, with ALV codes), a progress line per revision on a terminal, and a closing summary."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TextIO

from .. import package_version
from ..output import Finding, render
from .cycle import CODES, Problem, Progress, RevisionReport
from .databases import SetupError
from .seeds import SeedError, read_seeds
from .session import Outcome, Request, verify

SUMMARIES = {
    "ALV001": "an upgrade step failed on the database",
    "ALV002": "the live schema after a revision differs from the static replay",
    "ALV003": "a downgrade step failed on the database",
    "ALV004": "a downgrade does not bring back the schema before its upgrade",
    "ALV005": "an upgrade cannot be repeated after its downgrade, or gives another schema",
    "ALV006": "the application's models differ from the migrated database",
    "ALV007": "seed rows could not be inserted",
    "ALV008": "the database could not be brought to a revision's parents",
}


def run(options: argparse.Namespace, out: TextIO, errors: TextIO) -> int:
    try:
        request = _request(options)
        progress = None if options.quiet or not _is_terminal(errors) else _progress(errors)
        outcome = verify(request, progress)
    except (SetupError, SeedError) as error:
        print(f"flake8-alembic: error: verify: {error}", file=errors)
        return 2
    except KeyboardInterrupt:
        return 130
    findings = to_findings(outcome.problems)
    text = render(options.output_format, findings, version=package_version())
    if options.output_file:
        try:
            Path(options.output_file).write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"flake8-alembic: error: cannot write {options.output_file}: {error.strerror}", file=errors)
            return 2
    else:
        out.write(text)
    if not options.quiet:
        print(summary(outcome), file=errors)
    return 1 if outcome.problems else 0


def _request(options: argparse.Namespace) -> Request:
    from .cycle import Seeds

    return Request(
        path=Path(options.path),
        env_py=options.env_py,
        section=options.name,
        database_url=options.database_url,
        postgres=options.postgres,
        allow_non_empty=options.allow_non_empty,
        seeds=read_seeds(Path(options.seed)) if options.seed else Seeds(),
        models=options.models,
        render_as_batch=options.render_as_batch,
        prepend_sys_path=tuple(Path(path) for path in options.prepend_sys_path),
    )


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _progress(stream: TextIO) -> Progress:
    def show(index: int, total: int, report: RevisionReport) -> None:
        print(progress_line(index, total, report), file=stream, flush=True)

    return show


def progress_line(index: int, total: int, report: RevisionReport) -> str:
    status = "ok" if report.passed else f"{len(report.problems)} problem(s)"
    return f"verify [{index}/{total}] {report.revision}: {status} ({report.seconds:.2f} s)"


def summary(outcome: Outcome) -> str:
    walk = outcome.walk
    reached = [report for report in walk.revisions if report.reached]
    passed = sum(1 for report in reached if report.passed)
    seconds = sum(report.seconds for report in reached)
    per = seconds / len(reached) if reached else 0.0
    text = (
        f"verify: {passed} of {len(walk.revisions)} revisions passed on {walk.dialect} "
        f"({per:.2f} s per revision, {outcome.seconds:.1f} s in all); {len(outcome.problems)} problem(s)"
    )
    unreached = len(walk.revisions) - len(reached)
    if unreached:
        text += f"; {unreached} revision(s) not reached"
    return text + (f"; stopped: {walk.stopped}" if walk.stopped else "")


def to_findings(problems: list[Problem]) -> list[Finding]:
    findings = [_finding(problem) for problem in problems]
    return sorted(findings, key=lambda finding: (finding.path, finding.line, finding.col, finding.code))


def _finding(problem: Problem) -> Finding:
    absolute = os.path.abspath(problem.path) if problem.path else ""
    shown = _shown(absolute)
    return Finding(
        shown,
        absolute,
        problem.line,
        problem.col,
        problem.code,
        CODES[problem.code],
        problem.message,
        _source_line(absolute, problem.line),
        SUMMARIES[problem.code],
    )


def _shown(absolute: str) -> str:
    if not absolute:
        return "<history>"
    relative = os.path.relpath(absolute)
    return absolute if relative.startswith(os.pardir) else relative


def _source_line(path: str, line: int) -> str | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None
