"""ALM033 invalid-op-call: an op call Alembic rejects with TypeError on every version the project allows.

The signatures are Alembic's own (``flake8_alembic/signatures.py``, read from each minor release's ``op.pyi``).
Silence under uncertainty: a call is reported only when it fails on *every* minor version from the project's
lowest pin to the newest known (every known version when no pin is found), and never when the lowest pin is older
than the data (Alembic 1.7): an exact or capped old pin would run a version the data does not describe.
"""

from __future__ import annotations

from ...parse.records import Operation
from ...signatures import call_problem, known_minors, signature
from ..base import Report, Rule, RuleContext, Tier

_RECEIVERS = {"op": "op", "batch": "batch_op"}
_EXISTENCE_FLAGS = frozenset({"if_exists", "if_not_exists"})
"""ALM014's business (it also knows where a dialect ignores them): a call is judged here without them."""


def check_invalid_op_call(context: RuleContext, report: Report) -> None:
    minors = judged_minors(context.alembic_version)
    if not minors:
        return
    reported: set[tuple[int, int]] = set()
    for operation in context.migration.operations:
        receiver = _RECEIVERS.get(operation.receiver)
        if receiver is None or operation.unpacks or (operation.line, operation.col) in reported:
            continue
        if operation.name == "batch_alter_table":
            continue  # recorded as the batch block it opens, without its arguments
        problem = _fails_everywhere(operation, receiver, minors)
        if problem is None:
            continue
        if receiver == "op" and _binds_somewhere(operation, "batch_op", minors):
            continue  # `op` may be a helper's parameter given a batch_op: the call is fine for that receiver
        reported.add((operation.line, operation.col))
        span = _span(minors, context.alembic_version is None)
        report(operation, f"{problem}: Alembic raises TypeError before any SQL, on {span}")


def judged_minors(lowest: tuple[int, ...] | None) -> tuple[tuple[int, int], ...]:
    """The minor versions a call must fail on to be reported: from the lowest pin to the newest known; every known
    one without a pin; none when the pin is older than the oldest known (its signatures are not in the data)."""
    known = known_minors()
    if lowest is None:
        return known
    floor = (*lowest, 0, 0)[:2]
    if floor < known[0]:
        return ()
    start = max(index for index, minor in enumerate(known) if minor <= floor)
    return known[start:]


def _fails_everywhere(operation: Operation, receiver: str, minors: tuple[tuple[int, int], ...]) -> str | None:
    """Why the call raises TypeError on the newest of ``minors``, if it raises on each of them; None otherwise
    (including when the operation is unknown on one of them: a custom operation, or one that came later)."""
    keywords = tuple(keyword for keyword in operation.kwargs if keyword not in _EXISTENCE_FLAGS)
    problem: str | None = None
    for minor in minors:
        sig = signature(minor, receiver, operation.name)
        if sig is None:
            return None
        problem = call_problem(sig, operation.positional_count, keywords, False, False)
        if problem is None:
            return None
    return problem


def _binds_somewhere(operation: Operation, receiver: str, minors: tuple[tuple[int, int], ...]) -> bool:
    """Whether ``receiver`` has the operation and the call binds to it on one of ``minors``."""
    for minor in minors:
        sig = signature(minor, receiver, operation.name)
        if (
            sig is not None
            and call_problem(sig, operation.positional_count, tuple(operation.kwargs), False, False) is None
        ):
            return True
    return False


def _span(minors: tuple[tuple[int, int], ...], unpinned: bool) -> str:
    first, last = (".".join(map(str, minor)) for minor in (minors[0], minors[-1]))
    if unpinned:
        return f"every Alembic from {first} to {last} (no Alembic pin found in the project)"
    return f"every Alembic the project allows (its lowest pin is {first}; checked up to {last})"


RULE = Rule(
    code="ALM033",
    name="invalid-op-call",
    summary="an op call Alembic rejects with TypeError on every version the project allows",
    check=check_invalid_op_call,
    tier=Tier.PREVIEW,
    since="0.2.0",
)
