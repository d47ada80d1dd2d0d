"""ALM010 application-model-import: importing the application's models into a migration."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier

_MODEL_PARTS = frozenset({"models", "model"})


def check_application_model_import(context: RuleContext, report: Report) -> None:
    banned = context.settings.banned_imports
    reported: set[int] = set()
    for record in context.migration.imports:
        path = record.qualified
        if "model" not in path and not banned:
            continue
        parts = [part for part in path.split(".") if part]
        if not parts or record.line in reported or any("migration" in part.lower() for part in parts):
            continue
        relative = path.startswith(".")
        if any(path == module or path.startswith(module + ".") for module in banned):
            reason = "a banned import"
        elif _MODEL_PARTS & set(parts) and (relative or parts[0] in context.application_names):
            reason = "the application's models"
        else:
            continue
        reported.add(record.line)
        report(
            record,
            f"migration imports {path} ({reason}): the migration then changes whenever the application does; "
            "copy the table definition or custom column type into the migration",
        )


RULE = Rule(
    code="ALM010",
    name="application-model-import",
    summary="importing the application's models into a migration",
    check=check_application_model_import,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
