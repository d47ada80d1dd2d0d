"""The run-result cache of ``flake8-alembic check``: a whole run's report, reused while every input it read is
unchanged.

A run's inputs are of two kinds. Those known before it reads a file make up the **request key**, a sha256 of: the
linter's code (every file of the package, the Python version), the parsed command line, the working folder and
the ``FLAKE8_ALEMBIC_*`` environment variables. Everything the run read (discovery's folder listings and the
files it found, configuration files, env.py, alembic.ini, pins, the application modules the project facts read,
the version files of a history, the paths it tested for existence, what ``git check-ignore`` answered) is its
**input journal**, recorded while the run happens, so a hit re-checks the journal and never walks the tree:

- an audit hook (``sys.addaudithook``; it cannot be removed, so it returns at once unless a run is recording)
  sees every ``open`` (the file is hashed before the run reads it), ``os.listdir`` and ``os.scandir`` (the folder's
  sorted names and entry types are hashed) outside the import system;
- discovery raises an audit event for its ``git check-ignore`` (git reads ignore files this process never
  opens): the journal keeps the paths asked and git's answer, and a check asks git again;
- ``os.stat``, ``os.lstat`` and ``os.readlink`` are wrapped for the duration of the run only (``pathlib`` and
  ``os.path`` look them up at call time): each records the outcome the run itself got (missing, a folder, a file
  and its size, a symlink and its target...).

The entry is stored only when the journal, checked again at the end of the run, still holds (a file edited while
the run read it is not cached), and reused only when every entry holds again: contents are re-hashed, never judged
by their mtime. Reads of the linter's own files (in the key) and of cache folders (content-addressed, or this
database) are not journaled. Any mismatch, error or unreadable entry means a normal run.

Storage: one sqlite3 database (``runs.sqlite3`` in the cache folder of the working folder's project, or in
``cache-dir``), one table of JSON payloads (never pickle: the folder may be planted by a pull request; see
docs/cache-threat-model.md); the newest ``KEEP_RUNS`` entries are kept. A corrupt, truncated or locked database is
a miss, and a write that fails is skipped: never an error.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

FORMAT: Final = 2
"""Bumped when the key or the payload changes shape."""
DATABASE: Final = "runs.sqlite3"
KEEP_RUNS: Final = 8
"""Entries kept: the newest by write (one per distinct command line, folder and set of inputs)."""
CACHE_FOLDER_NAME: Final = ".flake8_alembic_cache"
"""``cache.CACHE_FOLDER``, spelled here too: ``cache`` imports the parser, which the hit path never loads."""
ENVIRONMENT_PREFIX: Final = "FLAKE8_ALEMBIC_"
MAX_PAYLOAD_BYTES: Final = 256 * 1024 * 1024
READ_TIMEOUT: Final = 0.5
"""Seconds a reader waits for a concurrent writer before it gives up (a miss)."""
WRITE_TIMEOUT: Final = 1.0

PACKAGE: Final = os.path.dirname(os.path.abspath(__file__))
_FROZEN_IMPORT: Final = ("<frozen importlib", "<frozen zipimport")
_WRITING: Final = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_CHUNK: Final = 1024 * 1024

STATS: dict[str, object] = {}
"""What the last ``check`` of this process did with the cache: ``hit``, ``stored`` (work counters for tests)."""

Entry = tuple[str, str, str]
"""(kind, absolute path, observed state): kinds ``f`` content, ``d`` listing, ``s`` stat, ``l`` lstat, ``r``
readlink, ``g`` a ``git check-ignore`` (in the folder at path; the state holds the paths asked and git's answer)."""


class Poisoned(Exception):
    """An input the journal cannot state exactly (an unreadable file, a FIFO): the run is not cached."""


# ------------------------------------------------------------------------------------------------ observing


def file_state(path: str) -> str:
    """The sha256 of a regular file's bytes, or ``missing``; raises Poisoned for anything else."""
    try:
        info = _ORIGINAL_STAT(path)
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except (OSError, ValueError) as error:
        raise Poisoned(f"{path}: {error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Poisoned(f"{path}: not a regular file")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as error:
        raise Poisoned(f"{path}: {error}") from None
    return digest.hexdigest()


def listing_state(path: str) -> str:
    """A digest of a folder's sorted entries and their types (the linter's own cache folder left out), or
    ``missing``; raises Poisoned when the folder cannot be listed."""
    try:
        with os.scandir(path) as listing:
            entries = [_entry_state(entry) for entry in listing if entry.name != CACHE_FOLDER_NAME]
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except (OSError, ValueError) as error:
        raise Poisoned(f"{path}: {error}") from None
    entries.sort()
    return hashlib.sha256("\0".join(entries).encode("utf-8", "surrogateescape")).hexdigest()


def _entry_state(entry: os.DirEntry[str]) -> str:
    try:
        kind = ("l" if entry.is_symlink() else "") + ("d" if entry.is_dir() else "f" if entry.is_file() else "o")
    except OSError:
        kind = "?"
    return f"{entry.name}/{kind}"


def stat_state(result: os.stat_result | None, error: OSError | None) -> str:
    """What a stat call told the run: missing, a folder, a file and its size, a symlink and its length..."""
    if error is not None:
        if isinstance(error, (FileNotFoundError, NotADirectoryError)):
            return "missing"
        return f"!{errno.errorcode.get(error.errno or 0, error.errno)}"
    assert result is not None
    mode = result.st_mode
    if stat.S_ISDIR(mode):
        return "d"
    if stat.S_ISREG(mode):
        return f"f{result.st_size}"
    if stat.S_ISLNK(mode):
        return f"l{result.st_size}"
    return f"o{stat.S_IFMT(mode)}"


def _stat_now(kind: str, path: str) -> str:
    try:
        result = _ORIGINAL_STAT(path) if kind == "s" else _ORIGINAL_LSTAT(path)
    except OSError as error:
        return stat_state(None, error)
    return stat_state(result, None)


def _readlink_now(path: str) -> str:
    try:
        return "=" + _ORIGINAL_READLINK(path)
    except OSError as error:
        return stat_state(None, error)


def git_state(root: str, asked: Sequence[str], ignored: Iterable[str] | None) -> str:
    """A ``git check-ignore`` as the journal states it: the paths asked, and what git ignored (None: git could not
    be asked)."""
    return json.dumps([list(asked), None if ignored is None else sorted(ignored)])


def _git_state_now(root: str, recorded: str) -> str:
    """The same question asked of git again: git reads ignore files (``.gitignore``, ``info/exclude``, its global
    excludes) that this process never opens, so the answer, not the files, is what the journal can check."""
    from .project import git_ignored

    try:
        asked = json.loads(recorded)[0]
    except (ValueError, TypeError, IndexError, KeyError):
        raise Poisoned(f"{root}: a git check the journal cannot read") from None
    if not (isinstance(asked, list) and all(isinstance(path, str) for path in asked)):
        raise Poisoned(f"{root}: a git check the journal cannot read")
    return git_state(root, asked, git_ignored(asked, root))


def current_state(kind: str, path: str) -> str:
    """The state an entry of this kind has now (what ``Journal.observe`` would record); raises Poisoned."""
    if kind == "f":
        return file_state(path)
    if kind == "d":
        return listing_state(path)
    if kind in ("s", "l"):
        return _stat_now(kind, path)
    if kind == "r":
        return _readlink_now(path)
    raise Poisoned(f"unknown journal entry kind {kind!r}")


# ------------------------------------------------------------------------------------------------ the journal


class Journal:
    """The file system facts one run read, recorded while ``recording(journal)`` is active."""

    def __init__(self, ignored: Iterable[str] = ()) -> None:
        self.entries: dict[tuple[str, str], str] = {}
        self.ignored: tuple[str, ...] = tuple(os.path.join(os.path.abspath(folder), "") for folder in ignored)
        self.ignored += (os.path.join(PACKAGE, ""),)
        self.problem: str | None = None
        """Why the run cannot be cached (an input that cannot be stated), if any."""
        self.paused = False
        self.from_bytes_read: set[str] = set()
        """Files whose state was noted from the very bytes the run read (``read_bytes``): exact by construction,
        so the end-of-run check need not hash them again."""

    def ignore(self, folder: str) -> None:
        self.ignored += (os.path.join(os.path.abspath(folder), ""),)

    def _skips(self, path: str) -> bool:
        inside = path + os.sep
        return inside.startswith(self.ignored) or f"{os.sep}{CACHE_FOLDER_NAME}{os.sep}" in inside

    def note(self, kind: str, raw: object, state: Callable[[str], str] | str) -> None:
        """Record what ``state`` (the state itself, or a function of the absolute path) says, unless the path is
        ignored or already recorded (the first observation is the one the run acted on)."""
        if self.paused or self.problem is not None:
            return
        try:
            path = os.path.abspath(os.fsdecode(raw))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        if (kind, path) in self.entries or self._skips(path):
            return
        try:
            self.entries[(kind, path)] = state if isinstance(state, str) else state(path)
        except Poisoned as problem:
            self.problem = str(problem)

    def read_bytes(self, path: Path | str) -> bytes:
        """A file's bytes, its content noted from them (recording the read itself would hash the file again)."""
        before, self.paused = self.paused, True
        try:
            data = Path(path).read_bytes()
        finally:
            self.paused = before
        absolute = os.path.abspath(path)
        if ("f", absolute) not in self.entries:
            self.from_bytes_read.add(absolute)
        self.note("f", absolute, hashlib.sha256(data).hexdigest())
        return data

    def note_content(self, path: str, sha256: str) -> None:
        """A file the run knows by content without reading it (a resident process's record of it, its stat
        unchanged): noted as if read, and exact as a read's note is (the run used what that content gives)."""
        absolute = os.path.abspath(path)
        if ("f", absolute) not in self.entries:
            self.from_bytes_read.add(absolute)
        self.note("f", absolute, sha256)

    def observe_event(self, event: str, args: tuple[Any, ...]) -> None:
        if event == _GIT_CHECK:
            root, asked, ignored = args
            self.note("g", root, git_state(root, asked, ignored))
        elif event == "open":
            path, mode, flags = (*args, None, None, None)[:3]
            if isinstance(path, int) or path is None:
                return
            if isinstance(mode, str) and any(letter in mode for letter in "wax+"):
                return
            if mode is None and isinstance(flags, int) and flags & _WRITING:
                return
            self.note("f", path, file_state)
        else:
            path = args[0] if args else None
            if isinstance(path, int):
                return
            self.note("d", "." if path is None else path, listing_state)

    def still_holds(self) -> bool:
        """Whether every entry the audit hook observed holds now. A state noted apart from the run's own read
        (the hook hashes a file when it is opened, before the run reads it) could differ from what the run read;
        files noted from the bytes read and the stat kinds (the outcome the run itself got) cannot."""
        exact = {
            path: value for (kind, path), value in self.entries.items() if kind == "f" and path in self.from_bytes_read
        }
        return holds(((kind, path, value) for (kind, path), value in self.entries.items()), exact, expect_change=False)

    def as_list(self) -> list[list[str]]:
        return [[kind, path, value] for (kind, path), value in sorted(self.entries.items())]


def holds(entries: Iterable[Entry], contents: Mapping[str, str], expect_change: bool = True) -> bool:
    """Whether every journal entry still holds; False at the first that does not or cannot be checked. (The stat
    kinds, most of a journal, are checked inline: this loop is most of a cache hit's own work.) ``expect_change``:
    check in the order that finds a change soonest (a stored run's journal), not as recorded (this run's own)."""
    stat_now, lstat_now, describe = _ORIGINAL_STAT, _ORIGINAL_LSTAT, stat_state
    for kind, path, value in _likely_changes_first(entries) if expect_change else entries:
        try:
            if kind == "s" or kind == "l":
                try:
                    now = describe(stat_now(path) if kind == "s" else lstat_now(path), None)
                except OSError as error:
                    now = describe(None, error)
            elif kind == "f" and path in contents:
                now = contents[path]
            elif kind == "g":
                now = _git_state_now(path, value)
            else:
                now = current_state(kind, path)
        except (Poisoned, ValueError):
            return False
        if now != value:
            return False
    return True


def _likely_changes_first(entries: Iterable[Entry]) -> list[Entry]:
    """The order that finds a changed input soonest: files newest first (the file just edited is the usual miss: one
    stat per file and one hash, not a hash per file), then what a stat or a listing tells, git's answers last (each
    one runs git). A hit checks every entry whatever the order."""
    cheap: list[Entry] = []
    files: list[tuple[float, Entry]] = []
    git: list[Entry] = []
    for entry in entries:
        kind, path, _ = entry
        if kind == "f":
            try:
                modified = _ORIGINAL_STAT(path).st_mtime
            except OSError:
                modified = float("inf")  # gone: surely a change
            files.append((-modified, entry))
        elif kind == "g":
            git.append(entry)
        else:
            cheap.append(entry)
    files.sort(key=lambda item: item[0])
    return [*(entry for _, entry in files), *cheap, *git]


_ACTIVE: Journal | None = None
_BUSY = False
_GIT_CHECK: Final = "flake8_alembic.git_check_ignore"
"""``project.GIT_CHECK_EVENT`` (a test holds them equal: a hit imports nothing it does not need)."""
_EVENTS: Final = frozenset({"open", "os.listdir", "os.scandir", _GIT_CHECK})
_HOOKED = False
_ORIGINAL_STAT: Final = os.stat
_ORIGINAL_LSTAT: Final = os.lstat
_ORIGINAL_READLINK: Final = os.readlink


def _audit(event: str, args: tuple[Any, ...]) -> None:
    global _BUSY
    if _ACTIVE is None or _BUSY or _ACTIVE.paused or event not in _EVENTS:
        return
    _BUSY = True
    try:
        if not sys._getframe(1).f_code.co_filename.startswith(_FROZEN_IMPORT):  # the import system's own reads
            _ACTIVE.observe_event(event, args)
    except Exception as error:  # never break the run: an observation that fails makes it uncacheable
        _ACTIVE.problem = f"journal: {type(error).__name__}: {error}"
    finally:
        _BUSY = False


def _recording_stat(original: Callable[..., Any], kind: str) -> Callable[..., Any]:
    def recorded(path: Any, *args: Any, **kwargs: Any) -> Any:
        journal = _ACTIVE
        if journal is None or journal.paused or _BUSY or args or isinstance(path, int):  # an fd: opened, journaled
            return original(path, *args, **kwargs)
        if kwargs.get("dir_fd") is not None:
            journal.problem = "a stat relative to a folder descriptor"
            return original(path, *args, **kwargs)
        follows = kind == "s" and kwargs.get("follow_symlinks", True)
        try:
            result = original(path, *args, **kwargs)
        except OSError as error:
            journal.note("s" if follows else "l", path, stat_state(None, error))
            raise
        journal.note("s" if follows else "l", path, stat_state(result, None))
        return result

    return recorded


def _recording_readlink(path: Any, *args: Any, **kwargs: Any) -> Any:
    journal = _ACTIVE
    if journal is None or journal.paused or _BUSY or args or isinstance(path, int):
        return _ORIGINAL_READLINK(path, *args, **kwargs)
    if kwargs.get("dir_fd") is not None:
        journal.problem = "a readlink relative to a folder descriptor"
        return _ORIGINAL_READLINK(path, *args, **kwargs)
    try:
        target = _ORIGINAL_READLINK(path)
    except OSError as error:
        journal.note("r", path, stat_state(None, error))
        raise
    journal.note("r", path, "=" + os.fsdecode(target))
    return target


@contextlib.contextmanager
def recording(journal: Journal) -> Iterator[Journal]:
    """Record what the code run inside reads into ``journal`` (one recording at a time per process)."""
    global _ACTIVE, _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True
    if _ACTIVE is not None:
        raise RuntimeError("a run is already recording")
    _forget_process_caches()
    _ACTIVE = journal
    os.stat, os.lstat, os.readlink = (
        _recording_stat(_ORIGINAL_STAT, "s"),
        _recording_stat(_ORIGINAL_LSTAT, "l"),
        _recording_readlink,
    )
    _probe(journal)
    try:
        yield journal
    finally:
        _ACTIVE = None
        os.stat, os.lstat, os.readlink = _ORIGINAL_STAT, _ORIGINAL_LSTAT, _ORIGINAL_READLINK


def _probe(journal: Journal) -> None:
    """Check that ``pathlib`` and ``os.path.realpath`` reach the wrappers on this Python: they look ``os.stat`` and
    ``os.lstat`` up at call time on 3.11 and 3.12, but 3.9-3.10's pathlib captured ``os.stat`` when imported (and a
    later ``realpath`` may capture ``lstat``). A run whose stats go unseen cannot be cached."""
    if journal.problem is not None or journal.paused:
        return
    probe = os.path.join(os.path.abspath(os.sep), f"flake8-alembic-probe-{os.getpid()}")
    before = set(journal.entries)
    Path(probe).exists()
    os.path.realpath(probe)
    seen = {kind for kind, _ in set(journal.entries) - before}
    for key in set(journal.entries) - before:
        del journal.entries[key]
    if not {"s", "l"} <= seen:
        journal.problem = "this Python's pathlib or os.path.realpath does not reach the journal"


@contextlib.contextmanager
def paused(journal: Journal | None) -> Iterator[None]:
    """Reads the journal need not record (checking a stored journal is not the run's input)."""
    if journal is None:
        yield
        return
    before, journal.paused = journal.paused, True
    try:
        yield
    finally:
        journal.paused = before


def _forget_process_caches() -> None:
    """In-process caches that would let a second run in the same process skip a read (so the journal would miss
    it): cleared before each recorded run. A command-line run is one process; tests run many in one."""
    for name, attribute in (("flake8_alembic.facts.helpers", "_parsed"), ("flake8_alembic.files", "_resolved")):
        module = sys.modules.get(name)
        clear = getattr(getattr(module, attribute, None), "cache_clear", None)
        if clear is not None:
            clear()


# ------------------------------------------------------------------------------------------------ the key


@functools.cache
def code_digest() -> str:
    """A digest of every file of the package (code, rule pages, data) and of the Python running it. Once per
    process: a resident server stops when the package's files change (``server.code_stamp``)."""
    digest = hashlib.sha256(repr((FORMAT, sys.version, sys.implementation.cache_tag)).encode())
    found = False
    for folder, subfolders, names in os.walk(PACKAGE):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__" and not name.startswith("."))
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            found = True
            digest.update(f"{os.path.relpath(path, PACKAGE)}\0{len(data)}\0".encode())
            digest.update(data)
    if not found:  # a zipped install: the version number says which code ran
        from . import package_version

        digest.update(package_version().encode())
    return digest.hexdigest()


def normal(value: object) -> object:
    """A JSON value that is the same in every process (sets sorted: their order depends on hash seeds)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (set, frozenset)):
        return sorted((normal(item) for item in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [normal(item) for item in value]
    if isinstance(value, dict):
        return sorted(([normal(key), normal(item)] for key, item in value.items()), key=repr)
    return repr(value)


def request_key(options: Mapping[str, object], cwd: str, environment: Mapping[str, str]) -> str:
    """The sha256 of everything known before the run reads a file: code, command line, working folder and our
    environment variables. What the files say is the journal's: discovery's listings and every file read."""
    variables = sorted((name, value) for name, value in environment.items() if name.startswith(ENVIRONMENT_PREFIX))
    head = json.dumps([FORMAT, code_digest(), normal(dict(options)), cwd, variables], sort_keys=True)
    return hashlib.sha256(head.encode("utf-8", "surrogateescape")).hexdigest()


# ------------------------------------------------------------------------------------------------ the database


class RunStore:
    """The run entries of one cache folder. Never raises: a database that cannot be read or written misses."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / DATABASE

    def load(self, key: str) -> dict[str, Any] | None:
        """The payload stored under ``key``, decoded and shape-checked; None when there is none usable."""
        if not os.path.isfile(self.path):
            return None
        try:
            import sqlite3
            from urllib.parse import quote

            connection = sqlite3.connect(
                f"file:{quote(os.path.abspath(self.path))}?mode=ro", uri=True, timeout=READ_TIMEOUT
            )
            try:
                row = connection.execute("SELECT payload FROM runs WHERE key = ?", (key,)).fetchone()
            finally:
                connection.close()
            if row is None or not isinstance(row[0], str) or len(row[0]) > MAX_PAYLOAD_BYTES:
                return None
            payload = json.loads(row[0])
        except (ImportError, OSError, ValueError, MemoryError, RecursionError, Exception):
            return None
        return payload if _well_formed(payload, key) else None

    def save(self, key: str, payload: dict[str, Any]) -> bool:
        """Store an entry (replacing one under the same key) and keep the newest ``KEEP_RUNS``."""
        try:
            text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            return False
        try:
            import sqlite3

            from .cache import _make_cache_folder

            _make_cache_folder(self.folder)
        except (ImportError, OSError):
            return False
        for attempt in range(2):
            try:
                self._write(key, text)
                return True
            except sqlite3.DatabaseError as error:
                if attempt or "locked" in str(error) or "busy" in str(error):
                    return False
                _discard(self.path)  # not a database (garbage, truncated): start a new one
            except (OSError, ValueError, MemoryError):
                return False
        return False

    def _write(self, key: str, text: str) -> None:
        import sqlite3

        connection = sqlite3.connect(os.fspath(self.path), timeout=WRITE_TIMEOUT)
        try:
            # A cache: a write lost to a crash of the machine is a miss later (a database left corrupt is discarded
            # and written anew), so it does not wait for the disk to confirm each write.
            connection.execute("PRAGMA synchronous = OFF")
            with connection:
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, serial INTEGER NOT NULL, payload TEXT "
                    "NOT NULL)"
                )
                connection.execute(
                    "INSERT OR REPLACE INTO runs (key, serial, payload) VALUES "
                    "(?, (SELECT COALESCE(MAX(serial), 0) + 1 FROM runs), ?)",
                    (key, text),
                )
                connection.execute(
                    "DELETE FROM runs WHERE key NOT IN (SELECT key FROM runs ORDER BY serial DESC LIMIT ?)",
                    (KEEP_RUNS,),
                )
        finally:
            connection.close()


def _discard(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-journal")):
        with contextlib.suppress(OSError):
            os.remove(candidate)


def _well_formed(payload: object, key: str) -> bool:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("key") != key:
        return False
    journal = payload.get("journal")
    if not isinstance(journal, list) or not all(
        isinstance(entry, list) and len(entry) == 3 and all(isinstance(part, str) for part in entry)
        for entry in journal
    ):
        return False
    return isinstance(payload.get("report"), dict)
