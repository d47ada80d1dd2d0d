"""The single pass over a migration module that produces its operation records.

Each ``upgrade*``/``downgrade*`` function is walked once, statement by statement, carrying what encloses the
current statement (existence guards, try blocks, dialect branches, batch blocks, loops). Module-level helpers are
walked at each call site with their literal arguments bound, so their operations belong to the caller.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from . import sql as sqlmod
from .dialects import ALL as ALL_DIALECTS
from .dialects import CODE_WORDS
from .names import (
    UNKNOWN,
    ImportRecord,
    Literal,
    call_name,
    dotted_parts,
    import_records,
    literal,
    qualify,
    string_with_holes,
)
from .operations import (
    ColumnSpec,
    EnumSpec,
    EnumTypeCall,
    ForeignKeySpec,
    Frame,
    Handler,
    Inspection,
    Operation,
    RaiseInfo,
    RowLoop,
    SchemaLookup,
    TryBlock,
)
from .types import TypeRef, type_ref

MAX_HELPER_DEPTH: Final = 8
_ENUM_CLASSES: Final = frozenset({"sqlalchemy.Enum", "sqlalchemy.types.Enum", "sqlalchemy.sql.sqltypes.Enum"})
MAX_RECORDS: Final = 20_000
MAX_LOOP_ITEMS: Final = 64

_NOT_OPERATIONS: Final = frozenset(
    {
        "get_bind",
        "get_context",
        "f",
        "inline_literal",
        "batch_alter_table",
        "run_async",
        "invoke",
        "implementation_for",
        "register_operation",
        "context",
    }
)

# Positional parameters of each operation, as Alembic 1.x declares them.
_OP_PARAMS: Final[Mapping[str, tuple[str, ...]]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_foreign_key": ("constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "create_exclude_constraint": ("constraint_name", "table_name"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "rename_table": ("old_table_name", "new_table_name"),
    "execute": ("sqltext",),
    "bulk_insert": ("table", "rows"),
    "create_table_comment": ("table_name", "comment"),
    "drop_table_comment": ("table_name",),
}
_BATCH_PARAMS: Final[Mapping[str, tuple[str, ...]]] = {
    "add_column": ("column",),
    "drop_column": ("column_name",),
    "alter_column": ("column_name",),
    "create_index": ("index_name", "columns"),
    "drop_index": ("index_name",),
    "create_unique_constraint": ("constraint_name", "columns"),
    "create_foreign_key": ("constraint_name", "referent_table", "local_cols", "remote_cols"),
    "create_check_constraint": ("constraint_name", "condition"),
    "create_primary_key": ("constraint_name", "columns"),
    "create_exclude_constraint": ("constraint_name",),
    "drop_constraint": ("constraint_name", "type_"),
    "execute": ("sqltext",),
    "create_table_comment": ("comment",),
}
_TARGET_PARAMS: Final = ("column_name", "index_name", "constraint_name")

_INSPECTOR_GETTERS: Final = frozenset(
    {
        "get_table_names",
        "get_columns",
        "get_indexes",
        "get_foreign_keys",
        "get_unique_constraints",
        "get_check_constraints",
        "get_pk_constraint",
        "get_view_names",
        "get_sequence_names",
        "get_enums",
        "get_schema_names",
    }
)
_SCHEMA_LOOKUPS: Final = frozenset({"has_table", "has_index", "has_sequence"}) | (
    _INSPECTOR_GETTERS - {"get_sequence_names", "get_enums", "get_schema_names"}
)
"""Inspector calls whose ``schema=`` names the schema they look in (ALM022): the checks and the table getters."""
_CONNECTION_MAKERS: Final = frozenset({"get_bind", "connect", "begin", "get_connection", "connection"})
_CONVENTIONAL_CONNECTIONS: Final = frozenset({"conn", "connection", "bind", "session", "db_conn", "db"})
_RESULT_METHODS: Final = frozenset(
    {"execute", "fetchall", "fetchmany", "all", "scalars", "mappings", "exec_driver_sql", "query"}
)
_DB_ERRORS: Final = frozenset(
    {
        "Exception",
        "BaseException",
        "DBAPIError",
        "DatabaseError",
        "ProgrammingError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "DataError",
        "NotSupportedError",
        "SQLAlchemyError",
        "StatementError",
        "InterfaceError",
        "Error",
    }
)
_DB_DRIVERS: Final = ("psycopg2", "psycopg", "asyncpg", "pymysql", "MySQLdb", "mysql", "sqlite3", "pg8000")
_STDLIB: Final = frozenset(getattr(sys, "stdlib_module_names", ())) | {
    "os",
    "sys",
    "re",
    "json",
    "logging",
    "datetime",
    "uuid",
    "typing",
    "warnings",
    "itertools",
    "functools",
    "collections",
    "contextlib",
    "textwrap",
    "enum",
}


class Context(NamedTuple):
    """What encloses the statement being walked."""

    function: str
    phase: str | None
    engine: str
    stack: tuple[Frame, ...] = ()
    dialects: frozenset[str] = ALL_DIALECTS
    guarded: bool = False
    helpers: tuple[str, ...] = ()
    """The helper functions being inlined, innermost last (recursion guard)."""
    after_commit: bool = False


@dataclass
class FunctionState:
    """Names bound inside the function being walked."""

    env: dict[str, Literal]
    op_names: set[str]
    batch: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    existence_names: set[str] = field(default_factory=set)
    connection_names: set[str] = field(default_factory=set)
    result_names: set[str] = field(default_factory=set)
    dialect_names: set[str] = field(default_factory=set)
    text_names: dict[str, str] = field(default_factory=dict)
    """Names bound to ``sa.text("...")`` objects: SQL that is not a plain string."""
    table_objects: dict[str, str] = field(default_factory=dict)
    """Names bound to table objects (``sa.table("t", ...)``, ``op.create_table("t", ...)``): their table name."""
    enums: dict[str, EnumSpec] = field(default_factory=dict)
    """Names bound to native enum types (``status = sa.Enum(..., name="status")``)."""
    dml_names: set[str] = field(default_factory=set)
    """Names bound to SQLAlchemy Core statements (``stmt = sa.update(t).values(...)``)."""
    local_functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    """Functions defined inside the function being walked."""


@dataclass
class Records:
    """Everything the walk collects for one module."""

    operations: list[Operation] = field(default_factory=list)
    try_blocks: list[TryBlock] = field(default_factory=list)
    raises: list[RaiseInfo] = field(default_factory=list)
    row_loops: list[RowLoop] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    opaque_phases: set[str] = field(default_factory=set)
    """Phases that call code the engine cannot follow (unknown helpers, non-literal SQL)."""
    dialect_hints: set[str] = field(default_factory=set)
    imports: dict[tuple[int, int, str, str | None], ImportRecord] = field(default_factory=dict)
    """Imports inside functions, recorded as the walk meets them."""
    enum_calls: list[EnumTypeCall] = field(default_factory=list)
    schema_lookups: dict[tuple[int, int], SchemaLookup] = field(default_factory=dict)
    index_guards: set[Frame] = field(default_factory=set)
    """Guards whose test looks for an index (``has_index``, ``get_indexes``, ``index_exists``…)."""


class Walker:
    """Walks the migration functions of one module."""

    def __init__(
        self,
        functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef],
        imports: tuple[ImportRecord, ...],
        aliases: Mapping[str, str],
        constants: Mapping[str, Literal],
        module_values: Mapping[str, ast.expr] | None = None,
    ) -> None:
        self.functions = functions
        self.module_values = module_values or {}
        """Module-level assignments whose value is a call (enum types defined once at the top)."""
        self._module_enums: dict[str, EnumSpec | None] = {}
        self._reflecting: dict[int, bool] = {}
        self.aliases = dict(aliases)
        self.constants = constants
        self.records = Records()
        self._frame_counter = 0
        self.inlined: set[str] = set()
        self.module_op_names = self._op_names(imports)
        self.direct_ops = {
            record.bound: record.name
            for record in imports
            if record.module == "alembic.op" and record.name and record.name not in _NOT_OPERATIONS
        }

    # ------------------------------------------------------------------ entry points
    def walk_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, phase: str | None, engine: str) -> None:
        context = Context(function=node.name, phase=phase, engine=engine)
        state = self._state_for(node, {})
        self._block(node.body, context, state)

    @staticmethod
    def _op_names(imports: tuple[ImportRecord, ...]) -> set[str]:
        names = set()
        for record in imports:
            if record.qualified == "alembic.op" and record.bound:
                names.add(record.bound)
        return names

    def _state_for(self, node: ast.FunctionDef | ast.AsyncFunctionDef, bindings: Mapping[str, object]) -> FunctionState:
        state = FunctionState(env=dict(self.constants), op_names=set(self.module_op_names))
        params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        for param in params:
            state.env.pop(param.arg, None)
            if param.arg == "op":
                state.op_names.add("op")
        for name, value in bindings.items():
            if isinstance(value, _Binding):
                value.apply(name, state)
            else:
                state.env[name] = value  # type: ignore[assignment]
        return state

    def _next_ident(self) -> int:
        self._frame_counter += 1
        return self._frame_counter

    # ------------------------------------------------------------------ statements
    def _block(self, body: list[ast.stmt], context: Context, state: FunctionState) -> Context:
        for statement in body:
            if len(self.records.operations) > MAX_RECORDS:
                return context  # a generated monster: what was recorded so far is judged
            if type(statement) is ast.Expr and type(statement.value) is ast.Call:
                # The common case, `op.add_column(...)`, without the general dispatch below.
                call = statement.value
                for found in expression_calls(call):
                    self._call(found, context, state)
                if call_name(call) in ("execute", "exec_driver_sql") and self._is_commit(call):
                    context = context._replace(after_commit=True)
                continue
            context = self._statement(statement, context, state)
        return context

    def _statement(self, node: ast.stmt, context: Context, state: FunctionState) -> Context:
        if isinstance(node, ast.If):
            return self._if(node, context, state)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self._for(node, context, state)
        elif isinstance(node, ast.While):
            self._expression(node.test, context, state)
            guarded = context.guarded or self._is_existence_test(node.test, state)
            loop = Frame("loop", node.lineno, self._next_ident())
            self._block(node.body, context._replace(stack=(*context.stack, loop), guarded=guarded), state)
            self._block(node.orelse, context, state)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            self._with(node, context, state)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self._try(node, context, state)  # type: ignore[arg-type]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if node.value is not None:
                self._expression(node.value, context, state)
                self._bind(node, state)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node, state)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            state.local_functions[node.name] = node  # walked where it is called, like a module-level helper
        elif isinstance(node, ast.ClassDef):
            pass
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self._expression(child, context, state)
                elif isinstance(child, ast.stmt):
                    self._statement(child, context, state)
            if isinstance(node, ast.Expr) and self._is_commit(node.value):
                return context._replace(after_commit=True)
        return context

    def _if(self, node: ast.If, context: Context, state: FunctionState) -> Context:
        self._expression(node.test, context, state)
        is_guard = self._is_existence_test(node.test, state)
        branches = self._dialect_test(node.test, state)
        if not is_guard and branches is None:
            # An ordinary condition: both branches run in the enclosing context.
            body_context = context
            if _mentions(node.test, "empty"):  # `if is_table_empty(conn, "t"):` (ALM015)
                body_context = context._replace(stack=(*context.stack, Frame("empty", node.lineno, self._next_ident())))
            after_body = self._block(node.body, body_context, state)
            after_else = self._block(node.orelse, context, state)
            body_exits = _always_exits(node.body)
            else_exits = bool(node.orelse) and _always_exits(node.orelse)
            continues = after_else if body_exits and not else_exits else after_body if else_exits else None
            if continues is not None and continues.after_commit and not context.after_commit:
                return context._replace(after_commit=True)
            return context
        body_dialects, else_dialects = branches if branches else (ALL_DIALECTS, ALL_DIALECTS)
        guard_frame = (Frame("guard", node.lineno, self._next_ident()),) if is_guard else ()
        if guard_frame and _mentions(node.test, "index"):
            self.records.index_guards.add(guard_frame[0])
        body_context = context._replace(
            stack=(*context.stack, *guard_frame),
            guarded=context.guarded or is_guard,
            dialects=context.dialects & body_dialects,
        )
        else_context = context._replace(
            stack=(*context.stack, *guard_frame),
            guarded=context.guarded or is_guard,
            dialects=context.dialects & else_dialects,
        )
        after_body = self._block(node.body, body_context, state)
        after_else = self._block(node.orelse, else_context, state)
        body_exits = _always_exits(node.body)
        else_exits = bool(node.orelse) and _always_exits(node.orelse)
        if body_exits and not else_exits:
            context = context._replace(
                guarded=context.guarded or is_guard,
                dialects=context.dialects & else_dialects,
                after_commit=context.after_commit or after_else.after_commit,
            )
        elif else_exits and not body_exits:
            context = context._replace(
                guarded=context.guarded or is_guard,
                dialects=context.dialects & body_dialects,
                after_commit=context.after_commit or after_body.after_commit,
            )
        return context

    def _for(self, node: ast.For | ast.AsyncFor, context: Context, state: FunctionState) -> None:
        self._expression(node.iter, context, state)
        loop = Frame("loop", node.lineno, self._next_ident())
        loop_context = context._replace(stack=(*context.stack, loop))
        targets = _target_names(node.target)
        before = len(self.records.operations)
        values = literal(node.iter, state.env)
        reflected = targets and (
            self._is_existence_test(node.iter, state) or _uses_any(node.iter, state.existence_names)
        )
        if reflected:  # `for fk in inspector.get_foreign_keys(t):` — each item exists
            state.existence_names.update(targets)
        if isinstance(values, tuple) and 0 < len(values) <= MAX_LOOP_ITEMS:
            for value in values:
                _bind_target(node.target, value, state.env)
                self._block(node.body, loop_context, state)
        else:
            for name in targets:
                state.env.pop(name, None)
            self._block(node.body, loop_context, state)
        for name in targets:
            state.env.pop(name, None)
            if reflected:
                state.existence_names.discard(name)
        body_runs_sql = len(self.records.operations) > before or _runs_sql(node.body)
        if body_runs_sql and _is_query_result(node.iter, state):
            self.records.row_loops.append(RowLoop(node.lineno, node.col_offset, context.phase, context.dialects))
        self._block(node.orelse, context, state)

    def _with(self, node: ast.With | ast.AsyncWith, context: Context, state: FunctionState) -> None:
        frames: list[Frame] = []
        for item in node.items:
            expression = item.context_expr
            self._expression(expression, context, state)
            if not isinstance(expression, ast.Call):
                continue
            name = call_name(expression)
            receiver = expression.func.value if isinstance(expression.func, ast.Attribute) else None
            if name == "batch_alter_table" and self._is_op_receiver(receiver, state):
                table = literal(_argument(expression, 0, "table_name"), state.env)
                schema = literal(_keyword(expression, "schema"), state.env)
                table_name = table if isinstance(table, str) else None
                schema_name = schema if isinstance(schema, str) else None
                if isinstance(item.optional_vars, ast.Name):
                    state.batch[item.optional_vars.id] = (table_name, schema_name)
                frames.append(Frame("batch", node.lineno, self._next_ident()))
                self._record(
                    Operation(
                        name="batch_alter_table",
                        receiver="op",
                        line=expression.lineno,
                        col=expression.col_offset,
                        function=context.function,
                        phase=context.phase,
                        engine=context.engine,
                        table=table_name,
                        table_known=table_name is not None,
                        schema=schema_name,
                        guarded=context.guarded,
                        dialects=context.dialects,
                        stack=context.stack,
                    )
                )
            elif name == "autocommit_block":
                frames.append(Frame("autocommit", node.lineno, self._next_ident()))
            elif name == "begin_nested":
                frames.append(Frame("savepoint", node.lineno, self._next_ident()))
            elif name == "suppress" and self._qualified_suppress(expression):
                frame = Frame("suppress", node.lineno, self._next_ident())
                frames.append(frame)
                catches = any(self._is_db_error(argument) for argument in expression.args)
                handler = Handler(node.lineno, node.col_offset, catches, silent=True, reraises=False)
                self.records.try_blocks.append(
                    TryBlock(
                        "suppress",
                        node.lineno,
                        node.col_offset,
                        frame,
                        (handler,),
                        context.phase,
                        context.dialects,
                    )
                )
            elif name in _CONNECTION_MAKERS and isinstance(item.optional_vars, ast.Name):
                state.connection_names.add(item.optional_vars.id)
        self._block(node.body, context._replace(stack=(*context.stack, *frames)), state)

    def _try(self, node: ast.Try, context: Context, state: FunctionState) -> None:
        frame = Frame("try", node.lineno, self._next_ident())
        self._block(node.body, context._replace(stack=(*context.stack, frame)), state)
        handlers = []
        for handler in node.handlers:
            handler_frame = Frame("handler", handler.lineno, self._next_ident())
            self._block(handler.body, context._replace(stack=(*context.stack, handler_frame)), state)
            handlers.append(
                Handler(
                    line=handler.lineno,
                    col=handler.col_offset,
                    catches_db_error=handler.type is None or self._is_db_error(handler.type),
                    silent=all(_is_noop(statement, allow_continue=True) for statement in handler.body),
                    reraises=self._reraises_on_postgresql(handler.body, state),
                    catches_value_error=handler.type is not None and _names_exception(handler.type, "ValueError"),
                )
            )
        self.records.try_blocks.append(
            TryBlock("try", node.lineno, node.col_offset, frame, tuple(handlers), context.phase, context.dialects)
        )
        self._block(node.orelse, context, state)
        self._block(node.finalbody, context, state)

    def _bind(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign, state: FunctionState) -> None:
        value = node.value
        if value is None:
            return
        targets: list[ast.expr] = list(node.targets) if isinstance(node, ast.Assign) else [node.target]
        names = [name for target in targets for name in _target_names(target)]
        enum = self._enum_spec(value) if type(value) is ast.Call and len(names) == 1 else None
        if enum is not None:
            state.enums[names[0]] = enum
        else:
            for name in names:
                state.enums.pop(name, None)
        known = literal(value, state.env) if not isinstance(node, ast.AugAssign) else UNKNOWN
        # `t = op.create_table(...)` binds an operation's result: none of the analyses below can apply.
        is_operation = (
            type(value) is ast.Call
            and isinstance(value.func, ast.Attribute)
            and value.func.attr not in _NOT_OPERATIONS
            and self._is_op_receiver(value.func.value, state)
        )
        involves_existence = not is_operation and (
            self._is_existence_test(value, state)
            or (bool(state.existence_names) and _uses_any(value, state.existence_names))  # `name, _ = fks.popitem()`
        )
        is_connection = not is_operation and self._is_connection_value(value, state)
        is_result = not is_operation and _is_query_result(value, state)
        is_dialect = not is_operation and self._mentions_dialect(value, state)
        text_sql = (
            string_with_holes(value.args[0], state.env, sqlmod.HOLE)
            if isinstance(value, ast.Call) and call_name(value) == "text" and value.args
            else None
        )
        table_object = _table_object_name(value, state.env)
        is_dml = _is_core_dml(value, state.dml_names)
        for name in names:
            if is_dml and len(names) == 1:
                state.dml_names.add(name)
            else:
                state.dml_names.discard(name)
            state.env.pop(name, None)
            state.text_names.pop(name, None)
            state.table_objects.pop(name, None)
            if table_object is not None and len(names) == 1:
                state.table_objects[name] = table_object
            if text_sql is not None and len(names) == 1:
                state.text_names[name] = text_sql
                continue
            for group in (
                state.existence_names,
                state.connection_names,
                state.result_names,
                state.dialect_names,
            ):
                group.discard(name)
            if known is not UNKNOWN and len(names) == 1:
                state.env[name] = known
            if involves_existence:
                state.existence_names.add(name)
            if is_connection:
                state.connection_names.add(name)
            if is_result:
                state.result_names.add(name)
            if is_dialect:
                state.dialect_names.add(name)

    def _import(self, node: ast.Import | ast.ImportFrom, state: FunctionState) -> None:
        for record in import_records(node):
            self.records.imports[(record.line, record.col, record.bound, record.name)] = record
            if not record.bound:
                continue
            if record.qualified == "alembic.op":
                state.op_names.add(record.bound)
            elif record.module == "alembic.op" and record.name and record.name not in _NOT_OPERATIONS:
                self.direct_ops[record.bound] = record.name
            else:
                self.aliases[record.bound] = record.qualified

    # ------------------------------------------------------------------ expressions and calls
    def _expression(self, node: ast.expr, context: Context, state: FunctionState) -> None:
        for child in expression_calls(node):
            self._call(child, context, state)

    def _call(self, node: ast.Call, context: Context, state: FunctionState) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in state.batch:
            table, schema = state.batch[func.value.id]
            self._operation(node, func.attr, "batch", table, schema, context, state)
            return
        if self._is_op_receiver(func.value if isinstance(func, ast.Attribute) else None, state):
            assert isinstance(func, ast.Attribute)
            if func.attr not in _NOT_OPERATIONS:
                self._operation(node, func.attr, "op", None, None, context, state)
            return
        if isinstance(func, ast.Name) and func.id in self.direct_ops:
            self._operation(node, self.direct_ops[func.id], "op", None, None, context, state)
            return
        if isinstance(func, ast.Attribute) and func.attr in ("execute", "exec_driver_sql"):
            if self._is_connection_value(func.value, state):
                self._operation(node, func.attr, "bind", None, None, context, state)
            return
        if isinstance(func, ast.Name) and func.id in state.local_functions:
            self._inline(state.local_functions[func.id], node, context, state)
            return
        if isinstance(func, ast.Name) and func.id in self.functions and not self._is_migration_function(func.id):
            self._inline(self.functions[func.id], node, context, state)
            return
        if isinstance(func, ast.Attribute) and func.attr == "create_all" and context.phase:
            self.records.opaque_phases.add(context.phase)  # tables made from metadata: any table may exist
            return
        if isinstance(func, ast.Attribute):
            if func.attr in ("create", "drop"):
                enum = self._enum_of(func.value, state)
                if enum is not None:
                    self.records.enum_calls.append(
                        EnumTypeCall(
                            func.attr, enum.name, node.lineno, node.col_offset, context.phase, context.dialects
                        )
                    )
                    return
            elif func.attr in _SCHEMA_LOOKUPS:
                lookup_schema = literal(_keyword(node, "schema"), state.env)
                if isinstance(lookup_schema, str):
                    self.records.schema_lookups.setdefault(
                        (node.lineno, node.col_offset),
                        SchemaLookup(
                            func.attr, lookup_schema, node.lineno, node.col_offset, context.phase, context.dialects
                        ),
                    )
        qualified = qualify(func, self.aliases)
        if qualified in ("sqlalchemy.inspect", "sqlalchemy.engine.reflection.Inspector.from_engine") or (
            isinstance(func, ast.Attribute) and func.attr == "from_engine"
        ):
            self.records.inspections.append(Inspection(node.lineno, node.col_offset, context.phase, context.dialects))
            return
        if (
            context.phase
            and qualified
            and _is_foreign_code(qualified)
            and (node.args or node.keywords)
            and not _only_reads_or_logs(node)
        ):
            self.records.opaque_phases.add(context.phase)

    def _inline(
        self,
        helper: ast.FunctionDef | ast.AsyncFunctionDef,
        call: ast.Call,
        context: Context,
        state: FunctionState,
    ) -> None:
        if helper.name in context.helpers or len(context.helpers) >= MAX_HELPER_DEPTH:
            return
        self.inlined.add(helper.name)
        bindings: dict[str, object] = {}
        params = [*helper.args.posonlyargs, *helper.args.args]
        defaults = helper.args.defaults
        for param, default in zip(params[len(params) - len(defaults) :], defaults):
            bindings[param.arg] = literal(default, self.constants)
        for kwparam, kwdefault in zip(helper.args.kwonlyargs, helper.args.kw_defaults):
            if kwdefault is not None:
                bindings[kwparam.arg] = literal(kwdefault, self.constants)
        for param, argument in zip(params, call.args):
            if isinstance(argument, ast.Starred):
                break
            bindings[param.arg] = self._binding_for(argument, state)
        for keyword in call.keywords:
            if keyword.arg is not None:
                bindings[keyword.arg] = self._binding_for(keyword.value, state)
        bindings = {name: value for name, value in bindings.items() if value is not UNKNOWN}
        helper_state = self._state_for(helper, bindings)
        helper_context = context._replace(helpers=(*context.helpers, helper.name))
        self._block(helper.body, helper_context, helper_state)

    def _binding_for(self, argument: ast.expr, state: FunctionState) -> object:
        if isinstance(argument, ast.Name):
            if argument.id in state.op_names:
                return _Binding("op")
            if argument.id in state.batch:
                return _Binding("batch", state.batch[argument.id])
            if argument.id in state.connection_names:
                return _Binding("connection")
        if self._is_connection_value(argument, state):
            return _Binding("connection")
        if isinstance(argument, ast.Name) and argument.id in state.existence_names:
            return _Binding("existence")  # a value read from the database: tests on it are existence checks
        return literal(argument, state.env)

    def _operation(
        self,
        node: ast.Call,
        name: str,
        receiver: str,
        batch_table: str | None,
        batch_schema: str | None,
        context: Context,
        state: FunctionState,
    ) -> None:
        params = _BATCH_PARAMS.get(name, ()) if receiver == "batch" else _OP_PARAMS.get(name, ("sqltext",))
        if receiver == "bind":
            params = ("sqltext",)
        arguments: dict[str, ast.expr] = {}
        for index, argument in enumerate(node.args):
            if isinstance(argument, ast.Starred):
                break
            if index < len(params):
                arguments[params[index]] = argument
        kwargs: dict[str, Literal] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                continue
            arguments.setdefault(keyword.arg, keyword.value)
            kwargs[keyword.arg] = literal(keyword.value, state.env)
        env = state.env

        def text_of(key: str) -> tuple[str | None, bool]:
            expression = arguments.get(key)
            if expression is None:
                return None, True
            value = literal(expression, env)
            return (value, True) if isinstance(value, str) else (None, False)

        table: str | None
        table_known = True
        if receiver == "batch":
            table, schema_value = batch_table, batch_schema
            table_known = table is not None
        else:
            table_key = next(
                (key for key in ("table_name", "source_table", "old_table_name") if key in arguments), None
            )
            table, table_known = text_of(table_key) if table_key else (None, name in ("execute", "bulk_insert"))
            if name == "bulk_insert" and "table" in arguments:
                table = _bulk_insert_table(arguments["table"], state)
            schema_literal = kwargs.get("schema", kwargs.get("source_schema"))
            schema_value = schema_literal if isinstance(schema_literal, str) else None
        target: str | None = None
        target_known = True
        unnamed = final_name = False
        key_expression: ast.expr | None = None
        for key in _TARGET_PARAMS:
            if key in arguments:
                key_expression = arguments[key]
                target, target_known = text_of(key)
                unnamed = isinstance(key_expression, ast.Constant) and key_expression.value is None
                final_name = isinstance(key_expression, ast.Call) and call_name(key_expression) == "f"
                break
        columns: tuple[ColumnSpec, ...] = ()
        foreign_keys: tuple[ForeignKeySpec, ...] = ()
        if name == "create_table":
            columns, foreign_keys = self._table_elements(node.args[1:], state)
        elif name == "add_column" and "column" in arguments:
            column = self._column(arguments["column"], state)
            if column is not None:
                columns = (column,)
                target = column.name
                target_known = column.name is not None
            else:
                target_known = False
        elif name == "create_foreign_key":
            local = _names(literal(arguments.get("local_cols"), env))
            remote = _names(literal(arguments.get("remote_cols"), env))
            referent = literal(arguments.get("referent_table"), env)
            foreign_keys = (
                ForeignKeySpec(
                    local,
                    referent if isinstance(referent, str) else None,
                    remote,
                    node.lineno,
                    node.col_offset,
                ),
            )
        index_columns = _names(literal(arguments.get("columns"), env)) if "columns" in arguments else ()
        new_name: str | None = None
        if name == "rename_table":
            new_name, _ = text_of("new_table_name")
        elif name == "alter_column":
            new_name, _ = text_of("new_column_name")
        type_value: TypeRef | None = None
        existing_type: TypeRef | None = None
        enum: EnumSpec | None = None
        existing_enum: EnumSpec | None = None
        if name == "alter_column":
            if "type_" in arguments:
                type_value = type_ref(arguments["type_"], self._qualify)
                enum = self._enum_of(arguments["type_"], state)
            if "existing_type" in arguments:
                existing_type = type_ref(arguments["existing_type"], self._qualify)
                existing_enum = self._enum_of(arguments["existing_type"], state)
        sql_text: str | None = None
        plain = False
        core_dml = False
        if name in ("execute", "exec_driver_sql"):
            sql_text, plain = self._sql_text(arguments.get("sqltext"), state)
            statement = arguments.get("sqltext")
            core_dml = sql_text is None and _is_core_dml(statement, state.dml_names)
            if sql_text is None and context.phase and not core_dml:
                self.records.opaque_phases.add(context.phase)
        if context.phase and (not table_known or not target_known):
            self.records.opaque_phases.add(context.phase)
        guarded = context.guarded or kwargs.get("if_exists") is True or kwargs.get("if_not_exists") is True
        if not target_known and key_expression is not None and state.existence_names:
            # The name read from the database (`inspector.get_foreign_keys(t)[0]["name"]`): it exists.
            guarded = guarded or _uses_any(key_expression, state.existence_names)
        self._record(
            Operation(
                name=name,
                receiver=receiver,
                line=node.lineno,
                col=node.col_offset,
                function=context.function,
                phase=context.phase,
                engine=context.engine,
                table=table,
                schema=schema_value,
                target=target,
                target_known=target_known,
                table_known=table_known,
                columns=columns,
                foreign_keys=foreign_keys,
                index_columns=index_columns,
                kwargs=kwargs,
                new_name=new_name,
                type_=type_value,
                existing_type=existing_type,
                sql_text=sql_text,
                plain_string=plain,
                guarded=guarded,
                dialects=context.dialects,
                stack=context.stack,
                after_commit=context.after_commit,
                unnamed=unnamed,
                final_name=final_name,
                core_dml=core_dml,
                enum=enum,
                existing_enum=existing_enum,
            )
        )

    def _record(self, operation: Operation) -> None:
        self.records.operations.append(operation)

    def _sql_text(self, node: ast.expr | None, state: FunctionState) -> tuple[str | None, bool]:
        """The SQL text of an execute argument and whether it was a plain string (not ``text()``)."""
        if node is None:
            return None, False
        if isinstance(node, ast.Name) and node.id in state.text_names:
            return state.text_names[node.id], False
        if isinstance(node, ast.Call) and call_name(node) == "text" and node.args:
            return string_with_holes(node.args[0], state.env, sqlmod.HOLE), False
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr
            in (
                "bindparams",
                "columns",
                "execution_options",
            )
        ):
            inner, _ = self._sql_text(node.func.value, state)
            return inner, False
        text = string_with_holes(node, state.env, sqlmod.HOLE)
        return text, text is not None

    def _qualify(self, node: ast.expr) -> str | None:
        return qualify(node, self.aliases)

    def _reflects(self, name: str, state: FunctionState) -> bool:
        """A helper of the file that reads the database's catalog (an inspector getter, information_schema…):
        what it returns names objects that exist."""
        helper = state.local_functions.get(name) or self.functions.get(name)
        if helper is None:
            return False
        if id(helper) not in self._reflecting:
            self._reflecting[id(helper)] = _reads_catalog(helper)
        return self._reflecting[id(helper)]

    def _reraises_on_postgresql(self, body: list[ast.stmt], state: FunctionState) -> bool:
        """The handler ends by re-raising, at least where it runs on PostgreSQL
        (``if dialect == "sqlite": pass / else: raise``)."""
        if not body:
            return False
        last = body[-1]
        if isinstance(last, ast.Raise):
            return True
        if not isinstance(last, ast.If):
            return False
        branches = self._dialect_test(last.test, state)
        if branches is None:
            return False
        raising: frozenset[str] = frozenset()
        if last.body and isinstance(last.body[-1], ast.Raise):
            raising |= branches[0]
        if last.orelse and self._reraises_on_postgresql(last.orelse, state):
            raising |= branches[1]
        return "postgresql" in raising

    def _is_migration_function(self, name: str) -> bool:
        """Entry points Alembic calls itself (never inlined as helpers): ``upgrade`` and ``upgrade_<engine>()``."""
        if name in ("upgrade", "downgrade"):
            return True
        node = self.functions.get(name)
        return node is not None and name.startswith(("upgrade_", "downgrade_")) and not required_parameters(node)

    def _enum_of(self, node: ast.expr, state: FunctionState) -> EnumSpec | None:
        """The native enum type an expression is: an ``Enum(...)`` call or a name bound to one."""
        if isinstance(node, ast.Name):
            if node.id in state.enums:
                return state.enums[node.id]
            if node.id not in self._module_enums:
                value = self.module_values.get(node.id)
                self._module_enums[node.id] = self._enum_spec(value) if value is not None else None
            return self._module_enums[node.id]
        return self._enum_spec(node) if isinstance(node, ast.Call) else None

    def _enum_spec(self, node: ast.expr) -> EnumSpec | None:
        if not isinstance(node, ast.Call):
            return None
        qualified = self._qualify(node.func)
        if qualified is None or not (
            qualified in _ENUM_CLASSES
            or (qualified.startswith("sqlalchemy.dialects.") and qualified.endswith((".ENUM", ".Enum")))
        ):
            return None
        if _keyword_literal(node, "native_enum") is False:
            return None  # a VARCHAR with a CHECK: no type to create
        name = _keyword_literal(node, "name")
        values: tuple[str, ...] | None = None
        if node.args and all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args):
            values = tuple(str(arg.value) for arg in node.args)  # type: ignore[attr-defined]
        elif name is None and len(node.args) == 1 and isinstance(node.args[0], (ast.Name, ast.Attribute)):
            parts = dotted_parts(node.args[0])
            name = parts[-1].lower() if parts else None  # SQLAlchemy names the type after the enum class
        return EnumSpec(
            name if isinstance(name, str) else None,
            values,
            creates_type=_keyword_literal(node, "create_type") is not False,
        )

    # ------------------------------------------------------------------ table elements
    def _table_elements(
        self, elements: Iterable[ast.expr], state: FunctionState
    ) -> tuple[tuple[ColumnSpec, ...], tuple[ForeignKeySpec, ...]]:
        columns: list[ColumnSpec] = []
        foreign_keys: list[ForeignKeySpec] = []
        for element in elements:
            if not isinstance(element, ast.Call):
                continue
            name = call_name(element)
            if name == "Column":
                column = self._column(element, state)
                if column is not None:
                    columns.append(column)
            elif name == "ForeignKeyConstraint" and len(element.args) >= 2:
                local = _names(literal(element.args[0], state.env))
                remote = _names(literal(element.args[1], state.env))
                tables = {_split_reference(reference)[0] for reference in remote}
                ref_table = tables.pop() if len(tables) == 1 else None
                foreign_keys.append(
                    ForeignKeySpec(
                        local,
                        ref_table,
                        tuple(_split_reference(reference)[1] for reference in remote),
                        element.lineno,
                        element.col_offset,
                        _literal_name(element, state),
                    )
                )
        return tuple(columns), tuple(foreign_keys)

    def _column(self, node: ast.expr, state: FunctionState) -> ColumnSpec | None:
        if not isinstance(node, ast.Call) or call_name(node) != "Column":
            return None
        arguments = list(node.args)
        name_value = literal(arguments[0], state.env) if arguments else UNKNOWN
        column_name = name_value if isinstance(name_value, str) else None
        if column_name is not None:
            arguments = arguments[1:]
        column_type: TypeRef | None = None
        enum: EnumSpec | None = None
        generated = False
        stored = False
        references: list[ForeignKeySpec] = []
        for argument in arguments:
            inner = call_name(argument) if isinstance(argument, ast.Call) else None
            if inner == "ForeignKey" and isinstance(argument, ast.Call) and argument.args:
                reference = literal(argument.args[0], state.env)
                ref_table, ref_column = _split_reference(reference if isinstance(reference, str) else None)
                references.append(
                    ForeignKeySpec(
                        (column_name,),
                        ref_table,
                        (ref_column,),
                        node.lineno,
                        node.col_offset,
                        _literal_name(argument, state),
                    )
                )
            elif inner in ("Computed", "Identity") and isinstance(argument, ast.Call):
                generated = True
                persisted = literal(_keyword(argument, "persisted"), state.env)
                stored = stored or inner == "Identity" or persisted is not False
            elif inner in ("Sequence", "CheckConstraint", "UniqueConstraint"):
                continue
            elif column_type is None:
                column_type = type_ref(argument, self._qualify)
                enum = self._enum_of(argument, state)
        for keyword in node.keywords:
            if keyword.arg == "type_":
                column_type = type_ref(keyword.value, self._qualify)
                enum = self._enum_of(keyword.value, state)
            elif keyword.arg == "name":
                value = literal(keyword.value, state.env)
                column_name = value if isinstance(value, str) else column_name
        nullable = literal(_keyword(node, "nullable"), state.env)
        primary_key = literal(_keyword(node, "primary_key"), state.env)
        server_default = _keyword(node, "server_default")
        has_default = server_default is not None and not (
            isinstance(server_default, ast.Constant) and server_default.value is None
        )
        constant = server_default.value if isinstance(server_default, ast.Constant) else None
        return ColumnSpec(
            default_constant=constant if isinstance(constant, (bool, str)) else None,
            enum=enum,
            default_sql=_default_sql(server_default, state.env) if has_default else None,
            stored=stored,
            name=column_name,
            type=column_type if column_type is not None else TypeRef("unknown"),
            line=node.lineno,
            col=node.col_offset,
            nullable=nullable if isinstance(nullable, bool) else None,
            primary_key=primary_key is True,
            server_default=has_default,
            generated=generated,
            foreign_keys=tuple(references),
        )

    # ------------------------------------------------------------------ tests
    def _is_op_receiver(self, node: ast.expr | None, state: FunctionState) -> bool:
        if node is None:
            return False
        if isinstance(node, ast.Name):
            return node.id in state.op_names
        return qualify(node, self.aliases) == "alembic.op"

    def _is_existence_test(self, node: ast.expr, state: FunctionState) -> bool:
        if isinstance(node, ast.Name):
            return node.id in state.existence_names
        for child in expression_nodes(node):
            if isinstance(child, ast.Call):
                name = call_name(child)
                if name and _names_existence_check(name):
                    return True
                if isinstance(child.func, ast.Name) and self._reflects(child.func.id, state):
                    return True
            elif isinstance(child, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call)) and any(
                isinstance(name, ast.Name) and name.id in state.existence_names for name in ast.iter_child_nodes(child)
            ):
                return True
        return False

    def _is_connection_value(self, node: ast.expr, state: FunctionState) -> bool:
        if isinstance(node, ast.Name):
            return node.id in state.connection_names or node.id in _CONVENTIONAL_CONNECTIONS
        if isinstance(node, ast.Call):
            name = call_name(node)
            if name in ("get_bind", "connect", "begin"):
                return True
            if name == "execution_options" and isinstance(node.func, ast.Attribute):
                return self._is_connection_value(node.func.value, state)
        return isinstance(node, ast.Attribute) and node.attr in ("connection", "bind")

    def _mentions_dialect(self, node: ast.expr, state: FunctionState) -> bool:
        if isinstance(node, ast.Name):
            return node.id in state.dialect_names or node.id == "dialect_name"
        for child in expression_nodes(node):
            if isinstance(child, ast.Attribute) and child.attr == "name":
                parts = dotted_parts(child.value) or []
                if isinstance(child.value, ast.Attribute) and child.value.attr in ("dialect", "engine"):
                    return True
                if isinstance(child.value, ast.Call) and call_name(child.value) == "get_bind":
                    return True
                if parts and parts[-1] in ("dialect", "engine", "bind"):
                    return True
            elif isinstance(child, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call)) and any(
                isinstance(name, ast.Name) and (name.id in state.dialect_names or name.id == "dialect_name")
                for name in ast.iter_child_nodes(child)
            ):
                return True
        return False

    def _dialect_test(self, node: ast.expr, state: FunctionState) -> tuple[frozenset[str], frozenset[str]] | None:
        """(dialects where the test holds, dialects where it does not), or None for a non-dialect test."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._dialect_test(node.operand, state)
            return (inner[1], inner[0]) if inner else None
        if isinstance(node, ast.BoolOp):
            parts = [self._dialect_test(value, state) for value in node.values]
            known = [part for part in parts if part is not None]
            if not known:
                return None
            if isinstance(node.op, ast.And):
                holds = ALL_DIALECTS
                for part in known:
                    holds = holds & part[0]
                fails = ALL_DIALECTS if len(known) < len(parts) else frozenset().union(*(p[1] for p in known))
                return holds, fails
            if len(known) < len(parts):
                return None
            holds = frozenset().union(*(part[0] for part in known))
            return holds, ALL_DIALECTS - holds
        if isinstance(node, ast.Call):
            name = (call_name(node) or "").lower()
            for word, dialects in CODE_WORDS.items():
                if name in (f"is_{word}", f"skip_if_{word}", f"_is_{word}"):
                    self.records.dialect_hints.update(dialects)
                    return dialects, ALL_DIALECTS - dialects
            return None
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = node.left, node.comparators[0]
            if not self._mentions_dialect(left, state):
                left, right = right, left
                if not self._mentions_dialect(left, state):
                    return None
            value = literal(right, {})
            words = value if isinstance(value, tuple) else (value,)
            named: frozenset[str] = frozenset()
            for item in words:
                if not isinstance(item, str) or item.lower() not in CODE_WORDS:
                    return None
                named = named | CODE_WORDS[item.lower()]
            self.records.dialect_hints.update(named)
            operator = node.ops[0]
            if isinstance(operator, (ast.Eq, ast.In, ast.Is)):
                return named, ALL_DIALECTS - named
            if isinstance(operator, (ast.NotEq, ast.NotIn, ast.IsNot)):
                return ALL_DIALECTS - named, named
        return None

    def _is_db_error(self, node: ast.expr) -> bool:
        candidates = node.elts if isinstance(node, ast.Tuple) else [node]
        for candidate in candidates:
            parts = dotted_parts(candidate)
            if not parts:
                continue
            qualified = qualify(candidate, self.aliases) or ".".join(parts)
            if parts[-1] in _DB_ERRORS and parts[-1] != "Error":
                return True
            if qualified.startswith("sqlalchemy.exc.") and parts[-1] not in (
                "NoSuchTableError",
                "ArgumentError",
            ):
                return True
            if qualified.split(".")[0] in _DB_DRIVERS:
                return True
        return False

    def _qualified_suppress(self, node: ast.Call) -> bool:
        qualified = qualify(node.func, self.aliases)
        return qualified in (None, "contextlib.suppress")

    def _is_commit(self, node: ast.expr) -> bool:
        if not isinstance(node, ast.Call) or call_name(node) not in ("execute", "exec_driver_sql") or not node.args:
            return False
        text = literal(node.args[0], {})
        return isinstance(text, str) and text.strip().rstrip(";").strip().upper() in ("COMMIT", "END")


