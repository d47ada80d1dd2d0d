"""SQLAlchemy APIs that 2.0 removed, as a migration may still use them (ALM031).

The walker calls ``RemovedApiReader`` on every expression it walks, so a form counts only where it runs (an upgrade
or downgrade, a helper they call, on the dialects of its branch), and on every assignment and loop, to know what a
local name holds: an ``Engine``, a result of ``execute()``, its rows, one row. Every form recorded fails on every
SQLAlchemy 2.x (``tests/test_premises_recall.py``). A receiver the walk cannot name (a helper's parameter, an
object from the application) records nothing: the forms are told apart by what the code says, never guessed.

Not recorded here: ``connection.execute()`` with keyword parameters is read from the ``execute`` operation the
walker records anyway (``rules/hazards/alm031_sqlalchemy2_removed_api.py``), and imports of removed names from the
migration's imports.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Final

from ..names import Literal, call_name, literal
from .alembic_api import DML_CLAUSES
from .conditions import ConditionReader
from .records import RemovedApiUse
from .state import Context, FunctionState

CORE_MODULES: Final = frozenset(
    {
        "sqlalchemy",
        "sqlalchemy.sql",
        "sqlalchemy.sql.expression",
        "sqlalchemy.sql.selectable",
        "sqlalchemy.sql.elements",
        "sqlalchemy.sql.dml",
        "sqlalchemy.sql.ddl",
        "sqlalchemy.sql.schema",
        "sqlalchemy.sql.sqltypes",
        "sqlalchemy.schema",
        "sqlalchemy.types",
        "sqlalchemy.future",
        "sqlalchemy.engine",
        "sqlalchemy.orm",
        "sqlalchemy.orm.session",
    }
)
"""The modules SQLAlchemy's public names are imported from: ``sa.sql.expression.select`` is ``select``."""

REMOVED_NAMES: Final = frozenset({"Binary"})
"""Names no SQLAlchemy 2.x has (``sa.Binary``: removed in 1.4; ``sa.LargeBinary`` replaces it)."""

SELECT_FUNCTIONS: Final = frozenset({"select", "exists", "Select"})
"""Their columns are positional arguments: a list (``select([t.c.id])``) is an ``ArgumentError``."""

DML_FUNCTIONS: Final = frozenset({"update", "insert", "delete"})
"""``sa.update(table)`` takes the table only: a WHERE clause or ``values=`` as an argument is a ``TypeError``."""

STRING_TYPES: Final = frozenset(
    {"String", "Unicode", "Text", "UnicodeText", "VARCHAR", "CHAR", "NVARCHAR", "NCHAR", "TEXT", "CLOB"}
)
STRING_REMOVED_KEYWORDS: Final = frozenset({"convert_unicode", "unicode_error"})

SESSION_FACTORIES: Final = frozenset({"Session", "sessionmaker"})

ENGINE_FACTORIES: Final = frozenset({"create_engine", "engine_from_config"})

DDL_ELEMENTS: Final = frozenset(
    {
        "DDL",
        "CreateTable",
        "DropTable",
        "CreateIndex",
        "DropIndex",
        "CreateSequence",
        "DropSequence",
        "AddConstraint",
        "DropConstraint",
        "CreateSchema",
        "DropSchema",
    }
)

STATEMENT_FUNCTIONS: Final = DML_FUNCTIONS | DDL_ELEMENTS | {"select", "text"}
"""Statements that once executed themselves through a bound engine (``stmt.execute()``, ``stmt.scalar()``)."""

ENGINE_METHODS: Final = frozenset({"execute", "scalar", "has_table", "table_names", "run_callable", "transaction"})
"""``Engine`` methods 2.0 removed (``engine.execute(...)``): an ``AttributeError``."""

IMPLICIT_EXECUTION: Final = frozenset({"execute", "scalar"})

