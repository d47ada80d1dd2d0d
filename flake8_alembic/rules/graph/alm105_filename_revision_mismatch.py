"""ALM105 filename-revision-mismatch: the file name carries a different revision id."""

from __future__ import annotations

import re
from pathlib import Path

from ..base import Report, Rule, RuleContext, Tier

_HEX_TOKEN = re.compile(r"^[0-9a-f]{12}$")


def check_filename_revision_mismatch(context: RuleContext, report: Report) -> None:
    info = context.revision_info
    if info.revision is None:
        return
    stem = Path(context.migration.path).stem
    tokens = [token for token in re.split(r"[_\-.]", stem) if _HEX_TOKEN.match(token)]
    if tokens and info.revision not in stem:
        report(
            (info.line_of("revision"), 0),
            f"the file name carries revision id {tokens[0]} but the file declares revision {info.revision}",
        )


RULE = Rule(
    code="ALM105",
    name="filename-revision-mismatch",
    summary="the file name carries a different revision id",
    check=check_filename_revision_mismatch,
    tier=Tier.OPT_IN,
    since="0.1.0",
)
