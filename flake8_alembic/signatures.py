"""Alembic's ``op.*`` and ``batch_op.*`` call signatures per minor version, and whether a call would raise TypeError.

The data is ``data/alembic_signatures.json``, written by ``scripts/alembic_signatures.py`` from Alembic's released
wheels (its docstring says what is read and how). It is loaded on the first lookup, once per process: most runs
never ask, and a linter's start-up time matters.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    name: str
    has_default: bool


@dataclass(frozen=True)
class Signature:
    """The parameters of one operation, as Python binds a call to it (``self`` left out)."""

    receiver: str
    """``op`` or ``batch_op``."""
    name: str
    version: str
    """The Alembic minor version the data is for (``"1.13"``): the one asked for, or the nearest older known."""
    positional_only: tuple[Param, ...]
    positional: tuple[Param, ...]
    """Positional-or-keyword parameters."""
    keyword_only: tuple[Param, ...]
    var_positional: bool
    var_keyword: bool
    """Takes ``**kw``: in Alembic, dialect keyword arguments (``postgresql_concurrently=True``)."""


def _params(raw: list[list[Any]]) -> tuple[Param, ...]:
    return tuple(Param(str(name), bool(has_default)) for name, has_default in raw)


@functools.cache
def _table() -> tuple[list[tuple[int, int]], list[dict[tuple[str, str], Signature]]]:
    """The known minor versions, ascending, and each one's signatures by ``(receiver, name)``."""
    # Imported here, not at module level: most runs never look a signature up.
    from importlib.resources import files

    # A resource, not a path beside __file__: the package may be installed zipped.
    data = json.loads((files("flake8_alembic") / "data" / "alembic_signatures.json").read_text(encoding="utf-8"))
    minors: list[tuple[int, int]] = []
    tables: list[dict[tuple[str, str], Signature]] = []
    versions: Mapping[str, Mapping[str, Any]] = data["versions"]
    for version in sorted(versions, key=_minor_key):
        table: dict[tuple[str, str], Signature] = {}
        for receiver in ("op", "batch_op"):
            for name, raw in versions[version][receiver].items():
                table[receiver, name] = Signature(
                    receiver=receiver,
                    name=name,
                    version=version,
                    positional_only=_params(raw["positional_only"]),
                    positional=_params(raw["positional"]),
                    keyword_only=_params(raw["keyword_only"]),
                    var_positional=bool(raw["var_positional"]),
                    var_keyword=bool(raw["var_keyword"]),
                )
        minors.append(_minor_key(version))
        tables.append(table)
    return minors, tables


def _minor_key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def signature(version: tuple[int, ...] | None, receiver: str, op_name: str) -> Signature | None:
    """The signature of ``<receiver>.<op_name>`` in Alembic ``version`` (only its major and minor count).

    None when the name is not an operation of that receiver, or when ``version`` is older than the oldest known
    (Alembic before 1.7 shipped no stubs to read). A version newer than the newest known, or None (no pin), gets
    the newest; a minor version between two known ones gets the older one.
    """
    minors, tables = _table()
    if version is None:
        index = len(minors) - 1
    else:
        major, minor = (*version, 0, 0)[:2]  # (1,) means 1.0
        index = bisect.bisect_right(minors, (major, minor)) - 1
        if index < 0:
            return None
    return tables[index].get((receiver, op_name))


def known_minors() -> tuple[tuple[int, int], ...]:
    """The Alembic minor versions the data covers, oldest first (``(1, 7)`` … ``(1, 20)``)."""
    return tuple(_table()[0])


def _names(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)


def call_problem(
    sig: Signature, positional: int, keywords: tuple[str, ...], has_star_args: bool, has_star_kwargs: bool
) -> str | None:
    """Why Python would raise TypeError binding this call to ``sig``, in one line; None if it would not.

    ``positional`` counts the positional arguments, ``keywords`` names the keyword arguments. A call that unpacks
    ``*args`` or ``**kwargs`` is never judged: how many arguments and which names it passes is unknown. Unknown
    keywords on a function with ``**kw`` are accepted here, as Alembic accepts them (SQLAlchemy may still reject a
    name that is not ``<dialect>_<argument>``, a different error, at a different time). The checks run in
    CPython's order, so the reason is the one Python would give first.
    """
    if has_star_args or has_star_kwargs:
        return None
    call = f"{sig.receiver}.{sig.name}()"
    bindable = sig.positional_only + sig.positional
    index = {param.name: i for i, param in enumerate(bindable) if i >= len(sig.positional_only)}
    keyword_only = {param.name for param in sig.keyword_only}
    positional_only = {param.name for param in sig.positional_only}
    for keyword in keywords:
        if keyword in index:
            if index[keyword] < positional:
                return f"{call} got multiple values for argument {keyword!r}"
        elif keyword in keyword_only or sig.var_keyword:
            continue
        elif keyword in positional_only:
            return f"{call} got positional-only argument {keyword!r} passed as a keyword"
        else:
            return f"{call} got an unexpected keyword argument {keyword!r}"
    if positional > len(bindable) and not sig.var_positional:
        limit = len(bindable)
        reason = f"{call} takes {limit} positional argument{'s' if limit != 1 else ''} at most, {positional} given"
        if sig.keyword_only:
            reason += f" (keyword-only: {_names([p.name for p in sig.keyword_only])})"
        return reason
    given = set(keywords)
    missing = [
        param.name
        for i, param in enumerate(bindable)
        if i >= positional and not param.has_default and (param.name in positional_only or param.name not in given)
    ]
    missing += [param.name for param in sig.keyword_only if not param.has_default and param.name not in given]
    if missing:
        return f"{call} missing required argument{'s' if len(missing) > 1 else ''} {_names(missing)}"
    return None
