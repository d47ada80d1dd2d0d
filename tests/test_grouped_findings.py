"""One source line, one finding per code (evaluation policy, cause 7): a loop or helper expanded into several
operations on the same line is reported once, naming its objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flake8_alembic.rules.base import SUBJECT, Diagnostic, Reporter, Subject

from .test_projects import PROJECTS, run_check

INDEX_LOOP = PROJECTS / "cause7-index-loop-bad"


def _findings(folder: Path, codes: str) -> list[dict[str, object]]:
    code, out = run_check(folder, "--output-format", "json", "--select", codes)
    assert code == 1, out
    found: list[dict[str, object]] = json.loads(out)
    return found


def test_a_loop_over_a_helper_reports_once_naming_the_tables() -> None:
    (finding,) = _findings(INDEX_LOOP, "ALM201")
    message = str(finding["message"])
    assert finding["location"] == {"row": 15, "column": 5}  # type: ignore[comparison-overlap]
    assert 'ix_bins_tenant_id on "bins", ix_crates_tenant_id on "crates" and 3 more' in message, message


def test_a_helper_called_twice_reports_its_drop_once_naming_both_tables() -> None:
    found = _findings(PROJECTS / "cause2-direction-flag-bad", "ALM002,ALM206")
    assert sorted((item["code"], item["location"]["row"]) for item in found) == [("ALM002", 20), ("ALM206", 20)]  # type: ignore[index]
    messages = {str(item["code"]): str(item["message"]) for item in found}
    assert 'op.drop_table() of tables "legacy_gizmos" and "older_gizmos" is not guarded' in messages["ALM002"]
    assert messages["ALM206"].startswith('dropping from tables "legacy_gizmos" and "older_gizmos" breaks')


def _reported(*calls: tuple[tuple[int, int], str, Subject | None]) -> list[Diagnostic]:
    reporter = Reporter("ALM999")
    for where, message, subject in calls:
        reporter(where, message, subject)
    return reporter.found


TEMPLATE = f"dropping {SUBJECT} is slow"


@pytest.mark.parametrize(
    ("names", "phrase"),
    [
        (["a"], 'table "a"'),
        (["a", "b"], 'tables "a" and "b"'),
        (["a", "b", "c"], 'tables "a", "b" and "c"'),
        (["a", "b", "c", "d", "e"], 'tables "a", "b" and 3 more'),
        (["a", "b", "a"], 'tables "a" and "b"'),
    ],
)
def test_subjects_at_one_position_merge_into_one_message(names: list[str], phrase: str) -> None:
    found = _reported(*(((3, 4), TEMPLATE, Subject.table(name)) for name in names))
    assert found == [Diagnostic(3, 4, "ALM999", f"dropping {phrase} is slow")]


def test_the_plural_of_a_subject_can_be_given() -> None:
    index = Subject("index", "ix_a", "indexes")
    other = Subject("index", "ix_b", "indexes")
    assert _reported(((1, 0), TEMPLATE, index), ((1, 0), TEMPLATE, other))[0].message == (
        "dropping indexes ix_a and ix_b is slow"
    )


def test_other_positions_stay_apart_and_keep_their_order() -> None:
    found = _reported(((2, 0), TEMPLATE, Subject.table("a")), ((1, 0), TEMPLATE, Subject.table("b")))
    assert [(d.line, d.message) for d in found] == [
        (2, 'dropping table "a" is slow'),
        (1, 'dropping table "b" is slow'),
    ]


def test_different_messages_at_one_position_are_counted() -> None:
    found = _reported(
        ((1, 0), TEMPLATE, Subject.table("a")),
        ((1, 0), "something else", None),
        ((1, 0), "something else", None),
        ((1, 0), f"renaming {SUBJECT}", Subject.table("b")),
        ((1, 0), TEMPLATE, Subject("column", "'c'")),
        ((1, 0), TEMPLATE, Subject.table("d")),
    )
    assert [d.message for d in found] == ['dropping tables "a" and "d" is slow (and 3 more on this line)']


def test_identical_messages_without_a_subject_report_once() -> None:
    assert [d.message for d in _reported(((1, 0), "plain", None), ((1, 0), "plain", None))] == ["plain"]


def test_a_subject_needs_its_place_in_the_message() -> None:
    with pytest.raises(ValueError, match="ALM999"):
        _reported(((1, 0), "no place for it", Subject.table("a")))
