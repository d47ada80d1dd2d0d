"""Per-file parse summaries, computed once per process and kept between runs on disk.

A summary (``Migration``, ``ParseFailure`` or None) depends only on a file's bytes and on the code that
summarises it, so it is keyed by (content hash, tool version and code digest, Python version, layout digest of
the summary dataclasses). Everything that depends on other files or on settings (the revision graph, the replay,
the rules) is recomputed on every run from the summaries.

On disk, under ``<cache folder>/<fingerprint>/`` (the cache folder is ``.flake8_alembic_cache`` at the project root,
or the configured ``cache-dir``): the entries a run computed are written
at its end as one pack file (``pack-*.jsonl``, a line per entry: creating one file per entry cost more than the
parse it saves on some file systems); single ``<digest>.json`` entries are read too. The folder may be planted by
whoever controls the repository, so loading is data only: JSON, decoded into an allowlist of the summary
dataclasses found from ``Migration``'s own field annotations; anything unexpected is a miss. Writes go to a
temporary file in the same folder, then ``os.replace``: concurrent runs see whole packs or none, and each run
writes a pack of its own, so none overwrites another's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import operator
import os
import re
import sys
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Union

from .names import UNKNOWN
from .parse.module import Migration, ParseFailure, ParseResult, decode_source, looks_like_migration, parse_source
from .reading import FileReader, whole_file

CACHE_FOLDER: Final = ".flake8_alembic_cache"
FORMAT: Final = 1
"""Bumped when the entry format itself changes."""
MAX_ENTRY_BYTES: Final = 64 * 1024 * 1024
KEEP_GENERATIONS: Final = 4
"""Fingerprint folders kept besides the current one (other tool or Python versions sharing the project)."""
STALE_TEMP_SECONDS: Final = 3600
_SCALARS: Final = (str, int, float, bool, type(None))
_SCALAR_TYPES: Final = frozenset(_SCALARS)
_IDENTIFIER: Final = re.compile(r"[A-Za-z_]\w*")
_ENTRY: Final = re.compile(r"[0-9a-f]{40}\.json")
_PACK: Final = re.compile(r"pack-[0-9a-f]{16}\.jsonl")
MAX_PACK_BYTES: Final = 512 * 1024 * 1024
MAX_PACKS: Final = 4
"""More packs than this are merged into one holding the entries the run used."""


class _Miss:
    """No usable entry (absent, corrupt, from another layout)."""


MISS: Final = _Miss()
Decoded = Union[ParseResult, _Miss]


class CacheFormatError(Exception):
    """A value the codec does not know, or an entry that does not decode: never stored, or read as a miss."""


# ------------------------------------------------------------------------------------------------ the layout


def _is_record(value: object) -> bool:
    """A dataclass or NamedTuple class: the records a summary is made of."""
    return isinstance(value, type) and (
        dataclasses.is_dataclass(value) or (issubclass(value, tuple) and hasattr(value, "_fields"))
    )


def _record_fields(cls: type) -> tuple[tuple[str, str], ...]:
    """(name, annotation text) of the fields a record stores; ``_private`` fields are caches, rebuilt on use."""
    if dataclasses.is_dataclass(cls):
        return tuple(
            (item.name, str(item.type))
            for item in dataclasses.fields(cls)
            if item.init and not item.name.startswith("_")
        )
    annotations = getattr(cls, "__annotations__", {})
    return tuple((name, str(annotations.get(name, ""))) for name in getattr(cls, "_fields", ()))


def _referenced(annotation: object, namespace: dict[str, Any]) -> Iterator[object]:
    """The objects an annotation names: identifiers of its text, and the arguments of typing aliases."""
    if isinstance(annotation, str):
        for name in _IDENTIFIER.findall(annotation):
            if name in namespace:
                yield namespace[name]
    elif isinstance(annotation, typing.ForwardRef):
        yield from _referenced(annotation.__forward_arg__, namespace)
    for argument in typing.get_args(annotation):
        yield argument
        yield from _referenced(argument, namespace)


def summary_records(*roots: type) -> dict[str, type]:
    """Every record class reachable from ``roots`` through field annotations, by qualified name.

    Found from the annotations (not listed by hand) so that a record or field added to the summary is encoded,
    and changes the layout digest, without touching this module."""
    found: dict[str, type] = {}
    pending: list[object] = list(roots)
    seen: set[int] = set()
    while pending:
        candidate = pending.pop()
        if id(candidate) in seen:
            continue
        seen.add(id(candidate))
        if _is_record(candidate):
            assert isinstance(candidate, type)
            found[f"{candidate.__module__}.{candidate.__qualname__}"] = candidate
            namespace = vars(sys.modules[candidate.__module__])
            for _, annotation in _record_fields(candidate):
                pending.extend(_referenced(annotation, namespace))
        else:
            pending.extend(typing.get_args(candidate))
    return found


RECORDS: Final = summary_records(Migration, ParseFailure)
_FIELDS: Final = {name: _record_fields(cls) for name, cls in RECORDS.items()}
_NAMES: Final = {cls: name for name, cls in RECORDS.items()}


def layout_digest(records: Mapping[str, type] = RECORDS) -> str:
    """A digest of every summary record's fields and their annotations: a layout change invalidates entries."""
    layout = sorted((name, _record_fields(cls)) for name, cls in records.items())
    return hashlib.sha256(repr(layout).encode()).hexdigest()[:16]


