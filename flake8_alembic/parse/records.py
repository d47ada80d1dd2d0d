"""Records of what a migration does: Alembic operations, SQL executions, try blocks, guards, dialect branches.

The records are plain data (no AST nodes), so a parsed tree can be dropped as soon as it is summarised. The walker
builds thousands of them per second, so the hot ones are plain dataclasses (a frozen one costs 5x more to build);
nothing mutates a record after the walk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from ..dialects import ALL as ALL_DIALECTS
from ..names import Literal
from ..sql import SqlStatement, classify
from ..types import TypeRef

DROP_OPS: Final = frozenset({"drop_table", "drop_column", "drop_index", "drop_constraint"})


@dataclass
class ForeignKeySpec:
    """A foreign key: local columns → referenced table and columns."""

    columns: tuple[str | None, ...]
    ref_table: str | None
    ref_columns: tuple[str | None, ...]
    line: int
    col: int
    name: str | None = None
    """``name=`` of an inline ``sa.ForeignKey``/``sa.ForeignKeyConstraint`` when literal."""


@dataclass
class EnumSpec:
    """A native enum type written in Python (``sa.Enum(..., name="status")``, ``postgresql.ENUM``)."""

    name: str | None
    """The type's name (``name=``, else the lowercased name of the Python enum class); None when unknown."""
    values: tuple[str, ...] | None
    """The labels when all are string literals; None otherwise."""
    creates_type: bool = True
    """False for ``create_type=False``: the author creates (and drops) the type explicitly."""


@dataclass
class ColumnSpec:
    """An ``sa.Column(...)`` as written."""

    name: str | None
    type: TypeRef
    line: int
    col: int
    nullable: bool | None = None
    """The literal ``nullable=`` value; None when absent or not literal."""
    primary_key: bool = False
    server_default: bool = False
    """A ``server_default`` that is present and not None."""
    generated: bool = False
    """``sa.Computed``/``sa.Identity``: the database fills the values."""
    foreign_keys: tuple[ForeignKeySpec, ...] = ()
    default_sql: str | None = None
    """The server default as SQL when it can be read: a string, ``sa.text("...")`` or ``sa.func.name()``."""
    stored: bool = False
    """``sa.Computed`` that PostgreSQL stores (persisted not False) or ``sa.Identity``: filling it rewrites."""
    default_constant: bool | str | None = None
    """The ``server_default`` when it is a plain Python ``bool`` or ``str`` (not ``sa.text()``); None otherwise."""
    enum: EnumSpec | None = None


class Frame(NamedTuple):
    """One enclosing construct of an operation, outermost first in ``Operation.stack``."""

    kind: str
    """``try`` | ``suppress`` | ``savepoint`` | ``autocommit`` | ``loop`` | ``guard`` | ``batch`` | ``handler`` |
    ``empty`` (a condition that checks a table is empty)."""
    line: int
    ident: int
    """Distinguishes frames of the same kind and line reached through different helper calls."""


