"""ALM106 stray-module-in-versions: a non-migration module in a versions folder (Alembic imports it and fails)."""

from __future__ import annotations

from pathlib import Path

from ..base import ModuleContext, Report, Rule, Tier


def check_stray_module(context: ModuleContext, report: Report) -> None:
    """ALM106 for a file that is not a migration: reported when it sits among an environment's version files."""
    environment, path = context.environment, context.path
    if environment is None or not environment.migrations or Path(path).name == "__init__.py":
        return
    if not environment.configured and not _beside_env_py(path):
        return
    report(
        (1, 0),
        "this module is not a migration but sits in a versions folder: Alembic imports every .py file there and "
        "fails on every command; move it out of the versions folder",
    )


def _beside_env_py(path: str) -> bool:
    for ancestor in Path(path).absolute().parents:
        if ancestor.name == "versions":
            return (ancestor.parent / "env.py").is_file()
    return False


RULE = Rule(
    code="ALM106",
    name="stray-module-in-versions",
    summary="a non-migration module in a versions folder (Alembic imports it and fails)",
    check=check_stray_module,
    tier=Tier.DEFAULT,
    since="0.1.0",
    kind="module",
)