TABLE_STATEMENT_METHODS: Final = frozenset({"select", "update", "insert", "delete"})
"""``table.update()`` takes no argument in 2.x: ``table.update(whereclause)`` is a ``TypeError``."""

ROW_MAPPING_METHODS: Final = frozenset({"keys", "has_key", "items", "values"})
"""Mapping methods a ``Row`` no longer has (it is a named tuple; ``row._mapping`` is the mapping)."""

ROWS_METHODS: Final = frozenset({"fetchall", "fetchmany", "all"})
ROW_METHODS: Final = frozenset({"fetchone", "first", "one", "one_or_none"})

_CALLS_OF_INTEREST: Final = (
    SELECT_FUNCTIONS
    | DML_FUNCTIONS
    | STRING_TYPES
    | SESSION_FACTORIES
    | ENGINE_METHODS
    | TABLE_STATEMENT_METHODS
    | ROW_MAPPING_METHODS
    | {"case", "MetaData", "Table", "exists", "with_only_columns", "dict"}
)
"""The names of the calls a removed form is made with: any other call is not looked at twice."""

ENGINE: Final = "engine"
RESULT: Final = "result"
ROWS: Final = "rows"
ROW: Final = "row"

_COMPREHENSIONS: Final = frozenset({ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp})
_LEAVES: Final = frozenset({ast.Constant, ast.Name})
_SEQUENCES: Final = frozenset({ast.List, ast.Tuple, ast.Set})
_MAX_CHAIN: Final = 8


def core_name(qualified: str | None) -> str | None:
    """The public SQLAlchemy name a qualified name stands for (``sqlalchemy.sql.expression.select`` → ``select``),
    None for anything else."""
    if qualified is None:
        return None
    module, _, name = qualified.rpartition(".")
    return name if module in CORE_MODULES else None


def _is_list(node: ast.expr | None) -> bool:
    return isinstance(node, (ast.List, ast.ListComp))


def _first_argument(call: ast.Call) -> ast.expr | None:
    return call.args[0] if call.args and not isinstance(call.args[0], ast.Starred) else None


def _keywords(call: ast.Call) -> frozenset[str]:
    return frozenset(keyword.arg for keyword in call.keywords if keyword.arg is not None)


def _constructor_form(name: str, call: ast.Call) -> tuple[str, str] | None:
    """The removed form of a call to a SQLAlchemy function or class (by its public ``name``): (key, detail)."""
    first, keywords = _first_argument(call), _keywords(call)
    if name in SELECT_FUNCTIONS and isinstance(first, (ast.List, ast.ListComp, ast.Tuple)):
        return "select-list", name
    if name == "case" and (_is_list(first) or "whens" in keywords):
        return "case-list", name
    if name in DML_FUNCTIONS and (len(call.args) > 1 or keywords):
        return "dml-arguments", name
    if name == "MetaData" and "bind" in keywords:
        return "metadata-bind", name
    if name == "Table" and "autoload" in keywords:
        return "table-autoload", name
    if name in STRING_TYPES and keywords & STRING_REMOVED_KEYWORDS:
        return "string-convert-unicode", min(keywords & STRING_REMOVED_KEYWORDS)
    if name in SESSION_FACTORIES and any(
        keyword.arg == "autocommit" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True
        for keyword in call.keywords
    ):
        return "session-autocommit", name
    return None


def _string_key(node: ast.expr, env: Mapping[str, Literal]) -> bool:
    """A key a ``Row`` no longer takes: a string (literal, f-string, constant) or a column (``t.c.name``)."""
    if isinstance(node, ast.JoinedStr) or isinstance(literal(node, env), str):
        return True
    current: ast.expr = node
    for _ in range(_MAX_CHAIN):
        if not isinstance(current, ast.Attribute):
            return False
        if isinstance(current.value, ast.Attribute) and current.value.attr in ("c", "columns"):
            return True
        current = current.value
    return False


