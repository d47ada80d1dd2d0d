"""Output formats of ``flake8-alembic check``, modelled on ``ruff check --output-format``.

Every renderer is a pure function of the findings: it returns the whole text to write (to stdout or to
``--output-file``), ending with a newline when it is not empty. The findings arrive sorted by
(path, line, col, code); the renderers keep that order.

Columns: ``Finding.col`` is 0-based like ``ast``; every format shows 1-based columns (``col + 1``) and, where
a format has an end position, a region one character wide whose end is exclusive (``col + 2``). We have no
fixes, so there is no ``[*]`` marker and ``fix`` is ``null``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

__all__ = ["FORMATS", "Finding", "render", "render_statistics"]

TOOL_NAME = "flake8-alembic"
INFORMATION_URI = "https://pypi.org/project/flake8-alembic/"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
JUNIT_PACKAGE = "org.flake8_alembic"

FORMATS: tuple[str, ...] = ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit", "pylint")


@dataclass(frozen=True)
class Finding:
    """One diagnostic, with everything any output format needs."""

    path: str  # as the user passed/sees it, relative to the current folder when possible
    absolute: str  # absolute path
    line: int  # 1-based
    col: int  # 0-based (as ast); output shows col + 1
    code: str  # "ALM002", or "E999" for a file that does not parse
    name: str  # kebab-case rule name ("syntax-error" for E999)
    message: str
    source_line: str | None  # the text of `line` without its newline, for the full format; None if unknown
    summary: str = ""  # the rule's one-line summary (SARIF shortDescription)
    docs: str = ""  # the rule's whole Markdown page (SARIF fullDescription/help); "" when not known

    @property
    def column(self) -> int:
        """The 1-based start column."""
        return self.col + 1

    @property
    def end_column(self) -> int:
        """The 1-based, exclusive end column of a one-character region."""
        return self.col + 2


# --------------------------------------------------------------------------------------------------------------
# helpers


def _plural_errors(count: int) -> str:
    return f"Found {count} error." if count == 1 else f"Found {count} errors."


def _join_lines(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _dump_json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _posix(path: str) -> str:
    return path.replace("\\", "/")


def _relative_path(finding: Finding, project_root: str | None) -> str:
    """The finding's path relative to the project root (GitLab wants repository-relative paths)."""
    root = project_root or os.environ.get("CI_PROJECT_DIR") or os.getcwd()
    try:
        relative = os.path.relpath(finding.absolute, root)
    except ValueError:  # another drive on Windows
        return _posix(finding.path)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return _posix(finding.path)
    return _posix(relative)


def _file_uri(absolute: str) -> str:
    """A ``file://`` URI for an absolute path (POSIX or Windows spelling)."""
    for flavour in (PurePosixPath, PureWindowsPath):
        candidate = flavour(absolute)
        if candidate.is_absolute():
            return candidate.as_uri()
    return "file://" + quote(_posix(absolute))


# --------------------------------------------------------------------------------------------------------------
# text formats


def _render_concise(findings: Sequence[Finding]) -> str:
    if not findings:
        return "All checks passed!\n"
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings]
    lines.append(_plural_errors(len(findings)))
    return _join_lines(lines)


def _render_pylint(findings: Sequence[Finding]) -> str:
    return _join_lines([f"{f.path}:{f.line}: [{f.code}] {f.message}" for f in findings])


def _caret_prefix(source_line: str, col: int) -> str:
    """Whitespace that puts a caret under ``col``, keeping tabs so terminals align it the same way."""
    return "".join("\t" if char == "\t" else " " for char in source_line[:col]).ljust(col)


def _full_block(finding: Finding) -> list[str]:
    gutter = " " * len(str(finding.line))
    lines = [f"{finding.code} {finding.message}", f"{gutter}--> {finding.path}:{finding.line}:{finding.column}"]
    if finding.source_line is not None:
        source = finding.source_line.rstrip("\r\n")
        caret_col = min(finding.col, len(source))
        lines += [
            f"{gutter} |",
            f"{finding.line} | {source}".rstrip(),
            f"{gutter} | {_caret_prefix(source, caret_col)}^",
            f"{gutter} |",
        ]
    return lines


def _render_full(findings: Sequence[Finding]) -> str:
    if not findings:
        return "All checks passed!\n"
    lines: list[str] = []
    for finding in findings:
        lines += _full_block(finding)
        lines.append("")
    lines.append(_plural_errors(len(findings)))
    return _join_lines(lines)


