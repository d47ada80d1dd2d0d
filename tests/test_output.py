"""Tests for flake8_alembic.output: every ``--output-format``, statistics, and the CI formats' schemas.

Golden files live in tests/golden/ (one per format). To regenerate them after an intended change, run
``FLAKE8_ALEMBIC_UPDATE_GOLDENS=1 python -m pytest tests/test_output.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from flake8_alembic.output import FORMATS, Finding, render, render_statistics

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
SCHEMAS = HERE / "schemas"
VERSION = "0.1.0-test"
ROOT = "/project"

A1 = "migrations/versions/a1.py"
B2 = "migrations/versions/b2.py"
DROP_MESSAGE = "op.drop_table('users') has no existence guard; pass `if_exists=True`"
# Exercises every escaping rule: % , : newline < & " (and > for XML).
TRICKY_MESSAGE = 'rename "a" -> "b" is 100% unsafe, see: <docs> & notes\nthe second line'

FINDINGS = (
    Finding(
        path=A1,
        absolute=f"{ROOT}/{A1}",
        line=12,
        col=4,
        code="ALM002",
        name="unguarded-drop",
        message=DROP_MESSAGE,
        source_line="    op.drop_table('users')",
        summary="A drop without an existence guard",
        docs="# unguarded-drop (ALM002)\n\n## What it does\nFlags drops that fail when the object is missing.\n",
    ),
    Finding(
        path=A1,
        absolute=f"{ROOT}/{A1}",
        line=20,
        col=1,
        code="ALM010",
        name="unsafe-rename",
        message=TRICKY_MESSAGE,
        source_line="\tbatch_op.alter_column('a', new_column_name='b')",
        summary="A column rename that breaks running code",
        docs="",
    ),
    Finding(
        path=A1,
        absolute=f"{ROOT}/{A1}",
        line=31,
        col=4,
        code="ALM002",
        name="unguarded-drop",
        message=DROP_MESSAGE,
        source_line="    op.drop_table('users')",
        summary="A drop without an existence guard",
        docs="# unguarded-drop (ALM002)\n\n## What it does\nFlags drops that fail when the object is missing.\n",
    ),
    Finding(
        path=B2,
        absolute=f"{ROOT}/{B2}",
        line=105,
        col=0,
        code="E999",
        name="syntax-error",
        message="SyntaxError: invalid syntax",
        source_line=None,
    ),
)

EXTENSIONS = {
    "full": "txt",
    "concise": "txt",
    "json": "json",
    "json-lines": "jsonl",
    "github": "txt",
    "gitlab": "json",
    "sarif": "json",
    "junit": "xml",
    "pylint": "txt",
}

JSON_KEYS = {
    "cell",
    "code",
    "end_location",
    "filename",
    "fix",
    "location",
    "message",
    "name",
    "noqa_row",
    "severity",
    "url",
}


def _render(output_format: str, findings: tuple[Finding, ...] = FINDINGS) -> str:
    return render(output_format, findings, version=VERSION, checked_files=[f"{ROOT}/{A1}"], project_root=ROOT)


def _load_schema(name: str) -> Any:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _validator(name: str) -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = _load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


# ----------------------------------------------------------------------------------------------------------------
# every format


def test_formats_are_ruffs_that_apply() -> None:
    assert FORMATS == ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit", "pylint")
    assert set(EXTENSIONS) == set(FORMATS)


@pytest.mark.parametrize("output_format", FORMATS)
def test_golden(output_format: str) -> None:
    golden = GOLDEN / f"{output_format}.{EXTENSIONS[output_format]}"
    text = _render(output_format)
    if os.environ.get("FLAKE8_ALEMBIC_UPDATE_GOLDENS"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8", newline="")
    assert text == golden.read_text(encoding="utf-8")
    assert text.endswith("\n")


EMPTY = {
    "full": "All checks passed!\n",
    "concise": "All checks passed!\n",
    "json": "[]\n",
    "json-lines": "",
    "github": "",
    "gitlab": "[]\n",
    "pylint": "",
    "junit": (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="flake8-alembic" tests="1" skipped="0" failures="0" errors="0">\n'
        '    <testsuite name="flake8-alembic" tests="1" skipped="0" errors="0" failures="0"'
        ' package="org.flake8_alembic">\n'
        '        <testcase name="No errors found" classname="flake8-alembic"/>\n'
        "    </testsuite>\n"
        "</testsuites>\n"
    ),
}


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_findings(output_format: str) -> None:
    text = _render(output_format, ())
    if output_format == "sarif":
        log = json.loads(text)
        run = log["runs"][0]
        assert run["results"] == []
        assert run["tool"]["driver"]["rules"] == []
        assert run["tool"]["driver"]["version"] == VERSION
    else:
        assert text == EMPTY[output_format]


def test_unknown_format_is_an_error() -> None:
    with pytest.raises(ValueError, match="grouped"):
        render("grouped", FINDINGS, version=VERSION)


def test_render_does_not_reorder() -> None:
    reversed_findings = tuple(reversed(FINDINGS))
    lines = _render("pylint", reversed_findings).splitlines()
    assert lines[0].startswith(f"{B2}:105: [E999]")


# ----------------------------------------------------------------------------------------------------------------
# text formats


def test_concise_lines_and_summary() -> None:
    text = _render("concise")
    assert text.startswith(f"{A1}:12:5: ALM002 {DROP_MESSAGE}\n")
    assert f"{B2}:105:1: E999 SyntaxError: invalid syntax\n" in text
    assert text.endswith("Found 4 errors.\n")
    assert _render("concise", FINDINGS[:1]).endswith("\nFound 1 error.\n")


def test_pylint_lines() -> None:
    lines = _render("pylint").splitlines()
    assert lines[0] == f"{A1}:12: [ALM002] {DROP_MESSAGE}"
    assert lines[-1] == f"{B2}:105: [E999] SyntaxError: invalid syntax"
    assert not any(line.startswith("Found") for line in lines)


def test_full_code_frame_puts_the_caret_under_the_column() -> None:
    text = _render("full", FINDINGS[:1])
    assert text == (
        f"ALM002 {DROP_MESSAGE}\n"
        f"  --> {A1}:12:5\n"
        "   |\n"
        "12 |     op.drop_table('users')\n"
        "   |     ^\n"
        "   |\n"
        "\n"
        "Found 1 error.\n"
    )
    source_row, caret_row = text.splitlines()[3:5]
    assert source_row.index("op") == caret_row.index("^")


def test_full_keeps_tabs_so_the_caret_aligns() -> None:
    text = _render("full", (FINDINGS[1],))
    assert "20 | \tbatch_op.alter_column" in text
    assert "   | \t^\n" in text


def test_full_without_source_line_has_no_frame_and_wider_gutter() -> None:
    text = _render("full", (FINDINGS[3],))
    assert text == f"E999 SyntaxError: invalid syntax\n   --> {B2}:105:1\n\nFound 1 error.\n"


def test_full_clamps_a_column_past_the_end_of_the_line() -> None:
    finding = Finding(A1, f"{ROOT}/{A1}", 3, 40, "ALM001", "empty-downgrade", "m", "    pass")
    frame = _render("full", (finding,)).splitlines()
    assert frame[3] == "3 |     pass"
    assert frame[4] == "  |         ^"


# ----------------------------------------------------------------------------------------------------------------
# json, json-lines


def test_json_has_ruffs_keys_and_values() -> None:
    text = _render("json")
    records = json.loads(text)
    assert len(records) == len(FINDINGS)
    for record, finding in zip(records, FINDINGS):
        assert set(record) == JSON_KEYS
        assert list(record) == sorted(record)  # alphabetical, like ruff
        assert set(record["location"]) == {"column", "row"}
        assert set(record["end_location"]) == {"column", "row"}
        assert record["location"] == {"column": finding.col + 1, "row": finding.line}
        assert record["end_location"] == {"column": finding.col + 2, "row": finding.line}
        assert record["filename"] == finding.absolute
        assert record["noqa_row"] == finding.line
        assert (record["cell"], record["fix"], record["url"]) == (None, None, None)
        assert record["severity"] == "error"
        assert (record["code"], record["name"], record["message"]) == (finding.code, finding.name, finding.message)
    assert text.startswith('[\n  {\n    "cell": null,')  # pretty-printed with indent 2


def test_json_lines_parse_line_by_line() -> None:
    text = _render("json-lines")
    lines = text.splitlines()
    assert len(lines) == len(FINDINGS)  # the newline inside a message stays escaped
    assert [json.loads(line) for line in lines] == json.loads(_render("json"))
    assert all(", " not in line.split('"message"')[0] for line in lines)  # compact separators


# ----------------------------------------------------------------------------------------------------------------
# github


GITHUB_LINE = re.compile(
    r"^::error title=(?P<title>[^,:]*),file=(?P<file>[^,:]*),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"endLine=(?P<endLine>\d+),endColumn=(?P<endColumn>\d+)::(?P<data>.*)$"
)


_UNESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}


def _unescape(text: str) -> str:
    """Undo GitHub's workflow-command escaping in one pass (so an escaped "%" never starts a second escape)."""
    return re.sub("%(?:25|0D|0A|3A|2C)", lambda match: _UNESCAPES[match.group()], text)


