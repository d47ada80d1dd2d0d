"""ALM107 revision-id-too-long: a revision id longer than `alembic_version.version_num` (32 characters)."""

from __future__ import annotations

from ...dialects import ALL, SQLITE
from ..base import Report, Rule, RuleContext, Tier

MAX_REVISION_LENGTH = 32


def check_revision_id_too_long(context: RuleContext, report: Report) -> None:
    info = context.revision_info
    if info.revision is not None and len(info.revision) > MAX_REVISION_LENGTH:
        report(
            (info.line_of("revision"), 0),
            f"revision id {info.revision!r} has {len(info.revision)} characters: it overflows "
            "alembic_version.version_num VARCHAR(32) on PostgreSQL and MySQL (SQLite never notices)",
        )


RULE = Rule(
    code="ALM107",
    name="revision-id-too-long",
    summary="a revision id longer than `alembic_version.version_num` (32 characters)",
    check=check_revision_id_too_long,
    tier=Tier.DEFAULT,
    dialects=ALL - SQLITE,
    since="0.1.0",
)