# --------------------------------------------------------------------------------------------------------------
# json, json-lines


def _json_record(finding: Finding) -> dict[str, Any]:
    """One diagnostic with exactly the keys of ``ruff check --output-format json``."""
    return {
        "cell": None,
        "code": finding.code,
        "end_location": {"column": finding.end_column, "row": finding.line},
        "filename": finding.absolute,
        "fix": None,
        "location": {"column": finding.column, "row": finding.line},
        "message": finding.message,
        "name": finding.name,
        "noqa_row": finding.line,
        "severity": "error",
        "url": None,
    }


def _render_json(findings: Sequence[Finding]) -> str:
    return json.dumps([_json_record(f) for f in findings], indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _render_json_lines(findings: Sequence[Finding]) -> str:
    return _join_lines(
        [json.dumps(_json_record(f), sort_keys=True, ensure_ascii=False, separators=(",", ":")) for f in findings]
    )


# --------------------------------------------------------------------------------------------------------------
# github


def escape_data(text: str) -> str:
    """Escape a GitHub workflow command's message (``actions/toolkit`` ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a GitHub workflow command's property value (``actions/toolkit`` ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _render_github(findings: Sequence[Finding]) -> str:
    lines = []
    for f in findings:
        properties = ",".join(
            f"{key}={escape_property(value)}"
            for key, value in (
                ("title", f"{TOOL_NAME} ({f.code})"),
                ("file", f.absolute),
                ("line", str(f.line)),
                ("col", str(f.column)),
                ("endLine", str(f.line)),
                ("endColumn", str(f.end_column)),
            )
        )
        data = escape_data(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        lines.append(f"::error {properties}::{data}")
    return _join_lines(lines)


# --------------------------------------------------------------------------------------------------------------
# gitlab (Code Quality report)


def _fingerprint(code: str, path: str, message: str, occurrence: int) -> str:
    """16 hex digits, stable across runs and machines; ``occurrence`` tells identical findings apart."""
    payload = "\x00".join((TOOL_NAME, code, path, message, str(occurrence))).encode("utf-8")
    return hashlib.blake2b(payload, digest_size=8).hexdigest()


def _render_gitlab(findings: Sequence[Finding], project_root: str | None) -> str:
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for f in findings:
        path = _relative_path(f, project_root)
        key = (f.code, path, f.message)
        occurrence = seen[key]
        seen[key] += 1
        issues.append(
            {
                "check_name": f.code,
                "description": f"{f.code}: {f.message}",
                "severity": "major",
                "fingerprint": _fingerprint(f.code, path, f.message, occurrence),
                "location": {
                    "path": path,
                    "positions": {
                        "begin": {"line": f.line, "column": f.column},
                        "end": {"line": f.line, "column": f.end_column},
                    },
                },
            }
        )
    return _dump_json(issues)


# --------------------------------------------------------------------------------------------------------------
# sarif


def _sarif_rule(finding: Finding) -> dict[str, Any]:
    short = finding.summary or finding.message
    full = finding.docs or short
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": full},
        "defaultConfiguration": {"level": "error"},
        "properties": {"id": finding.code, "name": finding.name, "problem.severity": "error"},
    }


def _render_sarif(findings: Sequence[Finding], version: str) -> str:
    rules: dict[str, dict[str, Any]] = {}
    for f in findings:
        rules.setdefault(f.code, _sarif_rule(f))
    results = [
        {
            "ruleId": f.code,
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _file_uri(f.absolute)},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.line,
                            "endColumn": f.end_column,
                        },
                    }
                }
            ],
        }
        for f in findings
    ]
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": version,
                        "informationUri": INFORMATION_URI,
                        "rules": [rules[code] for code in sorted(rules)],
                    }
                },
                "results": results,
            }
        ],
    }
    return _dump_json(log)


# --------------------------------------------------------------------------------------------------------------
# junit

# Characters XML 1.0 cannot hold at all, even as character references.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    text = _XML_INVALID.sub("\ufffd", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attr(text: str) -> str:
    # Newlines and tabs in attributes are normalised to spaces by XML parsers unless written as references.
    return _xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _xml_open(tag: str, attributes: Sequence[tuple[str, str | int]]) -> str:
    attrs = "".join(f' {key}="{_xml_attr(str(value))}"' for key, value in attributes)
    return f"<{tag}{attrs}>"


def _xml_element(tag: str, attributes: Sequence[tuple[str, str | int]], body: str | None = None) -> str:
    start = _xml_open(tag, attributes)
    if body is None:
        return start[:-1] + "/>"
    return f"{start}{_xml_text(body)}</{tag}>"


def _classname(path: str) -> str:
    return path[: -len(".py")] if path.endswith(".py") else path


def _render_junit(findings: Sequence[Finding]) -> str:
    indent = "    "
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    count = len(findings)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="{TOOL_NAME}" tests="{max(count, 1)}" skipped="0" failures="{count}" errors="0">',
    ]
    if not findings:
        lines += [
            f'{indent}<testsuite name="{TOOL_NAME}" tests="1" skipped="0" errors="0" failures="0"'
            f' package="{JUNIT_PACKAGE}">',
            f"{indent * 2}" + _xml_element("testcase", [("name", "No errors found"), ("classname", TOOL_NAME)]),
            f"{indent}</testsuite>",
        ]
    for path, group in by_file.items():
        n = len(group)
        suite = _xml_open(
            "testsuite",
            [("name", path), ("tests", n), ("skipped", 0), ("errors", 0), ("failures", n), ("package", JUNIT_PACKAGE)],
        )
        lines.append(f"{indent}{suite}")
        for f in group:
            testcase = _xml_open(
                "testcase",
                [
                    ("name", f"{JUNIT_PACKAGE}.{f.code}"),
                    ("classname", _classname(f.path)),
                    ("line", f.line),
                    ("column", f.column),
                ],
            )
            lines += [
                f"{indent * 2}{testcase}",
                f"{indent * 3}<properties>",
                f"{indent * 4}" + _xml_element("property", [("name", "severity"), ("value", "error")]),
                f"{indent * 3}</properties>",
                f"{indent * 3}"
                + _xml_element("failure", [("message", f.message)], f"line {f.line}, col {f.column}, {f.message}"),
                f"{indent * 2}</testcase>",
            ]
        lines.append(f"{indent}</testsuite>")
    lines.append("</testsuites>")
    return _join_lines(lines)


# --------------------------------------------------------------------------------------------------------------
# entry points


def render(
    output_format: str,
    findings: Sequence[Finding],
    *,
    version: str,
    checked_files: Sequence[str] = (),
    project_root: str | None = None,
) -> str:
    """The whole text of ``output_format`` for ``findings`` (already sorted by path, line, col, code).

    ``checked_files`` is accepted for future formats; like ruff, no current format lists clean files.
    ``project_root`` anchors the repository-relative paths of the gitlab format (default: ``$CI_PROJECT_DIR``,
    else the current folder).
    """
    del checked_files  # not used by any format yet (ruff's formats do not list clean files either)
    renderers: dict[str, Callable[[], str]] = {
        "full": lambda: _render_full(findings),
        "concise": lambda: _render_concise(findings),
        "json": lambda: _render_json(findings),
        "json-lines": lambda: _render_json_lines(findings),
        "github": lambda: _render_github(findings),
        "gitlab": lambda: _render_gitlab(findings, project_root),
        "sarif": lambda: _render_sarif(findings, version),
        "junit": lambda: _render_junit(findings),
        "pylint": lambda: _render_pylint(findings),
    }
    try:
        renderer = renderers[output_format]
    except KeyError:
        raise ValueError(f"unknown output format {output_format!r}; expected one of: {', '.join(FORMATS)}") from None
    return renderer()


def render_statistics(findings: Sequence[Finding], output_format: str) -> str:
    """Counts per code, like ``ruff check --statistics`` (most frequent first, then by code).

    Text: one ``count<TAB>CODE<TAB>name`` line per code. With ``output_format == "json"``: a JSON array of
    ``{"code", "name", "count", "fixable": false, "fixable_count": 0}``.
    """
    counts = Counter(f.code for f in findings)
    names: dict[str, str] = {}
    for f in findings:
        names.setdefault(f.code, f.name)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if output_format == "json":
        return _dump_json(
            [
                {"code": code, "name": names[code], "count": count, "fixable": False, "fixable_count": 0}
                for code, count in ordered
            ]
        )
    return _join_lines([f"{count}\t{code}\t{names[code]}" for code, count in ordered])
