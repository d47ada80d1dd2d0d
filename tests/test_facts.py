"""The project model (flake8_alembic/facts): what a project says about itself, read statically, with its evidence."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from flake8_alembic import dialects
from flake8_alembic.facts import birth, code, services, source
from flake8_alembic.facts.dialects import (
    decide_dialects,
    file_dialects,
    migration_clue,
    postgresql_rejects,
    unrunnable_clue,
)
from flake8_alembic.facts.model import ProjectModel
from flake8_alembic.facts.project import ProjectFacts
from flake8_alembic.facts.records import DialectClue, Dialects, Evidence
from flake8_alembic.parse.module import parse_text


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def tree(text: str) -> ast.Module:
    return ast.parse(textwrap.dedent(text))


# --------------------------------------------------------------------------------------------------
# Database URLs in code
# --------------------------------------------------------------------------------------------------


def test_url_literals_name_their_database() -> None:
    clues = source.url_clues(
        tree(
            '''
            """Docstring: set DATABASE_URL, e.g. postgresql://user@host/db."""
            import os
            from sqlalchemy import URL, create_engine

            DEFAULT = os.environ.get("APP_DB", "sqlite:///app.db")
            engine = create_engine(f"mysql+pymysql://{user}:{password}@db/app")
            other = URL.create("postgresql+asyncpg", host="db")
            third = URL.create(drivername="mssql+pyodbc")
            PLACEHOLDER = "driver://user:pass@localhost/dbname"
            HELP = "the database URL, such as oracle://scott@db"
            WEB = "https://example.org"
            '''
        )
    )
    assert sorted((clue.line, clue.dialect) for clue in clues) == [
        (6, "sqlite"),
        (7, "mysql"),
        (8, "postgresql"),
        (9, "mssql"),
    ]


def test_the_url_needle_skips_files_without_a_database_scheme() -> None:
    assert source.may_hold_url(b'x = "postgresql+psycopg2://u@h/db"')
    assert source.may_hold_url(b"URL = 'SQLITE:///x.db'")
    assert not source.may_hold_url(b'see "https://docs.example.org" and "redis://cache:6379"')
    assert not source.may_hold_url(b"")


# --------------------------------------------------------------------------------------------------
# Naming conventions
# --------------------------------------------------------------------------------------------------


def test_naming_convention_templates_are_read_from_a_name_bound_once() -> None:
    (found,) = source.naming_conventions(
        tree(
            """
            import sqlalchemy as sa
            NAMES = {
                "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                sa.UniqueConstraint: "uq_%(table_name)s_%(column_0_name)s",
                "column_0_label_N": some_token_function,
                "ck": computed_template(),
            }
            metadata = sa.MetaData(naming_convention=NAMES)
            """
        )
    )
    assert found.line == 9 and found.complete
    assert dict(found.templates) == {
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": None,
    }


def test_naming_convention_forms() -> None:
    forms = source.naming_conventions(
        tree(
            """
            Base = declarative_base(metadata=MetaData(naming_convention=dict(pk="pk_%(table_name)s")))
            SQLModel.metadata.naming_convention = {**DEFAULTS, "ix": "ix_%(column_0_label)s"}
            other = MetaData(naming_convention=imported_convention)
            """
        )
    )
    assert [(dict(clue.templates), clue.complete) for clue in forms] == [
        ({"pk": "pk_%(table_name)s"}, True),
        ({"ix": "ix_%(column_0_label)s"}, False),
        ({}, False),
    ]


def test_naming_convention_says_which_kinds_it_names() -> None:
    from flake8_alembic.facts.records import NamingConvention

    indexes_only = NamingConvention((("ix", "ix_%(column_0_label)s"),), True, Evidence("x", "y"))
    assert indexes_only.names("ix") is True and indexes_only.names("fk") is False
    assert indexes_only.template("ix") == "ix_%(column_0_label)s" and indexes_only.template("fk") is None
    partial = NamingConvention((), False, Evidence("x", "y"))
    assert partial.names("uq") is None


# --------------------------------------------------------------------------------------------------
# create_all, stamp, transactions
# --------------------------------------------------------------------------------------------------


def test_create_all_and_stamp_calls() -> None:
    module = tree(
        """
        import subprocess
        from alembic import command
        def init(engine, cfg):
            Base.metadata.create_all(engine)
            command.stamp(cfg, "head")
            subprocess.run(["alembic", "stamp", "head"])
            row.timestamp()
            stamp(cfg)  # not Alembic's: nothing imports it from there
        """
    )
    assert source.create_all_lines(module) == [5]
    assert source.stamp_lines(module) == [6, 7]
    imported = tree("from flask_migrate import stamp\nstamp()\n")
    assert source.stamp_lines(imported) == [2]
    assert not source.STAMP_NEEDLE.search(b"created_at = sa.Column(sa.TIMESTAMP); x.timestamp()")


def test_transaction_per_migration_and_engines() -> None:
    module = tree("context.configure(connection=c, transaction_per_migration=True)\nengine_from_config({})\n")
    assert source.transaction_per_migration(module) == (True, 1)
    assert source.creates_engine(module)
    assert source.transaction_per_migration(tree('ARGS = {"transaction_per_migration": False}\n')) == (False, 1)
    assert source.transaction_per_migration(tree("context.configure(connection=c)\n")) is None


# --------------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("postgres:16", {"postgresql"}),
        ("docker.io/library/postgres:16-alpine", {"postgresql"}),
        ("postgis/postgis:15-3.4", {"postgresql"}),
        ("mysql:8", {"mysql", "mariadb"}),
        ("mariadb:11.4", {"mariadb"}),
        ("mcr.microsoft.com/mssql/server:2022-latest", {"mssql"}),
        ("gvenzl/oracle-free:23", {"oracle"}),
        ("redis:7", set()),
        ("${{ matrix.image }}", set()),
    ],
)
def test_image_dialects(reference: str, expected: set[str]) -> None:
    assert services.image_dialects(reference) == frozenset(expected)


def test_compose_and_ci_service_images(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    write(
        tmp_path / "docker-compose.yml",
        """
        services:
          web:
            depends_on:
              - postgres
          db:
            image: "mariadb:11"
        """,
    )
    write(
        tmp_path / ".github" / "workflows" / "test.yml",
        """
        jobs:
          test:
            services:
              pg:
                image: postgres:15
                ports:
                  - 5432:5432
        """,
    )
    write(
        tmp_path / ".gitlab-ci.yml",
        """
        test:
          services:
            - mysql:8.0
            - name: redis:7
          script:
            - postgres --version
        """,
    )
    found = {(str(clue.evidence), frozenset(clue.dialects)) for clue in services.service_clues(tmp_path)}
    assert found == {
        ("image mariadb:11 (docker-compose.yml:7)", frozenset({"mariadb"})),
        ("image postgres:15 (.github/workflows/test.yml:6)", frozenset({"postgresql"})),
        ("image mysql:8.0 (.gitlab-ci.yml:4)", dialects.MYSQL),
    }


# --------------------------------------------------------------------------------------------------
# Dialects: precedence
# --------------------------------------------------------------------------------------------------


def clue(name: str, kind: str) -> DialectClue:
    return DialectClue(frozenset({name}), kind, Evidence(name, "somewhere"))


def test_dialect_precedence() -> None:
    """Where the migrations run (alembic.ini, URLs env.py uses, services, the migrations' own dialect branches)
    outweighs what the project merely mentions (application URLs, driver pins), which counts only alone."""
    evidence = decide_dialects(
        (clue("mysql", "alembic.ini"), clue("sqlite", "url"), clue("postgresql", "driver"), clue("sqlite", "env.py"))
    )
    branches = decide_dialects((clue("postgresql", "driver"), clue("mssql", "url"), clue("postgresql", "migrations")))
    mentions = decide_dialects((clue("sqlite", "url"), clue("postgresql", "driver")))
    nothing = decide_dialects(())
    assert (evidence.source, evidence.dialects) == ("evidence", {"mysql", "sqlite"})
    assert (branches.source, branches.dialects) == ("branches", {"postgresql"})  # the connector's mssql is a mention
    assert {clue.kind for clue in branches.outweighed} == {"driver", "url"}, "shown as outweighed, not dropped"
    # Branches alone say where the migrations run, not that nothing else runs them: the default joins them.
    mysql_branches = decide_dialects((clue("mysql", "migrations"), clue("sqlite", "url")))
    assert (mysql_branches.source, mysql_branches.dialects) == ("branches", {"mysql", "postgresql"})
    pinned = decide_dialects((clue("mysql", "migrations"), clue("mysql", "alembic.ini")))
    assert pinned.dialects == {"mysql"}
    assert (mentions.source, mentions.dialects) == ("mentions", {"sqlite", "postgresql"})
    assert (nothing.source, nothing.dialects) == ("none", frozenset())
    path = "/p/migrations/versions/sqlite/x.py"
    plain = "/p/migrations/versions/x.py"
    assert file_dialects(frozenset({"oracle"}), evidence, path).dialects == {"oracle"}
    assert file_dialects(None, evidence, path).dialects == {"sqlite"}  # the folder is more specific
    assert file_dialects(None, evidence, plain).dialects == {"mysql", "sqlite"}
    # Evidence is never widened with the default or the file's hints; only its absence is.
    assert file_dialects(None, mentions, plain, frozenset({"mysql"})).dialects == {"sqlite", "postgresql"}
    assert file_dialects(None, nothing, plain, frozenset({"mysql"})).dialects == {"mysql", "postgresql"}
    assert file_dialects(None, Dialects(frozenset(), "none"), plain).source == "default"


def test_branches_that_set_sqlite_apart_run_their_else_on_the_pinned_servers() -> None:
    """A branch on sqlite names no server: the project's driver pins say which server runs the `else` (not its URLs,
    which name connectors' databases too); a branch naming a server keeps the default rule."""
    pinned = decide_dialects((clue("sqlite", "migrations"), clue("mysql", "driver"), clue("mssql", "url")))
    assert (pinned.source, pinned.dialects) == ("branches-drivers", {"sqlite", "mysql"})
    assert [c.kind for c in pinned.clues] == ["migrations", "driver"] and [c.kind for c in pinned.outweighed] == ["url"]
    unpinned = decide_dialects((clue("sqlite", "migrations"), clue("mysql", "url")))
    assert (unpinned.source, unpinned.dialects) == ("branches", {"sqlite", "postgresql"})
    server = decide_dialects((clue("postgresql", "migrations"), clue("mysql", "driver")))
    assert (server.source, server.dialects) == ("branches", {"postgresql"}), "a connector's pin joins nothing"
    sqlite_pin = decide_dialects((clue("sqlite", "migrations"), clue("sqlite", "driver")))
    assert sqlite_pin.dialects == {"sqlite", "postgresql"}, "only a server's driver runs the else"


def test_the_databases_tests_run_on_add_to_the_evidence_and_close_nothing() -> None:
    """A project that tests on PostgreSQL supports it whatever its settings default to; tests on one database do
    not say it supports no other (they add to either level, never decide alone against a mention)."""
    defaulted = decide_dialects((clue("sqlite", "env.py"), clue("postgresql", "tests")))
    mentioned = decide_dialects((clue("mysql", "driver"), clue("postgresql", "tests")))
    assert (defaulted.source, defaulted.dialects) == ("evidence", {"sqlite", "postgresql"})
    assert (mentioned.source, mentioned.dialects) == ("mentions", {"mysql", "postgresql"})
    alone = decide_dialects((clue("mysql", "tests"),))
    assert (alone.source, alone.dialects) == ("tests", {"mysql", "postgresql"})  # the default stays


def test_what_a_test_module_says_of_its_databases() -> None:
    found = source.tested_dialects(
        tree(
            """
            \"\"\"Runs on postgresql and mysql one day.\"\"\"
            import sqlite3
            from oslo_db.sqlalchemy import test_fixtures

            URL = "postgresql+psycopg2://u@localhost/t"


            class TestMigrationsMySQL(Walk):
                FIXTURE = test_fixtures.MySQLOpportunisticFixture


            def pick(db_url, engine):
                if "postgres" in db_url:  # mariadb would need a server
                    return 1
                return engine.name == "sqlite"


            def mysql_helper():
                return sqlite3.connect(":memory:")
            """
        )
    )
    named = {(clue.line, clue.url, clue.dialect) for clue in found}
    assert named == {
        (6, "postgresql+psycopg2://u@localhost/t", "postgresql"),
        (9, "TestMigrationsMySQL", "mysql"),
        (9, "TestMigrationsMySQL", "mariadb"),
        (10, "MySQLOpportunisticFixture", "mysql"),
        (10, "MySQLOpportunisticFixture", "mariadb"),
        (14, "'postgres'", "postgresql"),
        (16, "'sqlite'", "sqlite"),
    }, "prose, comments, snake_case names and the sqlite3 module name nothing"


def test_only_database_tests_are_read_and_sqlite_in_them_is_no_target(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "pantry"\n')
    write(tmp_path / "pantry" / "__init__.py", "")
    write(tmp_path / "pantry" / "tests" / "test_views.py", 'URL = "postgresql://u@h/views"\n')  # no database test
    write(
        tmp_path / "pantry" / "tests" / "db" / "test_migrations.py",
        'from alembic import command\nURL = "mysql+pymysql://u@h/t"\nLOCAL = "sqlite://"\n',
    )
    write(tmp_path / "tests" / "test_upgrade.py", 'def test_upgrade():\n    assert "postgres" in "x"\n')
    found = ProjectModel(tmp_path).test_clues
    assert {(clue.kind, dialect) for clue in found for dialect in clue.dialects} == {
        ("tests", "mysql"),  # a URL names its dialect exactly
        ("tests", "postgresql"),
    }
    assert {clue.evidence.where for clue in found} == {
        "pantry/tests/db/test_migrations.py:2",
        "tests/test_upgrade.py:2",
    }


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("UPDATE a INNER JOIN b ON b.id = a.b_id SET a.x = b.x", "UPDATE … JOIN"),
        ("update a join b on b.id = a.b_id set a.x = 1", "UPDATE … JOIN"),
        ("UPDATE load_balancer LEFT JOIN flavor ON 1 = 1 SET x = 1", "UPDATE … JOIN"),
        ("ALTER TABLE amphora MODIFY status VARCHAR(36) NOT NULL", "ALTER TABLE … MODIFY/CHANGE"),
        ("ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)", "DROP PRIMARY KEY"),
        ("CREATE TABLE t (id INT) ENGINE=InnoDB", "ENGINE="),
        ("ALTER TABLE `member` ADD UNIQUE KEY `uq` (`a`)", "a `backtick`-quoted name"),
        ("UPDATE a SET x = b.x FROM b WHERE b.id = a.b_id", None),
        ("UPDATE a SET note = 'it`s fine'", None),
        ("ALTER TABLE t ALTER COLUMN c TYPE TEXT", None),
        ("CREATE TABLE t (id INT) ENGINE=InnoDB DEFAULT CHARSET=utf8", "ENGINE="),
        ("UPDATE cars SET engine = 'v8'", None),
        ("UPDATE a SET note = 'DROP PRIMARY KEY' -- or `this`", None),
    ],
)
def test_sql_postgresql_rejects(sql: str, what: str | None) -> None:
    found = postgresql_rejects(sql)
    assert (found[0] if found else None) == what


def test_an_unrunnable_statement_rules_the_databases_rejecting_it_out() -> None:
    proof = unrunnable_clue([("v/a.py", 3, "UPDATE … JOIN", dialects.ALL - dialects.MYSQL)])
    assert proof is not None and proof.dialects == dialects.ALL - dialects.MYSQL
    assert proof.evidence.says == "UPDATE … JOIN runs on PostgreSQL, SQLite, SQL Server and Oracle, which reject it"
    alone = decide_dialects((proof,))
    assert alone.dialects == dialects.MYSQL, "the default PostgreSQL is ruled out: the SQL's own databases remain"
    branches = decide_dialects((clue("mysql", "migrations"), clue("mariadb", "tests"), proof))
    assert branches.dialects == {"mysql", "mariadb"} and proof in branches.clues  # the default joined, then left
    other = decide_dialects((clue("sqlite", "alembic.ini"), proof))
    assert other.dialects == {"sqlite"}, "a URL naming SQLite outweighs an old revision's SQL"
    mentioned = decide_dialects((clue("sqlite", "url"), proof))
    assert mentioned.dialects == dialects.MYSQL, "SQLite rejects UPDATE … JOIN too: a settings default is no proof"
    skipped = unrunnable_clue([("v/b.py", 9, "UPDATE … JOIN", dialects.ALL - dialects.MYSQL - dialects.SQLITE)])
    assert skipped is not None
    kept = decide_dialects((clue("sqlite", "url"), clue("mysql", "driver"), skipped))
    assert kept.dialects == {"sqlite", "mysql"}, "a statement skipped on SQLite rules SQLite out of nothing"
    assert unrunnable_clue([("v/c.py", 1, "UPDATE … JOIN", frozenset())]) is None, "it runs only where accepted"
    named = decide_dialects((clue("postgresql", "alembic.ini"), proof))
    assert named.dialects == {"postgresql"}, "a URL naming PostgreSQL outweighs an old revision's SQL"
    tested = decide_dialects((clue("mysql", "tests"), proof))
    assert (tested.source, tested.dialects) == ("evidence", {"mysql"}), "the default it joined is gone, and says so"


def test_the_migrations_dialect_branches_are_one_clue() -> None:
    found = migration_clue(
        [("v/a.py", frozenset({"mysql"})), ("v/b.py", frozenset()), ("v/c.py", frozenset({"sqlite", "mysql"}))]
    )
    assert found is not None and found.kind == "migrations" and found.dialects == {"mysql", "sqlite"}
    assert found.evidence.says == "2 migration(s) branch on or import mysql, sqlite"
    assert migration_clue([("v/a.py", frozenset())]) is None


def test_driver_pins_and_extras_name_databases(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "x"
        dependencies = ["SQLAlchemy[asyncio,postgresql-asyncpg]>=2", "oslo.db[mysql]", "aiosqlite"]
        [project.optional-dependencies]
        test = ["psycopg2-binary", "cx_Oracle"]
        mssql = ["pyodbc"]
        """,
    )
    model = ProjectModel(tmp_path)
    found = {clue.evidence.says: set(clue.dialects) for clue in model.driver_clues}
    assert found == {
        "SQLAlchemy[asyncio,postgresql-asyncpg]>=2": {"postgresql"},
        "oslo.db[mysql]": {"mysql", "mariadb"},
        "aiosqlite": {"sqlite"},
        "pyodbc": {"mssql"},
    }


# --------------------------------------------------------------------------------------------------
# Schema birth
# --------------------------------------------------------------------------------------------------


def migration(body: str, revises: str = "", down: str = "None", name: str = "base.py") -> object:
    text = (
        f'"""Base\n\nRevision ID: r1\nRevises: {revises}\nCreate Date: 2025-01-01\n\n"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f'revision = "r1"\ndown_revision = {down}\n\n\ndef upgrade():\n{body}\n'
    )
    found = parse_text(f"/p/versions/{name}", text)
    assert found is not None
    return found


def test_a_base_that_creates_its_tables_closes_the_world() -> None:
    base = migration(
        '    op.create_table("a", sa.Column("id", sa.Integer))\n    op.add_column("a", sa.Column("b", sa.Text))'
    )
    found = birth.base_birth(base)  # type: ignore[arg-type]
    assert found.closed and found.evidence == "/p/versions/base.py:16"  # the create_table line


@pytest.mark.parametrize(
    ("body", "revises", "reason"),
    [
        ('    op.create_table("a", sa.Column("id", sa.Integer))', "7d41c0ffee00", "the history was cut"),
        ('    op.add_column("users", sa.Column("b", sa.Text))', "", "needs table 'users'"),
        (
            '    op.create_table("a", sa.Column("u", sa.Integer, sa.ForeignKey("users.id")))',
            "",
            "needs table 'users'",
        ),
        ('    op.execute("UPDATE settings SET x = 1")', "", "creates no table"),
    ],
)
def test_a_base_that_adopts_a_schema_opens_the_world(body: str, revises: str, reason: str) -> None:
    found = birth.base_birth(migration(body, revises))  # type: ignore[arg-type]
    assert not found.closed and reason in found.reason


def test_tables_pointing_at_each_other_in_the_base_keep_the_world_closed() -> None:
    body = (
        '    op.create_table("a", sa.Column("b_id", sa.Integer, sa.ForeignKey("b.id")))\n'
        '    op.create_table("b", sa.Column("a_id", sa.Integer, sa.ForeignKey("a.id")))'
    )
    assert birth.base_birth(migration(body)).closed  # type: ignore[arg-type]


def test_revises_none_in_the_docstring_is_no_cut() -> None:
    body = '    op.create_table("a", sa.Column("id", sa.Integer))'
    assert birth.base_birth(migration(body, "None")).closed  # type: ignore[arg-type]
    assert birth.environment_birth([]) is None


def test_project_birth_needs_create_all_and_a_stamp(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "shed"\n')
    write(tmp_path / "shed" / "__init__.py", "")
    write(tmp_path / "shed" / "db.py", "def init(engine):\n    Base.metadata.create_all(engine)\n")
    write(tmp_path / "tests" / "conftest.py", "from alembic import command\ncommand.stamp(cfg, 'head')\n")
    assert ProjectModel(tmp_path).schema_birth is None  # a stamp in the tests says nothing of production
    write(tmp_path / "docs" / "install.rst", "Create the tables, then run ``alembic stamp head``.\n")
    found = ProjectModel(tmp_path).schema_birth
    assert found is not None and not found.closed
    assert found.evidence == "create_all() (shed/db.py:2); alembic stamp (docs/install.rst:1)"


def test_a_folder_that_is_no_project_root_is_not_scanned(tmp_path: Path) -> None:
    write(tmp_path / "shed" / "__init__.py", "")
    write(tmp_path / "shed" / "settings.py", 'URL = "sqlite:///x.db"\n')
    assert code.code_files(tmp_path) == ()
    write(tmp_path / ".git" / "HEAD", "ref: refs/heads/main\n")
    assert [path.name for path in code.code_files(tmp_path)] == ["__init__.py", "settings.py"]


# --------------------------------------------------------------------------------------------------
# ProjectFacts: env.py and what it imports
# --------------------------------------------------------------------------------------------------


def environment(tmp_path: Path, env_py: str) -> ProjectFacts:
    write(tmp_path / "pyproject.toml", '[project]\nname = "depot"\n')
    write(tmp_path / "migrations" / "env.py", env_py)
    migration_path = write(tmp_path / "migrations" / "versions" / "r1.py", "")
    return ProjectFacts(migration_path, ProjectModel(tmp_path))


def test_autocommit_on_an_imported_application_engine(tmp_path: Path) -> None:
    write(tmp_path / "depot" / "__init__.py", "")
    write(tmp_path / "depot" / "db.py", 'engine = create_engine(URL, isolation_level="AUTOCOMMIT")\n')
    facts = environment(tmp_path, "from depot.db import engine\nwith engine.connect() as c:\n    pass\n")
    assert facts.autocommit is True
    assert str(facts.transaction.autocommit_evidence).endswith("(depot/db.py:1)")
    # env.py that makes its own engine runs on it, whatever the application's engines are.
    facts = environment(tmp_path, "from depot.db import engine\nconnectable = engine_from_config({})\n")
    assert facts.autocommit is False


@pytest.mark.parametrize(
    ("env_py", "line"),
    [
        ('connectable = config.attributes.get("connection", None)\n', 1),
        ('x = 1\nconnection = context.config.attributes["connection"]\n', 2),
        ('config.set_main_option("sqlalchemy.url", settings.DATABASE_URL)\n', 1),
        ('config.set_section_option("alembic", "sqlalchemy.url", app.config.database_url())\n', 1),
        ('config.set_main_option("sqlalchemy.url", os.environ["URL"])\n', None),  # the deployment's: unknown
        ('config.set_main_option("sqlalchemy.url", getenv("URL", "sqlite://"))\n', None),
        ('config.set_main_option("sqlalchemy.url", "postgresql://localhost/x")\n', None),  # a literal: a URL clue
        ('config.attributes.get("configure_logger", True)\n', None),
        ("connectable = engine_from_config(config.get_section(config.config_ini_section))\n", None),
    ],
)
def test_where_env_py_takes_its_database_from_the_application(env_py: str, line: int | None) -> None:
    assert source.ini_url_bypass_line(tree(env_py)) == line


def test_an_ini_url_env_py_replaces_is_an_outweighed_mention(tmp_path: Path) -> None:
    write(tmp_path / "alembic.ini", "[alembic]\nscript_location = migrations\nsqlalchemy.url = sqlite:///depot.db\n")
    facts = environment(tmp_path, 'connection = config.attributes.get("connection")\n')
    [ini] = [clue for clue in facts.dialect_clues if "depot.db" in clue.evidence.says]
    assert ini.kind == "url"
    assert ini.evidence.says.endswith(
        "a fallback: env.py takes the database from the application at migrations/env.py:1"
    )
    plain = environment(tmp_path, "connectable = engine_from_config({})\n")
    assert [clue.kind for clue in plain.dialect_clues if "depot.db" in clue.evidence.says] == ["alembic.ini"]


def test_naming_convention_in_the_module_env_py_imports(tmp_path: Path) -> None:
    """A namespace package (no __init__.py) is no application package the scan reads: only the import finds it."""
    write(tmp_path / "depot" / "models.py", 'metadata = MetaData(naming_convention={"fk": "fk_%(table_name)s"})\n')
    facts = environment(tmp_path, "from depot.models import metadata\ntarget_metadata = metadata\n")
    assert facts.model is not None and facts.model.naming_convention is None
    convention = facts.naming_convention
    assert convention is not None and convention.template("fk") == "fk_%(table_name)s"
    assert convention.evidence.where == "depot/models.py:1"


def test_env_py_facts_and_template(tmp_path: Path) -> None:
    facts = environment(
        tmp_path,
        'import os\nURL = os.getenv("DB", "postgresql+psycopg://app@db/app")\n'
        "context.configure(url=URL, transaction_per_migration=True)\n",
    )
    assert facts.dialects.dialects == {"postgresql"} and facts.dialects.source == "evidence"
    assert str(facts.dialects.clues[0].evidence) == "postgresql+psycopg://app@db/app (migrations/env.py:2)"
    assert facts.transaction.per_migration is True
    assert facts.template_downgrades is None
    write(tmp_path / "migrations" / "script.py.mako", "def upgrade():\n    ${upgrades}\n")
    facts = environment(tmp_path, "")
    assert facts.template_downgrades is not None and facts.template_downgrades.policy == "forward-only"
    write(tmp_path / "migrations" / "script.py.mako", "def upgrade():\n    pass\ndef downgrade():\n    pass\n")
    assert environment(tmp_path, "").template_downgrades is None


def test_facts_given_are_never_read() -> None:
    facts = ProjectFacts(autocommit=False)
    assert facts.dialects.dialects == frozenset() and facts.sqlalchemy_versions is None
    assert facts.naming_convention is None and facts.schema_birth is None and facts.template_downgrades is None
    with pytest.raises(TypeError):
        ProjectFacts(colour="blue")
