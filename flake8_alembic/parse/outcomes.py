"""How the paths through a block end, per dialect: does every path through an exception handler raise (a
``raise``, ``sys.exit()``, a helper that always raises), or does one carry on (``return``, ``continue``, running off
the end)? And which calls never return, for the walk's reachability."""

from __future__ import annotations

import ast
from typing import Final, NamedTuple

from ..dialects import ALL as ALL_DIALECTS
from ..names import call_name, qualify
from .conditions import ConditionReader
from .flow import EXITING_BUILTINS, EXITING_CALLS
from .state import FunctionState

_EXIT_NAMES: Final = frozenset({"exit", "_exit", "abort", "quit"})


_MAX_HELPER_DEPTH: Final = 4
"""How deep the search for a helper that always raises follows helpers calling helpers."""


class Outcome(NamedTuple):
    """How the paths through a block end: the dialects on which some path raises, leaves the block another way
    (``return``, ``continue``, ``break``), or runs past its last statement."""

    raised: frozenset[str]
    left: frozenset[str]
    falls: frozenset[str]

    @classmethod
    def through(cls, live: frozenset[str]) -> Outcome:
        return cls(frozenset(), frozenset(), live)

    @property
    def always_raises(self) -> frozenset[str]:
        """The dialects on which every path raises."""
        return self.raised - self.left - self.falls


class OutcomeReader(ConditionReader):
    """Reads how the paths through handlers and helpers end."""

    def _reraising_dialects(self, body: list[ast.stmt], state: FunctionState) -> frozenset[str]:
        """The dialects on which every path through a handler ends by raising: a ``raise``, a call that ends the
        process (``sys.exit()``) or a helper that always raises, after whatever logging, loops or branches come
        first. A path that returns, continues or runs off the end carries on; a dialect branch (``if dialect ==
        "sqlite": pass / else: raise``) raises on some dialects only."""
        return self._outcome(body, state, ALL_DIALECTS, 0).always_raises if body else frozenset()

    def _outcome(
        self, body: list[ast.stmt], state: FunctionState, live: frozenset[str], depth: int, in_loop: bool = False
    ) -> Outcome:
        """How the paths through ``body``, entered on the ``live`` dialects, end."""
        raised: frozenset[str] = frozenset()
        left: frozenset[str] = frozenset()
        for statement in body:
            if not live:
                break
            if isinstance(statement, ast.Raise):
                raised, live = raised | live, frozenset()
            elif isinstance(statement, ast.Return) or (
                isinstance(statement, (ast.Continue, ast.Break)) and not in_loop
            ):
                left, live = left | live, frozenset()
            elif isinstance(statement, (ast.Continue, ast.Break)):
                live = frozenset()  # back to the loop, which ends where its body would fall through
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                stops = live & self._raising_call(statement.value, state, depth)
                raised, live = raised | stops, live - stops
            else:
                inner = self._compound_outcome(statement, state, live, depth, in_loop)
                raised, left, live = raised | inner.raised, left | inner.left, inner.falls
        return Outcome(raised, left, live)

    def _compound_outcome(
        self, statement: ast.stmt, state: FunctionState, live: frozenset[str], depth: int, in_loop: bool
    ) -> Outcome:
        """The outcome of an ``if``, loop, ``with``, ``try`` or ``match`` inside a handler; any other statement
        runs through."""
        if isinstance(statement, ast.If):
            holds, fails = self._split(statement.test, state, live)
            paths = [
                self._outcome(statement.body, state, holds, depth, in_loop),
                self._outcome(statement.orelse, state, fails, depth, in_loop),
            ]
        elif isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            # The body may run no time at all: what comes after the loop is reached on every live dialect.
            paths = [self._outcome(statement.body, state, live, depth, in_loop=True), Outcome.through(live)]
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            paths = [self._outcome(statement.body, state, live, depth, in_loop)]
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            blocks = [statement.body, *(handler.body for handler in statement.handlers)]  # type: ignore[attr-defined]
            paths = [self._outcome(block, state, live, depth, in_loop) for block in blocks]
        elif type(statement).__name__ == "Match":
            cases = [case.body for case in statement.cases]  # type: ignore[attr-defined]
            paths = [*(self._outcome(body, state, live, depth, in_loop) for body in cases), Outcome.through(live)]
        else:
            return Outcome.through(live)
        return Outcome(
            frozenset().union(*(path.raised for path in paths)),
            frozenset().union(*(path.left for path in paths)),
            frozenset().union(*(path.falls for path in paths)),
        )

    def _split(
        self, test: ast.expr, state: FunctionState, live: frozenset[str]
    ) -> tuple[frozenset[str], frozenset[str]]:
        """The live dialects on which a test holds, and those on which it fails (both, when it is undecided)."""
        truth = state.truth(test)
        if truth is not None:
            return (live, frozenset()) if truth else (frozenset(), live)
        branches = self._dialect_test(test, state)
        return (live & branches[0], live & branches[1]) if branches else (live, live)

    def _raising_call(self, call: ast.Call, state: FunctionState, depth: int = 0) -> frozenset[str]:
        """The dialects on which a call never returns: all of them for ``sys.exit()``, ``os._exit()``, ``exit()``;
        for a helper of the file, those on which every path through it raises."""
        func = call.func
        if call_name(call) in _EXIT_NAMES or (isinstance(func, ast.Name) and func.id in self.aliases):
            qualified = qualify(func, self.aliases)
            if qualified in EXITING_CALLS or (
                isinstance(func, ast.Name) and qualified is None and func.id in EXITING_BUILTINS
            ):
                return ALL_DIALECTS
        if not isinstance(func, ast.Name) or depth >= _MAX_HELPER_DEPTH:
            return frozenset()
        helper = state.local_functions.get(func.id) or self.functions.get(func.id)
        if helper is None:
            return frozenset()
        if helper not in self._raising:
            self._raising[helper] = frozenset()  # a recursive helper is not followed into itself
            outcome = self._outcome(helper.body, self._state_for(helper, {}), ALL_DIALECTS, depth + 1)
            self._raising[helper] = outcome.always_raises
        return self._raising[helper]
