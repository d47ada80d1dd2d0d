"""Whole-history analysis: the revision graph rules on fixture histories, checked against Alembic's own RevisionMap."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flake8_alembic.config import Settings
from flake8_alembic.engine import FileResult, ProjectCache, lint_source
from flake8_alembic.facts.project import ProjectFacts
from flake8_alembic.history import Environment, HistoryCache
from flake8_alembic.rules.registry import OPT_IN_CODES

HISTORIES = Path(__file__).parent / "fixtures" / "histories"
GRAPH_CODES = frozenset({"ALM101", "ALM102", "ALM103", "ALM104", "ALM105", "ALM106", "ALM107"})
HISTORY_CODES = GRAPH_CODES | {"ALM003", "ALM004", "ALM005", "ALM018", "ALM024", "ALM027", "ALM036"}
_EXPECT = re.compile(r"#\s*expect:\s*(ALM\d{3}(?:\s*,\s*ALM\d{3})*)")


class Hermetic(ProjectCache):
    """Real history, no project facts inferred from this repository's own files."""

    def facts_for(self, path: str) -> ProjectFacts:
        return ProjectFacts(autocommit=False)


def lint_history_results(
    root: Path, settings: Settings | None = None, cache: ProjectCache | None = None
) -> list[tuple[str, FileResult]]:
    """Lint every file of a history with a fresh cache (project facts come from the history's own files)."""
    cache = cache or ProjectCache()
    settings = settings or Settings(opt_in=OPT_IN_CODES, preview=True)
    return [
        (path.relative_to(root).as_posix(), lint_source(str(path), path.read_bytes(), settings, cache))
        for path in sorted(root.rglob("*.py"))
    ]


def lint_history(root: Path, settings: Settings | None = None) -> tuple[set[tuple[str, int, str]], ProjectCache]:
    """(file, line, code) of every finding on a history, and the cache that linted it."""
    cache = ProjectCache()
    found = set()
    for relative, result in lint_history_results(root, settings, cache):
        assert result.failure is None, result.failure
        found.update((str(Path(relative)), d.line, d.code) for d in result.diagnostics)
    return found, cache


def expectations(root: Path) -> set[tuple[str, int, str]]:
    expected = set()
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                expected.update((str(path.relative_to(root)), number, c.strip()) for c in match.group(1).split(","))
    return expected


@pytest.mark.parametrize("root", sorted(HISTORIES.iterdir()), ids=lambda p: p.name)
def test_history_findings_match_expectations(root: Path) -> None:
    found, _ = lint_history(root)
    assert not any(code == "ALM000" for _, _, code in found)
    history_findings = {item for item in found if item[2] in HISTORY_CODES}
    assert history_findings == expectations(root)


def test_every_graph_rule_has_a_bad_history_and_healthy_ones_exist() -> None:
    expected_codes = {code for root in HISTORIES.iterdir() for _, _, code in expectations(root)}
    assert expected_codes >= GRAPH_CODES
    healthy = [root for root in HISTORIES.iterdir() if not expectations(root)]
    assert len(healthy) >= 4


def test_each_environment_is_built_once_for_all_its_files() -> None:
    _, cache = lint_history(HISTORIES / "linear_healthy")
    assert cache.history is not None and cache.history.builds == 1
    _, cache = lint_history(HISTORIES / "per_dialect_environments")
    assert cache.history is not None and cache.history.builds == 1  # one build, two environments
    environments = next(iter(cache.history.environments.values()))
    assert sorted(len(environment.migrations) for environment in environments) == [2, 2]


def test_release_subfolders_form_one_environment() -> None:
    cache = HistoryCache()
    path = HISTORIES / "release_folders" / "versions" / "newton" / "expand" / "j05_x.py"
    environment = cache.environment_for(str(path))
    assert environment is not None and len(environment.migrations) == 5
    assert environment.heads() == ["j04", "j05"]


def _environments() -> list[tuple[str, Environment]]:
    found = []
    for root in sorted(HISTORIES.iterdir()):
        if root.name in ("cycle", "broken_references", "duplicates"):
            continue  # Alembic's RevisionMap raises or warns on these by design
        cache = HistoryCache()
        for path in sorted(root.rglob("*.py")):
            environment = cache.environment_for(str(path))
            if environment is not None and not any(environment.files == other.files for _, other in found):
                found.append((f"{root.name}/{path.parent.name}", environment))
    return found


