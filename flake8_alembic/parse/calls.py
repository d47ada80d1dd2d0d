"""Turning calls into records: an ``op``/``batch_op`` call or SQL execution into an ``Operation`` (a table of
parameters per operation, a reader per part), table elements into column and foreign-key specs, enum types,
SQLAlchemy's own DDL on table objects (``Table.create(bind)``, ``create_all(bind, tables=[...])``), and the other
calls a phase makes (inspections, foreign code)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final

from .. import sql as sqlmod
from ..names import (
    UNKNOWN,
    Literal,
    call_name,
    dotted_parts,
    literal,
    qualify,
    string_with_holes,
)
from ..types import TypeRef, type_ref
from .alembic_api import (
    DML_CLAUSES,
    DML_ROOTS,
    ENUM_CLASSES,
    NOT_OPERATIONS,
    SCHEMA_LOOKUPS,
)
from .arguments import (
    BoundCall,
    Parts,
    bind_arguments,
    index_columns,
    table_part,
    target_part,
)
from .classify import OBJECT_DDL, SESSION_DATA_METHODS, call_effect, sql_sketch
from .conditions import (
    ConditionReader,
    is_foreign_code,
    only_reads_or_logs,
    required_parameters,
)
from .expressions import (
    expression_calls,
    keyword_constant,
    keyword_value,
    split_reference,
    string_items,
    uses_any,
)
from .records import (
    CallEffect,
    ColumnSpec,
    EnumSpec,
    EnumTypeCall,
    ForeignKeySpec,
    Inspection,
    Operation,
    SchemaLookup,
)
from .state import (
    Context,
    FunctionState,
)
from .table_objects import (
    METADATA_DDL,
    TABLE_DDL,
    TableObject,
    condition_columns,
    core_refs,
    listed_tables,
    remember_definition,
    table_object,
    table_object_name,
)

__all__ = ["CallRecorder", "is_core_dml", "table_object_name"]

_MAX_CALL_EFFECTS: Final = 2_000
"""A generated monster calls foreign code in every line: what was recorded so far says enough."""


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


def _literal_name(node: ast.Call, state: FunctionState) -> str | None:
    """The ``name=`` a constraint is given, when it is a literal (or a constant naming one)."""
    value = literal(keyword_value(node, "name"), state.env)
    return value if isinstance(value, str) else None


def is_core_dml(node: ast.expr | None, statements: Collection[str] = ()) -> bool:
    """``sa.update(t).where(...).values(...)``, ``t.insert()``, ``sa.select(...)``: SQLAlchemy Core statements
    that read or write rows and cannot change the schema. ``statements`` names variables already holding one
    (``query = query.where(...)``, ``conn.execute(query.limit(10))``)."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DML_CLAUSES:
        node = node.func.value
    if isinstance(node, ast.Name):
        return node.id in statements
    return isinstance(node, ast.Call) and call_name(node) in DML_ROOTS