@dataclass
class Operation:
    """One call the migration makes on ``op``, a batch operation, or SQL execution on a connection."""

    name: str
    """The Alembic operation (``drop_table``, ``execute``…) or ``execute`` for ``connection.execute``."""
    receiver: str
    """``op`` | ``batch`` | ``bind`` (a connection, session or engine) | ``metadata`` (SQLAlchemy's own DDL:
    ``Table.create(bind)``/``.drop(bind)``, ``MetaData.create_all(bind, tables=[...])``, recorded as
    ``create_table``/``drop_table``)."""
    line: int
    col: int
    function: str
    """The top-level function it runs in (``upgrade``, ``downgrade_engine1``) or the helper's name."""
    phase: str | None
    """``upgrade`` | ``downgrade`` | None (a helper never called)."""
    engine: str
    """The multidb engine suffix (``engine1`` for ``upgrade_engine1``), ``""`` otherwise."""
    table: str | None = None
    schema: str | None = None
    target: str | None = None
    """The column, index or constraint name the op names (literal), None when absent or unknown."""
    target_known: bool = True
    """False when the op names its object with a non-literal expression."""
    table_known: bool = True
    columns: tuple[ColumnSpec, ...] = ()
    foreign_keys: tuple[ForeignKeySpec, ...] = ()
    index_columns: tuple[str | None, ...] = ()
    kwargs: Mapping[str, Literal] = field(default_factory=dict)
    new_name: str | None = None
    """``rename_table`` target, ``alter_column(new_column_name=)``."""
    type_: TypeRef | None = None
    """``alter_column(type_=)``."""
    existing_type: TypeRef | None = None
    """``alter_column(existing_type=)``."""
    sql_text: str | None = None
    """Literal SQL given to ``execute`` (``sql.HOLE`` for unknown parts); None when not a readable string."""
    plain_string: bool = False
    """The SQL was passed as a plain string (or f-string), not wrapped in ``sa.text()``."""
    guarded: bool = False
    """Inside an existence check (enclosing ``if``, earlier early return) or passing ``if_exists``/``if_not_exists``."""
    dialects: frozenset[str] = ALL_DIALECTS
    stack: tuple[Frame, ...] = ()
    after_commit: bool = False
    """An ``op.execute("COMMIT")`` ran earlier in the same function."""
    unnamed: bool = False
    """The object's name is given as the literal ``None`` (``drop_constraint(None, ...)``)."""
    core_dml: bool = False
    """``execute`` of a SQLAlchemy Core statement (``sa.update(t)…``): rows only, never the schema."""
    final_name: bool = False
    """The name is wrapped in ``op.f()``: SQLAlchemy uses it as is, or shortens an over-long one itself."""
    enum: EnumSpec | None = None
    """``alter_column(type_=)`` when it is a native enum."""
    existing_enum: EnumSpec | None = None
    columns_known: bool = True
    """False for a table made from a Table object whose columns are not in view (``t.create(bind)`` on a name bound
    elsewhere): the replay knows the table, not its columns."""
    core_refs: tuple[tuple[str, str | None], ...] = ()
    """What a SQLAlchemy Core statement given to ``execute`` reads or writes: (table, column or None for the whole
    table), from the table objects it names (``t.update().values(a=1)``, ``sa.select(t.c.a)``)."""
    positional_count: int = 0
    """How many positional arguments the call passes (ALM033 binds them to Alembic's signatures)."""
    unpacks: bool = False
    """The call unpacks ``*args`` or ``**kwargs``: which arguments it passes is not known."""
    sql_sketch: str | None = None
    """SQL built from pieces the engine cannot all read (``"UPDATE " + table + " SET …"``), ``sql.HOLE`` for
    each unknown piece: read only to tell what kind of statement it is (``parse/classify.py``). The execution
    still counts as unreadable SQL everywhere else. None when ``sql_text`` is read, or nothing is."""

    _classified: tuple[SqlStatement, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def sql(self) -> tuple[SqlStatement, ...] | None:
        """The classified statements of literal SQL (classified on first use); None when not readable."""
        if self.sql_text is None:
            return None
        if self._classified is None:
            self._classified = classify(self.sql_text)
        return self._classified

    def statements(self, *keywords: str) -> tuple[SqlStatement, ...]:
        """The classified SQL statements, skipping the classification when none of ``keywords`` occurs."""
        text = self.sql_text
        if text is None:
            return ()
        upper = text.upper()
        if not any(keyword in upper for keyword in keywords):
            return ()
        return self.sql or ()

    def flag(self, name: str) -> bool:
        """A keyword given as literal True (``if_exists=True``)."""
        return self.kwargs.get(name) is True

    def inside(self, kind: str) -> bool:
        return any(frame.kind == kind for frame in self.stack)


@dataclass(frozen=True)
class Handler:
    line: int
    col: int
    catches_db_error: bool
    silent: bool
    """Only ``pass``/``...``/``continue``."""
    reraises_on: frozenset[str]
    """The dialects on which the handler ends by re-raising (a final ``raise``: all; a dialect branch: some)."""
    catches_value_error: bool = False
    """``except ValueError``: what Alembic's batch mode raises for a constraint that is not there."""


@dataclass(frozen=True)
class TryBlock:
    """A ``try`` statement or a ``with contextlib.suppress(...)`` block."""

    kind: str
    """``try`` | ``suppress``."""
    line: int
    col: int
    frame: Frame
    handlers: tuple[Handler, ...]
    phase: str | None
    dialects: frozenset[str]


@dataclass(frozen=True)
class RaiseInfo:
    """A ``raise`` directly in the body of a downgrade function."""

    line: int
    col: int
    function: str
    has_message: bool
    explained: bool = False
    """No message, but a person says why in a comment block directly above it (or in the docstring it follows)."""


@dataclass(frozen=True)
class RowLoop:
    """A ``for`` loop over query results whose body runs SQL or an op (ALM011)."""

    line: int
    col: int
    phase: str | None
    dialects: frozenset[str]


@dataclass(frozen=True)
class CallEffect:
    """A call that is not an operation but acts on the database, or may (``parse/classify.py``): DDL from
    metadata or a table object (``schema``), an ORM session's row work (``data``), a call into foreign code
    (``unknown``, with its qualified name)."""

    effect: str
    phase: str | None
    engine: str
    line: int
    col: int
    qualified: str | None = None


@dataclass(frozen=True)
class Inspection:
    """A runtime inspection of the database: ``sa.inspect(bind)``, ``Inspector.from_engine``."""

    line: int
    col: int
    phase: str | None
    dialects: frozenset[str]


@dataclass(frozen=True)
class EnumTypeCall:
    """An explicit ``.create(bind)``/``.drop(bind)`` on an enum type, or SQL ``CREATE TYPE``/``DROP TYPE``."""

    action: str
    """``create`` | ``drop``."""
    name: str | None
    line: int
    col: int
    phase: str | None
    dialects: frozenset[str]


@dataclass(frozen=True)
class SchemaLookup:
    """An inspector existence check given a literal ``schema=`` (``inspector.has_table(t, schema="public")``)."""

    method: str
    schema: str
    line: int
    col: int
    phase: str | None
    dialects: frozenset[str]


@dataclass(frozen=True)
class RemovedApiUse:
    """A use of a SQLAlchemy API that 2.0 removed (``parse/removed_api.py``): which form, and where it runs."""

    api: str
    """The form (``metadata-bind``, ``select-list``, ``engine-method``, ``row-key``…), a key of ALM031's messages."""
    detail: str
    """What the code names, when the message needs it: the method (``has_table``), the function (``select``)."""
    line: int
    col: int
    phase: str | None
    dialects: frozenset[str]
