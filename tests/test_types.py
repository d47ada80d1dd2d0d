"""Unit tests for flake8_alembic.types."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

from flake8_alembic.types import (
    FAMILIES,
    UNKNOWN,
    TypeRef,
    compatible_for_foreign_key,
    sql_type_ref,
    type_ref,
)

# A tiny import table standing in for the caller's resolver.
IMPORTS = {
    "sa": "sqlalchemy",
    "sqlalchemy": "sqlalchemy",
    "postgresql": "sqlalchemy.dialects.postgresql",
    "pg": "sqlalchemy.dialects.postgresql",
    "mysql": "sqlalchemy.dialects.mysql",
    "mssql": "sqlalchemy.dialects.mssql",
    "oracle": "sqlalchemy.dialects.oracle",
    "sqlite": "sqlalchemy.dialects.sqlite",
    "UUID": "sqlalchemy.dialects.postgresql.UUID",
    "JSONB": "sqlalchemy.dialects.postgresql.JSONB",
    "String": "sqlalchemy.String",
    "sqlalchemy_utils": "sqlalchemy_utils",
    "GUID": "app.db.types.GUID",
    "orm": "sqlalchemy.orm",
}


def qualify(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return IMPORTS.get(node.id)
    if isinstance(node, ast.Attribute):
        base = qualify(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def tr(source: str) -> TypeRef:
    return type_ref(ast.parse(source, mode="eval").body, qualify)


# --------------------------------------------------------------------------------------------------
# type_ref
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "family", "length"),
    [
        # strings
        ("sa.String", "string", None),
        ("sa.String()", "string", None),
        ("sa.String(36)", "string", 36),
        ("sa.String(length=36)", "string", 36),
        ("sa.String(36, collation='C')", "string", 36),
        ("String(255)", "string", 255),
        ("sa.VARCHAR(36)", "string", 36),
        ("sa.NVARCHAR(10)", "string", 10),
        ("sa.CHAR(36)", "string", 36),
        ("sa.CHAR", "string", 1),
        ("sa.NCHAR(2)", "string", 2),
        ("sa.Unicode(255)", "string", 255),
        ("sa.Text", "string", None),
        ("sa.Text()", "string", None),
        ("sa.TEXT", "string", None),
        ("sa.UnicodeText()", "string", None),
        ("sa.CLOB()", "string", None),
        ("mysql.VARCHAR(36)", "string", 36),
        ("mysql.CHAR(36)", "string", 36),
        ("mysql.LONGTEXT", "string", None),
        ("sa.types.String(20)", "string", 20),
        ("sqlalchemy.sql.sqltypes.String(20)", "string", 20),
        ("oracle.VARCHAR2(30)", "string", 30),
        ("sa.String(LENGTH)", "string", None),  # non-literal length: family known, length not
        # integers: length is the byte width
        ("sa.Integer", "integer", 4),
        ("sa.Integer()", "integer", 4),
        ("sa.INTEGER()", "integer", 4),
        ("sa.INT", "integer", 4),
        ("sa.SmallInteger()", "integer", 2),
        ("sa.SMALLINT", "integer", 2),
        ("sa.BigInteger()", "integer", 8),
        ("sa.BIGINT", "integer", 8),
        ("mysql.TINYINT(1)", "integer", 1),
        ("mysql.MEDIUMINT", "integer", 3),
        ("mysql.INTEGER(display_width=11)", "integer", 4),
        ("sqlalchemy.types.Integer", "integer", 4),
        ("sa.types.Integer()", "integer", 4),
        # numerics / floats
        ("sa.Numeric(10, 2)", "numeric", None),
        ("sa.Numeric(precision=10, scale=2)", "numeric", None),
        ("sa.NUMERIC", "numeric", None),
        ("sa.DECIMAL(10, 2)", "numeric", None),
        ("sa.Float()", "float", None),
        ("sa.FLOAT(53)", "float", None),
        ("sa.REAL", "float", None),
        ("sa.Double()", "float", None),
        ("sa.DOUBLE", "float", None),
        ("postgresql.DOUBLE_PRECISION", "float", None),
        ("mysql.DOUBLE(asdecimal=False)", "float", None),
        # booleans
        ("sa.Boolean()", "boolean", None),
        ("sa.BOOLEAN", "boolean", None),
        ("sa.Boolean(create_constraint=True)", "boolean", None),
        ("mssql.BIT", "boolean", None),
        # date / time
        ("sa.DateTime()", "datetime", None),
        ("sa.DateTime(timezone=True)", "datetime", None),
        ("sa.DATETIME", "datetime", None),
        ("sa.TIMESTAMP", "datetime", None),
        ("postgresql.TIMESTAMP(timezone=True)", "datetime", None),
        ("mysql.DATETIME(fsp=6)", "datetime", None),
        ("mssql.DATETIME2", "datetime", None),
        ("mssql.DATETIMEOFFSET", "datetime", None),
        ("oracle.DATE", "datetime", None),
        ("sa.Date()", "date", None),
        ("sa.DATE", "date", None),
        ("sa.Time()", "time", None),
        ("postgresql.TIME(timezone=True)", "time", None),
        ("sa.Interval()", "interval", None),
        ("postgresql.INTERVAL", "interval", None),
        # binary
        ("sa.LargeBinary()", "binary", None),
        ("sa.LargeBinary(16)", "binary", None),
        ("sa.BLOB", "binary", None),
        ("postgresql.BYTEA", "binary", None),
        ("sa.VARBINARY(16)", "binary", None),
        ("sa.BINARY(16)", "binary", None),
        ("mysql.LONGBLOB", "binary", None),
        # json
        ("sa.JSON", "json", None),
        ("sa.JSON()", "json", None),
        ("postgresql.JSONB", "json", None),
        ("postgresql.JSONB(astext_type=sa.Text())", "json", None),
        ("JSONB", "json", None),
        ("postgresql.JSON", "json", None),
        ("mysql.JSON", "json", None),
        # enums
        ("sa.Enum('a', 'b', name='x')", "enum", None),
        ("sa.Enum(MyEnum, name='x')", "enum", None),
        ("sa.Enum('a', 'b', name='x', native_enum=True)", "enum", None),
        ("postgresql.ENUM('a', 'b', name='x', create_type=False)", "enum", None),
        ("postgresql.ENUM(name='x')", "enum", None),
        ("mysql.ENUM('a', 'b')", "enum", None),
        # arrays
        ("sa.ARRAY(sa.Integer)", "array", None),
        ("postgresql.ARRAY(sa.String(36), dimensions=2)", "array", None),
        # uuid
        ("sa.Uuid", "uuid", None),
        ("sa.Uuid()", "uuid", None),
        ("sa.Uuid(as_uuid=True)", "uuid", None),
        ("sa.UUID", "uuid", None),
        ("sa.UUID()", "uuid", None),
        ("sa.types.Uuid", "uuid", None),
        ("postgresql.UUID", "uuid", None),
        ("postgresql.UUID(as_uuid=True)", "uuid", None),
        ("postgresql.UUID(as_uuid=False)", "uuid", None),
        ("pg.UUID()", "uuid", None),
        ("UUID(as_uuid=True)", "uuid", None),
        ("sqlalchemy.dialects.postgresql.UUID()", "uuid", None),
        ("mssql.UNIQUEIDENTIFIER", "uuid", None),
    ],
)
def test_type_ref_known(source: str, family: str, length: int | None) -> None:
    ref = tr(source)
    assert ref.family == family
    assert ref.length == length
    assert ref.family in FAMILIES


@pytest.mark.parametrize(
    "source",
    [
        "GUID()",
        "GUID",
        "sqlalchemy_utils.UUIDType()",
        "sqlalchemy_utils.UUIDType(binary=False)",
        "sqlalchemy_utils.types.uuid.UUIDType()",
        "MyType()",
        "app_types.Money()",
        "sa.BigInteger().with_variant(sa.Integer(), 'sqlite')",
        "sa.Integer().with_variant(sa.BigInteger(), 'postgresql')",
        "sa.String(36).evaluates_none()",
        "sa.String(36)()",
        "sa.types.TypeDecorator",
        "sa.types.UserDefinedType()",
        "sa.PickleType()",
        "sa.Column",
        "sa.text('x')",
        "orm.Mapped[int]",
        "orm.String(36)",  # not a type module
        "sqlalchemy.String.Integer",
        "postgresql.INET",
        "postgresql.CIDR",
        "postgresql.MACADDR",
        "postgresql.HSTORE",
        "postgresql.TSVECTOR",
        "postgresql.CITEXT",
        "postgresql.INT4RANGE",
        "postgresql.MONEY",
        "postgresql.OID",
        "postgresql.BIT(3)",
        "mysql.BIT(1)",
        "mysql.SET('a', 'b')",
        "mysql.YEAR",
        "mssql.TIMESTAMP",
        "mssql.ROWVERSION",
        "sa.NullType()",
        "get_type()",
        "types[0]",
        "lambda: sa.Integer",
        "'VARCHAR(36)'",
        "None",
        "sa.Enum('a', 'b', name='x', native_enum=FLAG)",
        "sa.Enum('a', name='x', **opts)",
        "sa.Uuid(native_uuid=FLAG)",
        "sa.Uuid(**opts)",
        "mysql.INTEGER(unsigned=flag)",
        "x.y.z",
    ],
)
def test_type_ref_unknown(source: str) -> None:
    assert tr(source) == UNKNOWN
    assert tr(source).family == "unknown"


def test_unsigned_integer() -> None:
    ref = tr("mysql.INTEGER(unsigned=True)")
    assert ref == TypeRef("integer", 4, unsigned=True)
    assert tr("mysql.BIGINT(unsigned=True)") == TypeRef("integer", 8, unsigned=True)
    assert tr("mysql.INTEGER(unsigned=False)") == TypeRef("integer", 4)
    assert ref != tr("sa.Integer")
    assert ref.describe() == "INTEGER UNSIGNED"


def test_uuid_emulated_as_char32() -> None:
    assert tr("sa.Uuid(native_uuid=False)") == TypeRef("string", 32)
    assert tr("sa.Uuid(native_uuid=False)").describe() == "CHAR(32)"
    # sa.UUID always renders UUID
    assert tr("sa.UUID(native_uuid=False)").family == "uuid"


def test_non_native_enum_is_a_string() -> None:
    ref = tr("sa.Enum('draft', 'published', name='status', native_enum=False)")
    assert ref.family == "string"
    assert ref.length == len("published")
    assert tr("sa.Enum(Status, native_enum=False)") == TypeRef("string", None)
    assert tr("sa.Enum('a', native_enum=False, length=20)") == TypeRef("string", 20)


def test_name_does_not_take_part_in_equality() -> None:
    assert tr("sa.CHAR(36)") == tr("sa.String(36)") == TypeRef("string", 36)
    assert hash(tr("sa.CHAR(36)")) == hash(TypeRef("string", 36))
    assert tr("sa.Text()") == TypeRef("string")
    assert tr("sa.BigInteger()") == TypeRef("integer", 8)


def test_type_ref_is_frozen() -> None:
    ref = tr("sa.Integer")
    with pytest.raises(AttributeError):
        ref.family = "string"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("sa.String(36)", "VARCHAR(36)"),
        ("sa.String()", "VARCHAR"),
        ("sa.CHAR(36)", "CHAR(36)"),
        ("sa.Text()", "TEXT"),
        ("sa.UnicodeText()", "TEXT"),
        ("sa.Uuid()", "UUID"),
        ("postgresql.UUID(as_uuid=True)", "UUID"),
        ("sa.Integer()", "INTEGER"),
        ("sa.BigInteger()", "BIGINT"),
        ("sa.SmallInteger()", "SMALLINT"),
        ("sa.Boolean()", "BOOLEAN"),
        ("sa.DateTime()", "TIMESTAMP"),
        ("sa.Numeric(10, 2)", "NUMERIC"),
        ("postgresql.JSONB", "JSONB"),
        ("sa.LargeBinary()", "BYTEA"),
    ],
)
def test_describe_from_type_ref(source: str, text: str) -> None:
    assert tr(source).describe() == text


@pytest.mark.parametrize(
    ("ref", "text"),
    [
        (TypeRef("string", 36), "VARCHAR(36)"),
        (TypeRef("string"), "TEXT"),
        (TypeRef("integer", 8), "BIGINT"),
        (TypeRef("integer", 2), "SMALLINT"),
        (TypeRef("integer", 4, unsigned=True), "INTEGER UNSIGNED"),
        (TypeRef("integer"), "INTEGER"),
        (TypeRef("uuid"), "UUID"),
        (TypeRef("datetime"), "TIMESTAMP"),
        (TypeRef("boolean"), "BOOLEAN"),
        (UNKNOWN, "unknown type"),
    ],
)
def test_describe_plain_refs(ref: TypeRef, text: str) -> None:
    assert ref.describe() == text


def test_type_ref_never_raises_on_a_bad_resolver() -> None:
    node = ast.parse("sa.String(36)", mode="eval").body

    def boom(_: ast.expr) -> str | None:
        raise RuntimeError("resolver failed")

    def weird(_: ast.expr) -> str | None:
        return 42  # type: ignore[return-value]

    assert type_ref(node, boom) == UNKNOWN
    assert type_ref(node, weird) == UNKNOWN
    assert type_ref(node, lambda _: "") == UNKNOWN
    assert type_ref(node, lambda _: "sqlalchemy") == UNKNOWN
    assert type_ref(node, lambda _: ".....") == UNKNOWN


def test_type_ref_on_every_node_of_a_file_never_raises() -> None:
    source = """
