"""Unit tests for flake8_alembic.schema: the replay compares names as the target databases do, reads the tables
SQLAlchemy's own DDL makes, keeps its world closed for statements that cannot change the schema, and carries on
through one revision's statements (``replay_revision``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from flake8_alembic.facts.environment import EnvironmentFactsCache
from flake8_alembic.history import HistoryCache
from flake8_alembic.names import FOLDED, POSTGRESQL_IDENTIFIERS
from flake8_alembic.parse.module import Migration, parse_source
from flake8_alembic.schema import Replay, Snapshot, replay_revision

POSTGRESQL = frozenset({"postgresql"})


def write_history(root: Path, *bodies: str) -> Path:
    """One revision per body (``r0`` … ``rN``, each on the previous), in ``root/versions``; the last file's path."""
    versions = root / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    path = versions
    for number, body in enumerate(bodies):
        down = f'"r{number - 1}"' if number else "None"
        code = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
        path = versions / f"r{number}.py"
        path.write_text(
            f'"""Revision {number}."""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            f'revision = "r{number}"\ndown_revision = {down}\n\n\ndef upgrade():\n{code}\n\n\ndef downgrade():\n'
            "    pass\n"
        )
    return path


def replayed(root: Path, *bodies: str, dialects: frozenset[str] = POSTGRESQL) -> Replay:
    last = write_history(root, *bodies)
    environment = HistoryCache().environment_for(str(last))
    assert environment is not None
    return EnvironmentFactsCache().for_environment(environment).replay(dialects)


def final(replay: Replay) -> Snapshot:
    return replay.after[max(replay.after)]


BASE = 'op.create_table("Account", sa.Column("id", sa.Integer()), sa.Column("nickName", sa.String(9)))'


def test_postgresql_tells_quoted_and_folded_names_apart(tmp_path: Path) -> None:
    replay = replayed(tmp_path, BASE, 'op.execute("CREATE TABLE Ledger (id int, Amount int)")')
    schema = final(replay)
    assert replay.identifiers == POSTGRESQL_IDENTIFIERS == schema.identifiers
    assert set(schema.tables()) == {("", "Account"), ("", "ledger")}
    assert schema.key("", "account", in_sql=True) == ("", "account")  # unquoted SQL: another table
    assert schema.key("", '"Account"', in_sql=True) == ("", "Account")
    ledger = schema.table(("", "ledger"))
    assert ledger is not None and set(ledger.columns) == {"id", "amount"}
    account = schema.certain_table(("", "Account"))
    assert account is not None
    assert schema.column(account, "nickName") is not None and schema.column(account, "nickname") is None


def test_sqlite_compares_without_case(tmp_path: Path) -> None:
    schema = final(replayed(tmp_path, BASE, dialects=frozenset({"sqlite"})))
    assert schema.identifiers == FOLDED
    assert set(schema.tables()) == {("", "account")}
    assert schema.key("", '"ACCOUNT"', in_sql=True) == ("", "account")


def test_table_objects_make_tables(tmp_path: Path) -> None:
    replay = replayed(
        tmp_path,
        BASE,
        """
        bins = sa.Table("bin", sa.MetaData(), sa.Column("id", sa.Integer()), sa.Column("label", sa.String(9)))
        bins.create(op.get_bind())
        """,
        """
        meta = sa.MetaData()
        crates = sa.Table("crate", meta, sa.Column("id", sa.Integer()))
        meta.create_all(op.get_bind(), tables=[crates, meta.tables["shelf"]])
        """,
    )
    schema = final(replay)
    assert not schema.open_world
    assert set(schema.tables()) == {("", "Account"), ("", "bin"), ("", "crate"), ("", "shelf")}
    assert replay.creators[("", "bin")] == {"r1"}
    # A Table object whose columns are not in view, or made with checkfirst (create_all's default), is uncertain.
    assert schema.certain_table(("", "shelf")) is None and schema.certain_table(("", "crate")) is None
    bins = schema.certain_table(("", "bin"))
    assert bins is not None and set(bins.columns) == {"id", "label"}


def test_a_table_whose_name_is_not_in_view_opens_the_world(tmp_path: Path) -> None:
    schema = final(replayed(tmp_path, BASE, "Shelf.__table__.create(op.get_bind())"))
    assert schema.open_world


def test_create_all_of_a_whole_metadata_opens_the_world(tmp_path: Path) -> None:
    assert final(replayed(tmp_path, BASE, "meta.create_all(op.get_bind())")).open_world


def test_statements_that_cannot_change_the_schema_keep_the_world_closed(tmp_path: Path) -> None:
    replay = replayed(
        tmp_path,
        BASE,
        """
        accounts = sa.table("Account", sa.column("id"))
        op.execute(accounts.update().values(id=1))
        op.get_bind().exec_driver_sql("UPDATE ledger SET id = 1")
        op.drop_constraint(None, "Account", type_="foreignkey")
        """,
    )
    assert not final(replay).open_world


def test_replay_revision_carries_the_revision_s_own_statements(tmp_path: Path) -> None:
    replay = replayed(tmp_path, BASE)
    before = final(replay)
    source = (
        '"""r1."""\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = "r1"\ndown_revision = "r0"\n\n\n'
        "def upgrade():\n"
        '    op.alter_column("Account", "nickName", type_=sa.Integer())\n'
        '    op.add_column("Account", sa.Column("city", sa.String(9)))\n'
        '    op.drop_table("Account")\n'
        "\n\ndef downgrade():\n    pass\n"
    )
    migration = parse_source("versions/r1.py", source.encode())
    assert isinstance(migration, Migration)
    seen = []
    for operation, schema in replay_revision(before, migration.operations, POSTGRESQL):
        state = schema.table(("", "Account"))
        seen.append((operation.name, None if state is None else sorted(state.columns), state and state.columns))
        if operation.name == "add_column":
            assert state is not None and state.columns["nickName"].type.family == "integer"
    assert [(name, columns) for name, columns, _ in seen] == [
        ("alter_column", ["id", "nickName"]),
        ("add_column", ["id", "nickName"]),
        ("drop_table", ["city", "id", "nickName"]),
    ]
    assert final(replay).table(("", "Account")) is not None  # the replay of the history is left as it was
