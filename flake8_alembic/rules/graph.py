"""The revision graph of the environment: ALM101 to ALM107, reported on the file concerned."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .base import Diagnostic, ModuleContext, Rule, RuleContext

MAX_REVISION_LENGTH = 32
_HEX_TOKEN = re.compile(r"^[0-9a-f]{12}$")


def check_multiple_heads(context: RuleContext) -> Iterator[Diagnostic]:
    environment, info = context.environment, context.revision_info
    if environment is None or not environment.readable or info.revision is None:
        return
    unlabelled = environment.unlabelled_heads()
    if len(unlabelled) >= 2 and info.revision in unlabelled:
        others = ", ".join(head for head in unlabelled if head != info.revision)
        yield Diagnostic(
            info.line_of("revision"),
            0,
            "ALM101",
            f"revision {info.revision} is one of {len(unlabelled)} heads (also {others}): `alembic upgrade head` "
            'fails with "Multiple head revisions"; merge them (alembic merge heads) or label the branches',
        )


def check_unknown_down_revision(context: RuleContext) -> Iterator[Diagnostic]:
    environment, info = context.environment, context.revision_info
    if environment is None or not environment.readable:
        return
    for field, missing in environment.unknown_references(info):
        yield Diagnostic(
            info.line_of(field),
            0,
            "ALM102",
            f"{field} names {missing!r}, which no migration of this environment defines: Alembic fails with "
            f"KeyError: {missing!r} on every command (a file name instead of a revision id?)",
        )


def check_duplicate_revision(context: RuleContext) -> Iterator[Diagnostic]:
    environment, info = context.environment, context.revision_info
    if environment is None or info.revision is None:
        return
    others = [other.path for other in environment.by_revision.get(info.revision, ()) if other.path != info.path]
    if others:
        shown = ", ".join(Path(path).name for path in others)
        yield Diagnostic(
            info.line_of("revision"),
            0,
            "ALM103",
            f"revision {info.revision} is also defined in {shown}: Alembic keeps only the last one it loads "
            "(with a warning), so one of the two migrations never runs",
        )


def check_revision_cycle(context: RuleContext) -> Iterator[Diagnostic]:
    environment, info = context.environment, context.revision_info
    if environment is None or info.revision is None:
        return
    for cycle in environment.cycles():
        if info.revision in cycle:
            shown = ", ".join(sorted(cycle))
            error = "LoopDetected" if len(cycle) == 1 else "CycleDetected (or DependencyCycleDetected)"
            yield Diagnostic(
                info.line_of("down_revision"),
                0,
                "ALM104",
                f"revision {info.revision} is part of a cycle ({shown}): Alembic fails with {error}",
            )


def check_filename_revision_mismatch(context: RuleContext) -> Iterator[Diagnostic]:
    info = context.revision_info
    if info.revision is None:
        return
    stem = Path(context.migration.path).stem
    tokens = [token for token in re.split(r"[_\-.]", stem) if _HEX_TOKEN.match(token)]
    if tokens and info.revision not in stem:
        yield Diagnostic(
            info.line_of("revision"),
            0,
            "ALM105",
            f"the file name carries revision id {tokens[0]} but the file declares revision {info.revision}",
        )


def check_revision_id_too_long(context: RuleContext) -> Iterator[Diagnostic]:
    info = context.revision_info
    if info.revision is not None and len(info.revision) > MAX_REVISION_LENGTH:
        yield Diagnostic(
            info.line_of("revision"),
            0,
            "ALM107",
            f"revision id {info.revision!r} has {len(info.revision)} characters: it overflows "
            "alembic_version.version_num VARCHAR(32) on PostgreSQL and MySQL (SQLite never notices)",
        )


def check_stray_module(context: ModuleContext) -> Iterator[Diagnostic]:
    """ALM106 for a file that is not a migration: reported when it sits among an environment's version files."""
    environment, path = context.environment, context.path
    if environment is None or not environment.migrations or Path(path).name == "__init__.py":
        return
    if not environment.configured and not _beside_env_py(path):
        return
    yield Diagnostic(
        1,
        0,
        "ALM106",
        "this module is not a migration but sits in a versions folder: Alembic imports every .py file there and "
        "fails on every command; move it out of the versions folder",
    )


def _beside_env_py(path: str) -> bool:
    for ancestor in Path(path).absolute().parents:
        if ancestor.name == "versions":
            return (ancestor.parent / "env.py").is_file()
    return False


RULES = (
    Rule("ALM101", "multiple-heads", "more than one unlabelled head", check_multiple_heads),
    Rule(
        "ALM102",
        "unknown-down-revision",
        "down_revision/depends_on names no known revision",
        check_unknown_down_revision,
    ),
    Rule("ALM103", "duplicate-revision", "two files define the same revision", check_duplicate_revision),
    Rule("ALM104", "revision-cycle", "the revision graph has a cycle", check_revision_cycle),
    Rule(
        "ALM105",
        "filename-revision-mismatch",
        "the file name carries another revision id",
        check_filename_revision_mismatch,
        default=False,
    ),
    Rule(
        "ALM106",
        "stray-module-in-versions",
        "a non-migration module in a versions folder",
        check_stray_module,
        kind="module",
    ),
    Rule(
        "ALM107",
        "revision-id-too-long",
        "a revision id longer than alembic_version's 32 characters",
        check_revision_id_too_long,
        dialects=frozenset({"postgresql", "mysql", "mariadb", "mssql", "oracle"}),
    ),
)
