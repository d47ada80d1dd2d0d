"""Tests for flake8_alembic.project: static facts about the user's project."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from flake8_alembic import pins, project, reading
from flake8_alembic.pins import alembic_pin
from flake8_alembic.project import (
    alembic_ini_dialects,
    application_packages,
    env_py_autocommit,
    env_py_for,
    find_alembic_ini,
    find_project_root,
)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# find_project_root / find_alembic_ini
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["pyproject.toml", "setup.cfg", "setup.py"])
def test_project_root_file_markers(tmp_path: Path, marker: str) -> None:
    write(tmp_path / "proj" / marker, "")
    migration = write(tmp_path / "proj" / "migrations" / "versions" / "abc.py", "")
    assert find_project_root(migration) == tmp_path / "proj"
    assert find_project_root(migration.parent) == tmp_path / "proj"
    assert find_project_root(tmp_path / "proj") == tmp_path / "proj"


def test_alembic_ini_is_no_project_root_marker(tmp_path: Path) -> None:
    """Flask-Migrate keeps alembic.ini in migrations/: the root is the folder above, where the application is."""
    write(tmp_path / "proj" / "pyproject.toml", "")
    write(tmp_path / "proj" / "migrations" / "alembic.ini", "")
    migration = write(tmp_path / "proj" / "migrations" / "versions" / "abc.py", "")
    assert find_project_root(migration) == tmp_path / "proj"


def test_an_unpacked_wheel_is_a_project_root(tmp_path: Path) -> None:
    (tmp_path / "wheel" / "app-1.0.dist-info").mkdir(parents=True)
    migration = write(tmp_path / "wheel" / "app" / "migrations" / "versions" / "abc.py", "")
    assert find_project_root(migration) == tmp_path / "wheel"


def test_without_markers_the_folder_of_alembic_ini_is_the_root(tmp_path: Path) -> None:
    write(tmp_path / "loose" / "alembic.ini", "")
    migration = write(tmp_path / "loose" / "migrations" / "versions" / "abc.py", "")
    assert find_project_root(migration) == tmp_path / "loose"


def test_project_root_git_folder_and_git_file(tmp_path: Path) -> None:
    (tmp_path / "a" / ".git").mkdir(parents=True)
    write(tmp_path / "b" / ".git", "gitdir: ../.git/worktrees/b\n")  # worktree / submodule
    assert find_project_root(tmp_path / "a" / "x" / "y.py") == tmp_path / "a"
    assert find_project_root(tmp_path / "b" / "y.py") == tmp_path / "b"


def test_project_root_nearest_wins(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "services" / "api" / "pyproject.toml", "")
    migration = write(tmp_path / "services" / "api" / "alembic" / "versions" / "1.py", "")
    assert find_project_root(migration) == tmp_path / "services" / "api"


def test_project_root_without_markers_is_folder_of_start(tmp_path: Path) -> None:
    migration = write(tmp_path / "lonely" / "versions" / "abc.py", "")
    assert find_project_root(migration) == migration.parent
    assert find_project_root(migration.parent) == migration.parent


def test_project_root_of_missing_file_uses_its_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "")
    assert find_project_root(tmp_path / "not" / "there.py") == tmp_path


def test_project_root_marker_folder_named_like_a_file_is_not_a_marker(tmp_path: Path) -> None:
    (tmp_path / "p" / "pyproject.toml").mkdir(parents=True)
    write(tmp_path / "setup.cfg", "")
    assert find_project_root(tmp_path / "p" / "m.py") == tmp_path


def test_project_root_relative_start_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "pyproject.toml", "")
    write(tmp_path / "migrations" / "versions" / "a.py", "")
    monkeypatch.chdir(tmp_path)
    root = find_project_root(Path("migrations/versions/a.py"))
    assert root.is_absolute()
    assert root == tmp_path


def test_find_alembic_ini_nearest(tmp_path: Path) -> None:
    outer = write(tmp_path / "alembic.ini", "")
    inner = write(tmp_path / "svc" / "alembic.ini", "")
    assert find_alembic_ini(tmp_path / "svc" / "migrations" / "versions" / "a.py") == inner
    assert find_alembic_ini(tmp_path / "other" / "a.py") == outer
    assert find_alembic_ini(tmp_path / "svc") == inner


def test_find_alembic_ini_stops_at_git(tmp_path: Path) -> None:
    write(tmp_path / "alembic.ini", "")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert find_alembic_ini(tmp_path / "repo" / "migrations" / "versions" / "a.py") is None


def test_find_alembic_ini_in_the_git_folder_itself(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    ini = write(tmp_path / "repo" / "alembic.ini", "")
    assert find_alembic_ini(tmp_path / "repo" / "db" / "versions" / "a.py") == ini


def test_find_alembic_ini_missing(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    assert find_alembic_ini(tmp_path / "x.py") is None


def test_find_alembic_ini_ignores_a_folder_named_alembic_ini(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "alembic.ini").mkdir()
    assert find_alembic_ini(tmp_path / "x.py") is None


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlink_loops_do_not_hang_or_raise(tmp_path: Path) -> None:
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    os.symlink(tmp_path / "alembic.ini", tmp_path / "alembic.ini")  # self-loop named like the marker
    os.symlink(tmp_path / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".git").mkdir()
    assert find_project_root(tmp_path / "loop") == tmp_path
    assert find_alembic_ini(tmp_path / "loop" / "x.py") is None
    assert alembic_pin(tmp_path) is None
    assert alembic_ini_dialects(tmp_path / "alembic.ini") == frozenset()
    assert env_py_autocommit(tmp_path / "loop") is None
    assert application_packages(tmp_path) == frozenset()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_fifo_is_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "alembic.ini")
    os.mkfifo(tmp_path / "pyproject.toml")
    os.mkfifo(tmp_path / "env.py")
    # Opening a FIFO for reading would block forever; these must return at once.
    assert alembic_ini_dialects(tmp_path / "alembic.ini") == frozenset()
    assert alembic_pin(tmp_path) is None
    assert env_py_autocommit(tmp_path / "env.py") is None


# --------------------------------------------------------------------------------------------------
# alembic_ini_dialects
# --------------------------------------------------------------------------------------------------

TEMPLATE_INI = """\
# A generic, single database configuration.

