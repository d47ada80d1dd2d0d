"""The engine never raises: odd, broken or hostile input gives findings, nothing, or a clear parse failure."""

from __future__ import annotations

import ast
import sys

import pytest

from flake8_alembic.config import Settings
from flake8_alembic.engine import ProjectCache, lint_source, lint_tree
from flake8_alembic.facts.project import ProjectFacts
from flake8_alembic.parse.module import ParseFailure, parse_source
from flake8_alembic.plugin import Plugin

HEAD = 'revision = "a1"\ndown_revision = "a0"\n'
EMPTY = ProjectFacts()


def lint(source: str | bytes) -> tuple[list[str], ParseFailure | None]:
    data = source.encode() if isinstance(source, str) else source
    cache = ProjectCache()
    cache.facts_for = lambda path: EMPTY  # type: ignore[method-assign]
    result = lint_source("versions/x.py", data, Settings(), cache)
    return [d.code for d in result.diagnostics], result.failure


def test_syntax_error_is_a_parse_failure() -> None:
    codes, failure = lint(HEAD + "def upgrade(:\n    pass\n")
    assert codes == [] and failure is not None
    assert failure.message.startswith("SyntaxError") and failure.line == 3


def test_non_utf8_bytes_are_a_parse_failure() -> None:
    codes, failure = lint(HEAD.encode() + b"def upgrade():\n    x = '\xff\xfe'\n")
    assert codes == [] and failure is not None and "decode" in failure.message


def test_nul_byte_is_a_parse_failure() -> None:
    _, failure = lint(HEAD + "def upgrade():\n    pass\x00\n")
    assert failure is not None


def test_latin1_cookie_is_honoured() -> None:
    source = "# -*- coding: latin-1 -*-\n" + HEAD + "def upgrade():\n    op.drop_table('caf\xe9')\n"
    codes, failure = lint(source.encode("latin-1"))
    assert failure is None and "ALM012" in codes


def test_bom_and_crlf() -> None:
    source = (
        "\ufeff" + '"""Doc"""\n' + HEAD + "from alembic import op\ndef upgrade():\n    op.drop_constraint(None, 't')\n"
    )
    codes, failure = lint(source.replace("\n", "\r\n").encode("utf-8"))
    assert failure is None and "ALM025" in codes and "ALM012" not in codes  # the docstring after the BOM is read


@pytest.mark.parametrize(
    "source",
    [
        'revision = some_call()\ndown_revision = "a0"\ndef upgrade():\n    pass\n',
        'revision = "a1"\ndown_revision = 3\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n',
        'revision = "a1"\ndown_revision = ("a", 3, None)\ndef upgrade():\n    op.drop_table(f"{x}")\n',
        HEAD + "upgrade = lambda: None\ndef downgrade():\n    pass\n",
        HEAD + "def upgrade(*args, **kw):\n    op.drop_table(*args, **kw)\n    op.execute(**kw)\n",
        HEAD
        + "from alembic import op\ndef upgrade():\n    with op.batch_alter_table() as b:\n        b.drop_column()\n",
        HEAD + "def upgrade():\n    upgrade()\ndef _h():\n    _h()\n",
        HEAD + "def upgrade():\n    for a, (b, c) in [(1, (2, 3)), 4]:\n        op.drop_table(a)\n",
        HEAD + "def upgrade():\n    match x:\n        case 1:\n            op.drop_table('t')\n",
        HEAD + "async def upgrade():\n    async with x as y:\n        await op.run_async(f)\n",
        HEAD + "from alembic import op\ndef upgrade():\n    op.execute(b'DROP TABLE x')\n    op.execute(None)\n",
        HEAD
        + "from alembic import op\ndef upgrade():\n    op.create_table('t', *cols, sa.Column(), sa.Column(1, 2))\n",
    ],
)
def test_odd_constructs_never_raise(source: str) -> None:
    codes, _failure = lint(source)
    assert "ALM000" not in codes


def _deep(depth: int) -> str:
    expression = "1" + " + 1" * depth  # a left-nested BinOp chain, depth levels deep
    return (
        HEAD + f"from alembic import op\ndef upgrade():\n    op.execute(str({expression}))\n    x = a{'.b' * depth}\n"
    )


def test_3000_level_nesting_through_engine_and_plugin() -> None:
    source = _deep(3000)
    codes, _failure = lint(source)
    assert "ALM000" not in codes
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(20_000)  # what flake8 needs to hand us such a tree at all
        tree = ast.parse(source)
    finally:
        sys.setrecursionlimit(limit)
    results = list(Plugin(tree, "versions/x.py").run())
    assert not any(message.startswith("ALM000") for _, _, message, _ in results)
    assert lint_tree("versions/x.py", tree, Settings()) is not None


@pytest.mark.slow
def test_five_megabyte_file() -> None:
    body = "".join(f"    op.add_column('t{i}', sa.Column('c', sa.Integer()))\n" for i in range(90_000))
    source = '"""Big"""\n' + HEAD + "from alembic import op\nimport sqlalchemy as sa\ndef upgrade():\n" + body
    assert len(source) > 5_000_000
    codes, failure = lint(source)
    assert failure is None and "ALM000" not in codes


def test_non_migration_costs_one_text_check() -> None:
    assert parse_source("x.py", b"import os\nprint(os.getcwd())\n") is None
    assert parse_source("x.py", b"revision = 1\ndef upgrade(:\n") is None
    assert parse_source("x.py", b"def upgrade(): pass\nrevision = 'a'\n") is None
