"""Scaffold a new rule: its module (record and check), its page, a bad and a good fixture, then regenerate the index,
the README's rule tables and the snapshot. No registry to edit: the index is generated from the rule modules.

Usage: python scripts/add_rule.py ALM031 sqlalchemy2-removed-api --family hazards \\
           --summary "an API SQLAlchemy 2.0 removed, used in a migration"

The four files it writes are the ones you then fill in; a new rule starts in preview (``--preview`` runs it) until
an evaluation round promotes it (docs/evaluation.md). See CONTRIBUTING.md, "Adding a rule".
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FAMILIES = {"hazards": "ALM0", "graph": "ALM1", "postgres": "ALM2", "noqa": "ALM9"}

MODULE = '''"""{code} {name}: {summary}."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_{identifier}(context: RuleContext, report: Report) -> None:
    for operation in context.operations():
        pass  # where the hazard is: report(operation, "what happens, on which database, and the fix")


RULE = Rule(
    code="{code}",
    name="{name}",
    summary={summary_literal},
    check=check_{identifier},
    tier=Tier.PREVIEW,
    since="{since}",
)
'''
PAGE = """# {code} {name}

Tier: preview · Dialects: all · Since: {since}

## What it does
Reports {summary}.

## Why is this bad?
What fails, on which database, with which error (prove it in a premise test: docs/premises.md).

## Example
```python
def upgrade() -> None:
    ...
```

## Use instead
```python
def upgrade() -> None:
    ...
```

## Options
None.

## References
- [Alembic: operations](https://alembic.sqlalchemy.org/en/latest/ops.html)
"""
FIXTURE = '''"""{what}

Revision ID: {revision}
Revises: 0a0b0c0d0e0f
Create Date: 2026-12-07 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "0a0b0c0d0e0f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    {body}


def downgrade() -> None:
    pass
'''


def package_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, re.MULTILINE)
    return match.group(1) if match else "0.0.0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("code", help="ALMnnn, in the family's range")
    parser.add_argument("name", help="kebab-case, e.g. sqlalchemy2-removed-api")
    parser.add_argument("--family", choices=sorted(FAMILIES), default="hazards")
    parser.add_argument("--summary", required=True, help="what the rule reports, one phrase (the README's column)")
    parser.add_argument("--since", default=package_version(), help="the release that adds it")
    args = parser.parse_args(argv)
    code, name = args.code.upper(), args.name
    if not re.fullmatch(r"ALM\d{3}", code) or not code.startswith(FAMILIES[args.family]):
        parser.error(f"{code}: a code of the {args.family} family starts with {FAMILIES[args.family]}")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        parser.error(f"{name}: a rule name is kebab-case")
    identifier = name.replace("-", "_")
    module = REPO / "flake8_alembic" / "rules" / args.family / f"{code.lower()}_{identifier}.py"
    page = REPO / "flake8_alembic" / "docs" / f"{code}.md"
    fixtures = REPO / "tests" / "fixtures" / code
    if module.exists() or page.exists() or fixtures.exists() or list(module.parent.glob(f"{code.lower()}_*.py")):
        parser.error(f"{code} exists already")
    values = {
        "code": code,
        "name": name,
        "identifier": identifier,
        "summary": args.summary,
        "summary_literal": json.dumps(args.summary, ensure_ascii=False),
        "since": args.since,
    }
    module.write_text(MODULE.format(**values), encoding="utf-8")
    page.write_text(PAGE.format(**values), encoding="utf-8")
    fixtures.mkdir(parents=True)
    revision = f"{code.lower()[3:]}a00000001"
    (fixtures / "bad_example.py").write_text(
        FIXTURE.format(what=f"What {code} reports", revision=revision, body="pass  # the hazard  # expect: " + code),
        encoding="utf-8",
    )
    (fixtures / "good_example.py").write_text(
        FIXTURE.format(what=f"The safe form {code} leaves alone", revision=revision[:-1] + "2", body="pass"),
        encoding="utf-8",
    )
    for step in (
        [sys.executable, "scripts/generate.py"],
        [sys.executable, "-m", "pytest", "-q", "tests/test_snapshots.py", "-k", code, "--snapshot-update"],
    ):
        subprocess.run(step, cwd=REPO, check=True, capture_output=True)
    for written in (module, page, fixtures / "bad_example.py", fixtures / "good_example.py"):
        print(f"wrote {written.relative_to(REPO)}")
    print("regenerated flake8_alembic/rules/index.py, README.md and tests/snapshots/" + f"{code}.snap")
    return 0


if __name__ == "__main__":
    sys.exit(main())
