"""ALM023 invalid-index-on-retry: a concurrent index build made idempotent with IF NOT EXISTS (PostgreSQL leaves an
INVALID index)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from ...dialects import POSTGRESQL
from ...effects import norm
from ...parse.module import Migration
from ...parse.records import Operation
from ..base import Report, Rule, RuleContext, Tier


def check_invalid_index_on_retry(context: RuleContext, report: Report) -> None:
    migration = context.migration
    for position, operation in enumerate(migration.operations):
        if not context.applies(operation.dialects, POSTGRESQL):
            continue
        for name, unique in _idempotent_concurrent_builds(operation, migration):
            earlier = migration.operations[:position]
            if (
                _dropped_before(earlier, operation, name)
                or _validity_checked(migration.operations, operation, name)
                or _retry_fails_earlier(earlier, operation)
            ):
                continue
            consequence = "uniqueness is never enforced" if unique else "the planner never uses the index"
            report(
                operation,
                "a concurrent index build made idempotent with IF NOT EXISTS or an index check: a failed build "
                f"leaves an INVALID index that the retry skips, so {consequence}; drop it first with "
                "`DROP INDEX CONCURRENTLY IF EXISTS` (op.drop_index(..., postgresql_concurrently=True, "
                "if_exists=True)) and build it again",
            )


def _idempotent_concurrent_builds(operation: Operation, migration: Migration) -> Iterator[tuple[str | None, bool]]:
    if operation.name == "create_index" and operation.flag("postgresql_concurrently"):
        if operation.flag("if_not_exists") or _in_index_guard(operation, migration):
            yield operation.target, operation.flag("unique")
        return
    for statement in operation.statements("CONCURRENTLY"):
        builds = statement.verb == "CREATE" and statement.object_kind == "INDEX" and statement.concurrently
        if builds and (statement.if_not_exists or _in_index_guard(operation, migration)):
            yield (statement.names[0] if statement.names else None), statement.unique


def _in_index_guard(operation: Operation, migration: Migration) -> bool:
    return any(frame in migration.index_guards for frame in operation.stack)


def _dropped_before(earlier: Iterable[Operation], build: Operation, name: str | None) -> bool:
    """Whether the same function drops the index (IF EXISTS) before building it again."""
    wanted = norm(name)
    for operation in earlier:
        if operation.function != build.function:
            continue
        if (
            operation.name == "drop_index"
            and operation.flag("if_exists")
            and (wanted is None or operation.target is None or norm(operation.target) == wanted)
        ):
            return True
        for statement in operation.statements("DROP"):
            if statement.verb == "DROP" and statement.object_kind == "INDEX" and statement.if_exists:
                names = {norm(found) for found in statement.names}
                if wanted is None or wanted in names or None in names:
                    return True
    return False


_FAILS_WHEN_REPEATED: Final = frozenset(
    {
        "add_column",
        "create_table",
        "create_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "rename_table",
    }
)


def _retry_fails_earlier(earlier: Iterable[Operation], build: Operation) -> bool:
    """An unguarded ``add_column`` (or another change that fails when repeated) runs before the build in the same
    function: it was committed before the build started, so a retry stops there and never reaches the skipped
    build (dropping that column by hand drops the invalid index with it)."""
    for operation in earlier:
        if operation.function != build.function or operation.guarded:
            continue
        if operation.name in _FAILS_WHEN_REPEATED:
            return True
        for statement in operation.statements("CREATE"):
            kind = statement.object_kind
            if statement.verb == "CREATE" and kind in ("TABLE", "INDEX") and not statement.if_not_exists:
                return True
    return False


def _validity_checked(operations: Iterable[Operation], build: Operation, name: str | None) -> bool:
    """Whether the same function reads ``pg_index.indisvalid`` or REINDEXes the index: an invalid leftover is
    then found and rebuilt (or the migration fails loudly) instead of being skipped."""
    wanted = norm(name)
    for operation in operations:
        if operation.function != build.function or operation.sql_text is None:
            continue
        if "indisvalid" in operation.sql_text.lower():
            return True
        for statement in operation.statements("REINDEX"):
            names = {norm(found) for found in statement.names}
            if statement.verb == "REINDEX" and (wanted is None or wanted in names):
                return True
    return False


RULE = Rule(
    code="ALM023",
    name="invalid-index-on-retry",
    summary="a concurrent index build made idempotent with IF NOT EXISTS (PostgreSQL leaves an INVALID index)",
    check=check_invalid_index_on_retry,
    tier=Tier.DEFAULT,
    dialects=POSTGRESQL,
    since="0.2.0",
)