[alembic]
script_location = %(here)s/alembic
prepend_sys_path = .
version_path_separator = os

sqlalchemy.url = driver://user:pass@localhost/dbname

[loggers]
keys = root,sqlalchemy,alembic

[formatter_generic]
format = %%(levelname)-5.5s [%%(name)s] %%(message)s
datefmt = %%H:%%M:%%S
"""


def test_template_placeholder_url_gives_nothing(tmp_path: Path) -> None:
    assert alembic_ini_dialects(write(tmp_path / "alembic.ini", TEMPLATE_INI)) == frozenset()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@localhost/db", {"postgresql"}),
        ("postgresql+psycopg2://u:p@localhost/db", {"postgresql"}),
        ("postgresql+asyncpg://u@h/db", {"postgresql"}),
        ("postgres://u@h/db", {"postgresql"}),
        ("psycopg://u@h/db", {"postgresql"}),
        ("PostgreSQL://u@h/db", {"postgresql"}),
        ("mysql+pymysql://u@h/db?charset=utf8mb4", {"mysql"}),
        ("mariadb+mariadbconnector://u@h/db", {"mariadb"}),
        ("sqlite:///%(here)s/app.db", {"sqlite"}),
        ("sqlite+aiosqlite:///./app.db", {"sqlite"}),
        ("mssql+pyodbc://u@dsn", {"mssql"}),
        ("oracle+oracledb://u@h/db", {"oracle"}),
        ('"postgresql://u@h/db"', {"postgresql"}),
        ("postgresql://%(DB_USER)s:%(DB_PASS)s@%(DB_HOST)s/app", {"postgresql"}),
        ("%(DB_URL)s", set()),
        ("${DATABASE_URL}", set()),
        ("$DATABASE_URL", set()),
        ("", set()),
        ("driver://user:pass@localhost/dbname", set()),
        ("snowflake://u@acct/db", set()),
        ("cockroachdb://u@h/db", set()),
    ],
)
def test_url_schemes(tmp_path: Path, url: str, expected: set[str]) -> None:
    ini = write(tmp_path / "alembic.ini", f"[alembic]\nscript_location = migrations\nsqlalchemy.url = {url}\n")
    assert alembic_ini_dialects(ini) == frozenset(expected)


def test_multidb_sections(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nscript_location = m\ndatabases = engine1, engine2, engine3\n\n"
        "[engine1]\nsqlalchemy.url = postgresql://a/b\n\n"
        "[engine2]\nSQLAlchemy.URL = mysql://a/b\n\n"
        "[engine3]\nsqlalchemy.url = %(ENGINE3_URL)s\n\n"
        "[test]\nsqlalchemy.url: sqlite://\n",
    )
    assert alembic_ini_dialects(ini) == frozenset({"postgresql", "mysql", "sqlite"})


def test_commented_url_is_ignored(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\n# sqlalchemy.url = postgresql://a/b\n; sqlalchemy.url = mysql://a/b\nsqlalchemy.url = sqlite://\n",
    )
    assert alembic_ini_dialects(ini) == frozenset({"sqlite"})


def test_ini_url_in_default_section(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[DEFAULT]\nsqlalchemy.url = mssql://x\n[alembic]\nscript_location = m\n")
    assert alembic_ini_dialects(ini) == frozenset({"mssql"})


def test_ini_with_percent_signs_does_not_interpolate_or_raise(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nfile_template = %%(year)d_%(rev)s\nsqlalchemy.url = postgresql://u:p%40ss@h/db\n",
    )
    assert alembic_ini_dialects(ini) == frozenset({"postgresql"})


def test_ini_without_section_header_falls_back_to_line_scan(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "sqlalchemy.url = mysql://a/b\n# sqlalchemy.url = oracle://x\n")
    assert alembic_ini_dialects(ini) == frozenset({"mysql"})


def test_ini_with_parse_error_falls_back_to_line_scan(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", "[alembic]\nsqlalchemy.url = mariadb://a/b\n  bad continuation\n= x\n")
    assert alembic_ini_dialects(ini) == frozenset({"mariadb"})


def test_ini_duplicate_sections_and_keys(tmp_path: Path) -> None:
    ini = write(
        tmp_path / "alembic.ini",
        "[alembic]\nsqlalchemy.url = sqlite://\n[alembic]\nsqlalchemy.url = postgresql://a\n",
    )
    assert alembic_ini_dialects(ini) == frozenset({"postgresql"})


def test_ini_non_utf8_and_missing(tmp_path: Path) -> None:
    ini = write(tmp_path / "alembic.ini", b"[alembic]\n# \xe9t\xe9\nsqlalchemy.url = oracle://a\n")
    assert alembic_ini_dialects(ini) == frozenset({"oracle"})
    assert alembic_ini_dialects(tmp_path / "missing.ini") == frozenset()
    assert alembic_ini_dialects(tmp_path) == frozenset()  # a folder
    assert alembic_ini_dialects(write(tmp_path / "bin.ini", bytes(range(256)))) == frozenset()


# --------------------------------------------------------------------------------------------------
# env.py
# --------------------------------------------------------------------------------------------------


def test_env_py_for_standard_layout(tmp_path: Path) -> None:
    env = write(tmp_path / "alembic" / "env.py", "")
    migration = write(tmp_path / "alembic" / "versions" / "abc_add.py", "")
    assert env_py_for(migration) == env


def test_env_py_for_nested_version_folders(tmp_path: Path) -> None:
    env = write(tmp_path / "migrations" / "env.py", "")
    migration = write(tmp_path / "migrations" / "versions" / "2024" / "01" / "abc.py", "")
    assert env_py_for(migration) == env


def test_env_py_for_missing_env(tmp_path: Path) -> None:
    migration = write(tmp_path / "migrations" / "versions" / "abc.py", "")
    assert env_py_for(migration) is None


def test_env_py_for_nearest_versions_folder(tmp_path: Path) -> None:
    write(tmp_path / "env.py", "")
    inner = write(tmp_path / "versions" / "db" / "env.py", "")
    migration = write(tmp_path / "versions" / "db" / "versions" / "abc.py", "")
    assert env_py_for(migration) == inner


def test_env_py_for_custom_version_location_name(tmp_path: Path) -> None:
    env = write(tmp_path / "migrations" / "env.py", "")
    migration = write(tmp_path / "migrations" / "revisions" / "abc.py", "")
    assert env_py_for(migration) == env


def test_env_py_for_unsaved_buffer(tmp_path: Path) -> None:
    env = write(tmp_path / "alembic" / "env.py", "")
    (tmp_path / "alembic" / "versions").mkdir()
    assert env_py_for(tmp_path / "alembic" / "versions" / "unsaved.py") == env


def test_env_py_for_env_py_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "alembic" / "env.py").mkdir(parents=True)
    migration = write(tmp_path / "alembic" / "versions" / "a.py", "")
    assert env_py_for(migration) is None


PLAIN_ENV = """\
from logging.config import fileConfig
from sqlalchemy import engine_from_config, pool
from alembic import context

