"""What every rule is made of: the rule record, its input (``RuleContext``) and its output (``Diagnostic``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Callable

from ..config import Settings
from ..migration import Migration
from ..operations import Operation


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, positioned as ``ast`` positions it (1-based line, 0-based column)."""

    line: int
    col: int
    code: str
    message: str


@dataclass(frozen=True)
class RuleContext:
    """Everything a check may look at: the migration and the settings resolved for its project."""

    migration: Migration
    settings: Settings
    target_dialects: frozenset[str]
    alembic_version: tuple[int, ...] | None
    application_names: frozenset[str]
    autocommit: bool

    def applies(self, dialects: frozenset[str], rule_dialects: frozenset[str] | None = None) -> bool:
        """Whether code running on ``dialects`` can hit a hazard of a rule holding on ``rule_dialects``."""
        reachable = dialects & self.target_dialects
        return bool(reachable & rule_dialects) if rule_dialects is not None else bool(reachable)

    def reachable(self, dialects: frozenset[str]) -> frozenset[str]:
        """The target dialects code restricted to ``dialects`` actually runs on."""
        return dialects & self.target_dialects

    def operations(self, rule_dialects: frozenset[str] | None = None) -> Iterator[Operation]:
        """The operations that run on a target dialect (and on one of the rule's dialects)."""
        for operation in self.migration.operations:
            if self.applies(operation.dialects, rule_dialects):
                yield operation


Check = Callable[[RuleContext], Iterator[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """A rule: its identity, default, the dialects its premise holds on, and its check."""

    code: str
    name: str
    summary: str
    check: Check
    default: bool = True
    dialects: frozenset[str] | None = None
    """None: the premise holds on every dialect."""

    @property
    def family(self) -> str:
        return self.code[:4]


POSTGRESQL = frozenset({"postgresql"})
