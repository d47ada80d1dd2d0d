"""ALM014 unsupported-existence-flag: `if_exists`/`if_not_exists` the target Alembic version or dialect ignores or
rejects."""

from __future__ import annotations

from ...dialects import MYSQL
from ...names import UNKNOWN
from ...parse.records import Operation
from ..base import Report, Rule, RuleContext, Tier

_IGNORED = "silently ignored (the plain statement still runs and fails)"


_WARNED = "ignored with an SAWarning (the plain statement still runs)"


_TYPE_ERROR = "a TypeError (unexpected keyword argument)"


# (receiver, op, flag) -> outcome, for flags no Alembic release supports (alembic_facts.md §1.1).
_NEVER = {
    ("batch", "drop_constraint", "if_exists"): _TYPE_ERROR,
    ("op", "alter_column", "if_exists"): "silently ignored (swallowed by **kw)",
    ("batch", "alter_column", "if_exists"): "silently ignored (swallowed by **kw)",
    ("op", "create_foreign_key", "if_not_exists"): _WARNED,
    ("op", "create_unique_constraint", "if_not_exists"): _WARNED,
    ("op", "create_check_constraint", "if_not_exists"): _WARNED,
    ("batch", "create_foreign_key", "if_not_exists"): _WARNED,
    ("batch", "create_unique_constraint", "if_not_exists"): _WARNED,
    ("batch", "create_check_constraint", "if_not_exists"): _WARNED,
    ("op", "rename_table", "if_exists"): _TYPE_ERROR,
    ("op", "rename_table", "if_not_exists"): _TYPE_ERROR,
    ("op", "create_primary_key", "if_exists"): _TYPE_ERROR,
    ("op", "create_primary_key", "if_not_exists"): _TYPE_ERROR,
    ("batch", "create_primary_key", "if_not_exists"): _TYPE_ERROR,
}


# (op, flag) -> (first supporting version, outcome on older versions) (§1.1, §1.2).
_SINCE = {
    ("create_index", "if_not_exists"): ((1, 11, 2), _WARNED),
    ("drop_index", "if_exists"): ((1, 11, 2), _WARNED),
    ("create_table", "if_not_exists"): ((1, 13, 3), _WARNED),
    ("drop_table", "if_exists"): ((1, 13, 3), _WARNED),
    ("add_column", "if_not_exists"): ((1, 16, 0), _TYPE_ERROR),
    ("drop_column", "if_exists"): ((1, 16, 0), _IGNORED),
    ("drop_constraint", "if_exists"): ((1, 16, 0), _TYPE_ERROR),
}


def _flag_set(operation: Operation, flag: str) -> bool:
    if flag not in operation.kwargs:
        return False
    value = operation.kwargs[flag]
    return value is UNKNOWN or bool(value)


def check_unsupported_existence_flag(context: RuleContext, report: Report) -> None:
    for operation in context.operations():
        if operation.receiver == "bind":
            continue
        for flag in ("if_exists", "if_not_exists"):
            if not _flag_set(operation, flag):
                continue
            problem = _problem(context, operation, flag)
            if problem:
                report(operation, problem)
                break


def _problem(context: RuleContext, operation: Operation, flag: str) -> str | None:
    prefix = "batch_op" if operation.receiver == "batch" else "op"
    call = f"{prefix}.{operation.name}({flag}=...)"
    never = _NEVER.get((operation.receiver, operation.name, flag))
    if never:
        return f"{call} is not supported by any Alembic release: {never}; guard it with an inspector check"
    since = _SINCE.get((operation.name, flag))
    version = context.alembic_version
    if since and version is not None and version < since[0]:
        shown, needed = ".".join(map(str, version)), ".".join(map(str, since[0]))
        return f"{call} needs Alembic >= {needed}; on the project's {shown} it is {since[1]}"
    dialects = context.reachable(operation.dialects)
    if operation.name == "drop_constraint" and flag == "if_exists" and dialects & MYSQL:
        return f"{call}: the MySQL dialect renders no IF EXISTS for drop_constraint; guard it with an inspector check"
    if operation.name == "drop_column" and flag == "if_exists" and "sqlite" in dialects:
        return f"{call}: SQLite rejects DROP COLUMN IF EXISTS (syntax error); guard it with an inspector check"
    if operation.name in ("create_index", "add_column") and flag == "if_not_exists":
        if "mysql" in dialects:
            return f"{call}: MySQL 8 rejects IF NOT EXISTS here (MariaDB-only syntax)"
        if operation.name == "add_column" and "sqlite" in dialects:
            return f"{call}: SQLite rejects ADD COLUMN IF NOT EXISTS (syntax error)"
        if dialects & {"mssql", "oracle"}:
            return f"{call}: the MSSQL/Oracle dialects drop the IF NOT EXISTS clause silently"
    return None


RULE = Rule(
    code="ALM014",
    name="unsupported-existence-flag",
    summary="`if_exists`/`if_not_exists` the target Alembic version or dialect ignores or rejects",
    check=check_unsupported_existence_flag,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
