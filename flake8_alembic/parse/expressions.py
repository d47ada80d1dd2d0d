"""Small readers of expressions: the calls an expression makes (without descending into SQLAlchemy constructors),
an argument by position or keyword, the names an assignment binds. Everything is iterative or depth-bounded."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Final

from ..names import (
    Literal,
    call_name,
)
from .alembic_api import (
    NEVER_HOLD_OPERATIONS,
)

_LEAVES: Final = frozenset({ast.Constant, ast.Name})


_SEQUENCES: Final = frozenset({ast.List, ast.Tuple, ast.Set})


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
            if call_name(current) in NEVER_HOLD_OPERATIONS:
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


def expression_calls(node: ast.AST, decide: Callable[[ast.expr], bool | None] | None = None) -> list[ast.Call]:
    """The calls in an expression, in source order (see ``expression_nodes``). ``decide`` says whether a test holds
    when it can (constants the walk bound): the branch of a conditional expression it rules out, and the operands
    of ``and``/``or`` after the one that settles them, never run, so their calls are left out."""
    calls: list[ast.Call] = []
    stack: list[ast.AST] = [node]
    call, attribute, leaves = ast.Call, ast.Attribute, _LEAVES
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is call:
            assert isinstance(current, ast.Call)
            if call_name(current) in NEVER_HOLD_OPERATIONS:
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
        elif decide is not None and kind in _SHORT_CIRCUITS:
            stack.extend(reversed(_live_parts(current, decide)))  # type: ignore[arg-type]
        else:
            children = list(ast.iter_child_nodes(current))
            children.reverse()
            stack.extend(children)
    return calls


_SHORT_CIRCUITS: Final = frozenset({ast.IfExp, ast.BoolOp})


def _live_parts(node: ast.IfExp | ast.BoolOp, decide: Callable[[ast.expr], bool | None]) -> list[ast.expr]:
    """The parts of a conditional expression or of ``and``/``or`` that can run, in source order."""
    if isinstance(node, ast.IfExp):
        holds = decide(node.test)
        if holds is None:
            return [node.test, node.body, node.orelse]
        return [node.test, node.body if holds else node.orelse]
    settles = isinstance(node.op, ast.Or)  # `or` stops at a true operand, `and` at a false one
    live: list[ast.expr] = []
    for value in node.values:
        live.append(value)
        if decide(value) is settles:
            break
    return live


def argument_at(node: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(node.args) > index and not isinstance(node.args[index], ast.Starred):
        return node.args[index]
    return keyword_value(node, keyword)


def keyword_value(node: ast.Call, name: str) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def keyword_constant(call: ast.Call, name: str) -> object:
    """A keyword argument's value when it is a constant; None when absent or not a constant."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value.value if isinstance(keyword.value, ast.Constant) else None
    return None


def target_names(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [name for element in node.elts for name in target_names(element)]
    return []


def uses_any(node: ast.expr, names: set[str]) -> bool:
    return any(isinstance(child, ast.Name) and child.id in names for child in ast.walk(node))


def mentions_word(test: ast.expr, word: str) -> bool:
    """Whether a condition names ``word`` (``has_index``, ``get_indexes``, ``is_table_empty``…)."""
    for node in ast.walk(test):
        text = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if text is not None and word in text.lower():
            return True
    return False


def string_items(value: Literal) -> tuple[str | None, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple):
        return tuple(item if isinstance(item, str) else None for item in value)
    return ()


def split_reference(reference: str | None) -> tuple[str | None, str | None]:
    """``"schema.table.column"`` → (``"table"``, ``"column"``)."""
    if not reference or "." not in reference:
        return None, None
    parts = reference.split(".")
    return parts[-2], parts[-1]
