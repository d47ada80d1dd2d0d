"""Reading conditions and handlers: existence checks (guards), dialect tests, connections, and what an ``except``
clause catches and whether it re-raises (per dialect, as data: the rules decide what matters)."""

from __future__ import annotations

import ast
import re

from ..dialects import ALL as ALL_DIALECTS
from ..dialects import CODE_WORDS
from ..names import (
    call_name,
    dotted_parts,
    literal,
    qualify,
)
from .alembic_api import (
    CATALOG_WORDS,
    CONVENTIONAL_CONNECTIONS,
    DB_DRIVERS,
    DB_ERRORS,
    INSPECTOR_GETTERS,
    LOGGING_METHODS,
    STDLIB,
)
from .expressions import (
    expression_nodes,
)
from .state import (
    FunctionState,
    WalkerState,
)


def _names_existence_check(name: str) -> bool:
    """``table_exists``, ``has_index``, ``get_columns``…: a helper named as a read of the catalog (trusted by name).
    Loose on purpose: it only judges conditions (``if table_exists(...)``), where any name about existence asks."""
    return "exist" in name.lower() or name.startswith("has_") or name in INSPECTOR_GETTERS


_EXISTENCE_CHECK_NAME = re.compile(r"^_?(?:has_\w+|\w*_exists?|exists?)$")


_CHANGING_VERB = re.compile(r"(?:^|_)(?:create|add|drop|ensure|make|if)(?:_|$)")


def _names_pure_catalog_read(name: str) -> bool:
    """The strict form of ``_names_existence_check``, for a call standing alone: only a name shaped as a question
    (``table_exists``, ``has_index``, ``get_columns``), never one that also acts (``create_table_if_not_exists``)."""
    return name in INSPECTOR_GETTERS or (bool(_EXISTENCE_CHECK_NAME.match(name)) and not _CHANGING_VERB.search(name))


def only_reads_or_logs(call: ast.Call) -> bool:
    """A call into foreign code that cannot change the schema: a catalog read named as one, or a logger's method
    (``logger.info(...)``, ``log.warning(...)``, loguru's ``logger``)."""
    name = call_name(call)
    if name and _names_pure_catalog_read(name):
        return True
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in LOGGING_METHODS:
        receiver = dotted_parts(func.value)
        return receiver is not None and "log" in receiver[-1].lower()
    return False


def is_foreign_code(qualified: str) -> bool:
    """A call into code outside the migration, the stdlib, SQLAlchemy and Alembic."""
    top = qualified.split(".")[0]
    return top not in STDLIB and top not in ("sqlalchemy", "alembic", "builtins") and not top.startswith(".")


