"""The run-result cache (runcache): a cached run prints exactly what a ``--no-cache`` run prints, after any edit of
any input; an unchanged re-run is a hit that parses nothing; an edited input is a miss; broken, truncated or locked
databases and concurrent runs fall back to recomputing, never to an error or another run's result."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from flake8_alembic import runcache
from flake8_alembic.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "projects" / "cause1-app-imports-bad"
ARGS = ("--preview", "--output-format", "concise")
BODIES = (
    ('op.add_column("orders", sa.Column("note_{n}", sa.Text()))', 'op.drop_column("orders", "note_{n}")'),
    ('op.drop_column("orders", "currency")', "pass"),
    ("op.execute(\"UPDATE orders SET currency = 'USD' -- {n}\")", "pass"),
    ('op.create_index("ix_{n}", "orders", ["currency"])', 'op.drop_index("ix_{n}", table_name="orders")'),
    ('op.alter_column("orders", "currency", nullable=True)  # {n}', 'op.alter_column("orders", "currency")'),
    ('op.rename_table("orders", "orders_{n}")', 'op.rename_table("orders_{n}", "orders")'),
)


def migration(revision: str, down: str | None, upgrade: str, downgrade: str) -> str:
    return (
        f'"""revision {revision}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = "{revision}"\n'
        f"down_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n"
        f"    {upgrade}\n\n\ndef downgrade() -> None:\n    {downgrade}\n"
    )


