"""What the recall rules (issue 15) need from the parse: how each op call passes its arguments (ALM033), the op calls
that run at import (ALM039), and a string length that could not be read (ALM038)."""

from __future__ import annotations

import ast
import textwrap

from flake8_alembic.names import collect_imports
from flake8_alembic.parse.module import Migration, parse_text
from flake8_alembic.parse.module_level import module_level_op_calls
from flake8_alembic.types import type_ref

HEADER = 'revision = "r1"\ndown_revision = None\n'


def migration(body: str) -> Migration:
    parsed = parse_text("m.py", HEADER + textwrap.dedent(body))
    assert parsed is not None
    return parsed


def test_positional_count_and_unpacking_are_recorded() -> None:
    parsed = migration(
        """
        from alembic import op
        ARGS = ("ix", "t", ["a"])
        OPTIONS = {"unique": True}

        def upgrade():
            op.create_index("ix", "t", ["a"], None, True)
            op.create_index(*ARGS)
            op.create_index("ix", "t", ["a"], **OPTIONS)
            with op.batch_alter_table("t") as batch_op:
                batch_op.drop_constraint("uq", type="unique")
        """
    )
    shapes = [(op.name, op.positional_count, op.unpacks, tuple(op.kwargs)) for op in parsed.operations]
    assert shapes == [
        ("create_index", 5, False, ()),
        ("create_index", 1, True, ()),
        ("create_index", 3, True, ()),
        ("batch_alter_table", 0, False, ()),
        ("drop_constraint", 1, False, ("type",)),
    ]


def test_module_level_op_calls_are_those_that_run_at_import() -> None:
    parsed = migration(
        """
        import alembic
        from typing import TYPE_CHECKING
        from alembic import op as o
        from alembic.op import execute

        bind = o.get_bind()
        try:
            execute("SET x")
        except Exception:
            pass
        if TYPE_CHECKING:
            o.get_bind()
        later = lambda: o.get_bind()
        reference = o.add_column

        class Holder:
            connection = alembic.op.get_bind()

        def upgrade():
            o.add_column("t", None)

        if __name__ == "__main__":
            o.get_bind()
        """
    )
    assert [(call.name, call.line) for call in parsed.module_op_calls] == [
        ("get_bind", 9),
        ("execute", 11),
        ("get_bind", 20),
    ]


def test_no_module_level_calls_without_an_op_import() -> None:
    tree = ast.parse("import something\nop = something.thing()\nop.get_bind()\n")
    assert module_level_op_calls(tree, collect_imports(tree.body)) == ()


def test_a_length_that_cannot_be_read_is_not_no_length() -> None:
    def qualify(node: ast.expr) -> str | None:
        return "sqlalchemy." + ast.unparse(node).split(".")[-1]

    def ref(text: str):  # type: ignore[no-untyped-def]
        return type_ref(ast.parse(text, mode="eval").body, qualify)

    assert (ref("sa.String()").length, ref("sa.String()").length_unknown) == (None, False)
    assert (ref("sa.String(None)").length, ref("sa.String(None)").length_unknown) == (None, False)
    assert (ref("sa.String(SIZE)").length, ref("sa.String(SIZE)").length_unknown) == (None, True)
    assert (ref("sa.String(**kw)").length, ref("sa.String(**kw)").length_unknown) == (None, True)
    assert ref("sa.String(20)").length == 20
    assert ref("sa.String(SIZE)") == ref("sa.String()")  # length_unknown takes no part in equality
