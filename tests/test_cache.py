"""The per-file summary cache: a hit, a miss, invalidation, corrupt entries, concurrent writers, --no-cache, and
output that is byte for byte the same warm as cold."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from flake8_alembic import cache as summary_cache
from flake8_alembic.cache import (
    CACHE_FOLDER,
    MISS,
    DiskCache,
    SummaryStore,
    content_digest,
    decode,
    encode,
    layout_digest,
    summary_records,
)
from flake8_alembic.cli import main
from flake8_alembic.parse.module import Migration, ParseFailure, parse_source

FIXTURES = Path(__file__).parent / "fixtures"
HISTORIES = FIXTURES / "histories"
MIGRATION = b'''"""Add a column"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.add_column("t", sa.Column("c", sa.String(36), nullable=False))


def downgrade():
    op.drop_column("t", "c")
'''


def _fixture_files() -> list[Path]:
    return sorted(FIXTURES.rglob("*.py"))


def test_every_fixture_summary_survives_the_round_trip() -> None:
    """Encoding is generic over the dataclasses: every record the fixtures produce comes back equal, including the
    fields that take no part in equality (a type's display name)."""
    checked = 0
    for path in _fixture_files():
        original = parse_source(str(path), path.read_bytes())
        if original is None:
            continue
        text = json.dumps(encode(original))
        restored = decode(json.loads(text))
        assert restored == original, path
        assert _canonical(encode(restored)) == _canonical(encode(original)), path
        checked += 1
    assert checked > 100


def _canonical(value: object) -> object:
    """The encoded form with set members in a fixed order (a set's iteration order is not part of its value)."""
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        items = {key: _canonical(item) for key, item in value.items()}
        if "f" in items and isinstance(items["f"], list):
            items["f"] = sorted(items["f"], key=json.dumps)
        return items
    return value


def test_the_records_are_found_from_the_annotations() -> None:
    records = summary_records(Migration, ParseFailure)
    names = {name.rsplit(".", 1)[1] for name in records}
    assert {"Migration", "Operation", "ColumnSpec", "TypeRef", "Frame", "ImportRecord", "ParseFailure"} <= names


@dataclass(frozen=True)
class _Old:
    name: str


@dataclass(frozen=True)
class _New:
    name: str
    added: int = 0


def test_a_field_added_changes_the_layout_digest() -> None:
    assert layout_digest({"x": _Old}) != layout_digest({"x": _New})
    assert layout_digest() == layout_digest(summary_records(Migration, ParseFailure))


def test_unknown_values_are_not_stored(tmp_path: Path) -> None:
    with pytest.raises(summary_cache.CacheFormatError):
        encode(object())
    disk = DiskCache(tmp_path / CACHE_FOLDER, "g")
    disk.save("0" * 40, Migration.__new__(Migration))  # a record with no fields set cannot be encoded
    assert not list((tmp_path / CACHE_FOLDER / "g").glob("*.json"))


def stored(folder: Path, generation: str, source: bytes = MIGRATION) -> SummaryStore:
    """A run that summarises one file and writes its pack, as the command does at its end."""
    store = SummaryStore(DiskCache(folder, generation))
    store.summary("a1.py", source)
    assert store.disk is not None
    store.disk.flush()
    return store


def test_hit_miss_and_invalidation_by_content(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_FOLDER
    first = SummaryStore(DiskCache(folder, "g"))
    cold = first.summary("versions/a1.py", MIGRATION)
    assert first.parsed == 1
    assert first.disk is not None and not folder.exists()  # nothing is written before the end of the run
    assert first.disk.flush() == 1
    assert len(list((folder / "g").glob("pack-*.jsonl"))) == 1
    warm_store = SummaryStore(DiskCache(folder, "g"))
    warm = warm_store.summary("elsewhere/a1.py", MIGRATION)
    assert warm_store.parsed == 0
    assert isinstance(warm, Migration) and isinstance(cold, Migration)
    assert warm.path == os.path.abspath("elsewhere/a1.py")  # keyed by content: the path is the reader's
    assert warm.operations == cold.operations
    changed = warm_store.summary("elsewhere/a1.py", MIGRATION.replace(b'"c"', b'"d"'))
    assert warm_store.parsed == 1
    assert isinstance(changed, Migration) and changed.operations != cold.operations


def test_invalidation_by_version(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_FOLDER
    stored(folder, "version-1")
    other = SummaryStore(DiskCache(folder, "version-2"))
    other.summary("a1.py", MIGRATION)
    assert other.parsed == 1
    # A pack copied under another version's folder still names its own version in each entry: a miss.
    digest = content_digest(MIGRATION)
    (folder / "version-3").mkdir()
    for pack in (folder / "version-1").glob("pack-*.jsonl"):
        shutil.copy(pack, folder / "version-3" / pack.name)
    assert DiskCache(folder, "version-3").load(digest, "a1.py") is MISS


def test_the_fingerprint_names_tool_python_and_layout() -> None:
    assert summary_cache.fingerprint() == summary_cache.fingerprint()
    assert len(summary_cache.fingerprint()) == 20


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b'{"key": [1, "g", "x"], "summary": {"r": "Migration", "v": [1, 2]}}',
        b"\x80\x04\x95 pickle",
        b'{"key": null}',
        b"[1, 2, 3]",
        b'{"key": KEY, "summary": {"r": "os.system", "v": ["echo owned"]}}',
        b'{"key": KEY, "summary": {"r": "flake8_alembic.parse.module.Migration", "v": [1]}}',
        b'{"key": KEY, "summary": {"zz": 1}}',
        b'{"key": KEY, "summary": {"d": [[1]]}}',
        b'{"key": KEY, "summary": 7}',
        b'{"key": KEY, "summary": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
@pytest.mark.parametrize("where", ["entry", "pack"])
def test_a_corrupt_entry_is_a_miss(tmp_path: Path, content: bytes, where: str) -> None:
    folder = tmp_path / CACHE_FOLDER
    expected = SummaryStore(DiskCache(folder, "unused")).summary("a1.py", MIGRATION)
    digest = content_digest(MIGRATION)
    key = json.dumps([summary_cache.FORMAT, "g", digest]).encode()
    (folder / "g").mkdir(parents=True)
    planted = content.replace(b"KEY", key)
    if where == "entry":
        (folder / "g" / f"{digest}.json").write_bytes(planted)
    else:
        (folder / "g" / "pack-0123456789abcdef.jsonl").write_bytes(b"junk\n" + digest.encode() + b"\t" + planted)
    assert DiskCache(folder, "g").load(digest, "a1.py") is MISS
    again = SummaryStore(DiskCache(folder, "g"))
    assert again.summary("a1.py", MIGRATION) == expected
    assert again.parsed == 1


def test_a_truncated_entry_is_a_miss(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_FOLDER
    stored(folder, "g")
    (entry,) = (folder / "g").glob("pack-*.jsonl")
    entry.write_bytes(entry.read_bytes()[:-40])
    store = SummaryStore(DiskCache(folder, "g"))
    assert isinstance(store.summary("a1.py", MIGRATION), Migration)
    assert store.parsed == 1


WRITER = """
import sys
from flake8_alembic.cache import DiskCache, SummaryStore
from pathlib import Path
source = Path(sys.argv[2]).read_bytes()
for _ in range(60):
    store = SummaryStore(DiskCache(Path(sys.argv[1]), "g"))
    store.disk.load = lambda digest, path: __import__("flake8_alembic.cache").cache.MISS  # always write
    store.summary("a1.py", source)
    store.disk.flush()
"""


def test_concurrent_writers_of_the_same_key(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_FOLDER
    source = tmp_path / "a1.py"
    source.write_bytes(MIGRATION)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(source)], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    readers_hit = 0
    for _ in range(200):
        result = DiskCache(folder, "g").load(content_digest(MIGRATION), "a1.py")
        readers_hit += result is not MISS
        assert result is MISS or isinstance(result, Migration)
    for writer in writers:
        _, error = writer.communicate(timeout=120)
        assert writer.returncode == 0, error.decode()
    assert isinstance(DiskCache(folder, "g").load(content_digest(MIGRATION), "a1.py"), Migration)
    assert not [name for name in os.listdir(folder / "g") if name.startswith(".tmp")]  # no temporary file left
    assert len(list((folder / "g").glob("pack-*.jsonl"))) <= summary_cache.MAX_PACKS + 1  # merged as they pile up


def test_the_cache_folder_holds_a_gitignore(tmp_path: Path) -> None:
    stored(tmp_path / CACHE_FOLDER, "g")
    assert (tmp_path / CACHE_FOLDER / ".gitignore").read_text().splitlines()[-1] == "*"


def test_old_generations_are_pruned(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_FOLDER
    for index in range(summary_cache.KEEP_GENERATIONS + 3):
        stored(folder, f"g{index}")
    generations = [entry for entry in folder.iterdir() if entry.is_dir()]
    assert len(generations) == summary_cache.KEEP_GENERATIONS + 1


def test_unused_entries_are_pruned_when_they_pile_up(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_FOLDER
    (folder / "g").mkdir(parents=True)
    for index in range(400):
        (folder / "g" / f"{index:040x}.json").write_text("{}")
    disk = DiskCache(folder, "g")
    SummaryStore(disk).summary("a1.py", MIGRATION)
    assert disk.prune() == 400  # writes the run's pack first
    assert [path.suffix for path in (folder / "g").iterdir()] == [".jsonl"]


def test_packs_are_merged_as_runs_pile_them_up(tmp_path: Path) -> None:
    folder = tmp_path / CACHE_FOLDER
    for index in range(summary_cache.MAX_PACKS + 3):
        store = SummaryStore(DiskCache(folder, "g"))
        store.summary("a1.py", MIGRATION)  # a hit after the first run: only the new file is written
        store.summary("b1.py", MIGRATION.replace(b'"c"', f'"c{index}"'.encode()))
        assert store.disk is not None
        store.disk.flush()
    packs = list((folder / "g").glob("pack-*.jsonl"))
    assert len(packs) <= summary_cache.MAX_PACKS + 1
    last = SummaryStore(DiskCache(folder, "g"))
    last.summary("a1.py", MIGRATION)
    assert last.parsed == 0


# ------------------------------------------------------------------------------------------------ the command


def _project(tmp_path: Path, history: str) -> Path:
    project = tmp_path / history
    shutil.copytree(HISTORIES / history, project)
    (project / "pyproject.toml").write_text("")
    return project


def _run(project: Path, *arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(project)
    try:
        code = main(["check", "--output-format", "json", *arguments], stdout=out)
    finally:
        os.chdir(cwd)
    return code, out.getvalue()


@pytest.mark.parametrize("history", sorted(path.name for path in HISTORIES.iterdir() if path.is_dir()))
def test_warm_output_is_byte_identical_to_cold(tmp_path: Path, history: str) -> None:
    project = _project(tmp_path, history)
    uncached = _run(project, "--no-cache", ".")
    assert not (project / CACHE_FOLDER).exists()
    cold = _run(project, ".")
    warm = _run(project, ".")
    assert uncached == cold == warm
    if any(project.rglob("versions/*.py")):
        assert (project / CACHE_FOLDER / ".gitignore").is_file()


@pytest.mark.parametrize("code", ["ALM001", "ALM002", "ALM004", "ALM006"])
def test_warm_output_on_fixture_files_is_byte_identical(tmp_path: Path, code: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / code, project / "versions")
    (project / "pyproject.toml").write_text("")
    uncached = _run(project, "--no-cache", "--extend-select", "ALM", ".")
    assert _run(project, ".", "--extend-select", "ALM") == uncached
    assert _run(project, ".", "--extend-select", "ALM") == uncached


def test_no_cache_and_the_setting_write_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path, "linear_healthy")
    _run(project, "--no-cache", ".")
    _run(project, "--cache", "false", ".")
    assert not (project / CACHE_FOLDER).exists()
    (project / "pyproject.toml").write_text("[tool.flake8-alembic]\ncache = false\n")
    _run(project, ".")
    assert not (project / CACHE_FOLDER).exists()
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(project)
    try:
        main(["check", "--show-settings"], stdout=out)
    finally:
        os.chdir(cwd)
    assert re.search(r"^cache = false +# set in .*pyproject.toml$", out.getvalue(), re.MULTILINE)


def test_the_flake8_plugin_caches_unless_told_not_to(tmp_path: Path) -> None:
    project = _project(tmp_path, "linear_healthy")
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "ALM", "versions"]
    subprocess.run([*command, "--alembic-cache=false"], cwd=project, capture_output=True, timeout=120, check=False)
    assert not (project / CACHE_FOLDER).exists()
    subprocess.run(command, cwd=project, capture_output=True, timeout=120, check=False)
    assert (project / CACHE_FOLDER / ".gitignore").is_file()


def test_a_read_only_project_is_linted_without_a_cache(tmp_path: Path) -> None:
    project = _project(tmp_path, "linear_healthy")
    expected = _run(project, "--no-cache", ".")
    project.chmod(0o555)
    try:
        assert _run(project, ".") == expected
    finally:
        project.chmod(0o755)


# --------------------------------------------------------------------------------------------------
# The process pool of a cold run
# --------------------------------------------------------------------------------------------------


def _fixture_sources() -> list[tuple[str, bytes]]:
    return [(str(path), path.read_bytes()) for path in _fixture_files()]


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_the_pool_summarises_what_one_process_does(start_method: str) -> None:
    """Workers get bytes and return summaries equal to this process's own; the store then parses nothing."""
    sources = _fixture_sources()
    alone = SummaryStore()
    expected = {path: alone.summary(path, source) for path, source in sources}
    assert alone.parsed >= summary_cache.POOL_MIN_FILES
    pooled = SummaryStore()
    done = pooled.summarise_in_pool(sources, 2, start_method)
    assert done == alone.parsed and pooled.parsed == done
    assert {path: pooled.summary(path, source) for path, source in sources} == expected
    assert pooled.parsed == done, "every summary came from the pool"


def test_no_pool_for_one_job_or_a_handful_of_files() -> None:
    sources = _fixture_sources()
    store = SummaryStore()
    assert store.summarise_in_pool(sources, 1) == 0 and store.parsed == 0
    assert store.summarise_in_pool(sources[: summary_cache.POOL_MIN_FILES // 4], 2) == 0 and store.parsed == 0


def test_a_cold_run_prints_the_same_with_and_without_the_pool(tmp_path: Path) -> None:
    """The command line, in a subprocess (the platform's own start method): -j2 and -j1 agree."""
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "poolside"\n')
    for index, (path, source) in enumerate(_fixture_sources()):
        (versions / f"m{index:03d}_{Path(path).name}").write_bytes(source)
    outputs = [
        subprocess.run(
            [sys.executable, "-m", "flake8_alembic", "check", "--no-cache", "--preview", "-j", jobs, "."],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
        for jobs in ("1", "2")
    ]
    assert outputs[0].stdout == outputs[1].stdout and outputs[0].returncode == outputs[1].returncode
    assert "Traceback" not in outputs[1].stderr and outputs[1].stdout.count("ALM") > 10