class CallRecorder(ConditionReader):
    """Turns calls into records."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table_definitions: dict[str, tuple[ast.expr, ...]] = {}
        """The elements of each ``sa.Table("t", metadata, …)`` met so far, by table name: what a later
        ``t.create(bind)`` on a name bound to it makes."""

    # ------------------------------------------------------------------ expressions and calls
    def _expression(self, node: ast.expr, context: Context, state: FunctionState) -> None:
        for child in expression_calls(node):
            self._call(child, context, state)

    def _call(self, node: ast.Call, context: Context, state: FunctionState) -> None:
        func = node.func
        if node.args and call_name(node) == "Table":
            remember_definition(node, state.env, self.table_definitions)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in state.batch:
            table, schema = state.batch[func.value.id]
            self._operation(node, func.attr, "batch", table, schema, context, state)
            return
        if self._is_op_receiver(func.value if isinstance(func, ast.Attribute) else None, state):
            assert isinstance(func, ast.Attribute)
            if func.attr not in NOT_OPERATIONS:
                self._operation(node, func.attr, "op", None, None, context, state)
            return
        if isinstance(func, ast.Name) and func.id in self.direct_ops:
            self._operation(node, self.direct_ops[func.id], "op", None, None, context, state)
            return
        if context.phase:
            self._classify_call(node, context, state)
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
        if isinstance(func, ast.Attribute) and func.attr in METADATA_DDL and context.phase:
            listed = listed_tables(node, state, self.module_values, self.table_definitions)
            if listed is None:
                self.records.opaque_phases.add(context.phase)  # every table of the metadata: any table may exist
            for listed_table in listed or ():
                self._table_ddl(node, METADATA_DDL[func.attr], listed_table, context, state, checkfirst_default=True)
            return
        if isinstance(func, ast.Attribute):
            if func.attr in TABLE_DDL:
                enum = self._enum_of(func.value, state)
                if enum is not None:
                    self.records.enum_calls.append(
                        EnumTypeCall(
                            func.attr, enum.name, node.lineno, node.col_offset, context.phase, context.dialects
                        )
                    )
                    return
                made = table_object(func.value, state, self.module_values, self.table_definitions)
                if made is not None:
                    self._table_ddl(node, f"{func.attr}_table", made, context, state, checkfirst_default=False)
                    return
            elif func.attr in SCHEMA_LOOKUPS:
                lookup_schema = literal(keyword_value(node, "schema"), state.env)
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
            and is_foreign_code(qualified)
            and (node.args or node.keywords)
            and not only_reads_or_logs(node)
        ):
            self.records.opaque_phases.add(context.phase)

    def _classify_call(self, node: ast.Call, context: Context, state: FunctionState) -> None:
        """Record what a call that is not an operation does to the database, when it does (``parse/classify``)."""
        func, name = node.func, call_name(node)
        on_connection = (
            name in SESSION_DATA_METHODS
            and isinstance(func, ast.Attribute)
            and self._is_connection_value(func.value, state)
        )
        given_connection = name in OBJECT_DDL and any(
            self._is_connection_value(argument, state) for argument in (*node.args, *(k.value for k in node.keywords))
        )
        qualified = qualify(func, self.aliases)
        effect = call_effect(node, qualified, on_connection, given_connection, name)
        if effect is not None and len(self.records.call_effects) < _MAX_CALL_EFFECTS:
            self.records.call_effects.append(
                CallEffect(effect, context.phase, context.engine, node.lineno, node.col_offset, qualified)
            )

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
        call = bind_arguments(node, name, receiver, state.env)
        if receiver == "batch":
            table, schema, table_known = batch_table, batch_schema, batch_table is not None
        else:
            table, schema, table_known = table_part(call, state)
        target, target_known, key_expression, unnamed, final_name = target_part(call)
        parts = _PARTS[name](self, call, state) if name in _PARTS else Parts()
        if parts.target is not None:
            target, target_known = parts.target
        if name in ("execute", "exec_driver_sql") and parts.sql_text is None and context.phase and not parts.core_dml:
            self.records.opaque_phases.add(context.phase)
        if context.phase and (not table_known or not target_known):
            self.records.opaque_phases.add(context.phase)
        kwargs = call.kwargs
        guarded = context.guarded or kwargs.get("if_exists") is True or kwargs.get("if_not_exists") is True
        if not target_known and key_expression is not None and state.existence_names:
            # The name read from the database (`inspector.get_foreign_keys(t)[0]["name"]`): it exists.
            guarded = guarded or uses_any(key_expression, state.existence_names)
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
                schema=schema,
                target=target,
                target_known=target_known,
                table_known=table_known,
                columns=parts.columns,
                foreign_keys=parts.foreign_keys,
                index_columns=index_columns(call, parts),
                kwargs=kwargs,
                new_name=parts.new_name,
                type_=parts.type_,
                existing_type=parts.existing_type,
                sql_text=parts.sql_text,
                plain_string=parts.plain_string,
                guarded=guarded,
                dialects=context.dialects,
                stack=context.stack,
                after_commit=context.after_commit,
                unnamed=unnamed,
                final_name=final_name,
                core_dml=parts.core_dml,
                core_refs=parts.core_refs,
                sql_sketch=parts.sql_sketch,
                enum=parts.enum,
                existing_enum=parts.existing_enum,
                positional_count=len(node.args),
                unpacks=any(isinstance(arg, ast.Starred) for arg in node.args)
                or any(keyword.arg is None for keyword in node.keywords),
            )
        )

    def _table_ddl(
        self,
        node: ast.Call,
        name: str,
        table: TableObject,
        context: Context,
        state: FunctionState,
        checkfirst_default: bool,
    ) -> None:
        """``Table.create(bind)``/``.drop(bind)`` and ``metadata.create_all(bind, tables=[...])``: SQLAlchemy's own
        DDL, recorded as ``create_table``/``drop_table`` with the ``metadata`` receiver. A table whose name is not
        in view (``Model.__table__``) makes the phase opaque: any table may have been made, or dropped."""
        if table.name is None:
            if context.phase:
                self.records.opaque_phases.add(context.phase)
            return
        checkfirst = literal(keyword_value(node, "checkfirst"), state.env)
        guarded = context.guarded or (checkfirst is True or (checkfirst_default and checkfirst is UNKNOWN))
        columns, foreign_keys = self._table_elements(table.elements or (), state)
        self._record(
            Operation(
                name=name,
                receiver="metadata",
                line=node.lineno,
                col=node.col_offset,
                function=context.function,
                phase=context.phase,
                engine=context.engine,
                table=table.name,
                columns=columns,
                foreign_keys=foreign_keys,
                columns_known=table.elements is not None,
                guarded=guarded,
                dialects=context.dialects,
                stack=context.stack,
                after_commit=context.after_commit,
            )
        )

    def _create_table_parts(self, call: BoundCall, state: FunctionState) -> Parts:
        columns, foreign_keys = self._table_elements(call.node.args[1:], state)
        return Parts(columns=columns, foreign_keys=foreign_keys)

    def _add_column_parts(self, call: BoundCall, state: FunctionState) -> Parts:
        if "column" not in call.arguments:
            return Parts()
        column = self._column(call.arguments["column"], state)
        if column is None:
            return Parts(target=(None, False))
        return Parts(columns=(column,), target=(column.name, column.name is not None))

    def _create_foreign_key_parts(self, call: BoundCall, state: FunctionState) -> Parts:
        referent = call.value("referent_table")
        key = ForeignKeySpec(
            string_items(call.value("local_cols")),
            referent if isinstance(referent, str) else None,
            string_items(call.value("remote_cols")),
            call.node.lineno,
            call.node.col_offset,
        )
        return Parts(foreign_keys=(key,))

    def _rename_table_parts(self, call: BoundCall, state: FunctionState) -> Parts:
        return Parts(new_name=call.text("new_table_name")[0])

    def _alter_column_parts(self, call: BoundCall, state: FunctionState) -> Parts:
        parts = Parts(new_name=call.text("new_column_name")[0])
        if "type_" in call.arguments:
            parts.type_, parts.enum = self._type(call.arguments["type_"], state)
        if "existing_type" in call.arguments:
            parts.existing_type, parts.existing_enum = self._type(call.arguments["existing_type"], state)
        return parts

    def _type(self, node: ast.expr, state: FunctionState) -> tuple[TypeRef, EnumSpec | None]:
        """A column type and, when it is a native enum, its spec. An enum held in a name (``type_=status`` with
        ``status = postgresql.ENUM(...)`` at the top of the module) is an enum, though ``type_ref`` cannot see it."""
        found, enum = type_ref(node, self._qualify), self._enum_of(node, state)
        if enum is not None and found.family == "unknown":
            found = TypeRef("enum", name="ENUM")
        return found, enum

    def _create_check_constraint_parts(self, call: BoundCall, state: FunctionState) -> Parts:
        return Parts(index_columns=condition_columns(call.arguments.get("condition"), state.env))

    def _execute_parts(self, call: BoundCall, state: FunctionState) -> Parts:
        statement = call.arguments.get("sqltext")
        sql_text, plain = self._sql_text(statement, state)
        core_dml = sql_text is None and is_core_dml(statement, state.dml_names)
        refs = core_refs(statement, state, self.module_values) if core_dml and statement is not None else ()
        sketch = sql_sketch(statement, state.env) if sql_text is None and not core_dml else None
        return Parts(sql_text=sql_text, plain_string=plain, core_dml=core_dml, core_refs=refs, sql_sketch=sketch)

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
            qualified in ENUM_CLASSES
            or (qualified.startswith("sqlalchemy.dialects.") and qualified.endswith((".ENUM", ".Enum")))
        ):
            return None
        if keyword_constant(node, "native_enum") is False:
            return None  # a VARCHAR with a CHECK: no type to create
        name = keyword_constant(node, "name")
        values: tuple[str, ...] | None = None
        if node.args and all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args):
            values = tuple(str(arg.value) for arg in node.args)  # type: ignore[attr-defined]
        elif name is None and len(node.args) == 1 and isinstance(node.args[0], (ast.Name, ast.Attribute)):
            parts = dotted_parts(node.args[0])
            name = parts[-1].lower() if parts else None  # SQLAlchemy names the type after the enum class
        return EnumSpec(
            name if isinstance(name, str) else None,
            values,
            creates_type=keyword_constant(node, "create_type") is not False,
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
            elif name == "ForeignKeyConstraint":
                # Positional or keyword: ForeignKeyConstraint(columns=[...], refcolumns=[...]).
                local_node = element.args[0] if element.args else keyword_value(element, "columns")
                remote_node = element.args[1] if len(element.args) >= 2 else keyword_value(element, "refcolumns")
                if local_node is None or remote_node is None:
                    continue
                local = string_items(literal(local_node, state.env))
                remote = string_items(literal(remote_node, state.env))
                tables = {split_reference(reference)[0] for reference in remote}
                ref_table = tables.pop() if len(tables) == 1 else None
                foreign_keys.append(
                    ForeignKeySpec(
                        local,
                        ref_table,
                        tuple(split_reference(reference)[1] for reference in remote),
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
                ref_table, ref_column = split_reference(reference if isinstance(reference, str) else None)
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
                persisted = literal(keyword_value(argument, "persisted"), state.env)
                stored = stored or inner == "Identity" or persisted is not False
            elif inner in ("Sequence", "CheckConstraint", "UniqueConstraint"):
                continue
            elif column_type is None:
                column_type, enum = self._type(argument, state)
        for keyword in node.keywords:
            if keyword.arg == "type_":
                column_type, enum = self._type(keyword.value, state)
            elif keyword.arg == "name":
                value = literal(keyword.value, state.env)
                column_name = value if isinstance(value, str) else column_name
        nullable = literal(keyword_value(node, "nullable"), state.env)
        primary_key = literal(keyword_value(node, "primary_key"), state.env)
        server_default = keyword_value(node, "server_default")
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

    def _inline(
        self,
        helper: ast.FunctionDef | ast.AsyncFunctionDef,
        call: ast.Call,
        context: Context,
        state: FunctionState,
    ) -> None:
        """Walk ``helper`` at this call with its arguments bound (the walker's statements do it)."""
        raise NotImplementedError


_PARTS: Final[Mapping[str, Callable[[CallRecorder, BoundCall, FunctionState], Parts]]] = {
    "create_table": CallRecorder._create_table_parts,
    "add_column": CallRecorder._add_column_parts,
    "create_foreign_key": CallRecorder._create_foreign_key_parts,
    "rename_table": CallRecorder._rename_table_parts,
    "alter_column": CallRecorder._alter_column_parts,
    "create_check_constraint": CallRecorder._create_check_constraint_parts,
    "execute": CallRecorder._execute_parts,
    "exec_driver_sql": CallRecorder._execute_parts,
}
"""The reader of each operation's own parts: a table per operation kind, instead of one function for all."""
