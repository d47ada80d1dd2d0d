"""What a statement does to the database (parse/classify.py), as ``Migration.effect_of`` reports it for an
upgrade(), and what an application function a migration calls does (parse/helpers.py, facts/helpers.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flake8_alembic.facts.helpers import ApplicationHelpers
from flake8_alembic.parse.classify import DATA, NEUTRAL, NONE, SCHEMA, UNKNOWN, strongest
from flake8_alembic.parse.module import Migration, parse_text

HEADER = """\
import logging
import sqlalchemy as sa
from alembic import op
from sqlalchemy import orm

from bakery.models import Loaf
from bakery import ovens

revision = "2b"
down_revision = "1a"
log = logging.getLogger(__name__)
loaves = sa.table("loaves", sa.column("id"), sa.column("crust"))

"""


def _migration(body: str) -> Migration:
    migration = parse_text("m.py", HEADER + textwrap.dedent(body) + "\n\ndef downgrade():\n    pass\n")
    assert migration is not None
    return migration


def _effect(body: str) -> str:
    migration = _migration(body)
    (upgrade,) = migration.functions_of("upgrade")
    return migration.effect_of(upgrade)


@pytest.mark.parametrize(
    ("body", "effect"),
    [
        ("def upgrade():\n    op.add_column('loaves', sa.Column('salt', sa.Integer))", SCHEMA),
        ("def upgrade():\n    with op.batch_alter_table('loaves') as b:\n        b.drop_column('salt')", SCHEMA),
        ("def upgrade():\n    op.execute('ALTER TABLE loaves ADD salt int')", SCHEMA),
        ("def upgrade():\n    op.execute('UPDATE loaves SET crust = 1; SELECT 1')", DATA),
        ("def upgrade():\n    op.execute('SET lock_timeout = 5; ANALYZE loaves')", NEUTRAL),
        ("def upgrade():\n    op.execute('CREATE TEMP TABLE scratch (id int)')", NEUTRAL),
        ("def upgrade():\n    op.execute('DO $$ BEGIN PERFORM 1; END $$')", UNKNOWN),
        ("def upgrade():\n    op.execute(query)", UNKNOWN),
        ("def upgrade():\n    op.execute('UPDATE ' + name + ' SET crust = 1')", DATA),
        ("def upgrade():\n    op.get_bind().execute(sa.text('DELETE FROM ' + name))", DATA),
        ("def upgrade():\n    op.execute('ALTER TABLE %s ADD salt int' % name)", SCHEMA),
        ("def upgrade():\n    op.execute(name + ' SET crust = 1')", UNKNOWN),
        ("def upgrade():\n    op.get_bind().execute(loaves.update().values(crust=2))", DATA),
        ("def upgrade():\n    op.bulk_insert(loaves, [{'id': 1}])", DATA),
        ("def upgrade():\n    s = orm.Session(bind=op.get_bind())\n    s.query(X).delete()", NONE),
        ("def upgrade():\n    session = orm.Session(bind=op.get_bind())\n    session.add(X())", DATA),
        ("def upgrade():\n    session = orm.Session(bind=op.get_bind())\n    session.merge(Loaf(id=1))", UNKNOWN),
        ("def upgrade():\n    log.info('nothing')\n    print('x')\n    sa.inspect(op.get_bind())", NONE),
        ("def upgrade():\n    ovens.preheat(op.get_bind())", UNKNOWN),
        ("def upgrade():\n    ovens.preheat(op.get_bind())\n    op.drop_table('crumbs')", SCHEMA),
        ("def upgrade():\n    Base.metadata.create_all(op.get_bind())", SCHEMA),
        ("def upgrade():\n    loaves_table.create(op.get_bind(), checkfirst=True)", SCHEMA),
        ("def upgrade():\n    op.replace_entity(view)", SCHEMA),
        ("def upgrade():\n    op.run_custom_step('x')", UNKNOWN),
        (
            "def _fill(conn):\n    conn.execute(sa.text('UPDATE loaves SET crust = 0'))\n\n"
            "def upgrade():\n    _fill(op.get_bind())",
            DATA,
        ),
        ("def upgrade():\n    pass", NONE),
    ],
)
def test_effect_of_an_upgrade(body: str, effect: str) -> None:
    assert _effect(body) == effect


def test_foreign_calls_keep_their_qualified_names_and_engine() -> None:
    migration = _migration(
        "def upgrade_kitchen():\n    ovens.preheat(op.get_bind())\n\n"
        "def upgrade_shop():\n    op.execute('UPDATE loaves SET crust = 1')\n\n"
        "def downgrade_kitchen():\n    pass\n\ndef downgrade_shop():\n    pass\n"
    )
    kitchen, shop = migration.functions_of("upgrade")
    assert (migration.effect_of(kitchen), migration.effect_of(shop)) == (UNKNOWN, DATA)
    assert migration.effect_of(kitchen, without_foreign_calls=True) == NONE
    (call,) = migration.call_effects
    assert (call.effect, call.qualified, call.engine) == (UNKNOWN, "bakery.ovens.preheat", "kitchen")


def test_concatenated_sql_is_read_only_to_classify() -> None:
    """The other rules still see unreadable SQL: the phase stays opaque and ``sql_text`` stays None."""
    migration = _migration("def upgrade():\n    op.execute('DROP TABLE ' + name)")
    (operation,) = migration.operations
    assert operation.sql_text is None and operation.sql_sketch == "DROP TABLE \x00"
    assert "upgrade" in migration.opaque_phases


def test_strongest() -> None:
    assert strongest([]) == NONE
    assert strongest([NEUTRAL, DATA]) == DATA
    assert strongest([DATA, UNKNOWN]) == UNKNOWN
    assert strongest([UNKNOWN, SCHEMA, DATA]) == SCHEMA


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_application_functions_are_read_from_the_project(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "bakery/__init__.py": "",
            "bakery/steps/__init__.py": "from .schema import add_salt\nfrom bakery.steps.rows import fill\n",
            "bakery/steps/schema.py": """
                import sqlalchemy as sa
                from alembic import op

                def add_salt():
                    _add('salt')

                def _add(name):
                    op.add_column('loaves', sa.Column(name, sa.Integer))
                """,
            "bakery/steps/rows.py": """
                import sqlalchemy as sa
                from bakery.steps.schema import add_salt

                def fill(conn):
                    conn.execute(sa.text('UPDATE loaves SET salt = 0'))

                def fill_and_add(conn):
                    fill(conn)
                    add_salt()

                def call_out(conn):
                    import requests
                    requests.post('https://example.invalid')
                """,
            "src/oven/__init__.py": "def heat(conn):\n    conn.execute('CREATE INDEX ix ON loaves (salt)')\n",
        },
    )
    helpers = ApplicationHelpers(tmp_path)
    packages = {"bakery", "oven"}
    assert helpers.effect("bakery.steps.schema.add_salt", packages) == SCHEMA
    assert helpers.effect("bakery.steps.add_salt", packages) == SCHEMA  # a relative re-export
    assert helpers.effect("bakery.steps.fill", packages) == DATA  # an absolute one
    assert helpers.effect("bakery.steps.rows.fill_and_add", packages) == SCHEMA  # followed a step further
    assert helpers.effect("bakery.steps.rows.call_out", packages) == UNKNOWN  # requests is not the project's
    assert helpers.effect("oven.heat", packages) == SCHEMA  # a src layout
    assert helpers.effect("bakery.steps.missing", packages) == UNKNOWN
    assert helpers.effect("bakery.steps.schema.add_salt", {"oven"}) == UNKNOWN  # not the application's
    assert helpers.effect("bakery.Loaf.bake", packages) == UNKNOWN