class Project:
    """A copy of a fixture project and the random edits a property test applies to it."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.step = 0
        self.alembic = root / "src" / "shopapp" / "db" / "alembic"
        self.versions = self.alembic / "versions"
        self.chain: list[tuple[str, str]] = [("0001_orders.py", "0001")]

    # -- the edits (each leaves the project in a state it was never in: a step number is written somewhere)

    def add_migration(self) -> str:
        revision = f"r{self.step:04d}"
        down = self.chain[-1][1] if self.chain else None
        upgrade, downgrade = self.rng.choice(BODIES)
        name = f"{revision}_step.py"
        text = migration(revision, down, upgrade.format(n=self.step), downgrade.format(n=self.step))
        (self.versions / name).write_text(text)
        self.chain.append((name, revision))
        return f"add {name}"

    def delete_migration(self) -> str:
        if len(self.chain) < 2:
            return self.add_migration()
        name, _ = self.chain.pop(self.rng.randrange(len(self.chain)))
        (self.versions / name).unlink()
        return f"delete {name}"

    def change_migration(self) -> str:
        index = self.rng.randrange(len(self.chain))
        name, revision = self.chain[index]
        down = self.chain[index - 1][1] if index else None
        upgrade, downgrade = self.rng.choice(BODIES)
        text = migration(revision, down, upgrade.format(n=self.step), downgrade.format(n=self.step))
        (self.versions / name).write_text(text)
        return f"change {name}"

    def rename_migration(self) -> str:
        index = self.rng.randrange(len(self.chain))
        name, revision = self.chain[index]
        renamed = f"{revision}_renamed_{self.step}.py"
        (self.versions / name).rename(self.versions / renamed)
        self.chain[index] = (renamed, revision)
        return f"rename {name}"

    def change_env(self) -> str:
        options = self.rng.choice(("", ', isolation_level="AUTOCOMMIT"', ", transaction_per_migration=True"))
        (self.alembic / "env.py").write_text(
            "from alembic import context\n\n"
            f'context.configure(url=context.config.get_main_option("sqlalchemy.url"){options})\n'
            f"with context.begin_transaction():  # {self.step}\n    context.run_migrations()\n"
        )
        return f"env.py{options}"

    def change_ini(self) -> str:
        url = self.rng.choice(("postgresql://shop@localhost/shop", "mysql://shop@localhost/shop", "sqlite:///shop.db"))
        (self.root / "alembic.ini").write_text(
            f"[alembic]\nscript_location = src/shopapp/db/alembic\nsqlalchemy.url = {url}\n# {self.step}\n"
        )
        return f"alembic.ini {url}"

    def change_pin(self) -> str:
        pins = self.rng.choice(('"sqlalchemy>=2.0"', '"sqlalchemy<2"', '"sqlalchemy>=1.4,<2.1"'))
        alembic = self.rng.choice(('"alembic>=1.13"', '"alembic<1.7"'))
        version = f"1.0.{self.step}"
        self._pyproject(f'[project]\nname = "shopapp"\nversion = "{version}"\ndependencies = [{alembic}, {pins}]\n')
        return f"pins {alembic} {pins}"

    def change_setting(self) -> str:
        setting = self.rng.choice(
            ('downgrades = "forward-only"', 'ignore = ["ALM010"]', "preview = false", 'target-dialects = ["mysql"]')
        )
        self._pyproject(
            f'[project]\nname = "shopapp"\nversion = "1.0.{self.step}"\n'
            f'dependencies = ["alembic>=1.13", "sqlalchemy>=2.0"]\n\n[tool.flake8-alembic]\n{setting}\n'
        )
        return f"setting {setting}"

    def change_application(self) -> str:
        target = self.rng.choice(("settings.py", "services/pricing.py", "db/alembic/helpers.py"))
        path = self.root / "src" / "shopapp" / target
        if target == "settings.py":
            url = self.rng.choice(("mysql://app@db/app", "postgresql://app@db/app"))
            path.write_text(f'DB_SCHEMA = "shop{self.step}"\nDATABASE_URL = "{url}"\n')
        elif target == "services/pricing.py":
            path.write_text(f'DEFAULT_CURRENCY = "E{self.step % 10}R"\n')
        else:
            path.write_text(
                "import sqlalchemy as sa\n\n\ndef audit_columns() -> list[sa.Column]:\n"
                f'    return [sa.Column("created_{self.step}", sa.DateTime())]\n'
            )
        return f"application {target}"

    def new_pyproject_in_folder(self) -> str:
        path = self.alembic / "pyproject.toml"
        if path.exists() and self.rng.random() < 0.5:
            path.unlink()
            return "remove a nested pyproject.toml"
        path.write_text(f'[tool.flake8-alembic]\nextend-ignore = ["ALM00{self.step % 4 + 1}"]\n')
        return "nested pyproject.toml"

    def new_ini_in_folder(self) -> str:
        path = self.root / "src" / "shopapp" / "alembic.ini"
        if path.exists() and self.rng.random() < 0.5:
            path.unlink()
            return "remove a nested alembic.ini"
        url = self.rng.choice(("mysql://x@h/db", "sqlite:///x.db"))
        path.write_text(f"[alembic]\nscript_location = db/alembic\nsqlalchemy.url = {url}\n# {self.step}\n")
        return "nested alembic.ini"

    def state(self) -> str:
        """A digest of every file of the project (the cache folder left out)."""
        digest = hashlib.sha256()
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and ".flake8_alembic_cache" not in path.parts:
                digest.update(f"{path.relative_to(self.root)}\0".encode() + path.read_bytes())
        return digest.hexdigest()

    def _pyproject(self, text: str) -> None:
        (self.root / "pyproject.toml").write_text(text)

    def edits(self) -> list[Callable[[], str]]:
        return [
            self.add_migration,
            self.delete_migration,
            self.change_migration,
            self.rename_migration,
            self.change_env,
            self.change_ini,
            self.change_pin,
            self.change_setting,
            self.change_application,
            self.new_pyproject_in_folder,
            self.new_ini_in_folder,
        ]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def copy_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    return root


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_cached_run_prints_what_a_clean_run_prints_after_any_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    project = Project(root, random.Random(seed))
    edits = project.edits()
    assert run(capsys, *ARGS) == run(capsys, "--no-cache", *ARGS)
    misses = 0
    seen = {project.state()}
    for step in range(1, 25):
        project.step = step
        edit = project.rng.choice(edits)
        what = edit()
        cached = run(capsys, *ARGS)
        # Every migration is in the journal (discovery's listing, its content): a new set of migrations is always a
        # miss. Another file may go unread in the state the project is in (a nested alembic.ini shadows the root
        # one): a hit is then right too, as long as it prints the same.
        if edit.__name__.endswith("_migration") and project.state() not in seen:
            assert runcache.STATS["hit"] is False, what
        seen.add(project.state())
        misses += runcache.STATS["hit"] is False
        assert cached == run(capsys, "--no-cache", *ARGS), what
        again = run(capsys, *ARGS)
        assert runcache.STATS["hit"] is True, (what, runcache.STATS)
        assert runcache.STATS["parsed"] == 0
        assert again == cached, what
    assert misses >= 16


def test_a_hit_never_walks_the_tree_and_a_new_file_where_it_walked_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The journal holds discovery (each folder listed, each file read): a hit re-checks those, never walks."""
    from flake8_alembic import cli

    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    stored = run(capsys, *ARGS)
    walks: list[object] = []
    discover = cli.discover
    monkeypatch.setattr(cli, "discover", lambda *args, **kwargs: walks.append(args) or discover(*args, **kwargs))
    assert run(capsys, *ARGS) == stored and runcache.STATS["hit"] is True
    assert walks == []
    versions = root / "src" / "shopapp" / "db" / "alembic" / "versions"
    (versions / "0009_later.py").write_text(
        '"""later"""\nfrom alembic import op\n\nrevision = "0009"\ndown_revision = "0001"\n\n\n'
        "def upgrade():\n    op.drop_table('orders')\n\n\ndef downgrade():\n    pass\n"
    )
    found = run(capsys, *ARGS)
    assert runcache.STATS["hit"] is False and len(walks) == 1
    assert found == run(capsys, "--no-cache", *ARGS) and "0009_later.py" in found[1]


