"""What a resident process keeps between runs (``resident``): a run with it prints exactly what a run in a process
of its own prints, after any edit of any input, and it is reused only where the inputs are the same (an edit of the
newest migration parses one file and replays one revision; an edit of an older one replays what descends from it)."""

from __future__ import annotations

import io
import os
import random
import time
from pathlib import Path

import pytest

from flake8_alembic import runcache
from flake8_alembic.cli import main
from flake8_alembic.resident import Resident

from .test_runcache import ARGS, Project, copy_project


def run_here(arguments: list[str], resident: Resident | None = None) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["check", *arguments], out, resident=resident)
    return code, out.getvalue()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_resident_run_prints_what_a_fresh_process_prints_after_any_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # --no-cache: the run cache and the summary folder stay out, so what is tested is the resident memory alone.
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    project = Project(root, random.Random(seed))
    edits = project.edits()
    resident = Resident()
    arguments = ["--no-cache", *ARGS]
    assert run_here(arguments, resident) == run_here(arguments)
    for step in range(1, 25):
        project.step = step
        what = project.rng.choice(edits)()
        assert run_here(arguments, resident) == run_here(arguments), what
        assert run_here(arguments, resident) == run_here(arguments), f"{what}, again"
    assert resident.summaries and resident.infos and resident.replay_steps.steps


def test_an_edit_of_the_newest_migration_parses_one_file_and_replays_one_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    project = Project(root, random.Random(0))
    for step in range(6):
        project.step = step
        project.add_migration()
    resident = Resident()
    run_here(list(ARGS), resident)
    steps = resident.replay_steps.computed
    assert steps == 7  # one per revision (one set of target dialects)
    run_here(list(ARGS), resident)  # a run cache hit: nothing replayed
    assert runcache.STATS["hit"] is True and resident.replay_steps.computed == steps
    head = project.versions / project.chain[-1][0]
    head.write_text(head.read_text() + "\n# edited\n")
    run_here(list(ARGS), resident)
    assert runcache.STATS["hit"] is False and runcache.STATS["parsed"] == 1
    assert resident.replay_steps.computed == steps + 1
    middle = project.versions / project.chain[3][0]  # revisions 3, 4, 5 and 6 descend from it
    middle.write_text(middle.read_text() + "\n# edited\n")
    run_here(list(ARGS), resident)
    assert runcache.STATS["parsed"] == 1
    assert resident.replay_steps.computed == steps + 1 + 4


def test_a_file_known_by_its_stat_is_not_read_again_but_a_same_size_edit_with_the_mtime_restored_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flake8_alembic import reading

    from .test_runcache import edit_keeping_size_and_mtime

    monkeypatch.setattr(reading, "RACY_SECONDS", 0.05)
    read: list[str] = []
    remember = reading.RunFiles._read_and_remember

    def counted(self: reading.RunFiles, path: str, *args: object) -> bytes:
        read.append(os.path.basename(path))
        return remember(self, path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(reading.RunFiles, "_read_and_remember", counted)
    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    project = Project(root, random.Random(0))
    for step in range(6):
        project.step = step
        project.add_migration()
    head = project.versions / project.chain[-1][0]
    arguments = [str(head), *ARGS]
    resident = Resident()
    run_here(arguments, resident)
    time.sleep(0.2)  # the files were just written: read racily, not trusted yet
    head.write_text(head.read_text() + "\n# a miss of the run cache: the files are read again\n")
    run_here(arguments, resident)
    time.sleep(0.2)
    read.clear()
    head.write_text(head.read_text() + "\n# edited\n")
    assert run_here(arguments, resident) == run_here(arguments)
    assert read == []  # the head is discovery's to read; every other file is known by its stat
    middle = project.versions / project.chain[3][0]
    edit_keeping_size_and_mtime(middle, "branch_labels = None", "branch_labels = 'xy'")
    assert run_here(arguments, resident) == run_here(arguments)
    assert read == [middle.name]


def test_the_same_folders_configured_or_found_are_different_environments(tmp_path: Path) -> None:
    from flake8_alembic.history import HistoryCache, Locations

    root = copy_project(tmp_path)
    folder = root / "src" / "shopapp" / "db" / "alembic" / "versions"
    built: dict = {}  # type: ignore[type-arg]
    found = HistoryCache(by_content={}, built=built)._build(Locations((folder,), True, configured=False), root)
    configured = HistoryCache(by_content={}, built=built)._build(Locations((folder,), True, configured=True), root)
    assert [environment.configured for environment in found] == [False]
    assert [environment.configured for environment in configured] == [True]  # not the found folder's, remembered
