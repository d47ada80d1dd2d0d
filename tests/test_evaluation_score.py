"""benchmarks/evaluation_score.py: the Wilson bound, the grade checks and the Markdown table."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "evaluation_score.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evaluation_score", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


score_module = load()


def grade(identifier: str, verdict: str, reason: str = "a reason") -> str:
    code = identifier.split("-")[0]
    row = {"id": identifier, "code": code, "path": "p/versions/a.py", "line": 3, "verdict": verdict}
    row.update(reason=reason, grader="reviewer-1")
    return json.dumps(row)


@pytest.mark.parametrize(
    ("successes", "trials", "expected"),
    [(20, 20, 0.8389), (19, 20, 0.7639), (0, 20, 0.0), (10, 20, 0.2993), (1, 1, 0.2065), (95, 100, 0.8882)],
)
def test_wilson_lower_bound_known_values(successes: int, trials: int, expected: float) -> None:
    assert score_module.wilson_lower_bound(successes, trials) == pytest.approx(expected, abs=5e-5)


def test_wilson_lower_bound_undefined_without_trials() -> None:
    assert score_module.wilson_lower_bound(0, 0) is None


def test_wilson_lower_bound_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        score_module.wilson_lower_bound(3, 2)


def test_table_rows_counts_and_unsure() -> None:
    lines = [grade(f"ALM001-{n:02d}", "true") for n in range(1, 20)]
    lines += [grade("ALM001-20", "false"), grade("ALM001-21", "unsure")]
    lines += [grade(f"ALM013-{n:02d}", "true") for n in range(1, 7)]
    grades = score_module.read_grades(lines)
    scores = score_module.score(grades, {"ALM001": 681, "ALM013": 6, "ALM003": 0})
    assert score_module.table(scores).splitlines() == [
        "| rule | corpus findings | sampled | true | false | unsure | precision | 95% Wilson lower bound |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        "| ALM001 | 681 | 21 | 19 | 1 | 1 | 95.0% | 76.4% |",
        "| ALM003 | 0 | 0 | 0 | 0 | 0 | n/a | n/a |",
        "| ALM013 | 6 | 6 | 6 | 0 | 0 | 100.0% | 61.0% |",
    ]
    assert score_module.summary(scores) == ""


def test_summary_names_rules_below_goal_and_ungraded() -> None:
    grades = score_module.read_grades([grade("ALM002-01", "true"), grade("ALM002-02", "false")])
    scores = score_module.score(grades, {"ALM002": 1195, "ALM015": 51})
    assert "| ALM015 | 51 | 0 | 0 | 0 | 0 | n/a | n/a |" in score_module.table(scores)
    assert score_module.summary(scores) == "Below the 95% precision goal: ALM002.\nNo true/false grade yet: ALM015."


def test_table_without_counts_marks_corpus_unknown() -> None:
    scores = score_module.score(score_module.read_grades([grade("ALM012-01", "true")]))
    assert score_module.table(scores).splitlines()[-1] == "| ALM012 | ? | 1 | 1 | 0 | 0 | 100.0% | 20.7% |"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (grade("ALM001-01", "maybe"), "verdict"),
        (grade("ALM001-01", "true", reason="two\nlines"), "one non-empty line"),
        (grade("ALM001-01", "true", reason=" "), "one non-empty line"),
        (json.dumps({"id": "ALM001-01", "code": "ALM001"}), "missing"),
        (grade("ALM001-01", "true").replace('"code": "ALM001"', '"code": "ALM002"'), "does not belong"),
        ("not json", "not JSON"),
    ],
)
def test_read_grades_rejects_bad_rows(line: str, message: str) -> None:
    with pytest.raises(score_module.GradesError, match=message):
        score_module.read_grades([line])


def test_read_grades_rejects_a_finding_graded_twice() -> None:
    with pytest.raises(score_module.GradesError, match="graded twice"):
        score_module.read_grades([grade("ALM001-01", "true"), grade("ALM001-01", "false")])


def test_main_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grades = tmp_path / "grades.jsonl"
    grades.write_text("\n".join(grade(f"ALM016-{n:02d}", "true") for n in range(1, 11)) + "\n", encoding="utf-8")
    counts = tmp_path / "counts.json"
    counts.write_text(json.dumps({"ALM016": 10}), encoding="utf-8")
    sample = tmp_path / "sample.jsonl"
    sample.write_text(json.dumps({"id": "ALM016-11", "code": "ALM016"}) + "\n", encoding="utf-8")
    assert score_module.main([str(grades), "--counts", str(counts), "--sample", str(sample)]) == 0
    captured = capsys.readouterr()
    assert "| ALM016 | 10 | 10 | 10 | 0 | 0 | 100.0% | 72.2% |" in captured.out
    assert "ALM016-11" in captured.err


def test_main_refuses_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grades = tmp_path / "grades.jsonl"
    grades.write_text(grade("ALM001-01", "yes") + "\n", encoding="utf-8")
    assert score_module.main([str(grades)]) == 2
    assert "grades.jsonl:1" in capsys.readouterr().err