import sqlalchemy as sa
x = [sa.String(*args), sa.String(**kw), sa.Integer(unsigned=True, **kw), f"{sa.Text}", -1, b"x",
     sa.Numeric(1, 2)[0], sa.Enum(*values), sa.String(None), sa.String(True), sa.CHAR(-1), {1: 2}]
"""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.expr):
            ref = type_ref(node, qualify)
            assert ref.family in FAMILIES


def test_bool_length_is_not_an_int() -> None:
    assert tr("sa.String(True)").length is None
    assert tr("sa.String(None)") == TypeRef("string", None)
    assert tr("sa.String(*args)") == TypeRef("string", None)


def test_every_family_is_reachable() -> None:
    families = {
        tr(s).family
        for s in [
            "sa.Uuid",
            "sa.String",
            "sa.Integer",
            "sa.Numeric",
            "sa.Float",
            "sa.Boolean",
            "sa.DateTime",
            "sa.Date",
            "sa.Time",
            "sa.Interval",
            "sa.LargeBinary",
            "sa.JSON",
            "sa.Enum",
            "sa.ARRAY",
            "GUID",
        ]
    }
    assert families == set(FAMILIES)


def test_agrees_with_sqlalchemy_class_hierarchy() -> None:
    """Every SQLAlchemy type class we claim to know lands in the family its base classes say."""
    pytest.importorskip("sqlalchemy")
    from sqlalchemy.sql import sqltypes
    from sqlalchemy.types import TypeEngine

    order = [
        (sqltypes.Enum, "enum"),
        (sqltypes.ARRAY, "array"),
        (sqltypes.JSON, "json"),
        (sqltypes.Uuid, "uuid"),
        (sqltypes.Boolean, "boolean"),
        (sqltypes.Interval, "interval"),
        (sqltypes._AbstractInterval, "interval"),
        (sqltypes.String, "string"),
        (sqltypes.Integer, "integer"),
        (sqltypes.Float, "float"),
        (sqltypes.Numeric, "numeric"),
        (sqltypes.DateTime, "datetime"),
        (sqltypes.Date, "date"),
        (sqltypes.Time, "time"),
        (sqltypes._Binary, "binary"),
    ]
    modules = ["sqlalchemy", "sqlalchemy.types"] + [
        f"sqlalchemy.dialects.{d}" for d in ("postgresql", "mysql", "sqlite", "mssql", "oracle")
    ]
    checked = 0
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name in dir(module):
            cls = getattr(module, name)
            if not (inspect.isclass(cls) and issubclass(cls, TypeEngine)):
                continue
            node = ast.parse(f"{module_name}.{name}", mode="eval").body
            got = type_ref(node, ast.unparse)
            if got.family == "unknown":
                continue
            expected = next((fam for base, fam in order if issubclass(cls, base)), None)
            assert got.family == expected, f"{module_name}.{name}"
            checked += 1
    assert checked > 80


# --------------------------------------------------------------------------------------------------
# sql_type_ref
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VARCHAR(36)", TypeRef("string", 36)),
        ("varchar(36)", TypeRef("string", 36)),
        ("  VarChar ( 36 )  ", TypeRef("string", 36)),
        ("varchar", TypeRef("string", None)),
        ("character varying(36)", TypeRef("string", 36)),
        ("CHARACTER VARYING", TypeRef("string", None)),
        ("char(36)", TypeRef("string", 36)),
        ("char", TypeRef("string", 1)),
        ("character(2)", TypeRef("string", 2)),
        ("nvarchar(max)", TypeRef("string", None)),
        ("text", TypeRef("string", None)),
        ("TEXT", TypeRef("string", None)),
        ("longtext", TypeRef("string", None)),
        ("varchar(36) character set utf8mb4", TypeRef("string", 36)),
        ("uuid", TypeRef("uuid")),
        ("UUID", TypeRef("uuid")),
        ("uniqueidentifier", TypeRef("uuid")),
        ("int", TypeRef("integer", 4)),
        ("int4", TypeRef("integer", 4)),
        ("integer", TypeRef("integer", 4)),
        ("INTEGER", TypeRef("integer", 4)),
        ("serial", TypeRef("integer", 4)),
        ("bigserial", TypeRef("integer", 8)),
        ("bigint", TypeRef("integer", 8)),
        ("int8", TypeRef("integer", 8)),
        ("smallint", TypeRef("integer", 2)),
        ("int2", TypeRef("integer", 2)),
        ("smallserial", TypeRef("integer", 2)),
        ("tinyint(1)", TypeRef("integer", 1)),
        ("mediumint", TypeRef("integer", 3)),
        ("int(11) unsigned", TypeRef("integer", 4, unsigned=True)),
        ("BIGINT UNSIGNED", TypeRef("integer", 8, unsigned=True)),
        ("boolean", TypeRef("boolean")),
        ("bool", TypeRef("boolean")),
        ("timestamp", TypeRef("datetime")),
        ("timestamp(6)", TypeRef("datetime")),
        ("timestamp with time zone", TypeRef("datetime")),
        ("timestamp(3) without time zone", TypeRef("datetime")),
        ("TIMESTAMP WITHOUT TIME ZONE", TypeRef("datetime")),
        ("timestamptz", TypeRef("datetime")),
        ("datetime", TypeRef("datetime")),
        ("date", TypeRef("date")),
        ("time", TypeRef("time")),
        ("time with time zone", TypeRef("time")),
        ("timetz", TypeRef("time")),
        ("interval", TypeRef("interval")),
        ("interval day to second", TypeRef("interval")),
        ("numeric(10,2)", TypeRef("numeric")),
        ("NUMERIC(10, 2)", TypeRef("numeric")),
        ("decimal", TypeRef("numeric")),
        ("double precision", TypeRef("float")),
        ("real", TypeRef("float")),
        ("float8", TypeRef("float")),
        ("jsonb", TypeRef("json")),
        ("json", TypeRef("json")),
        ("bytea", TypeRef("binary")),
        ("blob", TypeRef("binary")),
        ("binary(16)", TypeRef("binary")),
        ("enum('a', 'b')", TypeRef("enum")),
        ("ENUM('it''s', ')')", TypeRef("enum")),
        ("integer[]", TypeRef("array")),
        ("text[][]", TypeRef("array")),
        ("int[3]", TypeRef("array")),
        ("integer array", TypeRef("array")),
        ("varchar(36)[]", TypeRef("array")),
    ],
)
def test_sql_type_ref(text: str, expected: TypeRef) -> None:
    ref = sql_type_ref(text)
    assert ref == expected
    assert ref.unsigned == expected.unsigned


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "my_enum",
        "public.my_enum",
        "citext",
        "inet",
        "money",
        "hstore",
        "geometry(Point, 4326)",
        '"char"',
        '"int"',
        "varchar(\x00)",
        "\x00",
        "int\x00",
        "int)",
        "varchar(36",
        "id::text",
        "varchar, text",
        "(",
        ")",
        "é",
        "\ufeffint",
        "x" * 20_000,
        "int " * 10_000,
    ],
)
def test_sql_type_ref_unknown(text: str) -> None:
    assert sql_type_ref(text) == UNKNOWN


def test_sql_type_ref_describe() -> None:
    assert sql_type_ref("character varying(36)").describe() == "VARCHAR(36)"
    assert sql_type_ref("timestamptz").describe() == "TIMESTAMP WITH TIME ZONE"
    assert sql_type_ref("int8").describe() == "BIGINT"
    assert sql_type_ref("char(32)").describe() == "CHAR(32)"
    assert sql_type_ref("text").describe() == "TEXT"


def test_sql_and_python_spellings_agree() -> None:
    pairs = [
        ("sa.String(36)", "VARCHAR(36)"),
        ("sa.CHAR(32)", "char(32)"),
        ("sa.Text()", "text"),
        ("sa.Integer()", "integer"),
        ("sa.BigInteger()", "bigserial"),
        ("sa.SmallInteger()", "int2"),
        ("postgresql.UUID(as_uuid=True)", "uuid"),
        ("sa.Boolean()", "bool"),
        ("sa.DateTime(timezone=True)", "timestamptz"),
        ("postgresql.JSONB", "jsonb"),
        ("sa.LargeBinary()", "bytea"),
        ("sa.ARRAY(sa.Integer)", "int[]"),
    ]
    for source, sql in pairs:
        assert tr(source) == sql_type_ref(sql), (source, sql)


@pytest.mark.parametrize(
    "junk",
    [
        "\x00\x01\x02",
        "\udcff",
        "💥(💥)",
        "varchar(\uff13\uff16)",
        "int[",
        "]",
        "enum('unterminated",
        "'''",
        "varchar(99999999999999999999999999)",
        "\n\t\r",
    ],
)
def test_sql_type_ref_never_raises(junk: str) -> None:
    assert sql_type_ref(junk).family in FAMILIES


def test_sql_type_ref_rejects_non_strings() -> None:
    assert sql_type_ref(None) == UNKNOWN  # type: ignore[arg-type]
    assert sql_type_ref(b"int") == UNKNOWN  # type: ignore[arg-type]


def test_varchar_huge_length_is_an_int() -> None:
    assert sql_type_ref("varchar(99999999999999999999999999)").length == 99999999999999999999999999
    assert sql_type_ref("varchar(\uff13\uff16)") == TypeRef("string", None)


# --------------------------------------------------------------------------------------------------
# compatible_for_foreign_key
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("sa.String(36)", "postgresql.UUID(as_uuid=True)", False),
        ("sa.CHAR(36)", "sa.Uuid()", False),
        ("sa.Text()", "sa.UUID", False),
        ("sa.Integer()", "sa.String(36)", False),
        ("sa.Integer()", "sa.Uuid()", False),
        ("sa.Boolean()", "sa.Integer()", False),
        ("sa.JSON()", "sa.String()", False),
        ("sa.LargeBinary()", "sa.Uuid()", False),
        ("sa.Enum('a', name='e')", "sa.String(10)", False),
        ("sa.Time()", "sa.DateTime()", False),
        ("sa.Interval()", "sa.Integer()", False),
        ("sa.String(36)", "sa.Text()", True),
        ("sa.String(36)", "sa.String(64)", True),
        ("sa.CHAR(36)", "sa.VARCHAR(36)", True),
        ("sa.Uuid(native_uuid=False)", "sa.CHAR(32)", True),
        ("sa.Integer()", "sa.BigInteger()", True),
        ("sa.SmallInteger()", "sa.Integer()", True),
        ("mysql.INTEGER(unsigned=True)", "sa.Integer()", True),
        ("sa.Integer()", "sa.Numeric(10)", True),  # PostgreSQL compares them
        ("sa.Float()", "sa.Integer()", True),
        ("sa.Date()", "sa.DateTime()", True),  # PostgreSQL compares them
        ("sa.Uuid()", "postgresql.UUID(as_uuid=True)", True),
        ("sa.Uuid()", "sa.UUID", True),
        ("sa.Enum('a', name='e')", "postgresql.ENUM(name='e')", True),
        ("GUID()", "sa.String(36)", None),
        ("sa.String(36)", "GUID()", None),
        ("sa.BigInteger().with_variant(sa.Integer(), 'sqlite')", "sa.Integer()", None),
        ("GUID()", "GUID()", None),
    ],
)
def test_compatible_for_foreign_key(a: str, b: str, expected: bool | None) -> None:
    assert compatible_for_foreign_key(tr(a), tr(b)) is expected
    assert compatible_for_foreign_key(tr(b), tr(a)) is expected


def test_compatible_for_foreign_key_odd_families() -> None:
    assert compatible_for_foreign_key(TypeRef("nonsense"), TypeRef("string")) is None
    assert compatible_for_foreign_key(UNKNOWN, UNKNOWN) is None
    for family in FAMILIES - {"unknown"}:
        assert compatible_for_foreign_key(TypeRef(family), TypeRef(family)) is True


def test_pattern3_varchar_vs_uuid() -> None:
    assert compatible_for_foreign_key(sql_type_ref("VARCHAR(36)"), sql_type_ref("uuid")) is False
    assert compatible_for_foreign_key(sql_type_ref("VARCHAR(36)"), tr("sa.String(36)")) is True
