"""Which files the standalone command reads: paths given, or the project's Alembic environments.

Like ruff: folders are walked recursively, skipping default excludes, ``exclude``/``extend-exclude`` patterns and
what ``.gitignore`` ignores; a file passed explicitly is always read unless ``--force-exclude`` applies the
excludes to it too (what pre-commit needs).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Final, Optional

from . import project
from .locations import configured_locations

DEFAULT_EXCLUDES: Final = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    ".flake8_alembic_cache",
)
MAX_FILES: Final = 200_000


class PathError(Exception):
    """A path that cannot be read, worded for one line on stderr."""


def excluded(path: Path, patterns: Sequence[str], root: Path) -> bool:
    """Whether a path or any of its folders matches an exclude pattern (a name or a glob relative to root)."""
    try:
        relative = path.resolve().relative_to(_resolved(root)).as_posix()
    except (ValueError, OSError):
        relative = path.as_posix()
    return _matches(relative, patterns)


def _matches(relative: str, patterns: Sequence[str]) -> bool:
    """Whether a path relative to the root (``/``-separated), or any of its folders, matches a pattern."""
    names, paths = _matchers(tuple(patterns))
    parts = relative.split("/")
    if names is not None and any(names(part) for part in parts):
        return True
    if paths is not None:
        return paths(relative) is not None or any(paths("/".join(parts[: index + 1])) for index in range(len(parts)))
    return False


@functools.lru_cache(maxsize=64)
def _resolved(root: Path) -> Path:
    return root.resolve()


_Matcher = Callable[[str], Optional["re.Match[str]"]]


@functools.lru_cache(maxsize=64)
def _matchers(patterns: tuple[str, ...]) -> tuple[_Matcher | None, _Matcher | None]:
    """One compiled regex for the name patterns and one for the path patterns (a folder walk asks thousands of
    times; matching each pattern with fnmatch one by one was a third of the standalone command's time)."""
    cleaned = [pattern.rstrip("/") for pattern in patterns]
    names = [fnmatch.translate(os.path.normcase(p)) for p in cleaned if "/" not in p]
    paths = [fnmatch.translate(os.path.normcase(p)) for p in cleaned if "/" in p]
    return (
        re.compile("|".join(names)).match if names else None,
        re.compile("|".join(paths)).match if paths else None,
    )


def discover(
    paths: Sequence[str], excludes: Sequence[str], force_exclude: bool, root: Path
) -> tuple[list[Path], list[Path]]:
    """(python files to read, files passed explicitly). Raises PathError for a path that does not exist."""
    files: list[Path] = []
    explicit: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise PathError(f"path not found: {given}")
        if path.is_file():
            if force_exclude and excluded(path, excludes, root):
                continue
            files.append(path)
            explicit.append(path)
        elif path.is_dir():
            files.extend(_walk(path, excludes, root))
        else:
            raise PathError(f"not a file or folder: {given}")
    return _not_git_ignored(_unique(files), root), explicit


def default_paths(cwd: Path, excludes: Sequence[str]) -> list[str]:
    """No path given: the version locations alembic.ini / [tool.alembic] name, else every versions folder below."""
    ini = project.find_alembic_ini(cwd)
    root = project.find_project_root(cwd)
    pyproject = root / "pyproject.toml"
    configured = configured_locations(ini, pyproject if pyproject.is_file() else None)
    if configured is not None:
        return [str(folder) for folder in configured.folders if folder.is_dir()]
    found = []
    for folder, subfolders, _ in os.walk(cwd):
        subfolders[:] = sorted(name for name in subfolders if not excluded(Path(folder) / name, excludes, cwd))
        if Path(folder).name == "versions":
            found.append(folder)
            subfolders[:] = []
    return found


def _walk(folder: Path, excludes: Sequence[str], root: Path) -> Iterable[Path]:
    """The python files under a folder, as ``os.walk(folder)`` visits them (top-down, names sorted, symlinked
    folders listed but not entered, a folder reached twice walked once), minus what ``excluded`` says.

    A child that is no symlink resolves to its folder's resolved path plus its name, so ``excluded`` is asked with
    that relative path directly: resolving every file and folder (an ``lstat`` per path component) was most of a
    walk's time."""
    seen: set[str] = set()
    base = _resolved(root)
    pending: list[Path] = [folder]
    while pending:
        current = pending.pop()
        real = os.path.realpath(current)
        if real in seen:
            continue
        seen.add(real)
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError:
            continue
        try:
            within: str | None = Path(real).relative_to(base).as_posix()
        except ValueError:
            within = None
        folders: list[os.DirEntry[str]] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            (folders if is_folder else files).append(entry)

        for entry in sorted(files, key=lambda entry: entry.name):
            if entry.name.endswith(".py") and not _skipped(current, within, entry, excludes, root):
                yield current / entry.name
        kept = sorted(
            (entry for entry in folders if not _skipped(current, within, entry, excludes, root)),
            key=lambda entry: entry.name,
        )
        pending.extend(current / entry.name for entry in reversed(kept) if not _is_symlink(entry))


def _skipped(current: Path, within: str | None, entry: os.DirEntry[str], excludes: Sequence[str], root: Path) -> bool:
    """``excluded(current / entry.name)``, without resolving the path when ``within`` (the resolved ``current``
    relative to the root) says where it is and the entry is no symlink."""
    if within is None or _is_symlink(entry):
        return excluded(current / entry.name, excludes, root)
    return _matches(entry.name if within == "." else f"{within}/{entry.name}", excludes)


def _is_symlink(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True


def _unique(files: list[Path]) -> list[Path]:
    seen: set[str] = set()
    unique = []
    for path in files:
        key = os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique[:MAX_FILES]


def _not_git_ignored(files: list[Path], root: Path) -> list[Path]:
    """Drop what git ignores; everything when git is not there."""
    if not files or not (root / ".git").exists():
        return files
    asked = [str(path) for path in files]
    ignored = project.git_ignored(asked, str(root))
    sys.audit(project.GIT_CHECK_EVENT, str(root), tuple(asked), ignored)
    if ignored is None:
        return files
    return [path for path in files if os.path.abspath(path) not in ignored]


def changed_since(reference: str, root: Path) -> set[str]:
    """Absolute paths of files added or changed since a git ref (committed, staged, unstaged or untracked)."""
    import subprocess

    commands = (
        ["git", "diff", "--name-only", "-z", reference, "--"],
        ["git", "ls-files", "-z", "--others", "--exclude-standard"],
    )
    changed: set[str] = set()
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, cwd=root)
    except OSError as error:
        raise PathError(f"--changed-since needs git: {error.strerror or error}") from None
    if top.returncode != 0:
        raise PathError(f"--changed-since needs a git repository: {_last_line(top.stderr) or 'not a git repository'}")
    base = Path(top.stdout.strip())
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True, cwd=base)
        if result.returncode != 0:
            raise PathError(f"--changed-since {reference}: {_last_line(result.stderr) or 'git failed'}")
        changed.update(os.path.abspath(base / name) for name in result.stdout.split("\0") if name)
    return changed


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