def test_an_edit_to_a_file_only_discovery_read_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A discovered file no environment reads is in the journal through discovery's read of it."""
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    loose = root / "tests" / "fixtures" / "loose.py"  # the project model reads no fixture folder
    loose.parent.mkdir(parents=True)
    migration = (
        '"""now one"""\nfrom alembic import op\n\nrevision = "77aa"\ndown_revision = None\n\n\n'
        "def upgrade():\n    op.drop_table('orders')\n\n\ndef downgrade():\n    pass\n"
    )
    before = '"""not a migration yet"""\n'
    loose.write_text(before + "#" * (len(migration) - len(before) - 1) + "\n")  # the same size: stat says nothing
    run(capsys, *ARGS, ".")
    assert run(capsys, *ARGS, ".")[1] and runcache.STATS["hit"] is True
    loose.write_text(migration)
    found = run(capsys, *ARGS, ".")
    assert runcache.STATS["hit"] is False
    assert found == run(capsys, "--no-cache", *ARGS, ".")


def test_what_git_newly_ignores_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """git reads its ignore files itself: the journal holds its answer and asks again, so a file ignored since the
    stored run is not reported from the cache."""
    from flake8_alembic import project

    assert project.GIT_CHECK_EVENT == runcache._GIT_CHECK
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60)
    before = run(capsys, *ARGS)
    assert "0001_orders.py" in before[1]
    assert run(capsys, *ARGS) == before and runcache.STATS["hit"] is True
    (root / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("0001_orders.py\n")  # a file this process never opens
    after = run(capsys, *ARGS)
    assert runcache.STATS["hit"] is False
    assert "0001_orders.py" not in after[1] and after == run(capsys, "--no-cache", *ARGS)


def test_an_edited_migration_is_a_miss_that_parses_only_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    project = Project(root, random.Random(0))
    for step in range(3):
        project.step = step
        project.add_migration()
    run(capsys, *ARGS)
    assert runcache.STATS["stored"] is True
    run(capsys, *ARGS)
    assert runcache.STATS["hit"] is True
    head = project.versions / project.chain[-1][0]
    head.write_text(head.read_text() + "\n# edited\n")
    run(capsys, *ARGS)
    assert runcache.STATS["hit"] is False and runcache.STATS["parsed"] == 1


def edit_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    assert len(old) == len(new)
    status = path.stat()
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size and path.stat().st_mtime_ns == status.st_mtime_ns


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        ("alembic.ini", "postgresql://shop@localhost/shop", "mysql://shop@localhost/shopxxxxx"),
        ("src/shopapp/settings.py", '"shop"', '"shoq"'),
        ("src/shopapp/db/alembic/env.py", "run_migrations()", "run_migrationz()"),
        ("pyproject.toml", "sqlalchemy>=2.0", "sqlalchemy<2.00"),
    ],
)
def test_a_same_size_edit_with_the_mtime_restored_is_still_a_miss(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    relative: str,
    old: str,
    new: str,
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    run(capsys, *ARGS)
    run(capsys, *ARGS)
    assert runcache.STATS["hit"] is True
    edit_keeping_size_and_mtime(root / relative, old, new)
    cached = run(capsys, *ARGS)
    assert runcache.STATS["hit"] is False
    assert cached == run(capsys, "--no-cache", *ARGS)


def database(root: Path) -> Path:
    return root / ".flake8_alembic_cache" / runcache.DATABASE


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "a-directory", "wrong-table", "bad-payload"])
def test_a_broken_database_means_a_normal_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    expected = run(capsys, "--no-cache", *ARGS)
    assert run(capsys, *ARGS) == expected
    path = database(root)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(random.Random(7).randbytes(len(data)))
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "a-directory":
        path.unlink()
        path.mkdir()
    elif damage == "wrong-table":
        path.unlink()
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE runs (key TEXT, other TEXT)")
        connection.close()
    else:
        with sqlite3.connect(path) as connection:
            for key, payload in connection.execute("SELECT key, payload FROM runs").fetchall():
                entry = json.loads(payload)
                entry["report"]["findings"] = [["not", "a", "finding"]]
                connection.execute("UPDATE runs SET payload = ? WHERE key = ?", (json.dumps(entry), key))
        connection.close()
    assert run(capsys, *ARGS) == expected
    assert runcache.STATS["hit"] is False
    assert run(capsys, *ARGS) == expected
    # A database that is no database, or not ours, is replaced by a new one; a folder in its place is left alone.
    assert runcache.STATS["hit"] is (damage != "a-directory")