def test_github_workflow_commands_round_trip() -> None:
    lines = _render("github").splitlines()
    assert len(lines) == len(FINDINGS)
    for line, finding in zip(lines, FINDINGS):
        match = GITHUB_LINE.match(line)
        assert match, line
        assert _unescape(match["title"]) == f"flake8-alembic ({finding.code})"
        assert _unescape(match["file"]) == finding.absolute
        assert int(match["line"]) == int(match["endLine"]) == finding.line
        assert int(match["col"]) == finding.col + 1
        assert int(match["endColumn"]) == finding.col + 2
        expected = f"{finding.path}:{finding.line}:{finding.column}: {finding.code} {finding.message}"
        assert _unescape(match["data"]) == expected
    assert "100%25 unsafe, see: <docs> & notes%0Athe second line" in lines[1]


def test_github_escapes_properties_and_carriage_returns() -> None:
    finding = Finding(
        path="C:\\proj,x\\a.py",
        absolute="C:\\proj,x\\a.py",
        line=1,
        col=0,
        code="ALM001",
        name="empty-downgrade",
        message="50%\r\nbad",
        source_line=None,
    )
    line = _render("github", (finding,))
    assert line.count("\n") == 1
    assert "file=C%3A\\proj%2Cx\\a.py," in line
    assert line.endswith("::C:\\proj,x\\a.py:1:1: ALM001 50%25%0D%0Abad\n")
    match = GITHUB_LINE.match(line.rstrip("\n"))
    assert match
    assert _unescape(match["file"]) == finding.absolute
    assert _unescape(match["data"]).endswith(finding.message)