@functools.cache
def _code_digest() -> str:
    """A digest of the package's modules (the summarising code; the rules are not in a summary): an edited checkout
    or another release never reuses entries. Once per process: a resident server stops when they change."""
    digest = hashlib.sha256()
    folder = Path(__file__).parent
    try:
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    except OSError:  # a zipped install: the version number alone says which code made an entry
        return "-"
    return digest.hexdigest()[:16]


def fingerprint() -> str:
    """Everything but the content that decides whether an entry is valid, as one folder name."""
    code = _code_digest()
    if code == "-":  # no source to hash: the version number says which code made an entry
        from . import package_version  # importlib.metadata costs ~25 ms of start-up: only when needed

        code = package_version()
    parts = (FORMAT, sys.implementation.cache_tag, sys.version, layout_digest(), code)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def content_digest(source: bytes) -> str:
    return hashlib.blake2b(source, digest_size=20).hexdigest()


# ------------------------------------------------------------------------------------------------ the codec
# Tuples are JSON arrays (the common case, decoded without a tag); every other container is a one-key object.


def encode(value: object) -> object:
    """A JSON-ready form of a summary value; raises CacheFormatError for anything the codec does not know."""
    kind = type(value)
    if kind in _SCALAR_TYPES:
        return value
    if kind is tuple:
        return _encode_items(value)  # type: ignore[arg-type]
    if kind in _NAMES:
        name = _NAMES[kind]
        return {"r": name, "v": _encode_items(_GETTERS[name](value))}
    if kind is frozenset:
        return {"f": _encode_items(value)}  # type: ignore[arg-type]
    if kind is dict:
        return {"d": [[encode(key), encode(item)] for key, item in value.items()]}  # type: ignore[attr-defined]
    if value is UNKNOWN:
        return {"u": 0}
    raise CacheFormatError(f"cannot store a {kind.__name__}")


def _encode_items(items: Iterable[object]) -> list[object]:
    # Scalars and empty tuples (most fields of most records) are written as they are, without a call.
    return [item if type(item) in _SCALAR_TYPES or item == () else encode(item) for item in items]


def decode(value: object) -> Any:
    """The value ``encode`` made; raises CacheFormatError (or TypeError/ValueError) for anything else."""
    kind = type(value)
    if kind is list:
        return tuple([item if type(item) in _SCALAR_TYPES else decode(item) for item in value])  # type: ignore[attr-defined]
    if kind is not dict:
        if kind in _SCALAR_TYPES:
            return value
        raise CacheFormatError(f"unexpected {kind.__name__}")
    assert isinstance(value, dict)
    if len(value) == 2 and "r" in value:
        return _decode_record(value["r"], value["v"])
    if len(value) != 1:
        raise CacheFormatError("unexpected object")
    tag, items = next(iter(value.items()))
    if tag == "f" and type(items) is list:
        return frozenset(decode(items))
    if tag == "d" and type(items) is list:
        return {decode(key): decode(item) for key, item in (pair for pair in items if _is_pair(pair))}
    if tag == "u":
        return UNKNOWN
    raise CacheFormatError(f"unexpected tag {tag!r}")


