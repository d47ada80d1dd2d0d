"""The state of the walk over one migration module: what encloses the statement being walked (``Context``), what the
local names of a function hold (``FunctionState``), what the walk has recorded (``Records``), and the walker's base
class holding the module's knowledge (its functions, imports, constants)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from ..dialects import ALL as ALL_DIALECTS
from ..names import (
    ImportRecord,
    Literal,
    qualify,
)
from .alembic_api import (
    NOT_OPERATIONS,
)
from .flow import constant_truth
from .records import (
    CallEffect,
    EnumSpec,
    EnumTypeCall,
    Frame,
    Inspection,
    Operation,
    RaiseInfo,
    RemovedApiUse,
    RowLoop,
    SchemaLookup,
    TryBlock,
)


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
    sqlalchemy_values: dict[str, str] = field(default_factory=dict)
    """Names bound to an ``Engine``, a query's result, its rows or one row (``parse/removed_api.py``)."""
    local_functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    """Functions defined inside the function being walked."""
    undecided: set[str] = field(default_factory=set)
    """Names whose value the walk knows but will not decide a test on: module-level constants the function has not
    rebound (the module may change them at run time), parameters bound to one of them, names that differ between
    the paths that meet, and names a loop rebinds."""
    fixed: set[str] = field(default_factory=set)
    """Names that hold one value all through a loop: the parameters the call bound (until the function rebinds
    them) and the target of a loop unrolled over literal items. Inside a loop only they decide a test."""
    loops: int = 0
    """How many loops of this function enclose the statement being walked."""
    bound: list[str] = field(default_factory=list)
    """Every name the function has bound so far, in order: what a loop rebinds is what it added here."""

    def truth(self, test: ast.expr) -> bool | None:
        """Whether ``test`` holds, when the constants the walk has bound decide it; None otherwise."""
        return constant_truth(test, self.env, _InLoop(self) if self.loops else self.undecided)

    def rebind(self, names: Iterable[str]) -> None:
        """Names the function binds itself: their module-level value no longer applies."""
        names = list(names)
        self.undecided.difference_update(names)
        self.fixed.difference_update(names)
        self.bound.extend(names)


class _InLoop:
    """The undecided names inside a loop: all but the fixed ones (an earlier iteration may have changed them)."""

    def __init__(self, state: FunctionState) -> None:
        self.state = state

    def __contains__(self, name: object) -> bool:
        return name not in self.state.fixed or name in self.state.undecided


def _closure_of(enclosing: FunctionState) -> FunctionState:
    """A copy of what an enclosing function's names hold, for a function defined inside it."""
    return FunctionState(
        env=dict(enclosing.env),
        op_names=set(enclosing.op_names),
        batch=dict(enclosing.batch),
        existence_names=set(enclosing.existence_names),
        connection_names=set(enclosing.connection_names),
        result_names=set(enclosing.result_names),
        dialect_names=set(enclosing.dialect_names),
        text_names=dict(enclosing.text_names),
        table_objects=dict(enclosing.table_objects),
        enums=dict(enclosing.enums),
        dml_names=set(enclosing.dml_names),
        sqlalchemy_values=dict(enclosing.sqlalchemy_values),
        local_functions=dict(enclosing.local_functions),
        undecided=set(enclosing.undecided),
        fixed=set(enclosing.fixed),
    )


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
    call_effects: list[CallEffect] = field(default_factory=list)
    """Calls that are not operations but act on the database, or may (``parse/classify.py``)."""
    removed_apis: dict[tuple[str, str, int, int, str | None], RemovedApiUse] = field(default_factory=dict)
    """SQLAlchemy APIs that 2.0 removed, once per form, position and phase (``parse/removed_api.py``)."""


@dataclass(frozen=True)
class Binding:
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


class WalkerState:
    """The module's knowledge and the records of the walk; the base of the walker's parts."""

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
        self._raising: dict[ast.FunctionDef | ast.AsyncFunctionDef, frozenset[str]] = {}
        """Per helper of the file: the dialects on which every path through it raises."""
        self._returns_by_dialect: dict[
            ast.FunctionDef | ast.AsyncFunctionDef, tuple[frozenset[str], frozenset[str]] | None
        ] = {}
        """Per helper of the file: the dialects on which it may return something true, and something false."""
        self.aliases = dict(aliases)
        self.constants = constants
        self.records = Records()
        self._frame_counter = 0
        self.inlined: set[str] = set()
        self.module_op_names = self._op_names(imports)
        self.direct_ops = {
            record.bound: record.name
            for record in imports
            if record.module == "alembic.op" and record.name and record.name not in NOT_OPERATIONS
        }

    @staticmethod
    def _op_names(imports: tuple[ImportRecord, ...]) -> set[str]:
        names = set()
        for record in imports:
            if record.qualified == "alembic.op" and record.bound:
                names.add(record.bound)
        return names

    def _state_for(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        bindings: Mapping[str, object],
        enclosing: FunctionState | None = None,
    ) -> FunctionState:
        """The names of a function about to be walked: the module's, or for a function defined inside another
        (``enclosing``) what that one's names hold where it is called (a closure reads them late), then its
        parameters."""
        if enclosing is None:
            state = FunctionState(env=dict(self.constants), op_names=set(self.module_op_names))
            state.undecided.update(self.constants)
        else:
            state = _closure_of(enclosing)
        params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        for param in (*params, node.args.vararg, node.args.kwarg):
            if param is None:
                continue
            state.env.pop(param.arg, None)
            state.undecided.discard(param.arg)
            if param.arg == "op":
                state.op_names.add("op")
        for name, value in bindings.items():
            if isinstance(value, Binding):
                value.apply(name, state)
            else:
                state.env[name] = value  # type: ignore[assignment]
                state.fixed.add(name)
        return state

    def _next_ident(self) -> int:
        self._frame_counter += 1
        return self._frame_counter

    def _record(self, operation: Operation) -> None:
        self.records.operations.append(operation)

    def _qualify(self, node: ast.expr) -> str | None:
        return qualify(node, self.aliases)

    # ------------------------------------------------------------------ tests
    def _is_op_receiver(self, node: ast.expr | None, state: FunctionState) -> bool:
        if node is None:
            return False
        if isinstance(node, ast.Name):
            return node.id in state.op_names
        return qualify(node, self.aliases) == "alembic.op"
