"""Reading a function of the application that a migration calls: what it does to the database.

A migration that calls ``add_asset_details_column()`` from the application changes the schema if that function
reaches ``op.add_column``. The function is walked like a migration's own helper (its module's other functions
are inlined, ``op`` and connections followed), and its statements classified (``parse/classify.py``). Calls it
makes into other application code are returned by name, for the caller to resolve (or not).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..names import alias_map, collect_imports, literal
from .classify import UNKNOWN, operation_effect, strongest
from .walk import Walker


@dataclass(frozen=True)
class HelperEffect:
    """What calling a function does, as far as its own module shows."""

    effect: str
    """``schema`` | ``data`` | ``neutral`` | ``unknown`` | ``none`` (``parse/classify.py``), the calls it makes
    into foreign code left out."""
    foreign_calls: tuple[str, ...]
    """The qualified names of the foreign code it calls (their effect is not known here)."""


class HelperModule:
    """One module of the application, parsed; its functions read when asked."""

    def __init__(self, tree: ast.Module) -> None:
        self._functions = {
            node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self._imports = collect_imports(tree.body)
        constants = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = literal(node.value, {})
                if isinstance(value, (str, int, float, bool, tuple)):
                    constants[node.targets[0].id] = value
        self._constants = constants

    def import_of(self, name: str) -> tuple[str, str] | None:
        """(module, name) of the ``from module import name`` that binds ``name`` at module level (a function a
        package re-exports); the module keeps the dots of a relative import. None when nothing imports it."""
        for record in self._imports:
            if record.bound == name and record.name is not None:
                return record.module, record.name
        return None

    def effect_of(self, name: str) -> HelperEffect | None:
        """What calling the module's function ``name`` does; None when the module defines no such function."""
        node = self._functions.get(name)
        if node is None:
            return None
        walker = Walker(self._functions, self._imports, alias_map(self._imports), self._constants)
        walker.walk_function(node, "upgrade", "")
        records = walker.records
        effects = [operation_effect(operation) for operation in records.operations]
        foreign = []
        for call in records.call_effects:
            if call.effect == UNKNOWN and call.qualified is not None:
                foreign.append(call.qualified)
            else:
                effects.append(call.effect)
        return HelperEffect(strongest(effects), tuple(dict.fromkeys(foreign)))
