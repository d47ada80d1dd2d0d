"""All rules, in code order, and their documentation pages."""

from __future__ import annotations

from typing import Final

from . import directives, downgrade, drops, errors, existence, foreign_keys, graph, hazards, hygiene, postgres, replayed
from .base import Rule

RULES: Final[tuple[Rule, ...]] = tuple(
    sorted(
        (
            *directives.RULES,
            *downgrade.RULES,
            *drops.RULES,
            *errors.RULES,
            *existence.RULES,
            *foreign_keys.RULES,
            *graph.RULES,
            *hazards.RULES,
            *hygiene.RULES,
            *postgres.RULES,
            *replayed.RULES,
        ),
        key=lambda rule: rule.code,
    )
)
BY_CODE: Final = {rule.code: rule for rule in RULES}
OPT_IN_CODES: Final = frozenset(rule.code for rule in RULES if not rule.default)


def documentation(code: str) -> str:
    """The rule's page (What it does / Why is this bad? / Example / Use instead / Options / References)."""
    from importlib import resources  # imported on demand: it costs start-up time the linting never needs

    return resources.files("flake8_alembic").joinpath("docs").joinpath(f"{code}.md").read_text(encoding="utf-8")
