"""Policies inferred from the project when the user has not set them: the downgrade policy from the history,
the transaction mode from env.py."""

from __future__ import annotations

from pathlib import Path

from flake8_alembic.config import Settings
from flake8_alembic.engine import ProjectCache, lint_source
from flake8_alembic.history import HistoryCache
from flake8_alembic.rules.registry import OPT_IN_CODES

TRANSACTIONAL_ENV = '''"""env.py: never run by the linter."""
from alembic import context
from sqlalchemy import engine_from_config, pool

connectable = engine_from_config(context.config.get_section("alembic"), prefix="sqlalchemy.", poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
'''


ADD_COLUMN = 'op.add_column("t", sa.Column("c", sa.Integer()))'


def migration(revision: str, parent: str | None, downgrade: bool, body: str = ADD_COLUMN) -> str:
    text = f'''"""Step {revision}."""
import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = {parent!r}


def upgrade() -> None:
    {body}
'''
    if downgrade:
        text += '\n\ndef downgrade() -> None:\n    op.drop_column("t", "c")\n'
    return text


def history(root: Path, with_downgrade: list[bool]) -> list[Path]:
    versions = root / "versions"
    versions.mkdir(parents=True)
    paths = []
    parent = None
    for index, has_downgrade in enumerate(with_downgrade):
        revision = f"r{index:02d}"
        path = versions / f"{revision}_step.py"
        path.write_text(migration(revision, parent, has_downgrade))
        paths.append(path)
        parent = revision
    return paths


def findings(paths: list[Path], code: str, settings: Settings | None = None) -> list[tuple[str, int]]:
    cache = ProjectCache()
    settings = settings or Settings(preview=True, opt_in=OPT_IN_CODES)
    found = []
    for path in paths:
        result = lint_source(str(path), path.read_bytes(), settings, cache)
        found += [(path.name, d.line) for d in result.diagnostics if d.code == code]
    return found


def test_a_history_without_downgrades_is_forward_only(tmp_path: Path) -> None:
    paths = history(tmp_path, [False] * 8)
    assert findings(paths, "ALM001") == []
    required = Settings(preview=True, opt_in=OPT_IN_CODES, downgrades="required")
    assert len(findings(paths, "ALM001", required)) == 8


def test_a_history_that_writes_downgrades_requires_them(tmp_path: Path) -> None:
    paths = history(tmp_path, [True, True, True, False, True, True])
    assert findings(paths, "ALM001") == [("r03_step.py", 9)]


def test_one_downgrade_in_ten_is_still_forward_only_and_a_short_history_decides_nothing(tmp_path: Path) -> None:
    paths = history(tmp_path / "long", [True] + [False] * 9)
    assert findings(paths, "ALM001") == []
    short = history(tmp_path / "short", [False] * 3)
    assert len(findings(short, "ALM001")) == 3


CONCURRENT = 'op.create_index("ix_t_c", "t", ["c"], postgresql_concurrently=True)'


def test_alm016_needs_an_env_py_to_know_the_migrations_run_in_a_transaction(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "r01_index.py"
    path.write_text(migration("r01", None, False, CONCURRENT))
    settings = Settings(preview=True, opt_in=OPT_IN_CODES, target_dialects=frozenset({"postgresql"}))
    assert findings([path], "ALM016", settings) == []  # no env.py: run by application code, mode unknown
    (tmp_path / "env.py").write_text(TRANSACTIONAL_ENV)
    assert findings([path], "ALM016", settings) == [("r01_index.py", 10)]
    autocommit = TRANSACTIONAL_ENV.replace("poolclass=pool.NullPool", 'isolation_level="AUTOCOMMIT"')
    (tmp_path / "env.py").write_text(autocommit)
    assert findings([path], "ALM016", settings) == []


def test_release_folders_alembic_ini_does_not_read_still_show_the_policy(tmp_path: Path) -> None:
    """neutron: alembic.ini names the script location, and its own CLI adds the release folders as version
    locations. No environment holds those files, but their versions tree still says "forward-only"."""
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s\n")
    release = tmp_path / "versions" / "2024.1" / "expand"
    release.mkdir(parents=True)
    paths = []
    parent = None
    for index in range(6):
        path = release / f"r{index:02d}_step.py"
        path.write_text(migration(f"r{index:02d}", parent, False))
        paths.append(path)
        parent = f"r{index:02d}"
    assert HistoryCache().environment_for(str(paths[0])) is None  # Alembic itself would not read these
    base = tmp_path / "versions" / "kilo_initial.py"  # the one file alembic.ini does read: too few to decide
    base.write_text(migration("kilo", None, False))
    assert findings([base, *paths], "ALM001") == []
    (release / "r00_step.py").write_text(migration("r00", None, True))
    (release / "r01_step.py").write_text(migration("r01", "r00", True))
    assert len(findings(paths, "ALM001")) == 4
