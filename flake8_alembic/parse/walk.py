"""The single pass over a migration module's functions: statements and control flow.

Each ``upgrade*``/``downgrade*`` function is walked once, statement by statement, carrying what encloses the
current statement (existence guards, try blocks, dialect branches, batch blocks, loops). Module-level helpers are
walked at each call site with their literal arguments bound, so their operations belong to the caller.

The walk follows control flow as far as the code makes it certain, so every record agrees on what runs:

- what follows a ``return``, ``raise``, ``sys.exit()`` or a helper that always raises, on every path, never runs
  and is not walked;
- a test decided by constants the walk bound (a helper's ``forward=True``, ``change(upgrade=False)``) runs only the
  branch it picks; an undecided test runs both, as before;
- where paths meet (after an ``if``, a ``try``, a loop), a name keeps its value only when every path agrees;
- a helper nothing calls never runs and records nothing; one passed by name to a call (``map(helper, ...)``) or
  looped over (``for step in (a, b): step()``) runs in the caller's phase, with arguments the walk does not know.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any, Final, Union

from ..dialects import ALL as ALL_DIALECTS
from ..names import (
    UNKNOWN,
    Literal,
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
from .flow import (
    changed_names,
    merged,
    pattern_names,
)
from .outcomes import OutcomeReader
from .records import (
    Frame,
    Handler,
    Operation,
    RowLoop,
    TryBlock,
)
from .removed_api import RemovedApiReader
from .state import (
    Context,
    FunctionState,
)

MAX_HELPER_DEPTH: Final = 8


MAX_RECORDS: Final = 20_000


MAX_LOOP_ITEMS: Final = 64


Helper = Union[ast.FunctionDef, ast.AsyncFunctionDef]


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


def _restore(env: dict[str, Literal], values: dict[str, Literal]) -> None:
    """Set what the names hold in place: the helpers' ``decide`` reads the same dict."""
    env.clear()
    env.update(values)


def _forget(env: dict[str, Literal], names: Iterable[str]) -> None:
    for name in names:
        env.pop(name, None)


def _meet(state: FunctionState, before: dict[str, Literal], paths: list[dict[str, Literal]]) -> None:
    """The names where paths meet (see ``flow.merged``): no test is decided on one the paths disagree on."""
    if paths:
        values, disputed = merged(before, paths)
        _restore(state.env, values)
        state.undecided.update(disputed)


def _carried(outer: Context, inner: Context) -> Context:
    """The context after a compound statement: the enclosing frames, with what the flow inside settled (a commit,
    an early return on a dialect or an existence check)."""
    return outer._replace(after_commit=inner.after_commit, dialects=inner.dialects, guarded=inner.guarded)


def _met(outer: Context, paths: list[Context]) -> Context | None:
    """The context where paths meet: committed only if every path committed, on the dialects some path runs on."""
    if not paths:
        return None
    return outer._replace(
        after_commit=all(path.after_commit for path in paths),
        dialects=outer.dialects & frozenset().union(*(path.dialects for path in paths)),
    )