class RemovedApiReader(ConditionReader):
    """Records the removed SQLAlchemy forms an expression uses, and follows what local names hold."""

    # ------------------------------------------------------------------ what a value is
    def _is_engine(self, node: ast.expr, kinds: Mapping[str, str], state: FunctionState) -> bool:
        """An ``Engine``: ``op.get_bind().engine``, ``create_engine(...)``, ``db.get_engine()``, a name bound to one."""
        if isinstance(node, ast.Name):
            return kinds.get(node.id) == ENGINE
        if isinstance(node, ast.Attribute):
            return node.attr == "engine" and self._is_connection_value(node.value, state)
        if isinstance(node, ast.Call):
            return core_name(self._qualify(node.func)) in ENGINE_FACTORIES or call_name(node) == "get_engine"
        return False

    def _is_table(self, node: ast.expr, state: FunctionState) -> bool:
        if isinstance(node, ast.Name):
            return node.id in state.table_objects
        return isinstance(node, ast.Call) and core_name(self._qualify(node.func)) in ("table", "Table")

    def _is_statement(self, node: ast.expr, state: FunctionState) -> bool:
        """A Core statement, through its clauses: ``sa.update(t).where(...)``, ``t.insert()``, ``sa.DDL(...)``."""
        for _ in range(_MAX_CHAIN * 4):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DML_CLAUSES:
                node = node.func.value
            else:
                break
        if isinstance(node, ast.Name):
            return node.id in state.dml_names
        if not isinstance(node, ast.Call):
            return False
        qualified = self._qualify(node.func)
        if core_name(qualified) in STATEMENT_FUNCTIONS or (qualified or "").startswith("sqlalchemy.func."):
            return True
        func = node.func
        return (
            isinstance(func, ast.Attribute)
            and func.attr in TABLE_STATEMENT_METHODS
            and self._is_table(func.value, state)
        )

    def _row_kind(self, node: ast.expr, kinds: Mapping[str, str], state: FunctionState, depth: int = 0) -> str | None:
        """What ``node`` holds of a query's result: ``result`` (what ``execute()`` returns), ``rows`` (a list of
        rows), ``row`` (one row), or None. ``.mappings()`` and ``.scalars()`` give no rows: their items are
        mappings or values."""
        if depth > _MAX_CHAIN:
            return None
        if isinstance(node, ast.Name):
            kind = kinds.get(node.id)
            return kind if kind in (RESULT, ROWS, ROW) else None
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                return None
            return ROW if self._row_kind(node.value, kinds, state, depth + 1) == ROWS else None
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("list", "tuple", "sorted") and len(node.args) == 1:
            return ROWS if self._row_kind(node.args[0], kinds, state, depth + 1) in (RESULT, ROWS) else None
        if not isinstance(func, ast.Attribute):
            return None
        if func.attr in ("execute", "exec_driver_sql"):
            receiver = func.value
            on_connection = self._is_connection_value(receiver, state) or self._is_engine(receiver, kinds, state)
            return RESULT if on_connection else None
        if func.attr in ROWS_METHODS or func.attr in ROW_METHODS:
            if self._row_kind(func.value, kinds, state, depth + 1) != RESULT:
                return None
            return ROWS if func.attr in ROWS_METHODS else ROW
        return None

    def _iterated_rows(
        self, target: ast.expr, iterable: ast.expr, kinds: Mapping[str, str], state: FunctionState
    ) -> str | None:
        """The name a ``for`` over a result or its rows binds to one row (``for row in result``,
        ``for i, row in enumerate(rows)``); None when the loop is over something else."""
        if (
            isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Name)
            and iterable.func.id == "enumerate"
            and iterable.args
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
        ):
            iterable, target = iterable.args[0], target.elts[1]
        if isinstance(target, ast.Name) and self._row_kind(iterable, kinds, state) in (RESULT, ROWS):
            return target.id
        return None

    # ------------------------------------------------------------------ following names
    def _note_assignment(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign, state: FunctionState) -> None:
        """What the names an assignment binds hold, as far as this reader follows them."""
        value = node.value
        targets: list[ast.expr] = list(node.targets) if isinstance(node, ast.Assign) else [node.target]
        kinds = state.sqlalchemy_values
        kind: str | None = None
        if value is not None and not isinstance(node, ast.AugAssign) and len(targets) == 1:
            kind = ENGINE if self._is_engine(value, kinds, state) else self._row_kind(value, kinds, state)
        for target in targets:
            for child in ast.walk(target):
                if isinstance(child, ast.Name):
                    kinds.pop(child.id, None)
        if kind is not None and isinstance(targets[0], ast.Name):
            kinds[targets[0].id] = kind

    def _note_loop(self, target: ast.expr, iterable: ast.expr, state: FunctionState) -> None:
        """The names a ``for`` binds: one row each time when it iterates a result or its rows."""
        kinds = state.sqlalchemy_values
        row = self._iterated_rows(target, iterable, kinds, state)
        for child in ast.walk(target):
            if isinstance(child, ast.Name):
                kinds.pop(child.id, None)
        if row is not None:
            kinds[row] = ROW

    # ------------------------------------------------------------------ expressions
    def _removed_apis(self, node: ast.expr, context: Context, state: FunctionState) -> None:
        """Record each removed form ``node`` uses."""
        self._scan(node, state.sqlalchemy_values, context, state)

    def _scan(self, node: ast.AST, kinds: Mapping[str, str], context: Context, state: FunctionState) -> None:
        """Walk an expression with what its names hold. A comprehension sees its own names (``[r["id"] for r in
        conn.execute(...)]``: Python's parser bounds how deep they nest); lambdas run who knows when, and are left
        out. The common nodes are taken apart by hand: this walk sees every expression of a migration."""
        stack: list[ast.AST] = [node]
        while stack:
            current = stack.pop()
            kind = type(current)
            if kind in _LEAVES:
                continue
            if kind is ast.Call:
                assert isinstance(current, ast.Call)
                if self._call_name(current.func) in _CALLS_OF_INTEREST:
                    self._removed_call(current, kinds, context, state)
                stack.append(current.func)
                stack.extend(current.args)
                stack.extend(keyword.value for keyword in current.keywords)
            elif kind is ast.Attribute:
                assert isinstance(current, ast.Attribute)
                if current.attr in REMOVED_NAMES and core_name(self._qualify(current)) in REMOVED_NAMES:
                    self._record_removed("removed-name", current.attr, current, context)
                stack.append(current.value)
            elif kind in _SEQUENCES:
                stack.extend(current.elts)  # type: ignore[attr-defined]
            elif kind is ast.Subscript:
                assert isinstance(current, ast.Subscript)
                if self._row_kind(current.value, kinds, state) == ROW and _string_key(current.slice, state.env):
                    self._record_removed("row-key", "", current, context)
                stack.append(current.value)
                stack.append(current.slice)
            elif kind is ast.BinOp:
                stack.append(current.left)  # type: ignore[attr-defined]
                stack.append(current.right)  # type: ignore[attr-defined]
            elif kind is ast.Compare:
                stack.append(current.left)  # type: ignore[attr-defined]
                stack.extend(current.comparators)  # type: ignore[attr-defined]
            elif kind is ast.BoolOp or kind is ast.JoinedStr:
                stack.extend(current.values)  # type: ignore[attr-defined]
            elif kind is ast.Dict:
                assert isinstance(current, ast.Dict)
                stack.extend(key for key in current.keys if key is not None)
                stack.extend(current.values)
            elif kind in _COMPREHENSIONS:
                self._comprehension(current, kinds, context, state)  # type: ignore[arg-type]
            elif kind is not ast.Lambda:
                stack.extend(ast.iter_child_nodes(current))

    def _call_name(self, func: ast.expr) -> str | None:
        """The name a call is known by: the attribute (``sa.select`` → ``select``), or for a bare name what it was
        imported as (``M`` of ``from sqlalchemy import MetaData as M`` → ``MetaData``)."""
        if isinstance(func, ast.Attribute):
            return func.attr
        if isinstance(func, ast.Name):
            imported = self.aliases.get(func.id)
            return imported.rpartition(".")[2] if imported is not None else func.id
        return None

    def _comprehension(
        self,
        node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
        kinds: Mapping[str, str],
        context: Context,
        state: FunctionState,
    ) -> None:
        inner = dict(kinds)
        for index, generator in enumerate(node.generators):
            self._scan(generator.iter, kinds if index == 0 else inner, context, state)  # the first runs outside
            row = self._iterated_rows(generator.target, generator.iter, inner, state)
            for child in ast.walk(generator.target):
                if isinstance(child, ast.Name):
                    inner.pop(child.id, None)
            if row is not None:
                inner[row] = ROW
            for condition in generator.ifs:
                self._scan(condition, inner, context, state)
        for part in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
            self._scan(part, inner, context, state)

    def _removed_call(self, call: ast.Call, kinds: Mapping[str, str], context: Context, state: FunctionState) -> None:
        name = core_name(self._qualify(call.func))
        if name is not None:
            form = _constructor_form(name, call)
            if form is None and name == "MetaData":
                first = _first_argument(call)
                if first is not None and (
                    self._is_connection_value(first, state) or self._is_engine(first, kinds, state)
                ):
                    form = ("metadata-bind", name)  # MetaData(engine): 1.x's first parameter was the bind
            if form is not None:
                self._record_removed(form[0], form[1], call, context)
            return
        func = call.func
        if isinstance(func, ast.Name):
            if func.id == "dict" and len(call.args) == 1 and self._row_kind(call.args[0], kinds, state) == ROW:
                self._record_removed("dict-row", "", call, context)
            return
        if not isinstance(func, ast.Attribute):
            return
        method_form = self._method_form(func.attr, func.value, call, kinds, state)
        if method_form is not None:
            self._record_removed(method_form, func.attr, call, context)

    def _method_form(
        self, method: str, receiver: ast.expr, call: ast.Call, kinds: Mapping[str, str], state: FunctionState
    ) -> str | None:
        """The removed form of ``receiver.method(...)``, by what the receiver is."""
        if method in ENGINE_METHODS and self._is_engine(receiver, kinds, state):
            return "engine-method"
        if method in IMPLICIT_EXECUTION and self._is_statement(receiver, state):
            return "implicit-execution"
        if method == "exists" and self._is_table(receiver, state):
            return "table-exists"
        if method in TABLE_STATEMENT_METHODS and (call.args or call.keywords) and self._is_table(receiver, state):
            return "table-statement-arguments"
        if method == "with_only_columns" and _is_list(_first_argument(call)):
            return "select-list"
        if method in ROW_MAPPING_METHODS and self._row_kind(receiver, kinds, state) == ROW:
            return "row-mapping-method"
        return None

    def _record_removed(self, api: str, detail: str, node: ast.expr, context: Context) -> None:
        key = (api, detail, node.lineno, node.col_offset, context.phase)
        known = self.records.removed_apis.get(key)
        dialects = context.dialects if known is None else known.dialects | context.dialects
        self.records.removed_apis[key] = RemovedApiUse(
            api, detail, node.lineno, node.col_offset, context.phase, dialects
        )

    # ------------------------------------------------------------------ module level
    def read_module_level(self, body: list[ast.stmt]) -> None:
        """The removed forms in module-level statements (``users = sa.table("users", sa.column("data", sa.Binary))``):
        they run when Alembic imports the file, for every command. Function and class bodies are not read here."""
        state = FunctionState(env=dict(self.constants), op_names=set(self.module_op_names))
        context = Context(function="", phase=None, engine="")
        for statement in body:
            if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr)) and statement.value is not None:
                self._removed_apis(statement.value, context, state)
