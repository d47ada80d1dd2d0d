"""Calls on Alembic's ``op`` that a migration makes at module level: they run when Alembic imports the file.

Alembic imports every revision file for ``heads``, ``history`` and ``upgrade`` alike; ``op`` is a proxy that only
works while a migration context is being configured, so a module-level ``op.add_column(...)`` or
``op.get_bind()`` fails (``NameError``) or, under ``upgrade``, runs at import, before any ``upgrade()``. Only code
that runs at import is read here: module statements and class bodies, not function bodies or lambdas.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Final

from ..names import ImportRecord, qualify

_DEFERRED: Final = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class ModuleLevelCall:
    """``op.<name>(...)`` in code that runs when the file is imported."""

    name: str
    line: int
    col: int


def module_level_op_calls(tree: ast.Module, imports: tuple[ImportRecord, ...]) -> tuple[ModuleLevelCall, ...]:
    """The calls on ``op`` (under any alias, or an operation imported from ``alembic.op``) that run at import."""
    aliases = {record.bound: record.qualified for record in imports if record.bound}
    op_names = {bound for bound, qualified in aliases.items() if qualified == "alembic.op"}
    direct = {
        bound: qualified.rpartition(".")[2]
        for bound, qualified in aliases.items()
        if qualified.startswith("alembic.op.")
    }
    if not op_names and not direct and "alembic" not in aliases.values():
        return ()
    found: list[ModuleLevelCall] = []
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, _DEFERRED) or (isinstance(node, ast.If) and _never_runs_at_import(node.test)):
            continue
        if isinstance(node, ast.Call):
            name = _op_call_name(node.func, op_names, direct, aliases)
            if name is not None:
                found.append(ModuleLevelCall(name, node.lineno, node.col_offset))
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return tuple(found)


def _op_call_name(func: ast.expr, op_names: set[str], direct: dict[str, str], aliases: dict[str, str]) -> str | None:
    if isinstance(func, ast.Name):
        return direct.get(func.id)
    if not isinstance(func, ast.Attribute):
        return None
    receiver = func.value
    if isinstance(receiver, ast.Name) and receiver.id in op_names:
        return func.attr
    return func.attr if qualify(receiver, aliases) == "alembic.op" else None


def _never_runs_at_import(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:`` / ``if __name__ == "__main__":``: bodies Alembic's
    import never runs."""
    if isinstance(test, (ast.Name, ast.Attribute)):
        return (test.id if isinstance(test, ast.Name) else test.attr) == "TYPE_CHECKING"
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )
