"""The databases the linter knows: their names, the families rules speak of, the default, and how each place that
names a database (a URL, a word in code, a folder) maps onto them.

Nothing else in the package spells a dialect name set.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

NAMES: Final = ("postgresql", "mysql", "mariadb", "sqlite", "mssql", "oracle")
"""The dialect names settings accept, in the order they are listed to users."""
ALL: Final = frozenset(NAMES)
DEFAULT: Final = frozenset({"postgresql"})
"""What a project is linted for when nothing says which database it runs on."""

POSTGRESQL: Final = frozenset({"postgresql"})
MYSQL: Final = frozenset({"mysql", "mariadb"})
"""MySQL and MariaDB: one dialect family in SQLAlchemy, the same DDL for most rules."""
SQLITE: Final = frozenset({"sqlite"})
SCHEMA_IS_A_DATABASE: Final = frozenset({"mysql", "mariadb", "sqlite"})
"""Where a "schema" is a database (MySQL/MariaDB) or an attached database (SQLite), never PostgreSQL's namespace."""

URL_SCHEMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "postgresql": "postgresql",
        "postgres": "postgresql",
        "psycopg": "postgresql",
        "psycopg2": "postgresql",
        "mysql": "mysql",
        "mariadb": "mariadb",
        "sqlite": "sqlite",
        "mssql": "mssql",
        "oracle": "oracle",
    }
)
"""The dialect of a ``sqlalchemy.url`` scheme (before any ``+driver``)."""

CODE_WORDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "postgresql": POSTGRESQL,
        "postgres": POSTGRESQL,
        "psycopg2": POSTGRESQL,
        "mysql": MYSQL,
        "mariadb": frozenset({"mariadb"}),
        "sqlite": SQLITE,
        "mssql": frozenset({"mssql"}),
        "oracle": frozenset({"oracle"}),
    }
)
"""The dialects a word names in code (``dialect.name == "mysql"``, ``is_sqlite()``): SQLAlchemy's MariaDB dialect
reports ``mysql`` for older servers, so a ``mysql`` branch also runs on MariaDB."""

FOLDER_NAMES: Final[Mapping[str, str]] = MappingProxyType({**{name: name for name in NAMES}, "postgres": "postgresql"})
"""The dialect a folder below ``versions`` is named after (prefect's ``versions/sqlite/``)."""
