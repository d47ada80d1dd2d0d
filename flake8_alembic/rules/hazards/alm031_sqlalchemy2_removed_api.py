"""ALM031 sqlalchemy2-removed-api: an API that SQLAlchemy 2.0 removed, in a project that allows SQLAlchemy 2.x."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ...names import ImportRecord
from ...parse.records import Operation, RemovedApiUse
from ..base import Report, Rule, RuleContext, Tier

SQLALCHEMY_2: Final = (2,)

EXECUTE_KEYWORDS: Final = frozenset({"parameters", "params", "execution_options", "bind_arguments"})
"""The keywords ``Connection.execute`` and ``Session.execute`` still take in 2.x (the walk cannot tell them apart)."""

REMOVED_IMPORTS: Final = frozenset({"sqlalchemy.Binary", "sqlalchemy.types.Binary", "sqlalchemy.sql.sqltypes.Binary"})

_ROW_FIX: Final = "use row.name or row._mapping[...], or .mappings() on the result"

_ENGINE_FIX: Final = {
    "execute": "run it on the migration's connection: op.get_bind().execute(...)",
    "scalar": "run it on the migration's connection: op.get_bind().scalar(...)",
    "has_table": "ask an inspector: sa.inspect(op.get_bind()).has_table(name)",
    "table_names": "ask an inspector: sa.inspect(op.get_bind()).get_table_names()",
    "run_callable": "call the function with op.get_bind() itself",
    "transaction": "call the function with op.get_bind() itself",
}

_MESSAGES: Final = {
    "metadata-bind": (
        "MetaData bound to a connection fails on SQLAlchemy 2.x (bound metadata was removed: TypeError or "
        "ArgumentError); use sa.MetaData() and pass the connection where it is used "
        "(sa.Table(name, metadata, autoload_with=bind), metadata.reflect(bind))"
    ),
    "table-autoload": (
        "Table(..., autoload=...) fails on SQLAlchemy 2.x (TypeError: the autoload parameter was removed); "
        "use autoload_with=op.get_bind() alone"
    ),
    "select-list": (
        "{detail}([...]) with a list fails on SQLAlchemy 2.x (ArgumentError); pass the columns as positional "
        "arguments: {detail}(t.c.a, t.c.b)"
    ),
    "case-list": (
        "case() with a list of whens (or whens=) fails on SQLAlchemy 2.x (ArgumentError/TypeError); pass each "
        "(condition, value) as a positional argument: case((condition, value), else_=...)"
    ),
    "dml-arguments": (
        "{detail}(table, ...) with a WHERE clause or values as arguments fails on SQLAlchemy 2.x (TypeError); "
        "chain them: sa.{detail}(table){clauses}"
    ),
    "table-statement-arguments": (
        "table.{detail}(...) with arguments fails on SQLAlchemy 2.x (TypeError); chain them: table.{detail}(){clauses}"
    ),
    "string-convert-unicode": (
        "{detail}= on a string type fails on SQLAlchemy 2.x (TypeError: the parameter was removed); drop it"
    ),
    "session-autocommit": (
        "{detail}(autocommit=True) fails on SQLAlchemy 2.x (ArgumentError: autocommit mode was removed); use "
        "{detail}(bind=op.get_bind()) and let the migration's transaction commit"
    ),
    "removed-name": (
        "sa.{detail} no longer exists (removed in SQLAlchemy 1.4; AttributeError on 2.x); use sa.LargeBinary"
    ),
    "engine-method": "Engine.{detail}() no longer exists in SQLAlchemy 2.x (AttributeError); {fix}",
    "implicit-execution": (
        "statement.{detail}() no longer exists in SQLAlchemy 2.x (implicit execution was removed: "
        "AttributeError); run it on the connection: op.get_bind().{detail}(statement)"
    ),
    "table-exists": (
        "Table.exists() no longer exists in SQLAlchemy 2.x (AttributeError); ask an inspector: "
        "sa.inspect(op.get_bind()).has_table(name)"
    ),
    "row-key": f"row[key] with a name or a column fails on SQLAlchemy 2.x (TypeError: a Row is a tuple); {_ROW_FIX}",
    "row-mapping-method": (
        "row.{detail}() fails on SQLAlchemy 2.x (AttributeError: a Row is a tuple); use row._mapping.{detail}(), "
        "or .mappings() on the result"
    ),
    "dict-row": (
        "dict(row) fails on SQLAlchemy 2.x (TypeError: a Row is a tuple); use dict(row._mapping), or .mappings() on "
        "the result"
    ),
}


_CLAUSES: Final = {
    "select": ".where(...)",
    "update": ".where(...).values(...)",
    "insert": ".values(...)",
    "delete": ".where(...)",
}
"""The clauses each statement is built with in 2.x, in place of the arguments it took in 1.x."""


def message(use: RemovedApiUse) -> str:
    return _MESSAGES[use.api].format(
        detail=use.detail, fix=_ENGINE_FIX.get(use.detail, ""), clauses=_CLAUSES.get(use.detail, "")
    )


def _execute_messages(operation: Operation) -> Iterator[str]:
    """What fails in a ``connection.execute(...)`` call on SQLAlchemy 2.x. A plain string is ALM013's finding."""
    if operation.receiver != "bind" or operation.name != "execute" or operation.plain_string:
        return
    removed = [name for name in operation.kwargs if name not in EXECUTE_KEYWORDS]
    if removed:
        named = ", ".join(f"{name}=…" for name in removed)
        yield (
            f"execute() with keyword parameters ({named}) fails on SQLAlchemy 2.x (TypeError); pass them as a dict: "
            'execute(statement, {"name": value})'
        )
    elif operation.positional_count > 2 and not operation.unpacks:
        yield (
            "execute() with several parameter sets as arguments fails on SQLAlchemy 2.x (TypeError); pass one dict, "
            "or a list of dicts: execute(statement, [{...}, {...}])"
        )


def _import_message(record: ImportRecord) -> str | None:
    qualified = record.qualified
    if qualified in REMOVED_IMPORTS:
        return (
            f"importing {qualified} fails on SQLAlchemy 2.x (ImportError; Binary was removed in 1.4), so the "
            "revision file cannot be loaded; use LargeBinary"
        )
    if qualified.split(".")[:2] == ["sqlalchemy", "databases"]:
        return (
            f"importing {qualified} fails on SQLAlchemy 2.x (ModuleNotFoundError: sqlalchemy.databases was "
            "removed), so the revision file cannot be loaded; import from sqlalchemy.dialects"
        )
    return None


def check_sqlalchemy2_removed_api(context: RuleContext, report: Report) -> None:
    versions = context.sqlalchemy_versions
    if versions is None or not versions.allows_from(SQLALCHEMY_2):
        # Every SQLAlchemy the project allows is 1.x, or nothing says which it runs: these forms may still work.
        return
    for record in context.migration.imports:
        text = _import_message(record)
        if text is not None:
            report(record, text)
    for use in context.migration.removed_apis:
        if context.reachable(use.dialects):
            report(use, message(use))
    for operation in context.operations():
        for text in _execute_messages(operation):
            report(operation, text)


RULE = Rule(
    code="ALM031",
    name="sqlalchemy2-removed-api",
    summary="an API that SQLAlchemy 2.0 removed, in a project that allows SQLAlchemy 2.x",
    check=check_sqlalchemy2_removed_api,
    tier=Tier.PREVIEW,
    since="0.2.0",
)