@pytest.mark.parametrize(("name", "environment"), _environments(), ids=[name for name, _ in _environments()])
def test_heads_and_bases_equal_alembics_revision_map(name: str, environment: Environment) -> None:
    revision = pytest.importorskip("alembic.script.revision")

    def revisions():  # type: ignore[no-untyped-def]
        for info in environment.migrations:
            down = info.down_revisions
            yield revision.Revision(
                info.revision,
                None if not down else down[0] if len(down) == 1 else down,
                dependencies=info.depends_on or None,
                branch_labels=info.labels or None,
            )

    revision_map = revision.RevisionMap(revisions)
    assert sorted(revision_map.heads) == environment.heads()
    assert sorted(revision_map.bases) == environment.bases()


def test_baseline_revision_and_its_ancestors_are_not_reported(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (tmp_path / "env.py").write_text("")
    chain = [("r1", None), ("r2", "r1"), ("r3", "r2")]
    for rev, down in chain:
        (versions / f"{rev}.py").write_text(
            f'"""Drop {rev}"""\nfrom alembic import op\nrevision = "{rev}"\ndown_revision = {down!r}\n'
            f'def upgrade():\n    op.drop_table("old_{rev}")\ndef downgrade():\n    raise NotImplementedError("x")\n'
        )
    everything, _ = lint_history(tmp_path, Settings(preview=True))
    assert {file for file, _, code in everything if code == "ALM002"} == {
        "versions/r1.py",
        "versions/r2.py",
        "versions/r3.py",
    }
    after_baseline, _ = lint_history(tmp_path, Settings(preview=True, baseline_revision=("r2",)))
    assert {(file, code) for file, _, code in after_baseline} == {("versions/r3.py", "ALM002")}


def test_revision_id_length_is_no_finding_for_sqlite_only_projects() -> None:
    found, _ = lint_history(HISTORIES / "id_problems", Settings(target_dialects=frozenset({"sqlite"})))
    assert not any(code == "ALM107" for _, _, code in found)


def test_subfolder_of_a_non_recursive_configured_location_is_not_read(tmp_path: Path) -> None:
    """Alembic ignores it, so it gets no environment, whatever order files are linted in."""
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    versions = tmp_path / "migrations" / "versions"
    (versions / "sub").mkdir(parents=True)
    text = '"""B1"""\nfrom alembic import op\nrevision = "b1"\ndown_revision = None\ndef upgrade():\n    pass\n'
    (versions / "b1_x.py").write_text(text)
    (versions / "sub" / "b1_copy.py").write_text(text)
    for order in (["sub/b1_copy.py", "b1_x.py"], ["b1_x.py", "sub/b1_copy.py"]):
        cache = Hermetic()
        codes = set()
        for name in order:
            path = versions / name
            codes |= {d.code for d in lint_source(str(path), path.read_bytes(), Settings(), cache).diagnostics}
        assert "ALM103" not in codes


def test_revision_fields_held_in_module_constants_are_read(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (tmp_path / "env.py").write_text("")
    (versions / "a1.py").write_text('"""A"""\nrevision = "a1"\ndown_revision = None\ndef upgrade():\n    pass\n')
    (versions / "b1.py").write_text(
        '"""B"""\nREV = "b1"\nPARENT = "a1"\nrevision = REV\ndown_revision = PARENT\ndef upgrade():\n    pass\n'
    )
    (versions / "c1.py").write_text('"""C"""\nrevision = "c1"\ndown_revision = "a1"\ndef upgrade():\n    pass\n')
    found, _ = lint_history(tmp_path)
    assert {(file, code) for file, _, code in found if code == "ALM101"} == {
        ("versions/b1.py", "ALM101"),
        ("versions/c1.py", "ALM101"),
    }


WORKING_ENV_PY = (HISTORIES / "sqlite_schema" / "env.py").read_text()

# History -> (script location inside it, alembic options). Histories not listed do not run on SQLite by design
# (PostgreSQL-only SQL, broken graphs, stray modules, tables from outside the history, application imports).
SQLITE_RUNNABLE = {
    "sqlite_schema": ("", {}),
    "linear_healthy": ("", {}),
    "branch_and_merge_healthy": ("", {}),
    "two_heads": ("", {}),
    "id_problems": ("", {}),
    "depends_on_effective_head": ("", {}),
    "release_folders": ("", {"recursive_version_locations": "true"}),
    "configured_locations": ("migrations", {"version_locations": "migrations/versions plugins/billing/versions"}),
    "per_dialect_environments/postgresql": ("", {"version_locations": "versions/postgresql"}),
    "per_dialect_environments/sqlite": ("", {"version_locations": "versions/sqlite"}),
}


@pytest.mark.parametrize("name", sorted(SQLITE_RUNNABLE))
def test_replay_matches_a_real_alembic_upgrade_on_sqlite(name: str, tmp_path: Path) -> None:
    """The replay's final schema equals what `alembic upgrade heads` builds, reflected by SQLAlchemy."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    command = pytest.importorskip("alembic.command")
    config_module = pytest.importorskip("alembic.config")
    from flake8_alembic.facts.environment import EnvironmentFactsCache
    from flake8_alembic.schema import _merge
    from flake8_alembic.types import sql_type_ref

    history, _, subfolder = name.partition("/")
    root = tmp_path / history
    shutil.copytree(HISTORIES / history, root)
    script_location, options = SQLITE_RUNNABLE[name]
    script = root / script_location
    (script / "env.py").write_text(WORKING_ENV_PY)
    database = tmp_path / "fidelity.db"
    config = config_module.Config()
    config.set_main_option("script_location", str(script))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{database}")
    config.set_main_option("path_separator", "space")
    for key, value in options.items():
        if key == "version_locations":
            value = " ".join(str(root / folder) for folder in value.split())
        config.set_main_option(key, value)
    command.upgrade(config, "heads")

    engine = sqlalchemy.create_engine(f"sqlite:///{database}")
    inspector = sqlalchemy.inspect(engine)
    real: dict[str, dict[str, str]] = {}
    real_keys: dict[str, set[tuple[tuple[str, ...], str, tuple[str, ...]]]] = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        real[table] = {c["name"]: sql_type_ref(str(c["type"])).family for c in inspector.get_columns(table)}
        real_keys[table] = {
            (tuple(key["constrained_columns"]), key["referred_table"], tuple(key["referred_columns"]))
            for key in inspector.get_foreign_keys(table)
        }
    engine.dispose()

    versions = root / (
        options.get("version_locations", "").split()[0]
        if options.get("version_locations")
        else f"{script_location}/versions".lstrip("/")
    )
    if subfolder:
        versions = root / "versions" / subfolder
    environment = HistoryCache().environment_for(str(next(versions.rglob("*.py"))))
    assert environment is not None
    replay = EnvironmentFactsCache().for_environment(environment).replay(frozenset({"sqlite"}))
    final = _merge([replay.after[head] for head in environment.heads()])
    replayed = {key[1]: state for key, state in final.tables().items()}

    assert real, "the history created no table"
    assert sorted(replayed) == sorted(real)
    for table, state in replayed.items():
        assert not state.uncertain, table
        assert {column: c.type.family for column, c in state.columns.items()} == real[table], table
        assert set(state.foreign_keys) == real_keys[table], table
    assert "unknown" not in {family for columns in real.values() for family in columns.values()}


def test_a_dialect_named_versions_subfolder_sets_the_target(tmp_path: Path) -> None:
    """prefect keeps versions/sqlite/ for SQLite only: PostgreSQL rules are silent there, not in versions/postgresql."""
    root = tmp_path / "proj"
    shutil.copytree(HISTORIES / "per_dialect_environments", root)
    index = '    op.create_index("ix_t", "t_25f4b90a7a42", ["id"])\n'
    for dialect in ("postgresql", "sqlite"):
        path = next((root / "versions" / dialect).glob("*_next.py"))
        path.write_text(path.read_text().replace("def upgrade() -> None:\n", "def upgrade() -> None:\n" + index))
    found, _ = lint_history(root)
    assert {file.split("/")[1] for file, _, code in found if code == "ALM201"} == {"postgresql"}


@pytest.mark.parametrize(("env_py", "expected"), [("", {"ALM210"}), ("SET_TIMEOUT = 'SET lock_timeout = 5s'\n", set())])
def test_lock_timeout_set_in_env_py_silences_alm210(tmp_path: Path, env_py: str, expected: set[str]) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (tmp_path / "env.py").write_text(env_py)
    (versions / "a1.py").write_text(
        '"""Add a column"""\nimport sqlalchemy as sa\nfrom alembic import op\nrevision = "a1"\ndown_revision = None\n'
        "def upgrade():\n    op.add_column('users', sa.Column('note', sa.Text()))\n"
        "def downgrade():\n    op.drop_column('users', 'note')\n"
    )
    found, _ = lint_history(tmp_path)
    assert {code for _, _, code in found if code == "ALM210"} == expected
