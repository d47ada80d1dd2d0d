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
DISPLAY_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "postgresql": "PostgreSQL",
        "mysql": "MySQL",
        "mariadb": "MariaDB",
        "sqlite": "SQLite",
        "mssql": "SQL Server",
        "oracle": "Oracle",
    }
)
"""How messages name each dialect."""
DEFAULT: Final = frozenset({"postgresql"})
"""What a project is linted for when nothing says which database it runs on."""

POSTGRESQL: Final = frozenset({"postgresql"})
MYSQL: Final = frozenset({"mysql", "mariadb"})
"""MySQL and MariaDB: one dialect family in SQLAlchemy, the same DDL for most rules."""
SQLITE: Final = frozenset({"sqlite"})
SERVERS: Final = ALL - SQLITE
"""The server databases, which releases of an application share during a rolling deploy (an SQLite file is not)."""
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

DRIVER_PACKAGES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        **dict.fromkeys(
            ("psycopg", "psycopg-binary", "psycopg-c", "psycopg2", "psycopg2-binary", "psycopg2cffi", "asyncpg"),
            POSTGRESQL,
        ),
        **dict.fromkeys(("pg8000", "aiopg", "psqlpy"), POSTGRESQL),
        **dict.fromkeys(("pymysql", "mysqlclient", "mysql-connector-python", "mysql-connector", "aiomysql"), MYSQL),
        "asyncmy": MYSQL,
        "mariadb": frozenset({"mariadb"}),
        **dict.fromkeys(("oracledb", "cx-oracle"), frozenset({"oracle"})),
        **dict.fromkeys(("pyodbc", "pymssql", "aioodbc"), frozenset({"mssql"})),
        **dict.fromkeys(("aiosqlite", "pysqlite3", "pysqlite3-binary", "sqlcipher3"), SQLITE),
    }
)
"""The databases a driver package (a normalised distribution name) connects to: a project that installs it runs
there. ``pyodbc`` is SQL Server's usual driver in SQLAlchemy."""

EXTRA_WORDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "postgresql": POSTGRESQL,
        "postgres": POSTGRESQL,
        "pg": POSTGRESQL,
        "mysql": MYSQL,
        "mariadb": frozenset({"mariadb"}),
        "sqlite": SQLITE,
        "mssql": frozenset({"mssql"}),
        "oracle": frozenset({"oracle"}),
    }
)
"""The database an extra's first word names: ``SQLAlchemy[postgresql_asyncpg]``, ``oslo.db[mysql]``."""

SERVICE_IMAGES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        **dict.fromkeys(("postgres", "postgresql", "postgis", "pgvector", "timescaledb", "timescaledb-ha"), POSTGRESQL),
        **dict.fromkeys(("mysql", "mysql-server", "percona", "percona-server"), MYSQL),
        "mariadb": frozenset({"mariadb"}),
        **dict.fromkeys(("oracle-xe", "oracle-free", "oracle-database"), frozenset({"oracle"})),
        "mssql": frozenset({"mssql"}),
    }
)
"""The database a container image runs, by the last part of its name (``docker.io/library/postgres:16`` →
postgres); SQL Server's ``mcr.microsoft.com/mssql/server`` is named by the part before ``server``."""