@dataclass(frozen=True)
class _Binding:
    """A helper parameter bound to something other than a literal: op, a batch operations object, a connection."""

    kind: str
    batch: tuple[str | None, str | None] = (None, None)

    def apply(self, name: str, state: FunctionState) -> None:
        if self.kind == "op":
            state.op_names.add(name)
        elif self.kind == "batch":
            state.batch[name] = self.batch
        elif self.kind == "existence":
            state.existence_names.add(name)
        else:
            state.connection_names.add(name)


_LEAVES: Final = frozenset({ast.Constant, ast.Name})
_SEQUENCES: Final = frozenset({ast.List, ast.Tuple, ast.Set})
_NEVER_HOLD_OPERATIONS: Final = frozenset(
    {
        "Column",
        "ForeignKey",
        "ForeignKeyConstraint",
        "PrimaryKeyConstraint",
        "UniqueConstraint",
        "CheckConstraint",
        "Index",
        "Computed",
        "Identity",
        "Sequence",
        "String",
        "Integer",
        "BigInteger",
        "SmallInteger",
        "Boolean",
        "DateTime",
        "Text",
        "Enum",
        "Numeric",
        "Float",
        "JSON",
        "UUID",
        "Uuid",
        "column",
        "table",
    }
)


def expression_nodes(node: ast.AST) -> list[ast.AST]:
    """The non-leaf nodes of an expression in source order, without descending into SQLAlchemy constructors
    (``sa.Column(...)``, ``sa.String(36)``…), which never hold migration operations."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [node]
    call, attribute, leaves = ast.Call, ast.Attribute, _LEAVES
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind in leaves:
            continue
        if kind is call:
            assert isinstance(current, ast.Call)
            if call_name(current) in _NEVER_HOLD_OPERATIONS:
                continue
            found.append(current)
            children: list[ast.AST] = [current.func, *current.args, *[k.value for k in current.keywords]]
        elif kind is attribute:
            assert isinstance(current, ast.Attribute)
            found.append(current)
            stack.append(current.value)
            continue
        else:
            found.append(current)
            children = list(ast.iter_child_nodes(current))
        children.reverse()
        stack.extend(children)
    return found


def expression_calls(node: ast.AST) -> list[ast.Call]:
    """The calls in an expression, in source order (see ``expression_nodes``)."""
    calls: list[ast.Call] = []
    stack: list[ast.AST] = [node]
    call, attribute, leaves = ast.Call, ast.Attribute, _LEAVES
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is call:
            assert isinstance(current, ast.Call)
            if call_name(current) in _NEVER_HOLD_OPERATIONS:
                continue
            calls.append(current)
            if current.keywords:
                stack.extend(reversed([k.value for k in current.keywords]))
            stack.extend(reversed(current.args))
            stack.append(current.func)
        elif kind is attribute:
            assert isinstance(current, ast.Attribute)
            stack.append(current.value)
        elif kind in leaves:
            continue
        elif kind in _SEQUENCES:
            stack.extend(reversed(current.elts))  # type: ignore[attr-defined]
        elif kind is ast.JoinedStr:
            stack.extend(reversed(current.values))  # type: ignore[attr-defined]
        elif kind is ast.FormattedValue:
            stack.append(current.value)  # type: ignore[attr-defined]
        elif kind is ast.BinOp:
            stack.append(current.right)  # type: ignore[attr-defined]
            stack.append(current.left)  # type: ignore[attr-defined]
        else:
            children = list(ast.iter_child_nodes(current))
            children.reverse()
            stack.extend(children)
    return calls


def _names_existence_check(name: str) -> bool:
    """``table_exists``, ``has_index``, ``get_columns``…: a helper named as a read of the catalog (trusted by name).
    Loose on purpose: it only judges conditions (``if table_exists(...)``), where any name about existence asks."""
    return "exist" in name.lower() or name.startswith("has_") or name in _INSPECTOR_GETTERS


_EXISTENCE_CHECK_NAME = re.compile(r"^_?(?:has_\w+|\w*_exists?|exists?)$")
_CHANGING_VERB = re.compile(r"(?:^|_)(?:create|add|drop|ensure|make|if)(?:_|$)")
_LOGGING_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "trace"})


def _names_pure_catalog_read(name: str) -> bool:
    """The strict form of ``_names_existence_check``, for a call standing alone: only a name shaped as a question
    (``table_exists``, ``has_index``, ``get_columns``), never one that also acts (``create_table_if_not_exists``)."""
    return name in _INSPECTOR_GETTERS or (bool(_EXISTENCE_CHECK_NAME.match(name)) and not _CHANGING_VERB.search(name))


def _only_reads_or_logs(call: ast.Call) -> bool:
    """A call into foreign code that cannot change the schema: a catalog read named as one, or a logger's method
    (``logger.info(...)``, ``log.warning(...)``, loguru's ``logger``)."""
    name = call_name(call)
    if name and _names_pure_catalog_read(name):
        return True
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _LOGGING_METHODS:
        receiver = dotted_parts(func.value)
        return receiver is not None and "log" in receiver[-1].lower()
    return False


def _is_foreign_code(qualified: str) -> bool:
    """A call into code outside the migration, the stdlib, SQLAlchemy and Alembic."""
    top = qualified.split(".")[0]
    return top not in _STDLIB and top not in ("sqlalchemy", "alembic", "builtins") and not top.startswith(".")


def _table_object_name(node: ast.expr, env: Mapping[str, Literal]) -> str | None:
    """The table name of ``sa.table("t", ...)``, ``sa.Table("t", ...)`` or ``op.create_table("t", ...)``."""
    if isinstance(node, ast.Call) and call_name(node) in ("table", "Table", "create_table") and node.args:
        name = literal(node.args[0], env)
        return name if isinstance(name, str) else None
    return None


def _bulk_insert_table(node: ast.expr, state: FunctionState) -> str | None:
    if isinstance(node, ast.Name):
        return state.table_objects.get(node.id)
    return _table_object_name(node, state.env)


def _default_sql(node: ast.expr | None, env: Mapping[str, Literal]) -> str | None:
    """A server default as SQL text: "'x'" for a string, the text of ``sa.text(...)``, ``name()`` for sa.func."""
    if node is None:
        return None
    value = literal(node, env)
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(node, ast.Call):
        if call_name(node) == "text" and node.args:
            text = literal(node.args[0], env)
            return text if isinstance(text, str) else None
        parts = dotted_parts(node.func)
        if parts and len(parts) >= 2 and parts[-2] == "func":
            return f"{parts[-1]}()"
    return None


def _argument(node: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(node.args) > index and not isinstance(node.args[index], ast.Starred):
        return node.args[index]
    return _keyword(node, keyword)


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _literal_name(node: ast.Call, state: FunctionState) -> str | None:
    """The ``name=`` a constraint is given, when it is a literal (or a constant naming one)."""
    value = literal(_keyword(node, "name"), state.env)
    return value if isinstance(value, str) else None


def _names(value: Literal) -> tuple[str | None, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple):
        return tuple(item if isinstance(item, str) else None for item in value)
    return ()


def _split_reference(reference: str | None) -> tuple[str | None, str | None]:
    """``"schema.table.column"`` → (``"table"``, ``"column"``)."""
    if not reference or "." not in reference:
        return None, None
    parts = reference.split(".")
    return parts[-2], parts[-1]


def _target_names(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [name for element in node.elts for name in _target_names(element)]
    return []


def _bind_target(target: ast.expr, value: Literal, env: dict[str, Literal]) -> None:
    if isinstance(target, ast.Name):
        env[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)):
        values = value if isinstance(value, tuple) and len(value) == len(target.elts) else None
        for index, element in enumerate(target.elts):
            _bind_target(element, values[index] if values else UNKNOWN, env)
            if values is None:
                for name in _target_names(element):
                    env.pop(name, None)


def _is_query_result(node: ast.expr, state: FunctionState) -> bool:
    current: ast.expr = node
    for _ in range(8):
        if isinstance(current, ast.Name):
            return current.id in state.result_names
        if isinstance(current, ast.Call):
            if isinstance(current.func, ast.Attribute) and current.func.attr in _RESULT_METHODS:
                return True
            if isinstance(current.func, ast.Name) and current.func.id in ("list", "enumerate") and current.args:
                current = current.args[0]
                continue
            return False
        if isinstance(current, ast.Attribute):
            current = current.value
            continue
        return False
    return False


def _runs_sql(body: list[ast.stmt]) -> bool:
    for statement in body:
        for child in ast.walk(statement):
            if isinstance(child, ast.Call) and call_name(child) in (
                "execute",
                "exec_driver_sql",
                "bulk_insert",
            ):
                return True
    return False


def _is_noop(node: ast.stmt, allow_continue: bool = False) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if allow_continue and isinstance(node, ast.Continue):
        return True
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and (node.value.value is Ellipsis or isinstance(node.value.value, str))
    )


def does_nothing(body: list[ast.stmt]) -> bool:
    """A function body that changes nothing: ``pass``, docstrings, ``...``, and handles taken but never used
    (autogenerate's ``connection = op.get_bind()``)."""
    return all(_is_noop(statement) or _takes_a_handle(statement) for statement in body)


def _takes_a_handle(node: ast.stmt) -> bool:
    """``name = op.get_bind()`` / ``op.get_context()``: getting the connection runs no SQL."""
    return (
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and not node.value.args
        and not node.value.keywords
        and call_name(node.value) in ("get_bind", "get_context")
    )


def _always_exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def _keyword_literal(call: ast.Call, name: str) -> object:
    """A keyword argument's value when it is a constant; None when absent or not a constant."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value.value if isinstance(keyword.value, ast.Constant) else None
    return None


_DML_ROOTS: Final = frozenset({"update", "insert", "delete", "select"})
_DML_CLAUSES: Final = frozenset(
    {
        "where",
        "values",
        "filter",
        "filter_by",
        "returning",
        "execution_options",
        "from_select",
        "order_by",
        "limit",
        "offset",
        "join",
        "outerjoin",
        "select_from",
        "with_only_columns",
        "correlate",
        "ordered_values",
        "on_conflict_do_nothing",
        "on_conflict_do_update",
        "on_duplicate_key_update",
        "prefix_with",
        "distinct",
        "group_by",
        "having",
        "subquery",
        "scalar_subquery",
        "inline",
        "params",
    }
)


def _is_core_dml(node: ast.expr | None, statements: Collection[str] = ()) -> bool:
    """``sa.update(t).where(...).values(...)``, ``t.insert()``, ``sa.select(...)``: SQLAlchemy Core statements
    that read or write rows and cannot change the schema. ``statements`` names variables already holding one
    (``query = query.where(...)``, ``conn.execute(query.limit(10))``)."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _DML_CLAUSES:
        node = node.func.value
    if isinstance(node, ast.Name):
        return node.id in statements
    return isinstance(node, ast.Call) and call_name(node) in _DML_ROOTS


_CATALOG_WORDS: Final = ("information_schema", "pg_catalog", "pg_index", "pg_constraint", "sqlite_master", "sys.")


def _uses_any(node: ast.expr, names: set[str]) -> bool:
    return any(isinstance(child, ast.Name) and child.id in names for child in ast.walk(node))


def _reads_catalog(helper: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for node in ast.walk(helper):
        if isinstance(node, ast.Call):
            name = call_name(node)
            if name in _INSPECTOR_GETTERS or name in ("inspect", "from_engine", "has_table", "has_index"):
                return True
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            lowered = node.value.lower()
            if any(word in lowered for word in _CATALOG_WORDS):
                return True
    return False


def _names_exception(node: ast.expr, name: str) -> bool:
    candidates = node.elts if isinstance(node, ast.Tuple) else [node]
    return any((dotted_parts(candidate) or [""])[-1] == name for candidate in candidates)


def _mentions(test: ast.expr, word: str) -> bool:
    """Whether a condition names ``word`` (``has_index``, ``get_indexes``, ``is_table_empty``…)."""
    for node in ast.walk(test):
        text = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if text is not None and word in text.lower():
            return True
    return False


def required_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a call needs arguments: Alembic calls multidb ``upgrade_<engine>()`` with none."""
    arguments = node.args
    positional = len(arguments.posonlyargs) + len(arguments.args)
    keyword_only = sum(default is None for default in arguments.kw_defaults)
    return positional > len(arguments.defaults) or keyword_only > 0
