"""ALM010 application-model-import: importing the application's models into a migration.

Default behaviour: imports of the application's model modules (a ``models``/``model`` part) and ``banned-imports``.
Preview behaviour (``--preview``): any import of the application's own packages, its configuration included, since
the migration runs against the application's code of the day it runs, not of the day it was written. Helper
modules kept for migrations are exempt: a path with a part containing ``migration``, a module inside the Alembic
environment's own folder, a sibling migration, and the ``allowed-imports`` setting.
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
    preview = context.settings.preview
    reported: set[int] = set()
    for record, parts in _candidates(context.migration.imports):
        if record.line in reported or ("model" not in record.qualified and not banned):
            continue
        reason = _reason(record, parts, context, banned)
        if reason is not None:
            reported.add(record.line)
            report(record, reason)
    if not preview:
        return
    # The wider preview behaviour, on the lines the default one left alone (`import app.models` binds `app` too:
    # the models message wins on that line).
    helper_prefixes = _environment_prefixes(context.migration.path)
    siblings = _sibling_modules(context)
    for record, parts in _candidates(context.migration.imports):
        if record.line in reported or _allowed(parts, context.settings.allowed_imports, helper_prefixes, siblings):
            continue
        reason = _application_reason(record, parts, context)
        if reason is not None:
            reported.add(record.line)
            report(record, reason)


def _candidates(imports: tuple[ImportRecord, ...]) -> list[tuple[ImportRecord, list[str]]]:
    """The imports with their dotted parts, without those of migration helpers (a part containing ``migration``)."""
    found = []
    for record in imports:
        parts = [part for part in record.qualified.split(".") if part]
        if parts and not any("migration" in part.lower() for part in parts):
            found.append((record, parts))
    return found


def _reason(record: ImportRecord, parts: list[str], context: RuleContext, banned: tuple[str, ...]) -> str | None:
    """The default behaviour's finding: a banned import, or the application's models."""
    path = record.qualified
    if any(path == module or path.startswith(module + ".") for module in banned):
        what = "a banned import"
    elif _MODEL_PARTS & set(parts) and (path.startswith(".") or parts[0] in context.application_names):
        what = "the application's models"
    else:
        return None
    return (
        f"migration imports {path} ({what}): the migration then changes whenever the application does; "
        "copy the table definition or custom column type into the migration"
    )


def _application_reason(record: ImportRecord, parts: list[str], context: RuleContext) -> str | None:
    """The preview behaviour's finding: any module of the application's own packages."""
    if record.qualified.startswith(".") or parts[0] not in context.application_names:
        return None
    if _CONFIG_PARTS & {part.lower() for part in parts[1:]}:
        what = "reads the application's configuration"
        fix = "put the value the migration needs into the migration (or pass it with `alembic -x`)"
    else:
        what = "imports the application's own code"
        fix = "copy what it needs into the migration or a migration helper module, as it is today"
    return f"migration {what} ({record.qualified}): {_STAYS}, so a later change there changes or breaks it; {fix}"


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
    summary="importing the application's models into a migration",
    check=check_application_model_import,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