# ----------------------------------------------------------------------------------------------------------------
# gitlab


def test_gitlab_shape_and_fingerprints() -> None:
    issues = json.loads(_render("gitlab"))
    assert [issue["check_name"] for issue in issues] == [f.code for f in FINDINGS]
    first = issues[0]
    assert first["description"] == f"ALM002: {DROP_MESSAGE}"
    assert first["severity"] == "major"
    assert first["location"] == {
        "path": A1,
        "positions": {"begin": {"line": 12, "column": 5}, "end": {"line": 12, "column": 6}},
    }
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert all(re.fullmatch(r"[0-9a-f]{16}", fp) for fp in fingerprints)
    # Findings 0 and 2 are identical but for the line: the occurrence counter keeps them apart.
    assert len(set(fingerprints)) == len(fingerprints)


def test_gitlab_fingerprints_are_stable_and_ignore_line_moves() -> None:
    moved = tuple(
        Finding(f.path, f.absolute, f.line + 7, f.col, f.code, f.name, f.message, f.source_line) for f in FINDINGS
    )
    before = [issue["fingerprint"] for issue in json.loads(_render("gitlab"))]
    after = [issue["fingerprint"] for issue in json.loads(_render("gitlab", moved))]
    assert before == after


def test_gitlab_paths_are_relative_to_the_project_root() -> None:
    issues = json.loads(render("gitlab", FINDINGS, version=VERSION, project_root=f"{ROOT}/migrations"))
    assert issues[0]["location"]["path"] == "versions/a1.py"
    # A root that does not contain the file falls back to the path as the user sees it.
    issues = json.loads(render("gitlab", FINDINGS, version=VERSION, project_root="/elsewhere/deep"))
    assert issues[0]["location"]["path"] == A1


def test_gitlab_report_matches_the_code_quality_schema() -> None:
    validator = _validator("gitlab-code-quality.schema.json")
    validator.validate(json.loads(_render("gitlab")))
    validator.validate(json.loads(_render("gitlab", ())))


def test_gitlab_schema_is_not_vacuous() -> None:
    validator = _validator("gitlab-code-quality.schema.json")
    issue = json.loads(_render("gitlab"))[0]
    for broken in (
        {k: v for k, v in issue.items() if k != "fingerprint"},
        {**issue, "severity": "error"},
        {**issue, "location": {"path": A1}},
        {**issue, "location": {"path": A1, "positions": {"begin": {"column": 1}}}},
    ):
        assert not validator.is_valid([broken]), broken


# ----------------------------------------------------------------------------------------------------------------
# sarif


def test_sarif_matches_the_oasis_schema() -> None:
    validator = _validator("sarif-schema-2.1.0.json")
    validator.validate(json.loads(_render("sarif")))
    validator.validate(json.loads(_render("sarif", ())))


def test_sarif_schema_is_not_vacuous() -> None:
    validator = _validator("sarif-schema-2.1.0.json")
    log = json.loads(_render("sarif"))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert not validator.is_valid(log)
    assert not validator.is_valid({**json.loads(_render("sarif")), "version": "2.0.0"})


