"""Settings shared by the flake8 plugin and the standalone command.

Values come from ``[tool.flake8-alembic]`` in ``pyproject.toml``; in flake8, ``--alembic-<key>`` options (and the
same keys in ``[flake8]`` of ``setup.cfg``/``tox.ini``/``.flake8``) override them. Every validator is usable as an
argparse ``type=``: it raises ``argparse.ArgumentTypeError`` naming what is allowed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Final

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

DIALECTS: Final = ("postgresql", "mysql", "mariadb", "sqlite", "mssql", "oracle")
PYPROJECT_TABLE: Final = "flake8-alembic"


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
        raise argparse.ArgumentTypeError(f"expected one or more of: {', '.join(DIALECTS)}")
    for name in names:
        if name not in DIALECTS:
            raise argparse.ArgumentTypeError(f"invalid dialect {name!r}; allowed: {', '.join(DIALECTS)}")
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


def parse_revision(value: object) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"[\w\-]+", text):
        raise argparse.ArgumentTypeError(f"invalid revision id {text!r}; expected letters, digits, '_' or '-'")
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
    SettingSpec("baseline-revision", parse_revision, "REVISION", "this revision and its ancestors are not reported"),
    SettingSpec(
        "autocommit-connections",
        parse_bool,
        "BOOL",
        "env.py runs migrations on an AUTOCOMMIT connection (default: inferred from env.py)",
    ),
    SettingSpec("postgres-version", parse_postgres_version, "MAJOR", "PostgreSQL major version (default 15)"),
    SettingSpec(
        "cache",
        parse_bool,
        "BOOL",
        "keep each file's parse summary in .flake8_alembic_cache/ at the project root between runs "
        "(default: true for the standalone command, false under flake8)",
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


def parse_per_file_ignores(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``{"glob" = ["ALM002"]}`` (TOML) or ``glob:ALM002,ALM001 other:ALM1`` (command line)."""
    pairs: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(value, dict):
        for pattern, codes in value.items():
            pairs.append((str(pattern), parse_selectors(codes)))
        return tuple(pairs)
    for item in re.split(r"\s+", str(value).strip()):
        if not item:
            continue
        pattern, separator, codes = item.rpartition(":")
        if not separator or not pattern:
            raise argparse.ArgumentTypeError(f"invalid per-file-ignores entry {item!r}; expected GLOB:CODE[,CODE]")
        pairs.append((pattern, parse_selectors(codes)))
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
    guard_drops: str = "always"
    guard_alters: str = "unproven"
    downgrades: str | None = None
    external_tables: frozenset[str] = frozenset()
    application_import_names: frozenset[str] | None = None
    banned_imports: tuple[str, ...] = ()
    baseline_revision: str | None = None
    autocommit_connections: bool | None = None
    postgres_version: int = 15
    cache: bool | None = None
    """Read and write the per-file summary cache (results never depend on it). None: on for the standalone command,
    off under flake8, whose workers each write every file of a history (measured slower cold, even warm)."""
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


def validate_table(table: Mapping[str, object], origin: str) -> dict[str, object]:
    """Validate a ``[tool.flake8-alembic]`` table; keys are returned as given, values parsed."""
    parsers: dict[str, Callable[[object], Any]] = {spec.key: spec.parse for spec in SETTINGS}
    parsers.update(CLI_KEYS)
    parsed: dict[str, object] = {}
    for key, value in table.items():
        name = key.replace("_", "-")
        parse = parsers.get(name)
        if parse is None:
            raise ConfigError(f"{origin}: unknown key {key!r}; allowed: {', '.join(sorted(parsers))}")
        try:
            parsed[name] = parse(value)
        except argparse.ArgumentTypeError as error:
            raise ConfigError(f"{origin}: {name}: {error}") from None
    return parsed


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.flake8-alembic]`` table."""
    try:
        folder = start.resolve()
    except (OSError, RuntimeError):
        return None
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        try:
            if path.is_file() and f"[tool.{PYPROJECT_TABLE}]" in path.read_text(encoding="utf-8", errors="replace"):
                return path
        except OSError:
            continue
        if (candidate / ".git").exists():
            return None
    return None


def load_pyproject(path: Path) -> dict[str, object]:
    """The validated ``[tool.flake8-alembic]`` table of a pyproject file (ConfigError when broken)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    tool = data.get("tool", {})
    table = tool.get(PYPROJECT_TABLE, {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{PYPROJECT_TABLE}] must be a table")
    return validate_table(table, f"{path} [tool.{PYPROJECT_TABLE}]")


def explicit_opt_in(selected: Iterable[str], opt_in_codes: Iterable[str]) -> frozenset[str]:
    """The opt-in codes named in ``select``/``extend-select`` by their full code or a family prefix.

    ``ALM`` alone means the default set (as bugbear's ``B`` leaves ``B9`` off); ``ALM0``, ``ALM01`` and ``ALM011``
    all name ``ALM011``.
    """
    prefixes = [entry.strip().upper() for entry in selected if entry and entry.strip().upper().startswith("ALM")]
    prefixes = [prefix for prefix in prefixes if len(prefix) > 3]
    return frozenset(code for code in opt_in_codes if any(code.startswith(prefix) for prefix in prefixes))
