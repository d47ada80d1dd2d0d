"""The single pass over a migration module's functions: statements and control flow.

Each ``upgrade*``/``downgrade*`` function is walked once, statement by statement, carrying what encloses the
current statement (existence guards, try blocks, dialect branches, batch blocks, loops). Module-level helpers are
walked at each call site with their literal arguments bound, so their operations belong to the caller.
"""

from __future__ import annotations

import ast
from typing import Final

from ..dialects import ALL as ALL_DIALECTS
from ..names import (
    UNKNOWN,
    call_name,
    literal,
)
from .alembic_api import (
    CONNECTION_MAKERS,
)
from .bindings import (
    NameBinder,
    bind_target,
    is_query_result,
)
from .conditions import (
    is_noop,
    names_exception,
)
from .expressions import (
    argument_at,
    expression_calls,
    keyword_value,
    mentions_word,
    target_names,
    uses_any,
)
from .records import (
    Frame,
    Handler,
    Operation,
    RowLoop,
    TryBlock,
)
from .state import (
    Context,
    FunctionState,
)

MAX_HELPER_DEPTH: Final = 8


MAX_RECORDS: Final = 20_000


MAX_LOOP_ITEMS: Final = 64


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


def _always_exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


class Walker(NameBinder):
    """Walks the migration functions of one module."""

    # ------------------------------------------------------------------ entry points
    def walk_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, phase: str | None, engine: str) -> None:
        context = Context(function=node.name, phase=phase, engine=engine)
        state = self._state_for(node, {})
        self._block(node.body, context, state)

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
            if mentions_word(node.test, "empty"):  # `if is_table_empty(conn, "t"):` (ALM015)
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
        if guard_frame and mentions_word(node.test, "index"):
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
        targets = target_names(node.target)
        before = len(self.records.operations)
        values = literal(node.iter, state.env)
        reflected = targets and (
            self._is_existence_test(node.iter, state) or uses_any(node.iter, state.existence_names)
        )
        if reflected:  # `for fk in inspector.get_foreign_keys(t):` — each item exists
            state.existence_names.update(targets)
        if isinstance(values, tuple) and 0 < len(values) <= MAX_LOOP_ITEMS:
            for value in values:
                bind_target(node.target, value, state.env)
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
        if body_runs_sql and is_query_result(node.iter, state):
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
                table = literal(argument_at(expression, 0, "table_name"), state.env)
                schema = literal(keyword_value(expression, "schema"), state.env)
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
                handler = Handler(node.lineno, node.col_offset, catches, silent=True, reraises_on=frozenset())
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
            elif name in CONNECTION_MAKERS and isinstance(item.optional_vars, ast.Name):
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
                    silent=all(is_noop(statement, allow_continue=True) for statement in handler.body),
                    reraises_on=self._reraising_dialects(handler.body, state),
                    catches_value_error=handler.type is not None and names_exception(handler.type, "ValueError"),
                )
            )
        self.records.try_blocks.append(
            TryBlock("try", node.lineno, node.col_offset, frame, tuple(handlers), context.phase, context.dialects)
        )
        self._block(node.orelse, context, state)
        self._block(node.finalbody, context, state)

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
