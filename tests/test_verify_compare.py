"""The comparisons of verify, on schemas written by hand: what the replay asserts against what a database holds,
and a schema against itself before and after a downgrade. Each case is one a broken comparison would miss."""

from __future__ import annotations

from pathlib import Path

from flake8_alembic.schema import ColumnState, TableState
from flake8_alembic.types import TypeRef
from flake8_alembic.verify.compare import against_replay, between, family_matches
from flake8_alembic.verify.expected import Expectation, ExpectedIndex
from flake8_alembic.verify.shapes import ColumnShape, IndexShape, TableShape


def replayed(columns: dict[str, ColumnState], **options: object) -> TableState:
    return TableState("accounts", columns, "r1", **options)  # type: ignore[arg-type]


def live(columns: list[ColumnShape], **options: object) -> TableShape:
    values: dict[str, object] = {"primary_key": ("id",), "foreign_keys": frozenset(), "indexes": frozenset()}
    values.update(options)
    return TableShape("accounts", {c.name: c for c in columns}, **values)  # type: ignore[arg-type]


ID = ColumnState(TypeRef("integer"), False, primary_key=True)
LIVE_ID = ColumnShape("id", "INTEGER", "integer", False)


def aspects(expectation: Expectation, table: TableShape, dialect: str = "postgresql") -> list[tuple[str, str | None]]:
    return [(d.aspect, d.column) for d in against_replay(expectation, {"accounts": table}, dialect)]


def test_a_schema_equal_to_the_replay_has_no_divergence() -> None:
    email = ColumnState(TypeRef("string", 255), False)
    table = live([LIVE_ID, ColumnShape("email", "VARCHAR(255)", "string", False)])
    assert aspects(Expectation({"accounts": replayed({"id": ID, "email": email})}, False, ()), table) == []


def test_columns_types_nullability_and_keys_are_compared() -> None:
    expected = {
        "id": ID,
        "email": ColumnState(TypeRef("string"), False),
        "owner": ColumnState(TypeRef("integer"), True),
        "gone": ColumnState(TypeRef("string")),
    }
    keys = frozenset({(("owner",), "users", ("id",))})
    table = live(
        [
            LIVE_ID,
            ColumnShape("email", "UUID", "uuid", True),
            ColumnShape("owner", "INTEGER", "integer", True),
            ColumnShape("extra", "TEXT", "string", True),
        ],
    )
    found = aspects(Expectation({"accounts": replayed(expected, foreign_keys=keys)}, False, ()), table)
    assert sorted(found, key=str) == sorted(
        [("column", "gone"), ("column", "extra"), ("type", "email"), ("nullable", "email"), ("foreign key", None)],
        key=str,
    )


def test_uncertain_tables_are_compared_for_existence_only() -> None:
    table = live([LIVE_ID, ColumnShape("other", "TEXT", "string", True)])
    uncertain = replayed({"id": ID, "email": ColumnState(TypeRef("string"))}, uncertain=True)
    assert aspects(Expectation({"accounts": uncertain}, False, ()), table) == []
    assert [(d.aspect, d.table) for d in against_replay(Expectation({"accounts": uncertain}, False, ()), {}, "x")] == [
        ("table", "accounts")
    ]


def test_extra_tables_count_only_in_a_closed_world() -> None:
    schema = {"accounts": live([LIVE_ID])}
    assert [(d.aspect, d.table) for d in against_replay(Expectation({}, False, ()), schema, "sqlite")] == [
        ("table", "accounts")
    ]
    assert against_replay(Expectation({}, True, ()), schema, "sqlite") == []


def test_families_a_dialect_stores_as_something_else_are_not_compared() -> None:
    assert family_matches("uuid", "string", "sqlite")  # sa.Uuid is CHAR(32) on SQLite
    assert not family_matches("uuid", "string", "postgresql")
    assert family_matches("enum", "string", "postgresql")  # native_enum=False
    assert not family_matches("integer", "string", "sqlite")
    assert family_matches("unknown", "string", "postgresql")


def test_named_indexes_a_revision_creates_or_drops_are_checked() -> None:
    made = ExpectedIndex("accounts", "ix_accounts_email", ("email",), True, False, True)
    dropped = ExpectedIndex("accounts", "ix_old", None, False, False, False)
    table = live(
        [LIVE_ID],
        indexes=frozenset({IndexShape("ix_accounts_email", ("name",), False), IndexShape("ix_old", ("id",), False)}),
    )
    found = against_replay(Expectation({}, True, (made, dropped)), {"accounts": table}, "postgresql")
    assert [(d.aspect, d.expected) for d in found] == [
        ("index", "ix_accounts_email on (email)"),
        ("index", "index ix_old dropped"),
    ]
    right = live([LIVE_ID], indexes=frozenset({IndexShape("ix_accounts_email", ("email",), True)}))
    assert against_replay(Expectation({}, True, (made, dropped)), {"accounts": right}, "postgresql") == []


def test_a_schema_against_itself_before_and_after_a_downgrade() -> None:
    before = {"accounts": live([LIVE_ID])}
    after = {
        "accounts": live(
            [ColumnShape("id", "BIGINT", "integer", False), ColumnShape("left", "TEXT", "string", True)],
            indexes=frozenset({IndexShape(None, ("left",), True, constraint=True)}),
        ),
        "leftover": live([LIVE_ID]),
    }
    found = [(d.table, d.column, d.aspect) for d in between(before, after)]
    assert found == [
        ("accounts", "left", "column"),
        ("accounts", "id", "type"),
        ("accounts", None, "index"),
        ("leftover", None, "table"),
    ]
    assert between(before, before) == []


def test_an_index_made_and_dropped_by_sql_in_one_revision_is_expected_gone(tmp_path: Path) -> None:
    """A temporary index: CREATE INDEX … then DROP INDEX (which names no table) in the same upgrade."""
    from flake8_alembic.cache import SummaryStore
    from flake8_alembic.verify.expected import expected_indexes

    path = tmp_path / "r1.py"
    path.write_text(
        'from alembic import op\nrevision = "r1"\ndown_revision = None\n\n\ndef upgrade():\n'
        '    op.execute("CREATE INDEX IF NOT EXISTS ix_tmp ON runs (queue)")\n'
        '    op.execute("UPDATE runs SET queue = 1")\n'
        '    op.execute("DROP INDEX IF EXISTS ix_tmp")\n'
    )
    migration = SummaryStore().summary(str(path), path.read_bytes())
    assert [(i.table, i.name, i.exists) for i in expected_indexes(migration, "sqlite")] == [("runs", "ix_tmp", False)]
