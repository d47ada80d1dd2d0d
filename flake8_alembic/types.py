"""SQLAlchemy type expressions and SQL type names -> ``TypeRef``.

Public interface::

    FAMILIES: frozenset[str]               the closed set of family strings
    @dataclass(frozen=True) class TypeRef   family, length, unsigned (+ display-only ``name``)
    UNKNOWN: TypeRef                        family "unknown": never produces a finding
    type_ref(node, qualify) -> TypeRef      a type written in Python (``sa.String(36)``, ``postgresql.UUID``)
    sql_type_ref(text) -> TypeRef           a type written in SQL (``VARCHAR(36)``, ``timestamptz``)
    compatible_for_foreign_key(a, b) -> bool | None

Only names whose qualified path is inside ``sqlalchemy`` (the top-level package, ``sqlalchemy.types``,
``sqlalchemy.sql.sqltypes`` or ``sqlalchemy.dialects.<name>[...]``) are known.  Everything else
(``GUID()``, ``sqlalchemy_utils.UUIDType``, TypeDecorator subclasses, ``.with_variant(...)`` results,
names the caller cannot resolve) is ``UNKNOWN``.  Nothing here imports or runs user code, and no function
raises on any input.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable

__all__ = [
    "FAMILIES",
    "UNKNOWN",
    "TypeRef",
    "compatible_for_foreign_key",
    "sql_type_ref",
    "type_ref",
]

FAMILIES: frozenset[str] = frozenset(
    {
        "uuid",
        "string",
        "integer",
        "numeric",
        "float",
        "boolean",
        "datetime",
        "date",
        "time",
        "interval",
        "binary",
        "json",
        "enum",
        "array",
        "unknown",
    }
)

_INT_NAMES: Mapping[int, str] = MappingProxyType(
    {1: "TINYINT", 2: "SMALLINT", 3: "MEDIUMINT", 4: "INTEGER", 8: "BIGINT"}
)

_FAMILY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "uuid": "UUID",
        "numeric": "NUMERIC",
        "float": "FLOAT",
        "boolean": "BOOLEAN",
        "datetime": "TIMESTAMP",
        "date": "DATE",
        "time": "TIME",
        "interval": "INTERVAL",
        "binary": "BINARY",
        "json": "JSON",
        "enum": "ENUM",
        "array": "ARRAY",
    }
)


@dataclass(frozen=True)
class TypeRef:
    """What the linter knows about a column type.

    ``length``: for ``string`` the declared length (``None`` for TEXT / unbounded / not a literal); for
    ``integer`` the byte width (SMALLINT 2, INTEGER 4, BIGINT 8, TINYINT 1, MEDIUMINT 3); else ``None``.
    ``name`` is the SQL spelling used by :meth:`describe` only; it takes no part in equality or hashing.
    """

    family: str
    length: int | None = None
    unsigned: bool = False
    name: str | None = field(default=None, compare=False)
    length_unknown: bool = field(default=False, compare=False)
    """A length was given but not as a literal (a variable, ``*args``/``**kw``), or the type computes it at run
    time (a non-native ``Enum``): ``length`` None does not mean "no length"."""

    def describe(self) -> str:
        """Readable, stable text for messages: ``VARCHAR(36)``, ``TEXT``, ``UUID``, ``BIGINT``..."""
        family = self.family
        if family == "string":
            base = self.name or ("VARCHAR" if self.length is not None else "TEXT")
            return f"{base}({self.length})" if self.length is not None else base
        if family == "integer":
            base = self.name or _INT_NAMES.get(self.length or 4, "INTEGER")
            return f"{base} UNSIGNED" if self.unsigned else base
        if self.name:
            return self.name
        return _FAMILY_NAMES.get(family, "unknown type")


UNKNOWN = TypeRef("unknown")

# --------------------------------------------------------------------------------------------------
# SQLAlchemy class names.  Each entry: (family, default length / integer width, SQL name for messages).
# Strings listed in _LENGTH_ARG take their length from the first positional argument or ``length=``.
# --------------------------------------------------------------------------------------------------

_SA_CLASSES: Mapping[str, tuple[str, int | None, str]] = MappingProxyType(
    {
        # strings
        "String": ("string", None, "VARCHAR"),
        "VARCHAR": ("string", None, "VARCHAR"),
        "NVARCHAR": ("string", None, "NVARCHAR"),
        "Unicode": ("string", None, "VARCHAR"),
        "CHAR": ("string", 1, "CHAR"),
        "NCHAR": ("string", 1, "NCHAR"),
        "VARCHAR2": ("string", None, "VARCHAR2"),
        "NVARCHAR2": ("string", None, "NVARCHAR2"),
        "Text": ("string", None, "TEXT"),
        "TEXT": ("string", None, "TEXT"),
        "UnicodeText": ("string", None, "TEXT"),
        "CLOB": ("string", None, "CLOB"),
        "NCLOB": ("string", None, "NCLOB"),
        "NTEXT": ("string", None, "NTEXT"),
        "TINYTEXT": ("string", None, "TINYTEXT"),
        "MEDIUMTEXT": ("string", None, "MEDIUMTEXT"),
        "LONGTEXT": ("string", None, "LONGTEXT"),
        "LONG": ("string", None, "LONG"),
        # integers (length = byte width)
        "Integer": ("integer", 4, "INTEGER"),
        "INTEGER": ("integer", 4, "INTEGER"),
        "INT": ("integer", 4, "INTEGER"),
        "SmallInteger": ("integer", 2, "SMALLINT"),
        "SMALLINT": ("integer", 2, "SMALLINT"),
        "BigInteger": ("integer", 8, "BIGINT"),
        "BIGINT": ("integer", 8, "BIGINT"),
        "TINYINT": ("integer", 1, "TINYINT"),
        "MEDIUMINT": ("integer", 3, "MEDIUMINT"),
        # exact numerics
        "Numeric": ("numeric", None, "NUMERIC"),
        "NUMERIC": ("numeric", None, "NUMERIC"),
        "DECIMAL": ("numeric", None, "DECIMAL"),
        # floats
        "Float": ("float", None, "FLOAT"),
        "FLOAT": ("float", None, "FLOAT"),
        "REAL": ("float", None, "REAL"),
        "Double": ("float", None, "DOUBLE PRECISION"),
        "DOUBLE": ("float", None, "DOUBLE"),
        "DOUBLE_PRECISION": ("float", None, "DOUBLE PRECISION"),
        "BINARY_FLOAT": ("float", None, "BINARY_FLOAT"),
        "BINARY_DOUBLE": ("float", None, "BINARY_DOUBLE"),
        # booleans
        "Boolean": ("boolean", None, "BOOLEAN"),
        "BOOLEAN": ("boolean", None, "BOOLEAN"),
        # date / time
        "DateTime": ("datetime", None, "TIMESTAMP"),
        "DATETIME": ("datetime", None, "DATETIME"),
        "TIMESTAMP": ("datetime", None, "TIMESTAMP"),
        "DATETIME2": ("datetime", None, "DATETIME2"),
        "DATETIMEOFFSET": ("datetime", None, "DATETIMEOFFSET"),
        "SMALLDATETIME": ("datetime", None, "SMALLDATETIME"),
        "Date": ("date", None, "DATE"),
        "DATE": ("date", None, "DATE"),
        "Time": ("time", None, "TIME"),
        "TIME": ("time", None, "TIME"),
        "Interval": ("interval", None, "INTERVAL"),
        "INTERVAL": ("interval", None, "INTERVAL"),
        # binary
        "LargeBinary": ("binary", None, "BYTEA"),
        "BLOB": ("binary", None, "BLOB"),
        "TINYBLOB": ("binary", None, "TINYBLOB"),
        "MEDIUMBLOB": ("binary", None, "MEDIUMBLOB"),
        "LONGBLOB": ("binary", None, "LONGBLOB"),
        "BYTEA": ("binary", None, "BYTEA"),
        "BINARY": ("binary", None, "BINARY"),
        "VARBINARY": ("binary", None, "VARBINARY"),
        "IMAGE": ("binary", None, "IMAGE"),
        "RAW": ("binary", None, "RAW"),
        # json
        "JSON": ("json", None, "JSON"),
        "JSONB": ("json", None, "JSONB"),
        # enums
        "Enum": ("enum", None, "ENUM"),
        "ENUM": ("enum", None, "ENUM"),
        # arrays
        "ARRAY": ("array", None, "ARRAY"),
        # uuid
        "Uuid": ("uuid", None, "UUID"),
        "UUID": ("uuid", None, "UUID"),
        "UNIQUEIDENTIFIER": ("uuid", None, "UNIQUEIDENTIFIER"),
    }
)

_LENGTH_ARG = frozenset({"String", "VARCHAR", "NVARCHAR", "Unicode", "CHAR", "NCHAR", "VARCHAR2", "NVARCHAR2"})

# Modules of SQLAlchemy that export type classes (besides ``sqlalchemy.dialects.<name>...``).
_TYPE_MODULES = frozenset({"sqlalchemy", "sqlalchemy.types", "sqlalchemy.sql.sqltypes"})


def _sa_class(qualified: str) -> tuple[str | None, str] | None:
    """``"sqlalchemy.dialects.mysql.INTEGER"`` -> ``("mysql", "INTEGER")``; ``None`` when not a type path."""
    module, _, cls = qualified.rpartition(".")
    if not module or not cls:
        return None
    if module in _TYPE_MODULES:
        return None, cls
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "sqlalchemy" and parts[1] == "dialects" and parts[2]:
        return parts[2], cls
    return None


def _is_dotted(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _qualified(node: ast.expr, qualify: Callable[[ast.expr], str | None]) -> str | None:
    if not _is_dotted(node):
        return None
    try:
        result = qualify(node)
    except Exception:  # a caller's resolver must never make us raise
        return None
    return result if isinstance(result, str) else None


def _int_literal(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _bool_literal(node: ast.expr | None) -> bool | None:
    """True/False for a literal bool (or 0/1), ``None`` when not a literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int)):
        return bool(node.value)
    return None