def _is_pair(value: object) -> bool:
    if type(value) is not list or len(value) != 2:
        raise CacheFormatError("a dict item is not a pair")
    return True


def _decode_record(name: object, values: object) -> object:
    spec = _BUILDERS.get(name) if isinstance(name, str) else None
    if spec is None or type(values) is not list or len(values) != len(spec[1]):
        raise CacheFormatError(f"unexpected record {name!r}")
    cls, names, direct = spec
    arguments = [item if type(item) in _SCALAR_TYPES else decode(item) for item in values]
    if direct:  # what the generated __init__ would do, without its per-field work (decoding is the warm path)
        record: Any = object.__new__(cls)
        record.__dict__.update(zip(names, arguments))
        return record
    return cls(**dict(zip(names, arguments)))


def _getter(names: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """All stored fields of a record in one call (``attrgetter`` of one name returns the value, not a tuple)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    return lambda record: tuple(getattr(record, name) for name in names)


def _builder(cls: type) -> tuple[type, tuple[str, ...], bool]:
    """(class, stored field names, whether it can be filled directly): a plain dataclass whose unstored fields
    all have class-level defaults and that has no ``__post_init__``."""
    names = tuple(name for name, _ in _record_fields(cls))
    direct = (
        dataclasses.is_dataclass(cls)
        and hasattr(cls, "__dict__")
        and not hasattr(cls, "__post_init__")
        and not hasattr(cls, "__slots__")
        and all(item.default is not dataclasses.MISSING for item in dataclasses.fields(cls) if item.name not in names)
    )
    return cls, names, direct


_BUILDERS: Final = {name: _builder(cls) for name, cls in RECORDS.items()}
_GETTERS: Final = {name: _getter(spec[1]) for name, spec in _BUILDERS.items()}


# ------------------------------------------------------------------------------------------------ on disk


def cache_folder(root: Path) -> Path:
    return root / CACHE_FOLDER


class DiskCache:
    """The entries of one fingerprint under ``<root>/.flake8_alembic_cache/``. Never raises: a cache that cannot
    be read or written is a cache that misses."""

    def __init__(self, folder: Path, generation: str | None = None) -> None:
        self.folder = folder
        self.generation = generation or fingerprint()
        self.entries = folder / self.generation
        self.used: set[str] = set()
        self.written = 0
        self._ready: bool | None = None
        self.pending: dict[str, bytes] = {}
        """Entries computed this run, written as one pack by ``flush``."""
        self._packed: dict[str, bytes] | None = None
        """Digest → raw entry of every pack on disk, read on the first lookup."""
        self._packs: list[str] = []

    def load(self, digest: str, path: str) -> Decoded:
        """The summary stored for these bytes, with ``path`` as its file; MISS when there is none usable."""
        self.used.add(digest)
        data = self._packed_entries().get(digest)
        if data is None:
            try:
                with open(self.entries / f"{digest}.json", "rb") as handle:
                    data = handle.read(MAX_ENTRY_BYTES + 1)
            except OSError:
                return MISS
        if len(data) > MAX_ENTRY_BYTES:
            return MISS
        try:
            entry = json.loads(data)
            if type(entry) is not dict or entry.get("key") != [FORMAT, self.generation, digest]:
                return MISS
            result = decode(entry.get("summary"))
        except (ValueError, TypeError, KeyError, RecursionError, MemoryError, CacheFormatError):
            return MISS
        if result is None:
            return None
        if isinstance(result, (Migration, ParseFailure)):
            return dataclasses.replace(result, path=path)  # entries are keyed by content: the path is the reader's
        return MISS

    def save(self, digest: str, result: ParseResult) -> None:
        self.used.add(digest)
        try:
            summary = encode(dataclasses.replace(result, path="") if result is not None else None)
            text = json.dumps({"key": [FORMAT, self.generation, digest], "summary": summary}, separators=(",", ":"))
        except (CacheFormatError, ValueError, TypeError, AttributeError, RecursionError):
            return  # a value the codec does not know: this file is summarised again next time, never wrongly
        self.pending[digest] = text.encode("utf-8")

    def flush(self) -> int:
        """Write the entries computed this run as one pack (and merge packs once there are too many); returns
        how many entries were written. Called once at the end of a run."""
        if not self.pending or not self._prepare():
            return 0
        name = _new_pack_name()
        if not write_atomically(self.entries / name, _pack(self.pending.items())):
            return 0
        written, self.written = len(self.pending), self.written + len(self.pending)
        self.pending = {}
        self._merge_packs(keep=name)
        return written

    def _packed_entries(self) -> dict[str, bytes]:
        if self._packed is None:
            self._packed = {}
            try:
                names = sorted(name for name in os.listdir(self.entries) if _PACK.fullmatch(name))
            except OSError:
                names = []
            for name in names:
                try:
                    with open(self.entries / name, "rb") as handle:
                        data = handle.read(MAX_PACK_BYTES + 1)
                except OSError:
                    continue
                if len(data) > MAX_PACK_BYTES:
                    continue
                self._packs.append(name)
                for line in data.split(b"\n"):
                    digest, _, entry = line.partition(b"\t")
                    if len(digest) == 40:
                        self._packed[digest.decode("ascii", "replace")] = entry
        return self._packed

    def _merge_packs(self, keep: str) -> None:
        """Once packs pile up (one per run), replace them by one holding the entries this run used."""
        packed = self._packed_entries() if self._packed is None else self._packed
        older = [name for name in self._packs if name != keep]
        if len(older) + 1 <= MAX_PACKS:
            return
        lines = _pack((digest, packed[digest]) for digest in sorted(self.used) if digest in packed)
        if lines and not write_atomically(self.entries / _new_pack_name(), lines):
            return
        for name in older:
            _remove(self.entries / name)

    def _prepare(self) -> bool:
        """Create the folders on the first write (a read-only checkout simply never caches)."""
        if self._ready is None:
            try:
                self._ready = _make_cache_folder(self.folder)
                created = not self.entries.is_dir()
                self.entries.mkdir(exist_ok=True)
                if created:
                    prune_generations(self.folder, self.generation)
            except OSError:
                self._ready = False
        return self._ready

    def prune(self) -> int:
        """Drop entries this run did not use once they outnumber the used ones twice over (files edited since);
        called by the standalone command at the end of a run, after writing its pack. Returns how many were removed."""
        self.flush()
        if not self.written:
            return 0
        try:
            names = os.listdir(self.entries)
        except OSError:
            return 0
        if len(names) <= 2 * len(self.used) + 256:
            return 0
        removed = 0
        now = time.time()
        for name in names:
            stale_temp = name.startswith(".tmp") and _older_than(self.entries / name, now - STALE_TEMP_SECONDS)
            if stale_temp or (_ENTRY.fullmatch(name) and name[:-5] not in self.used):
                removed += _remove(self.entries / name)
        return removed


def _pack(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A pack file's bytes: one ``<digest>\\t<entry JSON>`` line per entry."""
    return b"\n".join(digest.encode() + b"\t" + data for digest, data in entries)


def _new_pack_name() -> str:
    """A name no concurrent run picks: each writes packs of its own."""
    return f"pack-{os.urandom(8).hex()}.jsonl"


def _make_cache_folder(folder: Path) -> bool:
    """The cache folder with a ``.gitignore`` of ``*`` (so it is never committed) and a CACHEDIR.TAG."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (
        (".gitignore", b"# Created by flake8-alembic automatically.\n*\n"),
        ("CACHEDIR.TAG", b"Signature: 8a477f597d28d172789f06886806bc55\n# Created by flake8-alembic.\n"),
    ):
        if not (folder / name).exists():
            write_atomically(folder / name, text)
    return True


def write_atomically(path: Path, data: bytes) -> bool:
    """Write to a temporary file in the same folder, then rename over ``path``: readers see all or nothing."""
    import tempfile  # imported on demand: it pulls in shutil and random, which a run that writes nothing never needs

    try:
        handle, temporary = tempfile.mkstemp(prefix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        _remove(Path(temporary))
        return False
    return True


def prune_generations(folder: Path, current: str) -> None:
    """Keep the newest few fingerprint folders (other versions of the tool or Python) and remove the rest."""
    try:
        others = [entry for entry in os.scandir(folder) if entry.is_dir() and entry.name != current]
        others.sort(key=lambda entry: entry.stat().st_mtime, reverse=True)
    except OSError:
        return
    for entry in others[KEEP_GENERATIONS:]:
        _remove_tree(Path(entry.path))


def _remove_tree(folder: Path) -> None:
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        _remove(folder / name)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _older_than(path: Path, moment: float) -> bool:
    try:
        return path.stat().st_mtime < moment
    except OSError:
        return False


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except OSError:
        return 0
    return 1


# ------------------------------------------------------------------------------------------------ the store


class CacheFolders:
    """Which cache folder holds a file's entries: the configured ``cache-dir`` for every file, else
    ``.flake8_alembic_cache`` at the file's project root (the same folder whichever face, working directory or
    argument reaches the file). Each folder's entries are one ``DiskCache``, opened on first use."""

    def __init__(self, configured: Path | None = None) -> None:
        self.configured = configured
        self.disks: dict[Path, DiskCache] = {}
        self._roots: dict[str, Path] = {}

    def for_path(self, absolute: str) -> DiskCache:
        if self.configured is not None:
            folder = self.configured
        else:
            parent = os.path.dirname(absolute)
            if parent not in self._roots:
                from .project import find_project_root

                self._roots[parent] = find_project_root(Path(parent))
            folder = cache_folder(self._roots[parent])
        if folder not in self.disks:
            self.disks[folder] = DiskCache(folder)
        return self.disks[folder]

    def flush(self) -> int:
        return sum(disk.flush() for disk in self.disks.values())

    def prune(self) -> int:
        return sum(disk.prune() for disk in self.disks.values())