def test_a_tampered_journal_entry_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    expected = run(capsys, *ARGS)
    with sqlite3.connect(database(root)) as connection:
        key, payload = connection.execute("SELECT key, payload FROM runs").fetchone()
        entry = json.loads(payload)
        entry["report"]["findings"] = []
        entry["journal"] = [[kind, path, "0" * 64 if kind == "f" else value] for kind, path, value in entry["journal"]]
        connection.execute("UPDATE runs SET payload = ? WHERE key = ?", (json.dumps(entry), key))
    connection.close()
    assert run(capsys, *ARGS) == expected
    assert runcache.STATS["hit"] is False


def test_a_locked_database_means_a_normal_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(runcache, "READ_TIMEOUT", 0.05)
    monkeypatch.setattr(runcache, "WRITE_TIMEOUT", 0.05)
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    expected = run(capsys, "--no-cache", *ARGS)
    run(capsys, *ARGS)
    locker = sqlite3.connect(database(root), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        for _ in range(2):
            assert run(capsys, *ARGS) == expected
            assert runcache.STATS["hit"] is False and runcache.STATS["stored"] is False
        assert run(capsys, "--output-format", "json") == run(capsys, "--no-cache", "--output-format", "json")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert run(capsys, *ARGS) == expected
    assert runcache.STATS["hit"] is True


@pytest.mark.parametrize(
    "extra", [("--no-cache",), ("--changed-since", "HEAD"), ("--add-noqa",), ("--show-settings",), ("--statistics",)]
)
def test_what_is_never_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    run(capsys, *extra)
    rows = 0
    if database(root).is_file():
        with sqlite3.connect(database(root)) as connection:
            rows = connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        connection.close()
    assert rows == (1 if extra == ("--statistics",) else 0)


def test_the_database_keeps_the_newest_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    migration = root / "src" / "shopapp" / "db" / "alembic" / "versions" / "0001_orders.py"
    original = migration.read_text()
    for index in range(3):  # the same request after an edit: its one entry is replaced by the newest run
        migration.write_text(f"{original}# {index}\n")
        run(capsys, *ARGS)
        assert runcache.STATS["stored"] is True
    with sqlite3.connect(database(root)) as connection:
        assert connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    connection.close()
    for index in range(runcache.KEEP_RUNS + 3):  # a new request key each time (an entry per key: the newest)
        run(capsys, *ARGS, "--extend-exclude", f"nothing-{index}")
        assert runcache.STATS["stored"] is True
    with sqlite3.connect(database(root)) as connection:
        assert connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == runcache.KEEP_RUNS
    connection.close()
    run(capsys, *ARGS, "--extend-exclude", f"nothing-{runcache.KEEP_RUNS + 2}")
    assert runcache.STATS["hit"] is True


def test_a_run_cache_hit_imports_no_engine(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    script = (
        "import sys, io; from flake8_alembic import cli, runcache; cli.main(['check', '--quiet'], io.StringIO()); "
        "print(runcache.STATS['hit'], sorted(m for m in sys.modules if m.startswith('flake8_alembic')))"
    )
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120, check=True
        )
    hit, modules = result.stdout.split(" ", 1)
    assert hit == "True"
    for heavy in ("engine", "parse", "rules", "history", "facts", "cache", "noqa", "selection"):
        assert f"'flake8_alembic.{heavy}'" not in modules, modules


def test_concurrent_runs_never_corrupt_the_database_or_mix_results(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    project = Project(root, random.Random(5))
    formats = ("concise", "json", "full", "pylint")
    command = [sys.executable, "-m", "flake8_alembic", "check", "--preview", "--output-format"]

    def expected(output_format: str) -> str:
        clean = subprocess.run(
            [*command, output_format, "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120
        )
        return clean.stdout

    for step in range(3):
        project.step = step
        project.add_migration()
        references = {output_format: expected(output_format) for output_format in formats}
        for _ in range(2):
            processes = [
                (
                    output_format,
                    subprocess.Popen(
                        [*command, output_format], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    ),
                )
                for output_format in formats
            ]
            for output_format, process in processes:
                out, err = process.communicate(timeout=120)
                assert "Traceback" not in err and "internal error" not in err, err
                assert out == references[output_format], output_format
    with sqlite3.connect(database(root)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0] >= 1
    connection.close()


def test_the_request_key_does_not_depend_on_the_hash_seed() -> None:
    options = {"select": frozenset({"ALM001", "ALM002", "ALM003"}), "paths": ["."], "quiet": True}
    keys = set()
    for seed in ("1", "2", "3"):
        script = (
            "from flake8_alembic import runcache; "
            f"print(runcache.request_key({options!r}, '/x', {{'FLAKE8_ALEMBIC_X': '1', 'HOME': '/h'}}))"
        )
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True, timeout=60
        )
        keys.add(result.stdout)
    assert len(keys) == 1
    base = runcache.request_key(options, "/x", {})
    assert runcache.request_key(options, "/x", {"FLAKE8_ALEMBIC_CACHE_DIR": "/c"}) != base
    assert runcache.request_key(options, "/x", {"HOME": "/elsewhere"}) == base
    assert runcache.request_key(options, "/y", {}) != base
    assert runcache.request_key({**options, "paths": ["src"]}, "/x", {}) != base


def test_a_python_whose_stats_bypass_the_wrappers_is_never_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.9-3.10's pathlib captured os.stat at import (a later realpath may capture lstat): the probe sees
    that the wrappers are not reached, and the run is marked uncacheable instead of journaling too little."""
    captured = runcache._ORIGINAL_LSTAT

    def realpath_with_a_captured_lstat(path: str) -> str:
        with contextlib.suppress(OSError):
            captured(path)
        return path

    reached = runcache.Journal()
    with runcache.recording(reached):
        assert reached.problem is None and not reached.entries, "the probe leaves nothing behind when it passes"
    monkeypatch.setattr(os.path, "realpath", realpath_with_a_captured_lstat)
    bypassed = runcache.Journal()
    with runcache.recording(bypassed):
        assert bypassed.problem is not None and "does not reach the journal" in bypassed.problem


def test_both_caches_share_one_folder_name() -> None:
    from flake8_alembic import cache

    assert runcache.CACHE_FOLDER_NAME == cache.CACHE_FOLDER
