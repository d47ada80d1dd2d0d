"""ALM010 application-model-import: importing the application's own code into a migration.

Any import of the application's own packages is reported, its models and configuration named as such, since the
migration runs against the application's code of the day it runs, not of the day it was written (until 0.3.0 the
default behaviour reported only model modules; the wider one, measured at 39/40 true in evaluation round E2, is now
the rule). Helper modules kept for migrations are exempt, whatever their names: a path with a part containing
``migration``, a module inside the Alembic environment's own folder (a frozen copy of the models kept there is
migration code), a sibling migration, and the ``allowed-imports`` setting. ``banned-imports`` are always reported.
"""

from __future__ import annotations

import os
from typing import Final

from ...names import ImportRecord
from ..base import Report, Rule, RuleContext, Tier

_MODEL_PARTS: Final = frozenset({"models", "model"})
_CONFIG_PARTS: Final = frozenset({"config", "configuration", "settings", "conf"})
_STAYS: Final = (
    "the migration then runs against the application's code of the day it runs, not of the day it was written"
)


def check_application_model_import(context: RuleContext, report: Report) -> None:
    banned = context.settings.banned_imports
    helper_prefixes = _environment_prefixes(context.migration.path)
    siblings = _sibling_modules(context)
    reported: set[int] = set()
    # `import app.models` binds `app` too: one finding per line, the most specific message (banned, then models).
    candidates = sorted(
        _candidates(context.migration.imports),
        key=lambda candidate: (
            candidate[0].line,
            _banned_reason(candidate[0], banned) is None,
            not _models(candidate[1]),
        ),
    )
    for record, parts in candidates:
        if record.line in reported:
            continue
        reason = _banned_reason(record, banned)
        if reason is None and not _allowed(parts, context.settings.allowed_imports, helper_prefixes, siblings):
            reason = _application_reason(record, parts, context)
        if reason is not None:
            reported.add(record.line)
            report(record, reason)


def _candidates(imports: tuple[ImportRecord, ...]) -> list[tuple[ImportRecord, list[str]]]:
    """The imports with their dotted parts, without those of migration helpers (a part containing ``migration``)
    and without the name ``import app.helpers`` binds (``app``): the module imported is what is judged."""
    imported = {(record.line, record.qualified) for record in imports}
    found = []
    for record in imports:
        if any(line == record.line and path.startswith(record.qualified + ".") for line, path in imported):
            continue
        parts = [part for part in record.qualified.split(".") if part]
        if parts and not any("migration" in part.lower() for part in parts):
            found.append((record, parts))
    return found


def _banned_reason(record: ImportRecord, banned: tuple[str, ...]) -> str | None:
    path = record.qualified
    if not any(path == module or path.startswith(module + ".") for module in banned):
        return None
    return (
        f"migration imports {path} (a banned import): the migration then changes whenever the application does; "
        "copy the table definition or custom column type into the migration"
    )


def _application_reason(record: ImportRecord, parts: list[str], context: RuleContext) -> str | None:
    """Any module of the application's own packages; relative imports only when they leave the environment's
    folder for a models module."""
    path = record.qualified
    models = _models(parts)
    if path.startswith("."):
        # `.x` is the versions package, `..x` the environment's folder: migration code. Further up is the
        # application, judged only when the path names its models.
        if len(path) - len(path.lstrip(".")) <= 2 or not models:
            return None
    elif parts[0] not in context.application_names:
        return None
    if models:
        return (
            f"migration imports {path} (the application's models): the migration then changes whenever the "
            "application does; copy the table definition or custom column type into the migration"
        )
    if _CONFIG_PARTS & {part.lower() for part in parts[1:]}:
        what = "reads the application's configuration"
        fix = "put the value the migration needs into the migration (or pass it with `alembic -x`)"
    else:
        what = "imports the application's own code"
        fix = "copy what it needs into the migration or a migration helper module, as it is today"
    return f"migration {what} ({path}): {_STAYS}, so a later change there changes or breaks it; {fix}"


def _models(parts: list[str]) -> bool:
    return bool(_MODEL_PARTS & set(parts))


def _allowed(
    parts: list[str], allowed: tuple[str, ...], helper_prefixes: tuple[tuple[str, ...], ...], siblings: frozenset[str]
) -> bool:
    """An import of a helper kept for migrations: configured, inside the environment's folder, or a migration."""
    path = ".".join(parts)
    if any(path == module or path.startswith(module + ".") for module in allowed):
        return True
    if len(parts) == 1 and parts[0] in siblings:
        return True
    return any(tuple(parts[: len(prefix)]) == prefix for prefix in helper_prefixes)


def _environment_prefixes(path: str) -> tuple[tuple[str, ...], ...]:
    """The dotted paths the Alembic environment's folder can be imported as: every tail of its folder path
    (``…/app/db/alembic`` → ``alembic``, ``db.alembic``, ``app.db.alembic``). The environment's folder is the one
    holding ``versions``; without a ``versions`` folder, the migration's own folder."""
    folders = os.path.dirname(os.path.abspath(path)).split(os.sep)
    if "versions" in folders:
        folders = folders[: len(folders) - 1 - folders[::-1].index("versions")]
    folders = [folder for folder in folders if folder]
    return tuple(tuple(folders[-length:]) for length in range(1, min(len(folders), 6) + 1))


def _sibling_modules(context: RuleContext) -> frozenset[str]:
    """The module names of the environment's migrations (``import a1b2c3_add_users``): migration code."""
    names = {os.path.splitext(os.path.basename(migration.path))[0] for migration in context.environment_migrations}
    names.add(os.path.splitext(os.path.basename(context.migration.path))[0])
    return frozenset(names)


RULE = Rule(
    code="ALM010",
    name="application-model-import",
    summary="importing the application's own code (its models, configuration, services) into a migration",
    check=check_application_model_import,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
