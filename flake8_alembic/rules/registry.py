"""The rule catalogue: the generated index of every rule (``index.py``), and each rule's check, imported the first
time it runs (listing rules, selecting them or printing a page imports no check)."""

from __future__ import annotations

from importlib import import_module
from typing import Final

from .base import Rule, RuleInfo
from .index import INDEX

RULES: Final[tuple[RuleInfo, ...]] = INDEX
BY_CODE: Final = {info.code: info for info in INDEX}
OPT_IN_CODES: Final = frozenset(info.code for info in INDEX if info.needs_naming)
"""The codes reported only when named: the opt-in rules, and the preview rules that will be opt-in."""
_LOADED: dict[str, Rule] = {}


def load(info: RuleInfo) -> Rule:
    """The rule record with its check (its module imported once per process)."""
    rule = _LOADED.get(info.code)
    if rule is None:
        rule = _LOADED[info.code] = import_module(f"{__package__}.{info.module}").RULE
    return rule


def documentation(code: str) -> str:
    """The rule's page (What it does / Why is this bad? / Example / Use instead / Options / References)."""
    from importlib import resources  # imported on demand: it costs start-up time the linting never needs

    return resources.files("flake8_alembic").joinpath(BY_CODE[code].page).read_text(encoding="utf-8")