config = context.config

def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
"""


@pytest.mark.parametrize(
    "source",
    [
        'engine = create_engine(url, isolation_level="AUTOCOMMIT")',
        'engine = create_engine(url, isolation_level="autocommit")',
        'engine = create_engine(url, isolation_level=" AutoCommit ")',
        'e = engine_from_config(cfg, prefix="sqlalchemy.", isolation_level="AUTOCOMMIT")',
        'e = async_engine_from_config(cfg, prefix="sqlalchemy.", isolation_level="AUTOCOMMIT")',
        'def run():\n    with engine.connect() as c:\n        c = c.execution_options(isolation_level="AUTOCOMMIT")\n',
        'conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")',
        'LEVEL = "AUTOCOMMIT"\nengine = create_engine(url, isolation_level=LEVEL)',
        'opts = {"isolation_level": "AUTOCOMMIT"}\nengine = create_engine(url, **opts)',
        'engine = create_engine(url, **{"isolation_level": "AUTOCOMMIT"})',
        'section = config.get_section("alembic")\nsection["sqlalchemy.isolation_level"] = "AUTOCOMMIT"',
        'e = engine_from_config({"sqlalchemy.url": url, "sqlalchemy.isolation_level": "AUTOCOMMIT"})',
        'config.set_main_option("sqlalchemy.isolation_level", "AUTOCOMMIT")',
        'config.set_section_option("alembic", "sqlalchemy.isolation_level", "AUTOCOMMIT")',
    ],
)
def test_env_py_autocommit_true(tmp_path: Path, source: str) -> None:
    env = write(tmp_path / "env.py", PLAIN_ENV + "\n" + source + "\n")
    assert env_py_autocommit(env) is True


@pytest.mark.parametrize(
    "source",
    [
        "",
        'engine = create_engine(url, isolation_level="READ COMMITTED")',
        'engine = create_engine(url, isolation_level="SERIALIZABLE")',
        "# isolation_level='AUTOCOMMIT'",
        'x = "AUTOCOMMIT"',
        'notes = "isolation_level=AUTOCOMMIT"',
        'engine = create_engine(url, isolation_level=os.environ.get("LEVEL", "AUTOCOMMIT"))',
        'LEVEL = "AUTOCOMMIT"\nLEVEL = "SERIALIZABLE"\nengine = create_engine(url, isolation_level=LEVEL)',
        'engine = create_engine(url, autocommit_level="AUTOCOMMIT")',
        "c.execution_options(autocommit=True)",
    ],
)
def test_env_py_autocommit_false(tmp_path: Path, source: str) -> None:
    env = write(tmp_path / "env.py", PLAIN_ENV + "\n" + source + "\n")
    assert env_py_autocommit(env) is False


def test_env_py_autocommit_missing_or_broken(tmp_path: Path) -> None:
    assert env_py_autocommit(tmp_path / "env.py") is None
    assert env_py_autocommit(write(tmp_path / "syntax.py", "def run(:\n    pass\n")) is None
    assert env_py_autocommit(write(tmp_path / "nul.py", b"x = 1\x00\n")) is None
    assert env_py_autocommit(write(tmp_path / "latin.py", b'x = "caf\xe9"\n')) is None
    # An invalid byte only inside a comment: some CPython versions accept it, none may raise.
    assert env_py_autocommit(write(tmp_path / "latin_comment.py", b"# caf\xe9\nx = 1\n")) in (False, None)
    assert env_py_autocommit(tmp_path) is None  # a folder


def test_env_py_autocommit_coding_cookie(tmp_path: Path) -> None:
    env = write(
        tmp_path / "env.py",
        b"# -*- coding: latin-1 -*-\n# caf\xe9\ncreate_engine(url, isolation_level='AUTOCOMMIT')\n",
    )
    assert env_py_autocommit(env) is True


def test_env_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    env = write(
        tmp_path / "env.py",
        f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n",
    )
    assert env_py_autocommit(env) is False
    assert not marker.exists()


# --------------------------------------------------------------------------------------------------
# application_packages
# --------------------------------------------------------------------------------------------------


def test_flat_layout(tmp_path: Path) -> None:
    for name in ["myapp", "tests", "test", "docs", "migrations", "alembic", "build", "dist", "venv"]:
        write(tmp_path / name / "__init__.py", "")
    write(tmp_path / "node_modules" / "__init__.py", "")
    write(tmp_path / ".venv" / "__init__.py", "")
    write(tmp_path / "_private" / "__init__.py", "")
    write(tmp_path / "scripts" / "run.py", "")  # no __init__.py: not a package
    write(tmp_path / "my-folder" / "__init__.py", "")  # not importable
    write(tmp_path / "app.egg-info" / "__init__.py", "")
    for module in ["settings.py", "setup.py", "conftest.py", "noxfile.py", "manage.py", "_version.py"]:
        write(tmp_path / module, "")
    write(tmp_path / "README.md", "")
    assert application_packages(tmp_path) == frozenset({"myapp", "settings"})


def test_src_layout(tmp_path: Path) -> None:
    write(tmp_path / "src" / "shop" / "__init__.py", "")
    write(tmp_path / "src" / "shop" / "models.py", "")
    write(tmp_path / "src" / "helpers.py", "")
    write(tmp_path / "src" / "tests" / "__init__.py", "")
    write(tmp_path / "tests" / "__init__.py", "")
    assert application_packages(tmp_path) == frozenset({"shop", "helpers"})


def test_src_that_is_itself_a_package(tmp_path: Path) -> None:
    write(tmp_path / "src" / "__init__.py", "")
    write(tmp_path / "src" / "models" / "__init__.py", "")
    assert application_packages(tmp_path) == frozenset({"src"})


def test_project_names_normalised(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "My-Cool.App"\n[tool.poetry]\nname = "Poetry-Name"\n')
    write(tmp_path / "setup.cfg", "[metadata]\nname = Legacy_Name\n")
    assert application_packages(tmp_path) == frozenset({"my_cool_app", "poetry_name", "legacy_name"})


def test_project_name_that_is_not_importable(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "123-app"\n')
    write(tmp_path / "setup.cfg", "[metadata]\nname = class\n")
    assert application_packages(tmp_path) == frozenset()


def test_application_packages_bad_files(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", b"[project\nname = \xff\n")
    write(tmp_path / "setup.cfg", "no header\nname = x\n")
    write(tmp_path / "api" / "__init__.py", b"\xff\xfe")
    assert application_packages(tmp_path) == frozenset({"api"})


def test_application_packages_missing_root(tmp_path: Path) -> None:
    assert application_packages(tmp_path / "missing") == frozenset()


def test_an_unpacked_wheel_gives_its_pins_and_top_level_packages(tmp_path: Path) -> None:
    info = tmp_path / "myapp-2.0.dist-info"
    write(
        info / "METADATA",
        "Metadata-Version: 2.1\nName: myapp\nRequires-Dist: SQLAlchemy>=1.4\n"
        'Requires-Dist: alembic (>=1.7.2) ; extra == "server"\nRequires-Dist: alembic>=1.9\n\n'
        "Requires-Dist: alembic>=0.1 is the long description, not a header\n",
    )
    write(info / "top_level.txt", "myapp\nmyapp_plugins\n")
    assert alembic_pin(tmp_path) == (1, 7, 2)
    assert {"myapp", "myapp_plugins"} <= application_packages(tmp_path)


def test_init_that_is_a_folder_does_not_make_a_package(tmp_path: Path) -> None:
    (tmp_path / "weird" / "__init__.py").mkdir(parents=True)
    assert application_packages(tmp_path) == frozenset()


# --------------------------------------------------------------------------------------------------
# Module hygiene
# --------------------------------------------------------------------------------------------------


def test_public_api() -> None:
    assert sorted(project.__all__) == [
        "alembic_ini_dialects",
        "alembic_ini_url_lines",
        "application_packages",
        "autocommit_line",
        "dist_info",
        "env_py_autocommit",
        "env_py_for",
        "find_alembic_ini",
        "find_project_root",
        "is_project_root",
        "url_dialect",
    ]


@pytest.mark.parametrize("module", [project, pins, reading], ids=lambda module: module.__name__)
def test_no_module_level_mutable_state(module: object) -> None:
    mutable = (list, dict, set)
    offenders = [
        name for name, value in vars(module).items() if isinstance(value, mutable) and not name.startswith("__")
    ]
    assert offenders == []
