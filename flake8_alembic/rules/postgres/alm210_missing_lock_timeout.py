"""ALM210 missing-lock-timeout: aCCESS EXCLUSIVE taken with no `lock_timeout` (queued queries pile up behind it)."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ..base import Report, Rule, RuleContext, Tier
from ._steps import takes_access_exclusive, upgrade_steps


def check_missing_lock_timeout(context: RuleContext, report: Report) -> None:
    timeout_set = False
    for step in upgrade_steps(context):
        if step.statement is not None and step.statement.verb == "SET" and "LOCK_TIMEOUT" in step.text:
            timeout_set = True
            continue
        if not timeout_set and takes_access_exclusive(step):
            if context.project.env_sets_lock_timeout:
                return
            report(
                step.operation,
                "this revision takes an ACCESS EXCLUSIVE lock without a lock_timeout: while it waits for the "
                "lock every later query queues behind it; run op.execute(\"SET LOCAL lock_timeout = '5s'\") first "
                "(or set it in env.py)",
            )
            return


RULE = Rule(
    code="ALM210",
    name="missing-lock-timeout",
    summary="ACCESS EXCLUSIVE taken with no `lock_timeout` (queued queries pile up behind it)",
    check=check_missing_lock_timeout,
    tier=Tier.PREVIEW,
    named=True,
    dialects=POSTGRESQL,
    since="0.1.0",
)
