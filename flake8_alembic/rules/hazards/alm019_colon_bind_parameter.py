"""ALM019 colon-bind-parameter: `:name` in a plain `op.execute()` string, read as a bind parameter."""

from __future__ import annotations

from ...sql import bind_parameter_names
from ..base import Report, Rule, RuleContext, Tier


def check_colon_bind_parameter(context: RuleContext, report: Report) -> None:
    for operation in context.operations():
        if operation.receiver == "bind" or operation.name != "execute" or not operation.plain_string:
            continue
        names = bind_parameter_names(operation.sql_text or "")
        if names:
            shown = ", ".join(f":{name}" for name in dict.fromkeys(names))
            report(
                operation,
                f'op.execute() reads {shown} in this string as a bind parameter and fails with "A value is '
                'required for bind parameter"; escape the colon (\\:) or use sa.text(...).bindparams(...)',
            )


RULE = Rule(
    code="ALM019",
    name="colon-bind-parameter",
    summary="`:name` in a plain `op.execute()` string, read as a bind parameter",
    check=check_colon_bind_parameter,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
