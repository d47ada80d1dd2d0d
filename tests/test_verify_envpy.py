"""Reading where an env.py takes its database from (statically, before verify runs anything)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flake8_alembic.verify.envpy import APPLICATION, ENVIRONMENT, LITERAL, UNKNOWN, read_env_py

HEADER = "from alembic import context\nfrom sqlalchemy import create_engine, engine_from_config, pool\n"
HEADER += "config = context.config\n"


def wiring(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "env.py"
    path.write_text(HEADER + textwrap.dedent(body))
    return read_env_py(path)


ACCEPTED = {
    "alembic's generic template": """
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        with connectable.connect() as connection:
            context.configure(connection=connection)
    """,
    "the cookbook's shared connection": """
        connectable = config.attributes.get("connection", None)
        if connectable is None:
            connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.")
        context.configure(connection=connectable)
    """,
    "the url option through a helper": """
        def get_url():
            return config.get_main_option("sqlalchemy.url")

        engine = create_engine(get_url())
    """,
    "a subscripted shared connection": """
        context.configure(connection=config.attributes["connection"])
    """,
}

REFUSED = {
    "os.environ[...]": ("engine = create_engine(os.environ['DATABASE_URL'])", ENVIRONMENT),
    "os.getenv through a name": ("url = os.getenv('DB')\nengine = create_engine(url)", ENVIRONMENT),
    "the environment before the config": (
        "url = os.environ.get('DB') or config.get_main_option('sqlalchemy.url')\nengine = create_engine(url)",
        ENVIRONMENT,
    ),
    "set_main_option from the environment": (
        "config.set_main_option('sqlalchemy.url', os.environ['DB'])\n"
        "engine = engine_from_config(config.get_section(config.config_ini_section))",
        ENVIRONMENT,
    ),
    "a hard-coded URL": ("engine = create_engine('postgresql://app@db/app')", LITERAL),
    "application settings": (
        "from myapp.settings import DATABASE_URL\nengine = create_engine(DATABASE_URL)",
        APPLICATION,
    ),
    "an ini section edited from the application": (
        "from myapp import settings\nsection = config.get_section(config.config_ini_section)\n"
        "section['sqlalchemy.url'] = settings.URL\nengine = engine_from_config(section, prefix='sqlalchemy.')",
        APPLICATION,
    ),
    "an attribute the application's CLI put on the config": (
        "engine = create_engine(config.app_config.database.connection)",
        UNKNOWN,
    ),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_env_py_wired_to_the_config_is_accepted(case: str, tmp_path: Path) -> None:
    assert wiring(tmp_path, ACCEPTED[case]).refusal is None


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_env_py_taking_its_database_elsewhere_is_refused(case: str, tmp_path: Path) -> None:
    body, source = REFUSED[case]
    found = wiring(tmp_path, "import os\n" + body)
    assert found.foreign and found.foreign[0].source == source
    assert found.refusal is not None and f"takes its database from {source}" in found.refusal
    assert "--env-py generic" in found.refusal


def test_an_engine_from_the_application_is_refused(tmp_path: Path) -> None:
    """Flask-Migrate's env.py gets its engine from the app: nothing traces it to the config."""
    found = wiring(
        tmp_path,
        """
        from flask import current_app
        connectable = current_app.extensions["migrate"].db.get_engine()
        with connectable.connect() as connection:
            context.configure(connection=connection)
        """,
    )
    assert found.refusal is not None and "cannot see where env.py gets its database" in found.refusal


def test_batch_mode_and_version_table_are_read(tmp_path: Path) -> None:
    found = wiring(
        tmp_path,
        """
        engine = engine_from_config(config.get_section(config.config_ini_section))
        with engine.connect() as connection:
            context.configure(
                connection=connection, render_as_batch=connection.dialect.name == "sqlite", version_table="v"
            )
        """,
    )
    assert found.render_as_batch and found.version_table == "v"
    assert not wiring(tmp_path, ACCEPTED["alembic's generic template"]).render_as_batch


def test_an_unreadable_env_py_is_refused(tmp_path: Path) -> None:
    assert "cannot read env.py" in (wiring(tmp_path, "def (:\n").refusal or "")
