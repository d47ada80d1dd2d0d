"""Settings shared by the flake8 plugin and the standalone command.

Values come from ``[tool.flake8-alembic]`` in ``pyproject.toml``; in flake8, ``--alembic-<key>`` options (and the
same keys in ``[flake8]`` of ``setup.cfg``/``tox.ini``/``.flake8``) override them. Every validator is usable as an
argparse ``type=``: it raises ``argparse.ArgumentTypeError`` naming what is allowed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Final

from . import dialects

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

PYPROJECT_TABLE: Final = "flake8-alembic"
IMPORT_NAME_TABLE: Final = "flake8_alembic"
"""The package's import name: a table under it is a mistake worth naming, never silently ignored."""
CACHE_DIR_VARIABLE: Final = "FLAKE8_ALEMBIC_CACHE_DIR"


class ConfigError(Exception):
    """A configuration problem, worded for one line on stderr."""


def _items(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item for item in re.split(r"[,\s]+", str(value).strip()) if item]


def parse_dialects(value: object) -> frozenset[str]:
    """``postgresql,mysql`` → the set; each must be a known dialect."""
    names = [name.lower() for name in _items(value)]
    if not names:
        raise argparse.ArgumentTypeError(f"expected one or more of: {', '.join(dialects.NAMES)}")
    for name in names:
        if name not in dialects.ALL:
            raise argparse.ArgumentTypeError(f"invalid dialect {name!r}; allowed: {', '.join(dialects.NAMES)}")
    return frozenset(names)


def parse_version(value: object) -> tuple[int, ...]:
    """``1.13.3`` → (1, 13, 3)."""
    text = str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+){0,2}", text):
        raise argparse.ArgumentTypeError(f"invalid version {text!r}; expected a version such as 1.13.3")
    return tuple(int(part) for part in text.split("."))


def _choice(*allowed: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}; allowed: {', '.join(allowed)}")
        return text

    parse.__name__ = "choice"
    return parse


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise argparse.ArgumentTypeError(f"invalid value {text!r}; allowed: true, false")


def parse_names(value: object) -> frozenset[str]:
    """A list of dotted Python names (packages, table names)."""
    names = _items(value)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][\w.]*", name):
            raise argparse.ArgumentTypeError(f"invalid name {name!r}; expected dotted Python identifiers")
    return frozenset(names)


def parse_modules(value: object) -> tuple[str, ...]:
    return tuple(sorted(parse_names(value)))


def parse_revisions(value: object) -> tuple[str, ...]:
    """One revision id or several (one per head or environment): a TOML list or ``a,b`` on the command line."""
    ids = _items(value)
    if not ids:
        raise argparse.ArgumentTypeError("expected one or more revision ids")
    for text in ids:
        if not re.fullmatch(r"[\w\-]+", text):
            raise argparse.ArgumentTypeError(f"invalid revision id {text!r}; expected letters, digits, '_' or '-'")
    return tuple(dict.fromkeys(ids))


def parse_path(value: object) -> str:
    text = str(value).strip()
    if not text:
        raise argparse.ArgumentTypeError("expected a folder path")
    return text


