"""Real project layouts, as a newcomer meets them: where the project root, the configuration and the cache are,
what is inferred from the project (its application packages, its pinned Alembic), and what --show-settings says.

Each layout states its expected root, configuration and cache folder; both faces must agree on all three.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_alembic.cli import main
from flake8_alembic.project import find_project_root

FLASK_ENV_PY = """import logging
from flask import current_app
from alembic import context

config = context.config
target_metadata = current_app.extensions["migrate"].db.metadata


def run_migrations_online():
    connectable = current_app.extensions["migrate"].db.engine
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"""
FLASK_ALEMBIC_INI = """# A generic, single database configuration.

[alembic]
# template used to generate migration files
# file_template = %%(rev)s_%%(slug)s

[loggers]
keys = root
"""
UV_LOCK = """version = 1

[[package]]
name = "alembic"
version = "1.14.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "flask"
version = "3.1.0"
"""
MODELS_MIGRATION = '''"""Move posts to the new author model

Revision ID: 1a2b3c4d5e6f
Revises:
Create Date: 2025-01-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

from blog import models
from blog.models import Author

revision = "1a2b3c4d5e6f"
down_revision = None


def upgrade():
    op.create_table("author", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("author", sa.Column("name", sa.String(80)))
    op.drop_column("post", "author_name")


def downgrade():
    op.add_column("post", sa.Column("author_name", sa.String(80)))
    op.drop_column("author", "name")
    op.drop_table("author")
'''


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def flask_migrate_project(root: Path) -> Path:
    """A Flask-Migrate app: alembic.ini in migrations/, the application package beside it, Alembic pinned in
    uv.lock, no configuration of ours."""
    write(root / "pyproject.toml", '[project]\nname = "blog"\ndependencies = ["flask-migrate>=4"]\n')
    write(root / "uv.lock", UV_LOCK)
    write(root / "blog" / "__init__.py", "")
    write(root / "blog" / "models.py", "class Author: ...\n")
    write(root / "migrations" / "alembic.ini", FLASK_ALEMBIC_INI)
    write(root / "migrations" / "env.py", FLASK_ENV_PY)
    write(root / "migrations" / "versions" / "1a2b3c4d5e6f_authors.py", MODELS_MIGRATION)
    return root


def check(cwd: Path, *args: str) -> tuple[int, str, str]:
    out = io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    err = io.StringIO()
    sys.stderr, saved = err, sys.stderr
    try:
        code = main(["check", *args], stdout=out)
    finally:
        sys.stderr = saved
        os.chdir(previous)
    return code, out.getvalue(), err.getvalue()


def test_flask_migrate_root_is_above_migrations_and_the_models_import_is_found(tmp_path: Path) -> None:
    project = flask_migrate_project(tmp_path / "blog-app")
    migration = project / "migrations" / "versions" / "1a2b3c4d5e6f_authors.py"
    assert find_project_root(migration) == project
    code, out, _ = check(project, "--output-format", "concise", "--no-cache")
    assert code == 1
    lines = out.splitlines()
    assert "migrations/versions/1a2b3c4d5e6f_authors.py:10:1: ALM010 migration imports blog.models " in "\n".join(lines)
    assert any(":11:1: ALM010 migration imports blog.models.Author" in line for line in lines)


def test_flask_migrate_alembic_pin_from_uv_lock_names_the_version_in_the_fix(tmp_path: Path) -> None:
    project = flask_migrate_project(tmp_path / "blog-app")
    _, out, _ = check(project, "--output-format", "concise", "--no-cache", "--preview", "--select", "ALM002")
    assert (
        'ALM002 op.drop_column() of column "author_name" of "post" is not guarded: it fails if the object is already '
        "gone; the project's Alembic 1.14.1 has no if_exists for drop_column (added in 1.16.0): guard it with "
        "sa.inspect(op.get_bind()).get_columns()"
    ) in out


def test_flask_migrate_show_settings(tmp_path: Path) -> None:
    project = flask_migrate_project(tmp_path / "blog-app")
    code, out, _ = check(project, "--show-settings")
    assert code == 0
    assert f'project-root = "{project}"' in out and "# holds pyproject.toml" in out
    assert 'config = ""' in out and "# none found: defaults" in out
    assert 'target-alembic-version = "1.14.1"' in out and f"# inferred: alembic pinned in {project / 'uv.lock'}" in out
    assert 'application-import-names = ["blog"]' in out
    assert f'versions = ["{project / "migrations" / "versions"}"]' in out
    assert 'heads = ["1a2b3c4d5e6f"]' in out and "revisions = 1" in out
    assert 'target-dialects = ["postgresql"]' in out and "no sqlalchemy.url naming a database in" in out
    code, out, _ = check(project, "--show-settings", "--output-format", "json")
    (block,) = json.loads(out)
    assert block["project_root"] == str(project) and block["config"] is None
    assert block["settings"]["target-alembic-version"]["value"] == "1.14.1"
    assert block["settings"]["target-alembic-version"]["source"] == f"inferred: alembic pinned in {project / 'uv.lock'}"
    (environment,) = block["environments"]
    assert environment["heads"] == ["1a2b3c4d5e6f"]
    assert environment["settings"]["target-dialects"]["value"] == ["postgresql"]


def src_layout_project(root: Path) -> Path:
    """A src/ layout with alembic.ini inside the package."""
    write(root / "pyproject.toml", '[project]\nname = "shop"\n\n[tool.flake8-alembic]\nguard-drops = "unproven"\n')
    write(root / "src" / "shop" / "__init__.py", "")
    write(
        root / "src" / "shop" / "alembic.ini",
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = mysql+pymysql://u:p@db/shop\n",
    )
    write(root / "src" / "shop" / "migrations" / "env.py", "")
    write(
        root / "src" / "shop" / "migrations" / "versions" / "1a2b3c4d5e6f_authors.py",
        MODELS_MIGRATION.replace("blog", "shop"),
    )
    return root


def monorepo(root: Path) -> tuple[Path, Path]:
    """Two services in one repository: one configured, one not."""
    (root / ".git").mkdir(parents=True)
    api = root / "services" / "api"
    write(api / "pyproject.toml", '[tool.flake8-alembic]\ndowngrades = "forward-only"\n')
    write(api / "alembic" / "env.py", "")
    write(api / "alembic" / "versions" / "1a2b3c4d5e6f_authors.py", MODELS_MIGRATION)
    billing = root / "services" / "billing"
    write(billing / "setup.py", "")
    write(billing / "migrations" / "env.py", "")
    write(billing / "migrations" / "versions" / "1a2b3c4d5e6f_authors.py", MODELS_MIGRATION)
    return api, billing


@pytest.mark.parametrize("layout", ["flask-migrate", "src", "monorepo"])
def test_root_config_and_cache_are_the_same_through_both_faces(tmp_path: Path, layout: str) -> None:
    if layout == "flask-migrate":
        project = flask_migrate_project(tmp_path / "app")
        expected = [(project / "migrations" / "versions" / "1a2b3c4d5e6f_authors.py", project, None)]
        run_from = project
    elif layout == "src":
        project = src_layout_project(tmp_path / "shop")
        migration = project / "src" / "shop" / "migrations" / "versions" / "1a2b3c4d5e6f_authors.py"
        expected = [(migration, project, project / "pyproject.toml")]
        run_from = project
    else:
        api, billing = monorepo(tmp_path / "repo")
        expected = [
            (api / "alembic" / "versions" / "1a2b3c4d5e6f_authors.py", api, api / "pyproject.toml"),
            (billing / "migrations" / "versions" / "1a2b3c4d5e6f_authors.py", billing, None),
        ]
        run_from = tmp_path / "repo"
    for migration, root, config in expected:
        assert find_project_root(migration) == root
        _, out, _ = check(run_from, "--show-settings", str(migration))
        assert f'project-root = "{root}"' in out
        assert (f'config = "{config}"' if config else 'config = ""') in out
    # The standalone command, run from the top: one cache folder per project root (the files' roots for their
    # summaries, the working folder's root for the run cache), none anywhere else.
    code, _, err = check(run_from, *[str(migration) for migration, _, _ in expected])
    assert code in (0, 1), err
    caches = sorted(path.parent for path in tmp_path.rglob(".flake8_alembic_cache"))
    assert caches == sorted({root for _, root, _ in expected} | {find_project_root(run_from)})
    for cache in caches:
        assert (cache / ".flake8_alembic_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
        assert (cache / ".flake8_alembic_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")
        for folder in (cache / ".flake8_alembic_cache").iterdir():
            if folder.is_dir():
                for entry in folder.iterdir():
                    entry.unlink()
    # flake8, run from the same place with its cache on, fills the same folders and creates no other.
    subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "ALM", "--alembic-cache=true", *[str(m) for m, _, _ in expected]],
        cwd=run_from,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert sorted(path.parent for path in tmp_path.rglob(".flake8_alembic_cache")) == caches
    for cache in sorted({root for _, root, _ in expected}):
        packs = [p for p in (cache / ".flake8_alembic_cache").rglob("pack-*.jsonl")]
        assert packs, cache


def test_per_file_configuration_applies_to_each_service(tmp_path: Path) -> None:
    api, billing = monorepo(tmp_path / "repo")
    _, out, _ = check(
        tmp_path / "repo", "--output-format", "concise", "--no-cache", "--preview", "--select", "ALM001", "services"
    )
    assert out.count("ALM001") == 0  # both have a downgrade
    for service in (api, billing):
        versions = next(service.glob("*/versions"))
        text = (versions / "1a2b3c4d5e6f_authors.py").read_text().split("\n\ndef downgrade")[0] + "\n"
        (versions / "1a2b3c4d5e6f_authors.py").write_text(text)
    _, out, _ = check(
        tmp_path / "repo", "--output-format", "concise", "--no-cache", "--preview", "--select", "ALM001", "services"
    )
    # billing has no configuration: a missing downgrade() is reported; api's table says forward-only.
    assert [line.split(":", 1)[0] for line in out.splitlines() if "ALM001" in line] == [
        "services/billing/migrations/versions/1a2b3c4d5e6f_authors.py"
    ]


def test_cache_dir_setting_and_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = flask_migrate_project(tmp_path / "app")
    elsewhere = tmp_path / "caches" / "alm"
    monkeypatch.setenv("FLAKE8_ALEMBIC_CACHE_DIR", str(elsewhere))
    check(project)
    assert (elsewhere / "CACHEDIR.TAG").is_file() and not (project / ".flake8_alembic_cache").exists()
    monkeypatch.delenv("FLAKE8_ALEMBIC_CACHE_DIR")
    write(
        project / "pyproject.toml",
        (project / "pyproject.toml").read_text() + '\n[tool.flake8-alembic]\ncache-dir = "build/lint-cache"\n',
    )
    check(project)
    assert (project / "build" / "lint-cache" / "CACHEDIR.TAG").is_file()
    _, out, _ = check(project, "--show-settings")
    assert f'cache-dir = "{project / "build" / "lint-cache"}"' in out and f"set in {project / 'pyproject.toml'}" in out
    check(project, "--cache-dir", str(tmp_path / "flag"))
    assert (tmp_path / "flag" / "CACHEDIR.TAG").is_file()
    assert not (project / ".flake8_alembic_cache").exists()
