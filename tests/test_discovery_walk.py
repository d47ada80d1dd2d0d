"""files._walk asks ``excluded`` with each child's relative path instead of resolving it: it must find exactly what
resolving every path (the previous walk, kept here as the reference) finds, symlinks and path patterns included."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from flake8_alembic.files import DEFAULT_EXCLUDES, _walk, excluded


def reference_walk(folder: Path, excludes: Sequence[str], root: Path) -> Iterable[Path]:
    seen: set[str] = set()
    for current, subfolders, names in os.walk(folder, followlinks=False):
        real = os.path.realpath(current)
        if real in seen:
            subfolders[:] = []
            continue
        seen.add(real)
        subfolders[:] = sorted(name for name in subfolders if not excluded(Path(current) / name, excludes, root))
        for name in sorted(names):
            if name.endswith(".py"):
                candidate = Path(current) / name
                if not excluded(candidate, excludes, root):
                    yield candidate


def make_tree(root: Path) -> None:
    for relative in (
        "app/models.py",
        "app/versions/0001_a.py",
        "app/versions/0002_b.py",
        "app/versions/notes.txt",
        "app/build/generated.py",
        "plugins/billing/versions/0001_c.py",
        "plugins/billing/skip_me/x.py",
        ".hidden/y.py",
        "outside/z.py",
    ):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    (root / "app" / "linked_versions").symlink_to(root / "app" / "versions", target_is_directory=True)
    (root / "app" / "versions" / "linked.py").symlink_to(root / "outside" / "z.py")
    (root / "plugins" / "loop").symlink_to(root / "plugins", target_is_directory=True)
    (root / "app" / "dangling.py").symlink_to(root / "missing.py")


@pytest.mark.parametrize(
    "excludes",
    [
        DEFAULT_EXCLUDES,
        (*DEFAULT_EXCLUDES, "plugins/billing/skip_me", "app/versions/0002_*.py"),
        (*DEFAULT_EXCLUDES, "outside", "*.py"),
        (*DEFAULT_EXCLUDES, "app/linked_versions", ".hidden"),
        (),
    ],
)
@pytest.mark.parametrize("start", [".", "app", "plugins"])
def test_the_walk_finds_what_resolving_every_path_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, excludes: tuple[str, ...], start: str
) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    for root in (tmp_path, tmp_path / "app"):
        assert list(_walk(Path(start), excludes, root)) == list(reference_walk(Path(start), excludes, root))
        assert list(_walk(tmp_path / start, excludes, root)) == list(reference_walk(tmp_path / start, excludes, root))