def parse_postgres_version(value: object) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 9 <= int(text) <= 40:
        raise argparse.ArgumentTypeError(f"invalid PostgreSQL major version {text!r}; expected a number such as 15")
    return int(text)


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key (pyproject key; flake8 option ``--alembic-<key>``), validator and help text."""

    key: str
    parse: Callable[[object], Any]
    metavar: str
    help: str

    @property
    def attribute(self) -> str:
        return self.key.replace("-", "_")

    @property
    def option(self) -> str:
        return f"--alembic-{self.key}"

    @property
    def dest(self) -> str:
        return f"alembic_{self.attribute}"


SETTINGS: Final = (
    SettingSpec(
        "target-dialects",
        parse_dialects,
        "DIALECTS",
        "databases the migrations run on (default: inferred from alembic.ini and the migrations, else postgresql)",
    ),
    SettingSpec(
        "target-alembic-version",
        parse_version,
        "VERSION",
        "lowest Alembic version the project runs (default: read from the project's pins)",
    ),
    SettingSpec(
        "target-sqlalchemy-version",
        parse_version,
        "VERSION",
        "SQLAlchemy version the project runs, e.g. 1.4 for 1.4.x (default: the range the project's pins allow)",
    ),
    SettingSpec("guard-drops", _choice("always", "unproven"), "MODE", "ALM002: always | unproven (default always)"),
    SettingSpec(
        "guard-alters",
        _choice("unproven", "always"),
        "MODE",
        "ALM003/ALM005: unproven | always (default unproven)",
    ),
    SettingSpec(
        "downgrades",
        _choice("required", "forward-only"),
        "POLICY",
        "required | forward-only: whether a missing downgrade() is a finding (default: forward-only when at most "
        "1 in 10 of the history's migrations has a downgrade(), else required)",
    ),
    SettingSpec("external-tables", parse_names, "TABLES", "tables created outside migrations"),
    SettingSpec(
        "application-import-names",
        parse_names,
        "NAMES",
        "top-level packages of the application (default: inferred from the project root)",
    ),
    SettingSpec("banned-imports", parse_modules, "MODULES", "modules a migration must not import (ALM010)"),
    SettingSpec(
        "allowed-imports",
        parse_modules,
        "MODULES",
        "application modules a migration may import: frozen helpers kept for migrations (ALM010 in preview)",
    ),
    SettingSpec(
        "baseline-revision",
        parse_revisions,
        "REVISIONS",
        "revision ids (one per head or environment): they and their ancestors are not reported",
    ),
    SettingSpec(
        "autocommit-connections",
        parse_bool,
        "BOOL",
        "env.py runs migrations on an AUTOCOMMIT connection (default: inferred from env.py)",
    ),
    SettingSpec("postgres-version", parse_postgres_version, "MAJOR", "PostgreSQL major version (default 15)"),
    SettingSpec(
        "preview",
        parse_bool,
        "BOOL",
        "run the preview rules too: new or demoted rules without passing evidence yet (default false)",
    ),
    SettingSpec(
        "cache",
        parse_bool,
        "BOOL",
        "keep each file's parse summary in the cache folder between runs (default true)",
    ),
    SettingSpec(
        "cache-dir",
        parse_path,
        "PATH",
        f"the cache folder (default: .flake8_alembic_cache at the project root; also ${CACHE_DIR_VARIABLE})",
    ),
)


def parse_selectors(value: object) -> tuple[str, ...]:
    """Rule selectors: full codes or prefixes (``ALM``, ``ALM0``, ``ALM002``)."""
    selectors = tuple(item.upper() for item in _items(value))
    for selector in selectors:
        if not re.fullmatch(r"[A-Z]{1,3}[0-9]{0,3}", selector):
            raise argparse.ArgumentTypeError(f"invalid rule selector {selector!r}; expected a code such as ALM002")
    return selectors


def parse_globs(value: object) -> tuple[str, ...]:
    return tuple(_items(value))


_PER_FILE_FORMS: Final = 'a table {"GLOB" = ["CODE", ...]} or a list of "GLOB:CODE,CODE" strings'


def parse_per_file_ignores(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``{"glob" = ["ALM002"]}`` (ruff's TOML table), ``["glob:ALM002,ALM001"]`` (a TOML list of flake8-style
    entries) or ``glob:ALM002,ALM001 other:ALM1`` (the command line)."""
    if isinstance(value, dict):
        return tuple((str(pattern), parse_selectors(codes)) for pattern, codes in value.items())
    if isinstance(value, (list, tuple)):
        if not all(isinstance(item, str) for item in value):
            raise argparse.ArgumentTypeError(f"expected {_PER_FILE_FORMS}")
        items = [item.strip() for item in value if item.strip()]
    else:
        items = [item for item in re.split(r"\s+", str(value).strip()) if item]
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for item in items:
        pattern, separator, codes = item.rpartition(":")
        if not separator or not pattern.strip() or not codes.strip():
            raise argparse.ArgumentTypeError(f"invalid per-file-ignores entry {item!r}; expected GLOB:CODE[,CODE]")
        pairs.append((pattern.strip(), parse_selectors(codes)))
    return tuple(pairs)


OUTPUT_FORMATS: Final = ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit", "pylint")
CLI_KEYS: Final[dict[str, Callable[[object], Any]]] = {
    "select": parse_selectors,
    "extend-select": parse_selectors,
    "ignore": parse_selectors,
    "extend-ignore": parse_selectors,
    "per-file-ignores": parse_per_file_ignores,
    "exclude": parse_globs,
    "extend-exclude": parse_globs,
    "output-format": _choice(*OUTPUT_FORMATS),
}
"""Keys only the standalone command reads (flake8 has its own select/ignore/exclude)."""