class SummaryStore:
    """The explicit per-process store both faces and the replay read summaries from: each file's bytes are
    summarised at most once per process, and not at all when the disk cache has them."""

    def __init__(self, disk: DiskCache | None = None, folders: CacheFolders | None = None) -> None:
        self.disk = disk
        """One cache for every file (tests); otherwise ``folders`` picks each file's."""
        self.folders = folders
        self.by_content: dict[tuple[str, str], ParseResult] = {}
        """(absolute path, content digest) → summary."""
        self.on_disk: dict[str, ParseResult] = {}
        """Absolute path → summary of the file as it is on disk (read once per process)."""
        self.parsed = 0
        """How many files were actually parsed (not found in memory or on disk)."""
        self.read: FileReader = whole_file
        """How a file is read whole (``RunFiles`` in a command run: each file once, noted by the run cache)."""
        self.known_digest: Callable[[str], str | None] = _not_known
        """A file's content digest without reading it, when a resident process knows it (``RunFiles``)."""

    def summary(self, path: str, source: bytes) -> ParseResult:
        """The summary of these bytes as the file at ``path``; raises what ``parse_source`` raises."""
        if not looks_like_migration(source):
            return None  # the cheap text test: no parse, no cache entry
        absolute = os.path.abspath(path)
        digest = content_digest(source)
        result = self._known(absolute, digest)
        if isinstance(result, _Miss):
            result = self._keep(absolute, digest, parse_source(absolute, source))
        return result

    def _known(self, absolute: str, digest: str) -> Decoded:
        """The summary in memory or in the disk cache (kept in memory once loaded); MISS when neither has it."""
        key = (absolute, digest)
        if key in self.by_content:
            return self.by_content[key]
        disk = self._disk_for(absolute)
        result: Decoded = disk.load(digest, absolute) if disk is not None else MISS
        if not isinstance(result, _Miss):
            self.by_content[key] = result
        return result

    def _keep(self, absolute: str, digest: str, result: ParseResult) -> ParseResult:
        """A summary just computed: counted, kept in memory and queued for the disk cache."""
        self.parsed += 1
        disk = self._disk_for(absolute)
        if disk is not None:
            disk.save(digest, result)
        self.by_content[(absolute, digest)] = result
        return result

    def _disk_for(self, absolute: str) -> DiskCache | None:
        return self.disk or (self.folders.for_path(absolute) if self.folders is not None else None)

    def summarise_in_pool(
        self, sources: Iterable[tuple[str, bytes]], jobs: int, start_method: str | None = None
    ) -> int:
        """Summarise in ``jobs`` worker processes the migrations among ``sources`` that neither memory nor the disk
        cache holds, before the run asks for them; how many the workers summarised. Nothing happens for one job
        or fewer than ``POOL_MIN_FILES`` such files (starting a worker costs more), and a pool that cannot start or
        breaks leaves the files to be summarised in this process, as without a pool. Workers get the bytes and
        return summaries: they read no file (the run cache's journal is this process's)."""
        if jobs <= 1:
            return 0  # no loop either: the run summarises each file when it asks, hashing it once
        todo = []
        for path, source in sources:
            if looks_like_migration(source):
                absolute = os.path.abspath(path)
                digest = content_digest(source)
                if isinstance(self._known(absolute, digest), _Miss):
                    todo.append((absolute, digest, source))
        if len(todo) < POOL_MIN_FILES:
            return 0
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        done = 0
        workers = min(jobs, len(todo))
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(start_method)) as pool:
                items = [(absolute, source) for absolute, _, source in todo]
                chunk = max(1, len(items) // (workers * 8))
                for (absolute, digest, _), result in zip(todo, pool.map(_summarise, items, chunksize=chunk)):
                    if result is not None:
                        self._keep(absolute, digest, result)
                        done += 1
        except (OSError, BrokenProcessPool):
            pass  # the rest are summarised in this process when asked for
        return done

    def from_disk(self, path: str) -> ParseResult:
        """The summary of the file at ``path`` as it is on disk; None when it cannot be read."""
        absolute = os.path.abspath(path)
        if absolute not in self.on_disk:
            digest = self.known_digest(absolute)
            known = self.by_content.get((absolute, digest)) if digest is not None else None
            if known is not None:
                self.on_disk[absolute] = known
                return known
            try:
                source = self.read(absolute)
            except OSError:
                self.on_disk[absolute] = None
            else:
                self.on_disk[absolute] = self.summary(absolute, source)
        return self.on_disk[absolute]

    def matches_disk(self, path: str, text: str) -> bool:
        """Whether ``text`` (a buffer handed over by flake8) is what the file holds on disk."""
        try:
            with open(os.path.abspath(path), "rb") as handle:
                return decode_source(handle.read()) == text
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            return False


def _not_known(path: str) -> str | None:
    return None


POOL_MIN_FILES: Final = 64
"""Fewer migrations to summarise than this are summarised in-process: a worker costs ~0.1 s to start."""


def _summarise(item: tuple[str, bytes]) -> ParseResult:
    """A worker's job: the summary of one file's bytes; None when summarising raises (this process then summarises
    it again when asked, and reports what it raises as it always does)."""
    absolute, source = item
    try:
        return parse_source(absolute, source)
    except Exception:  # never lost: summarised again in this process, which reports it
        return None


def pending_writes(store: SummaryStore) -> bool:
    """Whether the store computed entries not yet written to disk."""
    disks = [store.disk] if store.disk is not None else list(store.folders.disks.values()) if store.folders else []
    return any(disk.pending for disk in disks)


def flush(store: SummaryStore) -> None:
    """Write the entries the store computed (one pack per cache folder)."""
    if store.disk is not None:
        store.disk.flush()
    if store.folders is not None:
        store.folders.flush()