def test_sarif_content() -> None:
    log = json.loads(_render("sarif"))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("flake8-alembic", VERSION)
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == ["ALM002", "ALM010", "E999"]  # fired only, sorted, no duplicates
    alm002, alm010, e999 = rules
    assert alm002["shortDescription"]["text"] == "A drop without an existence guard"
    assert alm002["fullDescription"]["text"] == alm002["help"]["text"] == FINDINGS[0].docs
    assert alm010["fullDescription"]["text"] == "A column rename that breaks running code"  # no docs: summary
    assert e999["shortDescription"]["text"] == "SyntaxError: invalid syntax"  # no summary: the message
    assert all(rule["defaultConfiguration"] == {"level": "error"} for rule in rules)
    results = run["results"]
    assert [r["ruleId"] for r in results] == [f.code for f in FINDINGS]
    assert all("ruleIndex" not in r and "partialFingerprints" not in r for r in results)
    second = results[1]
    assert second["level"] == "error"
    assert second["message"]["text"] == TRICKY_MESSAGE
    location = second["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == f"file://{ROOT}/{A1}"
    assert location["region"] == {"startLine": 20, "startColumn": 2, "endLine": 20, "endColumn": 3}


def test_sarif_uris_are_percent_encoded_and_handle_windows_paths() -> None:
    findings = (
        Finding("a b.py", "/pro ject/a b.py", 1, 0, "ALM001", "empty-downgrade", "m", None),
        Finding("x.py", "C:\\proj\\x.py", 1, 0, "ALM001", "empty-downgrade", "m", None),
    )
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(render("sarif", findings, version=VERSION))["runs"][0]["results"]
    ]
    assert uris == ["file:///pro%20ject/a%20b.py", "file:///C:/proj/x.py"]


# ----------------------------------------------------------------------------------------------------------------
# junit


def test_junit_structure_and_counts() -> None:
    root = ET.fromstring(_render("junit"))
    assert root.tag == "testsuites"
    assert root.attrib == {"name": "flake8-alembic", "tests": "4", "skipped": "0", "failures": "4", "errors": "0"}
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [A1, B2]
    assert [(s.get("tests"), s.get("failures"), s.get("errors")) for s in suites] == [
        ("3", "3", "0"),
        ("1", "1", "0"),
    ]
    assert {s.get("package") for s in suites} == {"org.flake8_alembic"}
    cases = [case for suite in suites for case in suite.findall("testcase")]
    assert len(cases) == len(FINDINGS)
    for case, finding in zip(cases, FINDINGS):
        assert case.get("name") == f"org.flake8_alembic.{finding.code}"
        assert case.get("classname") == finding.path[: -len(".py")]
        assert (case.get("line"), case.get("column")) == (str(finding.line), str(finding.col + 1))
        failure = case.find("failure")
        assert failure is not None
        # The message survives XML escaping exactly, newline included (it is written as &#10; in the attribute).
        assert failure.get("message") == finding.message
        assert failure.text == f"line {finding.line}, col {finding.col + 1}, {finding.message}"


def test_junit_clean_run_has_one_passing_testcase() -> None:
    root = ET.fromstring(_render("junit", ()))
    (suite,) = root.findall("testsuite")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "No errors found"
    assert list(case) == []
    assert root.get("failures") == suite.get("failures") == "0"


def test_junit_survives_control_characters() -> None:
    finding = Finding(A1, f"{ROOT}/{A1}", 1, 0, "ALM001", "empty-downgrade", "bell\x07 and\ttab ]]>", None)
    root = ET.fromstring(_render("junit", (finding,)))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "bell\ufffd and\ttab ]]>"


# ----------------------------------------------------------------------------------------------------------------
# statistics


def test_statistics_text_sorted_by_count_then_code() -> None:
    findings = (*FINDINGS, FINDINGS[3])
    assert render_statistics(findings, "concise") == (
        "2\tALM002\tunguarded-drop\n2\tE999\tsyntax-error\n1\tALM010\tunsafe-rename\n"
    )
    assert render_statistics((), "full") == ""


def test_statistics_json() -> None:
    stats = json.loads(render_statistics(FINDINGS, "json"))
    assert stats == [
        {"code": "ALM002", "name": "unguarded-drop", "count": 2, "fixable": False, "fixable_count": 0},
        {"code": "ALM010", "name": "unsafe-rename", "count": 1, "fixable": False, "fixable_count": 0},
        {"code": "E999", "name": "syntax-error", "count": 1, "fixable": False, "fixable_count": 0},
    ]
    assert [list(entry) for entry in stats] == [["code", "name", "count", "fixable", "fixable_count"]] * 3
    assert json.loads(render_statistics((), "json")) == []