class Walker(NameBinder, OutcomeReader, RemovedApiReader):
    """Walks the migration functions of one module."""

    # ------------------------------------------------------------------ entry points
    def walk_function(self, node: Helper, phase: str | None, engine: str) -> None:
        if phase is None:
            return  # a helper no migration function calls never runs: nothing it would do is recorded
        context = Context(function=node.name, phase=phase, engine=engine)
        state = self._state_for(node, {})
        self._block(node.body, context, state)

    # ------------------------------------------------------------------ statements
    def _block(self, body: list[ast.stmt], context: Context, state: FunctionState) -> Context | None:
        """Walk statements in order. The context after them, or None when no path gets past them: what follows is
        unreachable and is not walked."""
        current = context
        for statement in body:
            if len(self.records.operations) > MAX_RECORDS:
                return current  # a generated monster: what was recorded so far is judged
            if type(statement) is ast.Expr and type(statement.value) is ast.Call:
                after = self._call_statement(statement.value, current, state)  # the common case, `op.x(...)`
            else:
                after = self._statement(statement, current, state)
            if after is None:
                return None
            current = after
        return current

    def _call_statement(self, call: ast.Call, context: Context, state: FunctionState) -> Context | None:
        self._expression(call, context, state)
        if self._raising_call(call, state) >= context.dialects:
            return None  # sys.exit(), a helper that always raises: what follows never runs
        outside = self._outside_transaction_after(call, state)
        return context if outside is None else context._replace(after_commit=outside)

    def _expression(self, node: ast.expr, context: Context, state: FunctionState) -> None:
        self._removed_apis(node, context, state)
        for call in expression_calls(node, state.truth):
            self._call(call, context, state)
            for argument in call.args:
                if type(argument) is ast.Name:
                    self._passed(argument, context, state)
            for keyword in call.keywords:
                if type(keyword.value) is ast.Name:
                    self._passed(keyword.value, context, state)

    def _passed(self, argument: ast.expr, context: Context, state: FunctionState) -> None:
        """A helper passed by name to a call (``map(helper, tables)``) runs when the callee calls it."""
        helper = self._helper_named(argument, state)
        if helper is not None:
            self._inline(helper, None, context, state)

    def _helper_named(self, node: ast.expr, state: FunctionState) -> Helper | None:
        if not isinstance(node, ast.Name):
            return None
        if node.id in state.local_functions:
            return state.local_functions[node.id]
        helper = self.functions.get(node.id)
        return helper if helper is not None and not self._is_migration_function(node.id) else None

    def _statement(self, node: ast.stmt, context: Context, state: FunctionState) -> Context | None:
        if isinstance(node, ast.If):
            return self._if(node, context, state)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            return self._for(node, context, state)
        if isinstance(node, ast.While):
            return self._while(node, context, state)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return self._with(node, context, state)
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            return self._try(node, context, state)  # type: ignore[arg-type]
        if type(node).__name__ == "Match":
            return self._match(node, context, state)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if node.value is not None:
                self._expression(node.value, context, state)
                self._note_assignment(node, state)
                self._bind(node, state)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node, state)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            state.local_functions[node.name] = node  # walked where it is called, like a module-level helper
        elif not isinstance(node, ast.ClassDef):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self._expression(child, context, state)
            if isinstance(node, ast.Return) and node.value is not None:
                returned = self._helper_named(node.value, state)
                if returned is not None:  # a decorator's `return wrapper`: the receiver calls it
                    self._inline(returned, None, context, state)
            if isinstance(node, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
                return None
        return context

    def _if(self, node: ast.If, context: Context, state: FunctionState) -> Context | None:
        self._expression(node.test, context, state)
        holds = state.truth(node.test)
        if holds is not None:
            # A test on constants the walk bound (a helper's `forward=True`): only the branch it picks runs.
            return self._block(node.body if holds else node.orelse, context, state)
        is_guard = self._is_existence_test(node.test, state)
        body_context, else_context = self._branch_contexts(node, context, state, is_guard)
        before = dict(state.env)
        after_body = self._block(node.body, body_context, state)
        body_env = dict(state.env)
        _restore(state.env, before)
        after_else = self._block(node.orelse, else_context, state)
        paths = [(after, env) for after, env in ((after_body, body_env), (after_else, state.env)) if after is not None]
        _meet(state, before, [env for _, env in paths])
        met = _met(context, [after for after, _ in paths])
        if met is None:
            return None
        # `if not has_table(...): return`: what follows runs only where the existence check let it through.
        return met._replace(guarded=context.guarded or (is_guard and len(paths) == 1))

    def _branch_contexts(
        self, node: ast.If, context: Context, state: FunctionState, is_guard: bool
    ) -> tuple[Context, Context]:
        """The contexts of an undecided ``if``'s branches: an existence guard's frame, a dialect test's dialects."""
        branches = self._dialect_test(node.test, state)
        if not is_guard and branches is None:
            # An ordinary condition: both branches run in the enclosing context.
            if mentions_word(node.test, "empty"):  # `if is_table_empty(conn, "t"):` (ALM015)
                empty = Frame("empty", node.lineno, self._next_ident())
                return context._replace(stack=(*context.stack, empty)), context
            return context, context
        body_dialects, else_dialects = branches if branches else (ALL_DIALECTS, ALL_DIALECTS)
        guard_frame = (Frame("guard", node.lineno, self._next_ident()),) if is_guard else ()
        if guard_frame and mentions_word(node.test, "index"):
            self.records.index_guards.add(guard_frame[0])
        stack = (*context.stack, *guard_frame)
        guarded = context.guarded or is_guard
        return (
            context._replace(stack=stack, guarded=guarded, dialects=context.dialects & body_dialects),
            context._replace(stack=stack, guarded=guarded, dialects=context.dialects & else_dialects),
        )

    def _for(self, node: ast.For | ast.AsyncFor, context: Context, state: FunctionState) -> Context:
        self._expression(node.iter, context, state)
        self._note_loop(node.target, node.iter, state)
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
        if isinstance(node.iter, (ast.Tuple, ast.List)):  # `for step in (add_a, add_b): step()`
            for element in node.iter.elts:
                helper = self._helper_named(element, state)
                if helper is not None:
                    self._inline(helper, None, loop_context, state)
        mark = self._enter_loop(state)
        if isinstance(values, tuple) and 0 < len(values) <= MAX_LOOP_ITEMS:
            for value in values:
                bind_target(node.target, value, state.env)
                state.rebind(targets)
                state.fixed.update(targets)  # one literal item per iteration: a test on it is decided
                self._block(node.body, loop_context, state)
        else:
            _forget(state.env, targets)
            self._block(node.body, loop_context, state)
        self._leave_loop(state, mark)
        _forget(state.env, targets)
        if reflected:
            state.existence_names.difference_update(targets)
        body_runs_sql = len(self.records.operations) > before or _runs_sql(node.body)
        if body_runs_sql and is_query_result(node.iter, state):
            self.records.row_loops.append(RowLoop(node.lineno, node.col_offset, context.phase, context.dialects))
        self._block(node.orelse, context, state)
        return context

    def _while(self, node: ast.While, context: Context, state: FunctionState) -> Context:
        self._expression(node.test, context, state)
        guarded = context.guarded or self._is_existence_test(node.test, state)
        loop = Frame("loop", node.lineno, self._next_ident())
        mark = self._enter_loop(state)
        self._block(node.body, context._replace(stack=(*context.stack, loop), guarded=guarded), state)
        self._leave_loop(state, mark)
        self._block(node.orelse, context, state)
        return context

    @staticmethod
    def _enter_loop(state: FunctionState) -> int:
        """Inside a loop a name may hold what an earlier iteration left: only fixed names decide a test."""
        state.loops += 1
        return len(state.bound)

    @staticmethod
    def _leave_loop(state: FunctionState, mark: int) -> None:
        """After a loop (run any number of times), no test is decided on a name it rebound; its value is still
        read as the walk always read it."""
        state.loops -= 1
        rebound = state.bound[mark:]
        state.undecided.update(rebound)
        state.fixed.difference_update(rebound)

    def _with(self, node: ast.With | ast.AsyncWith, context: Context, state: FunctionState) -> Context | None:
        frames = self._with_frames(node, context, state)
        after = self._block(node.body, context._replace(stack=(*context.stack, *frames)), state)
        kinds = {frame.kind for frame in frames}
        if after is None:
            return context if "suppress" in kinds else None  # a raise inside suppress() carries on after it
        if "autocommit" in kinds:
            return context  # Alembic begins a new transaction when the block ends
        return _carried(context, after)

    def _with_frames(self, node: ast.With | ast.AsyncWith, context: Context, state: FunctionState) -> list[Frame]:
        """Walk the context managers of a ``with``; the frames they open (batch, autocommit, savepoint, suppress)."""
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
        return frames

    def _try(self, node: ast.Try, context: Context, state: FunctionState) -> Context | None:
        frame = Frame("try", node.lineno, self._next_ident())
        before = dict(state.env)
        after_body = self._block(node.body, context._replace(stack=(*context.stack, frame)), state)
        body_env = dict(state.env)
        state.undecided.update(changed_names(before, body_env))  # the failure may come from any statement of it
        paths: list[tuple[Context, dict[str, Literal]]] = []
        handlers = []
        for handler in node.handlers:
            _restore(state.env, body_env)
            handler_frame = Frame("handler", handler.lineno, self._next_ident())
            after = self._block(handler.body, context._replace(stack=(*context.stack, handler_frame)), state)
            if after is not None:
                paths.append((_carried(context, after), dict(state.env)))
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
        if after_body is not None:
            _restore(state.env, body_env)
            after_else = self._block(node.orelse, _carried(context, after_body), state)
            if after_else is not None:
                paths.append((after_else, dict(state.env)))
        _meet(state, before, [env for _, env in paths])
        met = _met(context, [after for after, _ in paths])
        after_final = self._block(node.finalbody, met or context, state)
        return None if met is None or after_final is None else after_final

    def _match(self, node: ast.AST, context: Context, state: FunctionState) -> Context:
        """``match``: each case runs in the enclosing context (on its dialects, for a match on the dialect's name);
        no case may match, so what follows is always reached."""
        subject: ast.expr = node.subject  # type: ignore[attr-defined]
        self._expression(subject, context, state)
        before = dict(state.env)
        envs = [before]  # no case may match
        remaining = context.dialects
        for case in node.cases:  # type: ignore[attr-defined]
            _restore(state.env, before)
            captured = pattern_names(case.pattern)
            _forget(state.env, captured)
            state.rebind(captured)
            named = self._case_dialects(subject, case.pattern, state)
            case_context = context._replace(dialects=remaining if named is None else remaining & named)
            if named is not None and case.guard is None:
                remaining = remaining - named  # a later catch-all runs on the dialects no case named
            if case.guard is not None:
                self._expression(case.guard, case_context, state)
            if self._block(case.body, case_context, state) is not None:
                envs.append(dict(state.env))
        _meet(state, before, envs)
        return context

    def _case_dialects(self, subject: ast.expr, pattern: ast.AST, state: FunctionState) -> frozenset[str] | None:
        """The dialects a case names in a match on the dialect's name (``case "mysql" | "mariadb":``); None for
        any other case."""
        values: list[Any] = pattern.patterns if type(pattern).__name__ == "MatchOr" else [pattern]  # type: ignore[attr-defined]
        if not all(type(value).__name__ == "MatchValue" for value in values):
            return None
        named: frozenset[str] = frozenset()
        for value in values:
            test = ast.Compare(left=subject, ops=[ast.Eq()], comparators=[value.value])
            branches = self._dialect_test(test, state)
            if branches is None:
                return None
            named |= branches[0]
        return named

    def _inline(self, helper: Helper, call: ast.Call | None, context: Context, state: FunctionState) -> None:
        """Walk a helper where it is called, with what its parameters are bound to (nothing for a helper passed by
        name: the walk does not know what the callee gives it)."""
        if helper.name in context.helpers or len(context.helpers) >= MAX_HELPER_DEPTH:
            return
        self.inlined.add(helper.name)
        bindings, undecided = self._parameters(helper, call, state) if call is not None else ({}, set())
        enclosing = state if state.local_functions.get(helper.name) is helper else None
        helper_state = self._state_for(helper, bindings, enclosing)
        helper_state.undecided.update(undecided)
        helper_context = context._replace(helpers=(*context.helpers, helper.name))
        for decorator in helper.decorator_list:  # `@temporary_index(...)`: its wrapper runs around the body
            self._expression(decorator, helper_context, state)
            wrapper = self._helper_named(decorator, state)
            if wrapper is not None:
                self._inline(wrapper, None, helper_context, state)
        self._block(helper.body, helper_context, helper_state)

    def _parameters(self, helper: Helper, call: ast.Call, state: FunctionState) -> tuple[dict[str, object], set[str]]:
        """What a call binds a helper's parameters to (defaults first), and the parameters bound to a value no test
        should be decided on (a module-level constant of the caller)."""
        bindings: dict[str, object] = {}
        undecided: set[str] = set()
        params = [*helper.args.posonlyargs, *helper.args.args]
        defaults = helper.args.defaults
        for param, default in zip(params[len(params) - len(defaults) :], defaults):
            bindings[param.arg] = literal(default, self.constants)
        for kwparam, kwdefault in zip(helper.args.kwonlyargs, helper.args.kw_defaults):
            if kwdefault is not None:
                bindings[kwparam.arg] = literal(kwdefault, self.constants)
        given: list[tuple[str, ast.expr]] = []
        for param, argument in zip(params, call.args):
            if isinstance(argument, ast.Starred):
                break
            given.append((param.arg, argument))
        given.extend((keyword.arg, keyword.value) for keyword in call.keywords if keyword.arg is not None)
        for name, argument in given:
            bindings[name] = self._binding_for(argument, state)
            if uses_any(argument, state.undecided):
                undecided.add(name)
        return {name: value for name, value in bindings.items() if value is not UNKNOWN}, undecided