def _reads_catalog(helper: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for node in ast.walk(helper):
        if isinstance(node, ast.Call):
            name = call_name(node)
            if name in INSPECTOR_GETTERS or name in ("inspect", "from_engine", "has_table", "has_index"):
                return True
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            lowered = node.value.lower()
            if any(word in lowered for word in CATALOG_WORDS):
                return True
    return False


def _lone_return(statement: ast.stmt) -> ast.Return | None:
    """The ``return`` of ``if <test>: return <value>`` (no ``else``)."""
    if isinstance(statement, ast.If) and not statement.orelse and len(statement.body) == 1:
        only = statement.body[0]
        return only if isinstance(only, ast.Return) else None
    return None


def _returned_truth(node: ast.Return) -> bool | None:
    """Whether a ``return`` of a constant gives something true; None for any other value."""
    if node.value is None:
        return False
    return bool(node.value.value) if isinstance(node.value, ast.Constant) else None


def names_exception(node: ast.expr, name: str) -> bool:
    candidates = node.elts if isinstance(node, ast.Tuple) else [node]
    return any((dotted_parts(candidate) or [""])[-1] == name for candidate in candidates)


def is_noop(node: ast.stmt, allow_continue: bool = False) -> bool:
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
    (autogenerate's ``connection = op.get_bind()``), up to a plain ``return``: what follows it never runs."""
    for statement in body:
        if isinstance(statement, ast.Return):
            return statement.value is None or isinstance(statement.value, ast.Constant)
        if not (is_noop(statement) or _takes_a_handle(statement)):
            return False
    return True


def _takes_a_handle(node: ast.stmt) -> bool:
    """``name = op.get_bind()`` / ``op.get_context()``: getting the connection runs no SQL."""
    return (
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and not node.value.args
        and not node.value.keywords
        and call_name(node.value) in ("get_bind", "get_context")
    )


def required_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a call needs arguments: Alembic calls multidb ``upgrade_<engine>()`` with none."""
    arguments = node.args
    positional = len(arguments.posonlyargs) + len(arguments.args)
    keyword_only = sum(default is None for default in arguments.kw_defaults)
    return positional > len(arguments.defaults) or keyword_only > 0


class ConditionReader(WalkerState):
    """Reads conditions: existence checks, dialect tests, connections, exception handlers."""

    def _reflects(self, name: str, state: FunctionState) -> bool:
        """A helper of the file that reads the database's catalog (an inspector getter, information_schema…):
        what it returns names objects that exist."""
        helper = state.local_functions.get(name) or self.functions.get(name)
        if helper is None:
            return False
        if id(helper) not in self._reflecting:
            self._reflecting[id(helper)] = _reads_catalog(helper)
        return self._reflecting[id(helper)]

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
            return node.id in state.connection_names or node.id in CONVENTIONAL_CONNECTIONS
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
            # `dialect.name == "sqlite"`, and `"sqlite" in inspector.dialect.dialect_description` ("sqlite+pysqlite")
            if isinstance(child, ast.Attribute) and child.attr in ("name", "dialect_description"):
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
            return self._helper_dialect_truth(node, state)
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

    def _helper_dialect_truth(
        self, call: ast.Call, state: FunctionState
    ) -> tuple[frozenset[str], frozenset[str]] | None:
        """For a call of a helper of the file: (the dialects on which it may return something true, those on which
        it may return something false), read from the dialect tests that open its body (``if conn.dialect.name !=
        "mysql": return False``); None when its opening says nothing about dialects."""
        func = call.func
        if not isinstance(func, ast.Name):
            return None
        helper = state.local_functions.get(func.id) or self.functions.get(func.id)
        if helper is None:
            return None
        if helper not in self._returns_by_dialect:
            self._returns_by_dialect[helper] = None  # a recursive helper is not followed into itself
            self._returns_by_dialect[helper] = self._opening_returns(helper)
        return self._returns_by_dialect[helper]

    def _opening_returns(
        self, helper: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> tuple[frozenset[str], frozenset[str]] | None:
        helper_state = self._state_for(helper, {})
        truthy: frozenset[str] = frozenset()
        falsy: frozenset[str] = frozenset()
        live = ALL_DIALECTS
        for statement in helper.body:
            if is_noop(statement):
                continue
            returned = statement if isinstance(statement, ast.Return) else _lone_return(statement)
            value = _returned_truth(returned) if returned is not None else None
            if value is None or returned is None:
                break
            certain = live
            if isinstance(statement, ast.If):
                branches = self._dialect_test(statement.test, helper_state)
                if branches is None:
                    break
                certain = live & (branches[0] - branches[1])
            truthy, falsy = (truthy | certain, falsy) if value else (truthy, falsy | certain)
            live = live - certain
        if live == ALL_DIALECTS:
            return None
        return truthy | live, falsy | live

    def _is_db_error(self, node: ast.expr) -> bool:
        candidates = node.elts if isinstance(node, ast.Tuple) else [node]
        for candidate in candidates:
            parts = dotted_parts(candidate)
            if not parts:
                continue
            qualified = qualify(candidate, self.aliases) or ".".join(parts)
            if parts[-1] in DB_ERRORS and parts[-1] != "Error":
                return True
            if qualified.startswith("sqlalchemy.exc.") and parts[-1] not in (
                "NoSuchTableError",
                "ArgumentError",
            ):
                return True
            if qualified.split(".")[0] in DB_DRIVERS:
                return True
        return False

    def _qualified_suppress(self, node: ast.Call) -> bool:
        qualified = qualify(node.func, self.aliases)
        return qualified in (None, "contextlib.suppress")

    def _outside_transaction_after(self, call: ast.Call, state: FunctionState) -> bool | None:
        """True for a statement after which the connection runs outside any transaction: a raw ``COMMIT``/``END``
        (``op.execute("COMMIT")``, through ``sa.text()`` or a name bound to it), which neither SQLAlchemy nor
        psycopg2 sees, so neither begins a new one. False for one after which a transaction is open again: a raw
        ``BEGIN``, or ``connection.commit()``/``rollback()``, after which SQLAlchemy begins one at the next
        statement (tests/test_premises_flow.py). None for anything else."""
        name = call_name(call)
        if name in ("commit", "rollback") and isinstance(call.func, ast.Attribute) and not call.args:
            return False if self._is_connection_value(call.func.value, state) else None
        if name not in ("execute", "exec_driver_sql") or not call.args:
            return None
        argument = call.args[0]
        if isinstance(argument, ast.Call) and call_name(argument) == "text" and argument.args:
            text = literal(argument.args[0], state.env)
        elif isinstance(argument, ast.Name) and argument.id in state.text_names:
            text = state.text_names[argument.id]
        else:
            text = literal(argument, state.env)
        if not isinstance(text, str):
            return None
        words = " ".join(text.strip().rstrip(";").split()).upper()
        if words in ("COMMIT", "END", "COMMIT WORK", "COMMIT TRANSACTION"):
            return True
        if words in ("BEGIN", "BEGIN WORK", "BEGIN TRANSACTION", "START TRANSACTION"):
            return False
        return None