def _has_double_star(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def type_ref(node: ast.expr, qualify: Callable[[ast.expr], str | None]) -> TypeRef:
    """The ``TypeRef`` of a SQLAlchemy type given as a class (``sa.Integer``) or instance (``sa.String(36)``).

    ``qualify`` maps a Name/Attribute to its fully qualified dotted name given the imports, or ``None``.
    """
    try:
        return _type_ref(node, qualify)
    except Exception:  # defensive: odd trees must never escape as exceptions
        return UNKNOWN


def _type_ref(node: ast.expr, qualify: Callable[[ast.expr], str | None]) -> TypeRef:
    call: ast.Call | None = None
    target: ast.expr = node
    if isinstance(node, ast.Call):
        call = node
        target = node.func
    qualified = _qualified(target, qualify)
    if qualified is None:
        return UNKNOWN
    found = _sa_class(qualified)
    if found is None:
        return UNKNOWN
    dialect, cls = found
    if cls == "BIT":
        # mssql BIT is SQLAlchemy's Boolean there; MySQL/PostgreSQL BIT are bit strings.
        return TypeRef("boolean", name="BIT") if dialect == "mssql" else UNKNOWN
    if dialect == "mssql" and cls == "TIMESTAMP":  # mssql TIMESTAMP is a ROWVERSION, not a date
        return UNKNOWN
    if dialect == "oracle" and cls == "DATE":  # Oracle DATE carries a time of day
        return TypeRef("datetime", name="DATE")
    entry = _SA_CLASSES.get(cls)
    if entry is None:
        return UNKNOWN
    family, length, sql_name = entry
    unsigned = False
    length_unknown = False
    if call is not None:
        if any(isinstance(arg, ast.Starred) for arg in call.args) and cls in _LENGTH_ARG:
            length, length_unknown = None, True
        elif cls in _LENGTH_ARG:
            given = call.args[0] if call.args else _keyword(call, "length")
            if given is not None:
                length = _int_literal(given)
                length_unknown = length is None and not (isinstance(given, ast.Constant) and given.value is None)
            elif _has_double_star(call):
                length, length_unknown = None, True
        if family == "integer":
            flag = _keyword(call, "unsigned")
            if flag is not None:
                value = _bool_literal(flag)
                if value is None:
                    return UNKNOWN
                unsigned = value
        if cls == "Uuid":
            native = _keyword(call, "native_uuid")
            if native is None and _has_double_star(call):
                return UNKNOWN
            if native is not None:
                value = _bool_literal(native)
                if value is None:
                    return UNKNOWN
                if not value:
                    return TypeRef("string", 32, name="CHAR")
        if cls == "Enum":
            native = _keyword(call, "native_enum")
            if native is None and _has_double_star(call):
                return UNKNOWN
            if native is not None:
                value = _bool_literal(native)
                if value is None:
                    return UNKNOWN
                if not value:
                    enum_length = _enum_length(call)
                    return TypeRef("string", enum_length, name="VARCHAR", length_unknown=enum_length is None)
    if family != "string" and family != "integer":
        length = None
    return TypeRef(family, length, unsigned, name=sql_name, length_unknown=length_unknown)


def _enum_length(call: ast.Call) -> int | None:
    explicit = _keyword(call, "length")
    if explicit is not None:
        return _int_literal(explicit)
    values: list[int] = []
    for arg in call.args:
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return None
        values.append(len(arg.value))
    return max(values) if values else None


# --------------------------------------------------------------------------------------------------
# SQL spellings.  Entry: (family, default length / integer width, canonical name, takes a length argument).
# --------------------------------------------------------------------------------------------------

_SQL_NAMES: Mapping[str, tuple[str, int | None, str, bool]] = MappingProxyType(
    {
        # strings
        "varchar": ("string", None, "VARCHAR", True),
        "character varying": ("string", None, "VARCHAR", True),
        "char varying": ("string", None, "VARCHAR", True),
        "nvarchar": ("string", None, "NVARCHAR", True),
        "national character varying": ("string", None, "NVARCHAR", True),
        "national char varying": ("string", None, "NVARCHAR", True),
        "varchar2": ("string", None, "VARCHAR2", True),
        "nvarchar2": ("string", None, "NVARCHAR2", True),
        "char": ("string", 1, "CHAR", True),
        "character": ("string", 1, "CHAR", True),
        "nchar": ("string", 1, "NCHAR", True),
        "national character": ("string", 1, "NCHAR", True),
        "national char": ("string", 1, "NCHAR", True),
        "bpchar": ("string", None, "BPCHAR", True),
        "text": ("string", None, "TEXT", False),
        "tinytext": ("string", None, "TINYTEXT", False),
        "mediumtext": ("string", None, "MEDIUMTEXT", False),
        "longtext": ("string", None, "LONGTEXT", False),
        "clob": ("string", None, "CLOB", False),
        "nclob": ("string", None, "NCLOB", False),
        "ntext": ("string", None, "NTEXT", False),
        # uuid
        "uuid": ("uuid", None, "UUID", False),
        "uniqueidentifier": ("uuid", None, "UNIQUEIDENTIFIER", False),
        # integers
        "tinyint": ("integer", 1, "TINYINT", False),
        "int1": ("integer", 1, "TINYINT", False),
        "smallint": ("integer", 2, "SMALLINT", False),
        "int2": ("integer", 2, "SMALLINT", False),
        "smallserial": ("integer", 2, "SMALLINT", False),
        "serial2": ("integer", 2, "SMALLINT", False),
        "mediumint": ("integer", 3, "MEDIUMINT", False),
        "int3": ("integer", 3, "MEDIUMINT", False),
        "int": ("integer", 4, "INTEGER", False),
        "integer": ("integer", 4, "INTEGER", False),
        "int4": ("integer", 4, "INTEGER", False),
        "serial": ("integer", 4, "INTEGER", False),
        "serial4": ("integer", 4, "INTEGER", False),
        "bigint": ("integer", 8, "BIGINT", False),
        "int8": ("integer", 8, "BIGINT", False),
        "bigserial": ("integer", 8, "BIGINT", False),
        "serial8": ("integer", 8, "BIGINT", False),
        # exact numerics
        "numeric": ("numeric", None, "NUMERIC", False),
        "decimal": ("numeric", None, "DECIMAL", False),
        "dec": ("numeric", None, "DECIMAL", False),
        "number": ("numeric", None, "NUMBER", False),
        "fixed": ("numeric", None, "DECIMAL", False),
        # floats
        "real": ("float", None, "REAL", False),
        "float4": ("float", None, "REAL", False),
        "float": ("float", None, "FLOAT", False),
        "float8": ("float", None, "DOUBLE PRECISION", False),
        "double precision": ("float", None, "DOUBLE PRECISION", False),
        "double": ("float", None, "DOUBLE", False),
        "binary_float": ("float", None, "BINARY_FLOAT", False),
        "binary_double": ("float", None, "BINARY_DOUBLE", False),
        # booleans
        "boolean": ("boolean", None, "BOOLEAN", False),
        "bool": ("boolean", None, "BOOLEAN", False),
        # date / time
        "timestamp": ("datetime", None, "TIMESTAMP", False),
        "timestamp without time zone": ("datetime", None, "TIMESTAMP", False),
        "timestamp with time zone": ("datetime", None, "TIMESTAMP WITH TIME ZONE", False),
        "timestamptz": ("datetime", None, "TIMESTAMP WITH TIME ZONE", False),
        "datetime": ("datetime", None, "DATETIME", False),
        "datetime2": ("datetime", None, "DATETIME2", False),
        "datetimeoffset": ("datetime", None, "DATETIMEOFFSET", False),
        "smalldatetime": ("datetime", None, "SMALLDATETIME", False),
        "date": ("date", None, "DATE", False),
        "time": ("time", None, "TIME", False),
        "time without time zone": ("time", None, "TIME", False),
        "time with time zone": ("time", None, "TIME WITH TIME ZONE", False),
        "timetz": ("time", None, "TIME WITH TIME ZONE", False),
        "interval": ("interval", None, "INTERVAL", False),
        # binary
        "bytea": ("binary", None, "BYTEA", False),
        "blob": ("binary", None, "BLOB", False),
        "tinyblob": ("binary", None, "TINYBLOB", False),
        "mediumblob": ("binary", None, "MEDIUMBLOB", False),
        "longblob": ("binary", None, "LONGBLOB", False),
        "binary": ("binary", None, "BINARY", False),
        "varbinary": ("binary", None, "VARBINARY", False),
        "image": ("binary", None, "IMAGE", False),
        "raw": ("binary", None, "RAW", False),
        # json
        "json": ("json", None, "JSON", False),
        "jsonb": ("json", None, "JSONB", False),
        # enum (MySQL inline ENUM('a','b'))
        "enum": ("enum", None, "ENUM", False),
    }
)

_MAX_NAME_WORDS = 4
_MAX_TYPE_TEXT = 10_000


def _scan_sql_type(text: str) -> tuple[list[str], str | None, bool] | None:
    """Words at parenthesis depth 0 (lowercased), the first parenthesised group, whether ``[`` occurs.

    ``None`` when the text holds something a type name cannot (a quoted identifier, a HOLE, unbalanced
    parentheses).
    """
    words: list[str] = []
    group: str | None = None
    bracket = False
    depth = 0
    group_start = -1
    i = 0
    n = len(text)
    current: list[str] = []
    while i < n:
        ch = text[i]
        if ch == "'":  # literals only occur inside ENUM('a', 'b'); skip them with '' escapes
            end = text.find("'", i + 1)
            while end != -1 and end + 1 < n and text[end + 1] == "'":
                end = text.find("'", end + 2)
            if end == -1 or depth == 0:
                return None
            i = end + 1
            continue
        if ch in '"`\x00':
            return None
        if depth == 0 and (ch.isalnum() or ch == "_"):
            current.append(ch.lower())
            i += 1
            continue
        if current:
            words.append("".join(current))
            current = []
        if ch == "(":
            if depth == 0 and group is None:
                group_start = i + 1
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0 and group is None:
                group = text[group_start:i]
        elif ch == "[" and depth == 0:
            bracket = True
        elif depth == 0 and not ch.isspace() and ch not in "]":
            return None
        i += 1
    if current:
        words.append("".join(current))
    if depth != 0:
        return None
    return words, group, bracket


def sql_type_ref(text: str) -> TypeRef:
    """The ``TypeRef`` of a type as written in SQL DDL (``VARCHAR(36)``, ``int4``, ``integer[]``...)."""
    try:
        return _sql_type_ref(text)
    except Exception:  # defensive
        return UNKNOWN


def _sql_type_ref(text: str) -> TypeRef:
    if not isinstance(text, str) or len(text) > _MAX_TYPE_TEXT:
        return UNKNOWN
    scanned = _scan_sql_type(text.strip())
    if scanned is None:
        return UNKNOWN
    words, group, bracket = scanned
    if not words:
        return UNKNOWN
    entry: tuple[str, int | None, str, bool] | None = None
    used = 0
    for k in range(min(_MAX_NAME_WORDS, len(words)), 0, -1):
        entry = _SQL_NAMES.get(" ".join(words[:k]))
        if entry is not None:
            used = k
            break
    if entry is None:
        return UNKNOWN
    rest = words[used:]
    if bracket or "array" in rest:
        return TypeRef("array", name="ARRAY")
    family, length, canonical, takes_length = entry
    if takes_length and group is not None:
        first = group.split(",", 1)[0].strip()
        length = int(first) if first.isdigit() and first.isascii() else None
    unsigned = family == "integer" and "unsigned" in rest
    if family not in ("string", "integer"):
        length = None
    return TypeRef(family, length, unsigned, name=canonical)


# Families PostgreSQL compares across (an implicit cast exists in the parent's operator family), so a
# foreign key between them is accepted; see alembic_facts §4.5.
_COMPARABLE_GROUPS: tuple[frozenset[str], ...] = (
    frozenset({"integer", "numeric", "float"}),
    frozenset({"date", "datetime"}),
)


def compatible_for_foreign_key(a: TypeRef, b: TypeRef) -> bool | None:
    """Can a foreign key join columns of these types?  ``None``: cannot tell (an unknown type).

    ``False`` only when the families differ and PostgreSQL rejects the pair; string vs text and integer
    widths are compatible here (widths are a separate rule).
    """
    fa, fb = a.family, b.family
    if fa == "unknown" or fb == "unknown" or fa not in FAMILIES or fb not in FAMILIES:
        return None
    if fa == fb:
        return True
    return any(fa in group and fb in group for group in _COMPARABLE_GROUPS)
