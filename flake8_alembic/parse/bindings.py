"""What local names hold: assignments (literals, connections, query results, existence checks, dialect names,
``sa.text`` objects, table objects, enum types, Core statements), imports inside functions, and what a helper's
parameters are bound to at a call."""

from __future__ import annotations

import ast

from .. import sql as sqlmod
from ..names import (
    UNKNOWN,
    Literal,
    call_name,
    import_records,
    literal,
    string_with_holes,
)
from .alembic_api import (
    NOT_OPERATIONS,
    RESULT_METHODS,
)
from .calls import (
    CallRecorder,
    is_core_dml,
    table_object_name,
)
from .expressions import (
    target_names,
    uses_any,
)
from .state import (
    Binding,
    FunctionState,
)


def bind_target(target: ast.expr, value: Literal, env: dict[str, Literal]) -> None:
    if isinstance(target, ast.Name):
        env[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)):
        values = value if isinstance(value, tuple) and len(value) == len(target.elts) else None
        for index, element in enumerate(target.elts):
            bind_target(element, values[index] if values else UNKNOWN, env)
            if values is None:
                for name in target_names(element):
                    env.pop(name, None)


def is_query_result(node: ast.expr, state: FunctionState) -> bool:
    current: ast.expr = node
    for _ in range(8):
        if isinstance(current, ast.Name):
            return current.id in state.result_names
        if isinstance(current, ast.Call):
            if isinstance(current.func, ast.Attribute) and current.func.attr in RESULT_METHODS:
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


class NameBinder(CallRecorder):
    """Follows what local names hold."""

    def _bind(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign, state: FunctionState) -> None:
        value = node.value
        if value is None:
            return
        if isinstance(value, ast.IfExp):  # `name = "a" if forward else "b"` on a decided test: only one runs
            holds = state.truth(value.test)
            if holds is not None:
                value = value.body if holds else value.orelse
        targets: list[ast.expr] = list(node.targets) if isinstance(node, ast.Assign) else [node.target]
        names = [name for target in targets for name in target_names(target)]
        state.rebind(names)
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
            and value.func.attr not in NOT_OPERATIONS
            and self._is_op_receiver(value.func.value, state)
        )
        involves_existence = not is_operation and (
            self._is_existence_test(value, state)
            or (bool(state.existence_names) and uses_any(value, state.existence_names))  # `name, _ = fks.popitem()`
        )
        is_connection = not is_operation and self._is_connection_value(value, state)
        is_result = not is_operation and is_query_result(value, state)
        is_dialect = not is_operation and self._mentions_dialect(value, state)
        text_sql = (
            string_with_holes(value.args[0], state.env, sqlmod.HOLE)
            if isinstance(value, ast.Call) and call_name(value) == "text" and value.args
            else None
        )
        table_object = table_object_name(value, state.env)
        is_dml = is_core_dml(value, state.dml_names)
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
        if len(names) > 1 and known is not UNKNOWN:
            for target in targets:  # `table, column = "t", "c"`, `a = b = "x"`
                bind_target(target, known, state.env)

    def _import(self, node: ast.Import | ast.ImportFrom, state: FunctionState) -> None:
        for record in import_records(node):
            self.records.imports[(record.line, record.col, record.bound, record.name)] = record
            if not record.bound:
                continue
            if record.qualified == "alembic.op":
                state.op_names.add(record.bound)
            elif record.module == "alembic.op" and record.name and record.name not in NOT_OPERATIONS:
                self.direct_ops[record.bound] = record.name
            else:
                self.aliases[record.bound] = record.qualified

    def _binding_for(self, argument: ast.expr, state: FunctionState) -> object:
        if isinstance(argument, ast.Name):
            if argument.id in state.op_names:
                return Binding("op")
            if argument.id in state.batch:
                return Binding("batch", state.batch[argument.id])
            if argument.id in state.connection_names:
                return Binding("connection")
        if self._is_connection_value(argument, state):
            return Binding("connection")
        if isinstance(argument, ast.Name) and argument.id in state.existence_names:
            return Binding("existence")  # a value read from the database: tests on it are existence checks
        return literal(argument, state.env)
