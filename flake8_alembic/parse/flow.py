"""Control flow read statically: the truth of a test over constants the walk has bound (a helper's flag), what the
names hold where two paths meet, the names a block rebinds, and the calls that never return.

Everything here decides only what the code makes certain: a test on anything the walk does not know is undecided,
and the walk then takes both branches, as it always did.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Container, Mapping, Sequence
from typing import Any, Final

from ..names import UNKNOWN, Literal, literal

EXITING_CALLS: Final = frozenset({"sys.exit", "os._exit", "os.abort", "builtins.exit", "builtins.quit"})
"""Calls that end the process: the migration stops, its transaction is rolled back."""

EXITING_BUILTINS: Final = frozenset({"exit", "quit"})
"""``site``'s builtins, called by their bare names."""

_COMPARISONS: Final[Mapping[type[ast.cmpop], Callable[[Any, Any], object]]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda left, right: operator.contains(right, left),
    ast.NotIn: lambda left, right: not operator.contains(right, left),
}

_MAX_DEPTH: Final = 16

_UNBOUND: Final = object()


def constant_truth(test: ast.expr, env: Mapping[str, Literal], undecided: Container[str]) -> bool | None:
    """True or False when ``test`` is decided by literals and names bound to them (``if forward:``,
    ``if direction == "down" and not dry_run:``); None when anything it depends on is unknown. Names in
    ``undecided`` (module-level constants the function did not rebind) count as unknown: the module may change them
    at run time (a ``try``/``except ImportError``, a ``global`` statement)."""
    return _truth(test, env, undecided, 0)


def _truth(test: ast.expr, env: Mapping[str, Literal], undecided: Container[str], depth: int) -> bool | None:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _truth(test.operand, env, undecided, depth + 1)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [_truth(value, env, undecided, depth + 1) for value in test.values]
        deciding = isinstance(test.op, ast.Or)  # `or` is decided by a true operand, `and` by a false one
        if deciding in values:
            return deciding
        return None if None in values else not deciding
    if isinstance(test, ast.Compare):
        return _compare(test, env, undecided)
    value = _value(test, env, undecided)
    return None if value is UNKNOWN else bool(value)


def _compare(test: ast.Compare, env: Mapping[str, Literal], undecided: Container[str]) -> bool | None:
    left = _value(test.left, env, undecided)
    for compare, comparator in zip(test.ops, test.comparators):
        right = _value(comparator, env, undecided)
        if left is UNKNOWN or right is UNKNOWN:
            return None
        try:
            holds = bool(_COMPARISONS[type(compare)](left, right))
        except (TypeError, KeyError):
            return None
        if not holds:
            return False
        left = right
    return True


def _value(node: ast.expr, env: Mapping[str, Literal], undecided: Container[str]) -> Literal:
    """A literal value with every part known, or UNKNOWN. A name bound to a sequence is unknown too: the walk reads
    ``[]`` as ``()``, but a list grows (``rows = []``, then ``rows.append(...)`` in a loop)."""
    kind = type(node)
    if kind is ast.Constant:
        return literal(node, env)
    if kind is ast.Name:
        name = node.id  # type: ignore[attr-defined]
        value = env.get(name, UNKNOWN)
        return UNKNOWN if name in undecided or isinstance(value, tuple) else value
    if kind in _NEVER_KNOWN:
        return UNKNOWN
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and (child.id in undecided or isinstance(env.get(child.id), tuple)):
            return UNKNOWN
    value = literal(node, env)
    return value if _fully_known(value) else UNKNOWN


_NEVER_KNOWN: Final = frozenset({ast.Call, ast.Attribute, ast.Subscript, ast.Await, ast.Lambda})
"""Values a test reads from a call or an object: the walk knows none of them."""


def _fully_known(value: Literal) -> bool:
    if isinstance(value, tuple):
        return all(_fully_known(item) for item in value)
    return value is not UNKNOWN


def merged(
    before: Mapping[str, Literal], paths: Sequence[Mapping[str, Literal]]
) -> tuple[dict[str, Literal], set[str]]:
    """What the names hold where paths that started from ``before`` meet, and the names the paths disagree on.

    The values are read as the walk always read them, one path after the other (a later path's binding wins): a
    table name or a SQL string is still worth reading when branches spell it differently. No test is decided on a
    name the paths disagree on."""
    result = dict(before)
    changed: set[str] = set()
    for env in paths:
        for name in before.keys() - env.keys():
            result.pop(name, None)
            changed.add(name)
        for name, value in env.items():
            if name not in before or before[name] != value:
                result[name] = value
                changed.add(name)
    disputed = {name for name in changed if any(env.get(name, _UNBOUND) != result.get(name, _UNBOUND) for env in paths)}
    return result, disputed


def changed_names(before: Mapping[str, Literal], after: Mapping[str, Literal]) -> set[str]:
    """The names a stretch of code bound, rebound or forgot."""
    return {
        name for name in before.keys() | after.keys() if name not in before or after.get(name, UNKNOWN) != before[name]
    }


def pattern_names(pattern: ast.AST) -> set[str]:
    """The names a ``case`` pattern captures."""
    names: set[str] = set()
    for node in ast.walk(pattern):
        name = getattr(node, "name", None) or getattr(node, "rest", None)
        if isinstance(name, str):
            names.add(name)
    return names
