"""`flake8-alembic check --show-settings` prints each fact of the project model with its evidence (file:line, or a
pin as written), in text and in JSON, for the cause-1 project fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from .test_projects import PROJECTS, run_check


def settings(folder: str) -> tuple[str, dict[str, dict[str, object]], dict[str, dict[str, object]]]:
    """The text report, and the JSON report's project settings and (only) environment's settings."""
    _, text = run_check(PROJECTS / folder, "--show-settings")
    _, out = run_check(PROJECTS / folder, "--show-settings", "--output-format", "json")
    (block,) = json.loads(out)
    (environment,) = block["environments"]
    return text, block["settings"], environment["settings"]


def test_a_mysql_first_project_shows_its_driver_pin() -> None:
    text, project, environment = settings("cause1-mysql-driver-pin-good")
    dialects = environment["target-dialects"]
    assert dialects["value"] == ["mariadb", "mysql"]
    assert dialects["evidence"] == ["driver: PyMySQL>=1.1 (pyproject.toml [project] dependencies)"]
    assert 'target-dialects = ["mariadb", "mysql"]' in text
    assert "#   evidence: driver: PyMySQL>=1.1 (pyproject.toml [project] dependencies)" in text
    # The placeholder URL of alembic.ini says nothing, and PostgreSQL is not added to real evidence.
    assert "driver://" not in json.dumps(dialects)
    versions = project["target-sqlalchemy-version"]
    assert versions["value"] == ">=2.0" and "allows 2.x" in str(versions["source"])
    assert versions["evidence"] == [
        f"SQLAlchemy>=2.0 ({PROJECTS / 'cause1-mysql-driver-pin-good' / 'pyproject.toml'} [project] dependencies)"
    ]


def test_a_create_all_and_stamp_project_shows_an_open_world() -> None:
    text, _, environment = settings("cause1-create-all-stamp-good")
    birth = environment["schema-birth"]
    assert birth["value"] == "open"
    assert birth["source"] == "fact: the application creates the schema with create_all() and stamps it with Alembic"
    assert birth["evidence"] == ["create_all() (greenhouse/admin.py:14); alembic stamp (greenhouse/admin.py:15)"]
    assert 'schema-birth = "open"' in text
    assert "#   evidence: create_all() (greenhouse/admin.py:14); alembic stamp (greenhouse/admin.py:15)" in text
    closed = settings("cause1-closed-world-bad")[2]["schema-birth"]
    assert closed["value"] == "closed" and closed["source"] == "fact: the base revision creates the schema"
    assert str(closed["evidence"]).endswith("2d6a9c4e8b01_create_planter.py:18']")


def test_a_sqlite_only_project_shows_its_settings_default() -> None:
    text, _, environment = settings("cause1-sqlite-settings-default-good")
    dialects = environment["target-dialects"]
    assert dialects["value"] == ["sqlite"]
    assert dialects["evidence"] == ["url: sqlite:///stockroom.db (stockroom/settings.py:4)"]
    assert 'target-dialects = ["sqlite"]' in text and "#   evidence: url: sqlite:///stockroom.db" in text


def test_transaction_naming_convention_and_downgrade_evidence() -> None:
    _, _, environment = settings("cause1-autocommit-app-engine-good")
    autocommit = environment["autocommit-connections"]
    assert autocommit["value"] is True
    assert autocommit["evidence"] == [
        "isolation_level AUTOCOMMIT on the engine env.py imports (engine) (turnstile/db.py:7)"
    ]
    assert environment["transaction-per-migration"]["value"] is False
    _, _, environment = settings("cause1-naming-convention-models-good")
    convention = environment["naming-convention"]
    assert convention["evidence"] == ["MetaData(naming_convention=...) (ledgerly/models.py:15)"]
    assert dict(convention["value"])["fk"] == "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"  # type: ignore[call-overload]
    _, _, environment = settings("cause1-forward-only-template-good")
    assert environment["downgrades"]["value"] == "forward-only"
    assert environment["downgrades"]["evidence"] == ["migrations/script.py.mako writes no downgrade()"]


def test_the_sqlalchemy_setting_wins_over_the_pins(tmp_path: Path) -> None:
    """ALM013 on the fixture that allows 2.x: reported; with target-sqlalchemy-version = 1.4, silent."""
    folder = PROJECTS / "cause1-sqlalchemy-2x-allowed-bad"
    _, out = run_check(folder, "--output-format", "concise", "--select", "ALM013")
    assert "ALM013" in out
    _, out = run_check(folder, "--output-format", "concise", "--select", "ALM013", "--target-sqlalchemy-version", "1.4")
    assert "ALM013" not in out