@dataclass(frozen=True)
class Settings:
    """Resolved user settings. None means "not set: infer it"."""

    target_dialects: frozenset[str] | None = None
    target_alembic_version: tuple[int, ...] | None = None
    target_sqlalchemy_version: tuple[int, ...] | None = None
    guard_drops: str = "always"
    guard_alters: str = "unproven"
    downgrades: str | None = None
    external_tables: frozenset[str] = frozenset()
    application_import_names: frozenset[str] | None = None
    banned_imports: tuple[str, ...] = ()
    allowed_imports: tuple[str, ...] = ()
    baseline_revision: tuple[str, ...] = ()
    autocommit_connections: bool | None = None
    postgres_version: int = 15
    preview: bool = False
    """Run the preview rules too (ruff's preview mode)."""
    cache: bool | None = None
    """Read and write the per-file summary cache (results never depend on it). None: on, for both faces (under
    flake8 it saves an editor's one-file lint 0.18 s and costs a whole-tree run nothing: docs/performance.md)."""
    cache_dir: str | None = None
    """The cache folder as configured (absolute once resolved); None: the project root's."""
    opt_in: frozenset[str] = field(default_factory=frozenset)
    """The opt-in codes the user named explicitly (by code or family prefix)."""

    def updated(self, values: Mapping[str, object]) -> Settings:
        """A copy with validated values (keys are setting keys) replacing these."""
        known = {item.name for item in fields(self)}
        changes = {key.replace("-", "_"): value for key, value in values.items() if key not in CLI_KEYS}
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)  # type: ignore[arg-type]


