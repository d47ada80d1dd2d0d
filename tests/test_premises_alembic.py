"""Failure-class premises through the real `alembic upgrade` on a throwaway PostgreSQL.

For each rule: a base revision creates (and seeds) tables; the flagged revision fails with the error the rule's
docs name, and the linter flags it; the "use instead" revision upgrades cleanly, and the linter is silent on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg2")
command = pytest.importorskip("alembic.command")
alembic_config = pytest.importorskip("alembic.config")

from flake8_alembic.config import Settings  # noqa: E402
from flake8_alembic.engine import ProjectCache, lint_source  # noqa: E402
from flake8_alembic.rules.registry import OPT_IN_CODES  # noqa: E402

from .postgres import server_url_or_skip  # noqa: E402

ENV_PY = """from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.",
                                 poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"""

HEADER = '''"""{doc}

Revision ID: {rev}
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import ProgrammingError

revision = "{rev}"
down_revision = {down!r}


def upgrade():
{body}


def downgrade():
    raise NotImplementedError("premise test history: upgrade only")
'''


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    yield from server_url_or_skip()


def _database(server_url: str) -> str:
    """A fresh database per case, so one case's half-applied schema never meets another's."""
    name = f"premise_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _history(root: Path, base: str, flagged: str) -> Path:
    versions = root / "versions"
    versions.mkdir(parents=True)
    (root / "env.py").write_text(ENV_PY)
    (versions / "p1_base.py").write_text(HEADER.format(doc="Base tables", rev="p1", down=None, body=base))
    target = versions / "p2_change.py"
    target.write_text(HEADER.format(doc="The change under test", rev="p2", down="p1", body=flagged))
    return target


def _upgrade(root: Path, url: str) -> BaseException | None:
    config = alembic_config.Config()
    config.set_main_option("script_location", str(root))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolation
    try:
        command.upgrade(config, "head")
    except Exception as error:  # the failure is what the premise is about
        return error
    return None


def _codes(path: Path) -> set[str]:
    settings = Settings(preview=True, opt_in=OPT_IN_CODES, target_dialects=frozenset({"postgresql"}))
    result = lint_source(str(path), path.read_bytes(), settings, ProjectCache())
    return {diagnostic.code for diagnostic in result.diagnostics}


def _sqlstate(error: BaseException | None) -> str | None:
    return getattr(getattr(error, "orig", None), "pgcode", None)


CASES = {
    "ALM004": (
        '    op.create_table("documents", sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True))',
        """    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.String(length=36)),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
    )""",
        """    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", postgresql.UUID(as_uuid=True)),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
    )""",
        lambda error: _sqlstate(error) == "42804" and "incompatible types" in str(error),
    ),
    "ALM007": (
        '    op.create_table("activities", sa.Column("id", sa.Integer(), primary_key=True), '
        'sa.Column("amount", sa.Integer()))',
        """    try:
        op.alter_column("admin_activities", "amount", existing_type=sa.INTEGER(), server_default=None)
    except ProgrammingError as error:
        print(f"Warning: ALTER on admin_activities failed: {error}")
    op.create_index("ix_activities_amount", "activities", ["amount"])""",
        """    try:
        with op.get_bind().begin_nested():
            op.alter_column("admin_activities", "amount", existing_type=sa.INTEGER(), server_default=None)
    except ProgrammingError as error:
        print(f"Warning: ALTER on admin_activities failed: {error}")
    op.create_index("ix_activities_amount", "activities", ["amount"])""",
        lambda error: _sqlstate(error) == "25P02" and "current transaction is aborted" in str(error),
    ),
    "ALM015": (
        """    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO orders (id) VALUES (1), (2), (3)")""",
        '    op.add_column("orders", sa.Column("status", sa.String(20), nullable=False))',
        """    op.add_column("orders", sa.Column("status", sa.String(20), nullable=True))
    op.execute("UPDATE orders SET status = 'new'")
    op.alter_column("orders", "status", existing_type=sa.String(20), nullable=False)""",
        lambda error: _sqlstate(error) == "23502",
    ),
    "ALM016": (
        '    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), '
        'sa.Column("status", sa.Text()))',
        '    op.create_index("ix_orders_status", "orders", ["status"], postgresql_concurrently=True)',
        """    with op.get_context().autocommit_block():
        op.create_index("ix_orders_status", "orders", ["status"], postgresql_concurrently=True)""",
        lambda error: _sqlstate(error) == "25001",
    ),
    "ALM013": (
        '    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("note", sa.Text()))',
        """    connection = op.get_bind()
    connection.execute("UPDATE users SET note = 'x'")""",
        """    connection = op.get_bind()
    connection.execute(sa.text("UPDATE users SET note = 'x'"))""",
        lambda error: type(error).__name__ == "ObjectNotExecutableError",
    ),
    "ALM019": (
        '    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("note", sa.Text()))',
        """    op.execute("UPDATE users SET note = 'meet at :noon'")""",
        """    op.execute(r"UPDATE users SET note = 'meet at \\:noon'")""",
        lambda error: "A value is required for bind parameter 'noon'" in str(error),
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_flagged_migration_fails_and_the_suggested_form_upgrades(code: str, server_url: str, tmp_path: Path) -> None:
    base, flagged, instead, failed_as_documented = CASES[code]

    bad = _history(tmp_path / "bad", base, flagged)
    assert code in _codes(bad)
    error = _upgrade(tmp_path / "bad", _database(server_url))
    assert error is not None and failed_as_documented(error), repr(error)

    good = _history(tmp_path / "good", base, instead)
    assert code not in _codes(good)
    assert _upgrade(tmp_path / "good", _database(server_url)) is None
