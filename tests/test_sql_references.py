"""Unit tests for flake8_alembic.sql.references: the tables a statement reads or writes and the other names it
mentions, each spelled as written (a quoted name keeps its double quotes)."""

from __future__ import annotations

import pytest

from flake8_alembic.sql import HOLE, condition_names, mentions


@pytest.mark.parametrize(
    ("sql", "tables", "names"),
    [
        ("SELECT id, legacy_code FROM parcel", ("parcel",), ("id", "legacy_code")),
        ("UPDATE parcel SET label = :code WHERE id = :id", ("parcel",), ("label", "id")),
        (
            'INSERT INTO hub (id, city) SELECT d.id, d.city FROM depot AS d, other o JOIN "Third" t ON t.a = d.id',
            ("hub", "depot", "other", '"Third"'),
            ("id", "city", "a"),
        ),
        ("DELETE FROM ONLY public.t USING u WHERE t.x = u.y", ("public.t", "u"), ("x", "y")),
        ("ALTER TABLE `Legacy` DROP COLUMN old", ('"Legacy"',), ("old",)),
        ("SELECT count(*), max(score)::text FROM visit", ("visit",), ("score",)),
        ("SELECT 1", (), ()),
        (f"SELECT a FROM {HOLE}", (), ("a",)),
    ],
)
def test_mentions(sql: str, tables: tuple[str, ...], names: tuple[str, ...]) -> None:
    found = mentions(sql)
    assert (found.tables, found.names) == (tables, names)


def test_words_in_strings_are_not_names() -> None:
    assert mentions("UPDATE t SET kind = 'code' WHERE note = 'FROM other'").names == ("kind", "note")


@pytest.mark.parametrize(
    ("condition", "names"),
    [
        ("rating BETWEEN 1 AND 5", ("rating",)),
        ("status IN ('a', 'b') OR status IS NULL", ("status",)),
        ('length("Name") > 0', ('"Name"',)),
        ("lo < hi", ("lo", "hi")),
        ("", ()),
    ],
)
def test_condition_names(condition: str, names: tuple[str, ...]) -> None:
    assert condition_names(condition) == names