def suggestion(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or nothing."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def allowed_keys() -> tuple[str, ...]:
    return tuple(sorted([spec.key for spec in SETTINGS] + list(CLI_KEYS)))


def validate_table(table: Mapping[str, object], origin: str) -> dict[str, object]:
    """Validate a ``[tool.flake8-alembic]`` table; keys are returned in their dashed form, values parsed."""
    parsers: dict[str, Callable[[object], Any]] = {spec.key: spec.parse for spec in SETTINGS}
    parsers.update(CLI_KEYS)
    parsed: dict[str, object] = {}
    for key, value in table.items():
        name = key.replace("_", "-")
        parse = parsers.get(name)
        if parse is None:
            raise ConfigError(
                f"{origin}: unknown key {key!r}{suggestion(name, parsers)}; allowed: {', '.join(allowed_keys())}"
            )
        try:
            parsed[name] = parse(value)
        except argparse.ArgumentTypeError as error:
            raise ConfigError(f"{origin}: {name}: {error}") from None
    return parsed


@dataclass(frozen=True)
class ConfigFile:
    """A ``[tool.flake8-alembic]`` table: the file it is in and its validated values."""

    path: Path
    values: Mapping[str, object]

    @property
    def folder(self) -> Path:
        """What the table's relative paths (``per-file-ignores`` globs, ``cache-dir``) are relative to."""
        return self.path.parent


def read_config(path: Path, required: bool = False) -> ConfigFile | None:
    """The ``[tool.flake8-alembic]`` table of a TOML file; None when it has none (a ConfigError when ``required``,
    when the file is broken, or when it holds the table under the import name ``flake8_alembic``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: no such file") from None
        return None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    if not required and PYPROJECT_TABLE not in text and IMPORT_NAME_TABLE not in text:
        return None  # the cheap test: most pyproject.toml files never mention us
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    tool = data.get("tool", {})
    tool = tool if isinstance(tool, dict) else {}
    if IMPORT_NAME_TABLE in tool:
        raise ConfigError(
            f"{path}: [tool.{IMPORT_NAME_TABLE}] is not read: the table is [tool.{PYPROJECT_TABLE}] "
            "(the distribution's name, with a dash)"
        )
    table = tool.get(PYPROJECT_TABLE)
    if table is None:
        if required:
            raise ConfigError(f"{path}: no [tool.{PYPROJECT_TABLE}] table")
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{PYPROJECT_TABLE}] must be a table")
    return ConfigFile(path, validate_table(table, f"{path} [tool.{PYPROJECT_TABLE}]"))


@dataclass
class ConfigFinder:
    """Finds the configuration of each linted file: the nearest ``pyproject.toml`` at or above its folder that holds
    a ``[tool.flake8-alembic]`` table, as ruff finds ``[tool.ruff]`` (not from the working directory). Each folder is
    looked up once per run."""

    found: dict[Path, ConfigFile | None] = field(default_factory=dict)

    def for_path(self, path: Path) -> ConfigFile | None:
        folder = Path(os.path.abspath(path))
        if not folder.is_dir():
            folder = folder.parent
        return self.for_folder(folder)

    def for_folder(self, folder: Path) -> ConfigFile | None:
        if folder not in self.found:
            here = read_config(folder / "pyproject.toml")
            parent = folder.parent
            self.found[folder] = here if here is not None or parent == folder else self.for_folder(parent)
        return self.found[folder]


def explicit_opt_in(selected: Iterable[str], opt_in_codes: Iterable[str]) -> frozenset[str]:
    """The opt-in codes named in ``select``/``extend-select`` by their full code or a family prefix.

    ``ALM`` alone means the default set (as bugbear's ``B`` leaves ``B9`` off); ``ALM0``, ``ALM01`` and ``ALM011``
    all name ``ALM011``.
    """
    prefixes = [entry.strip().upper() for entry in selected if entry and entry.strip().upper().startswith("ALM")]
    prefixes = [prefix for prefix in prefixes if len(prefix) > 3]
    return frozenset(code for code in opt_in_codes if any(code.startswith(prefix) for prefix in prefixes))


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as ruff's globs read it: ``*`` and ``?`` never cross a ``/``, ``**`` spans folders, ``[...]`` is a
    class."""
    out: list[str] = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = pattern.find("]", index + 2)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : close]
                negated = body.startswith("!")
                out.append(("[^" if negated else "[") + re.escape(body[1:] if negated else body) + "]")
                index = close
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class PerFileIgnore:
    """``GLOB = [CODES]``: the glob is matched as ruff matches it, against the file's path relative to ``base`` (the
    configuration's folder, or the working directory for the command line) and, without a ``/``, against the file
    name alone."""

    pattern: str
    codes: tuple[str, ...]
    base: Path

    def matches(self, path: Path) -> bool:
        absolute = Path(os.path.abspath(path))
        regex = glob_regex(self.pattern.rstrip("/"))
        if "/" not in self.pattern and regex.match(absolute.name):
            return True
        try:
            relative = absolute.relative_to(Path(os.path.abspath(self.base))).as_posix()
        except ValueError:
            return False
        return regex.match(relative) is not None


@dataclass(frozen=True)
class Resolved:
    """Everything a face needs for the files one configuration governs: the settings, what is selected, excluded and
    ignored per file, and where each value came from (for ``--show-settings``)."""

    settings: Settings
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    per_file_ignores: tuple[PerFileIgnore, ...]
    exclude: tuple[str, ...]
    extend_exclude: tuple[str, ...]
    output_format: str
    config: ConfigFile | None
    origins: Mapping[str, str]
    """Key → ``command line``/``flake8 option``, ``set in <file>``, ``environment variable`` or ``default``."""


DEFAULT_SELECT: Final = ("ALM",)


def _sequence(value: object) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else ()


def resolve(
    config: ConfigFile | None,
    overrides: Mapping[str, object],
    origin: str,
    cwd: Path,
    opt_in_codes: Iterable[str],
    environment: Mapping[str, str] | None = None,
) -> Resolved:
    """One configuration resolved for both faces: defaults, then the ``[tool.flake8-alembic]`` table, then
    ``overrides`` (command-line flags or flake8 options, told apart by ``origin``). ``select``, ``ignore`` and
    ``exclude`` replace; ``extend-*`` and ``per-file-ignores`` add. Relative paths in the table are relative to its
    folder, those of the overrides to ``cwd``."""
    table = dict(config.values) if config is not None else {}
    where = f"set in {config.path}" if config is not None else ""
    origins: dict[str, str] = {}

    def pick(key: str, default: object) -> Any:
        if overrides.get(key) is not None:
            origins[key] = origin
            return overrides[key]
        if key in table:
            origins[key] = where
            return table[key]
        origins[key] = "default"
        return default

    def joined(key: str) -> tuple[Any, ...]:
        """A list both sources add to: the table's entries, then the overrides'."""
        from_table, from_overrides = _sequence(table.get(key)), _sequence(overrides.get(key))
        labels = [label for label, entries in ((where, from_table), (origin, from_overrides)) if entries]
        origins[key] = " and ".join(labels) if labels else "default"
        return from_table + from_overrides

    select = tuple(pick("select", DEFAULT_SELECT)) + joined("extend-select")
    ignore = tuple(pick("ignore", ())) + joined("extend-ignore")
    table_base = config.folder if config is not None else cwd
    per_file = tuple(
        PerFileIgnore(pattern, codes, table_base) for pattern, codes in _sequence(table.get("per-file-ignores"))
    ) + tuple(PerFileIgnore(pattern, codes, cwd) for pattern, codes in _sequence(overrides.get("per-file-ignores")))
    joined("per-file-ignores")  # records where they came from
    values: dict[str, object] = {}
    for spec in SETTINGS:
        value = pick(spec.key, None)
        if value is not None:
            values[spec.key] = value
    variable = (environment if environment is not None else os.environ).get(CACHE_DIR_VARIABLE)
    if variable and overrides.get("cache-dir") is None:
        values["cache-dir"], origins["cache-dir"] = variable, f"environment variable {CACHE_DIR_VARIABLE}"
    if values.get("cache-dir") is not None:
        base = config.folder if origins["cache-dir"] == where and config is not None else cwd
        values["cache-dir"] = os.path.join(base, os.path.expanduser(str(values["cache-dir"])))
    values["opt_in"] = explicit_opt_in(select, opt_in_codes)
    return Resolved(
        settings=Settings().updated(values),
        select=select,
        ignore=ignore,
        per_file_ignores=per_file,
        exclude=tuple(pick("exclude", ())),
        extend_exclude=joined("extend-exclude"),
        output_format=str(pick("output-format", "full")),
        config=config,
        origins=origins,
    )
