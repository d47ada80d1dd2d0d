"""Reading fixture migrations: inline ``# expect: ALM002`` comments and ``# settings: k=v; k=v`` headers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flake8_alembic.config import Settings, validate_table
from flake8_alembic.engine import ProjectCache
from flake8_alembic.facts.project import ProjectFacts
from flake8_alembic.rules.registry import OPT_IN_CODES

FIXTURES = Path(__file__).parent / "fixtures"
_EXPECT = re.compile(r"#\s*expect:\s*(ALM\d{3}(?:\s*,\s*ALM\d{3})*)")
_SETTINGS = re.compile(r"^#\s*settings:\s*(.+)$")


@dataclass(frozen=True)
class Fixture:
    path: Path
    code: str
    expected: frozenset[tuple[int, str]]
    settings_text: dict[str, str]

    @property
    def scope(self) -> frozenset[str]:
        return frozenset({self.code, *(code for _, code in self.expected)})

    @property
    def id(self) -> str:
        return f"{self.code}/{self.path.name}"

    def settings(self) -> Settings:
        values = validate_table(self.settings_text, str(self.path))
        return Settings().updated({"preview": True, **values, "opt_in": OPT_IN_CODES})


def read_fixture(path: Path) -> Fixture:
    expected: set[tuple[int, str]] = set()
    settings: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        match = _EXPECT.search(line)
        if match:
            expected.update((number, code.strip()) for code in match.group(1).split(","))
        header = _SETTINGS.match(line.strip())
        if header and number <= 15:
            for item in header.group(1).split(";"):
                if "=" in item:
                    key, value = item.split("=", 1)
                    settings[key.strip()] = value.strip()
    return Fixture(path, path.parent.name, frozenset(expected), settings)


def all_fixtures() -> list[Fixture]:
    return [read_fixture(path) for path in sorted(FIXTURES.glob("ALM*/*.py"))]


def hermetic_cache(paths: list[Path]) -> ProjectCache:
    """Project facts for the fixture folders: nothing inferred from this repository's own files."""
    return ProjectCache(facts={str(path.absolute().parent): ProjectFacts(autocommit=False) for path in paths})
