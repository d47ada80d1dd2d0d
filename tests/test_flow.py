"""Control flow in the walk (flake8_alembic/parse/flow.py, walk.py): tests decided by bound constants, what is
unreachable, what names hold where paths meet, helpers nothing calls or that are passed by name, commits, and how
the paths through an exception handler end."""

from __future__ import annotations

import ast
import sys
import textwrap

import pytest

from flake8_alembic.dialects import ALL
from flake8_alembic.parse.flow import changed_names, constant_truth, merged
from flake8_alembic.sql import classify, is_probe

from .test_parse import HEADER, migration, only, tables, upgrade

SYS_HEADER = HEADER + "import os\nimport sys\nfrom sys import exit as leave\nimport mylib\n"


def truth(test: str, env: dict[str, object], undecided: frozenset[str] = frozenset()) -> bool | None:
    expression = ast.parse(test, mode="eval").body
    return constant_truth(expression, env, undecided)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("forward", True),
        ("not forward", False),
        ("direction == 'down'", False),
        ("direction in ('up', 'sideways')", True),
        ("forward and direction == 'up'", True),
        ("forward and unknown", None),
        ("not forward and unknown", False),
        ("unknown or forward", True),
        ("unknown or not forward", None),
        ("count > 2", True),
        ("1 < count < 3", False),
        ("nothing is None", True),
        ("forward == unknown", None),
        ("'a' < 1", None),
        ("rows", None),  # a list grows: `[]` is not known to stay empty
        ("flag", None),  # a module-level constant the function did not rebind
    ],
)
def test_constant_truth(test: str, expected: bool | None) -> None:
    env = {"forward": True, "direction": "up", "count": 3, "nothing": None, "rows": (), "flag": True}
    assert truth(test, env, frozenset({"flag"})) is expected


def test_merged_reads_values_path_after_path_and_disputes_disagreements() -> None:
    before = {"a": 1, "b": 2, "c": 3, "d": 4}
    paths = [{"a": 1, "b": 5, "c": 3, "e": 6}, {"a": 1, "b": 7, "e": 6}]
    assert merged(before, paths) == ({"a": 1, "b": 7, "e": 6}, {"b", "c"})
    assert merged(before, [{"a": 9}]) == ({"a": 9}, set())  # one path: what it left is certain


def test_changed_names() -> None:
    assert changed_names({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 4}) == {"b", "c", "d"}


DIRECTION_HELPER = """
def change(forward=True):
    if forward:
        op.add_column("t", sa.Column("c", sa.Integer()))
    elif mylib.ready():
        op.drop_column("t", "c")
    op.drop_index("ix") if not forward else op.create_index("ix", "t", ["c"])
    forward or op.drop_table("gone")
"""


@pytest.mark.parametrize(
    ("upgrade_call", "downgrade_call"),
    [("change()", "change(False)"), ("change(True)", "change(forward=False)")],
)
def test_a_helper_runs_only_the_branches_its_constant_arguments_pick(upgrade_call: str, downgrade_call: str) -> None:
    summary = migration(
        f"{HEADER}import mylib\n{DIRECTION_HELPER}\ndef upgrade():\n    {upgrade_call}\n\n"
        f"def downgrade():\n    {downgrade_call}\n"
    )
    ran = [(operation.phase, operation.name) for operation in summary.operations]
    assert ran == [
        ("upgrade", "add_column"),
        ("upgrade", "create_index"),
        ("downgrade", "drop_column"),
        ("downgrade", "drop_index"),
        ("downgrade", "drop_table"),
    ]


def test_an_argument_the_walk_does_not_know_keeps_both_branches() -> None:
    summary = upgrade("change(mylib.flag())", header=HEADER + "import mylib\n", extra=DIRECTION_HELPER)
    assert [operation.name for operation in summary.operations] == [
        "add_column",
        "drop_column",
        "drop_index",
        "create_index",
        "drop_table",
    ]


def test_a_module_constant_decides_no_test() -> None:
    """`FLAG = False` at module level may be changed at run time (try/except ImportError, `global`)."""
    summary = upgrade(
        "if FLAG:\n    op.drop_table('a')\nhelper(FLAG)",
        header=HEADER + "FLAG = False\n",
        extra="\ndef helper(on):\n    if on:\n        op.drop_table('b')\n",
    )
    assert tables(summary) == ["a", "b"]


def test_a_local_constant_decides_a_test_and_a_conditional_value() -> None:
    summary = upgrade(
        "mode = 'fast'\nname = 'a' if mode == 'fast' else 'b'\nif mode != 'fast':\n    op.drop_table('never')\n"
        "op.drop_table(name)"
    )
    assert tables(summary) == ["a"]


def test_a_list_that_grows_decides_nothing() -> None:
    summary = upgrade("rows = []\nfor t in mylib.tables():\n    rows.append(t)\nif rows:\n    op.drop_table('r')")
    assert tables(summary) == ["r"]


def test_a_literal_loop_s_target_decides_a_test_on_each_item() -> None:
    summary = upgrade(
        "for t in ('a', 'b'):\n    if t == 'a':\n        op.drop_table('x')\n    else:\n        op.drop_table(t)"
    )
    assert tables(summary) == ["x", "b"]


def test_after_a_loop_a_name_it_rebound_decides_nothing() -> None:
    summary = upgrade(
        "found = False\nfor t in mylib.tables():\n    found = True\nif found:\n    op.drop_table('a')\n"
        "else:\n    op.drop_table('b')"
    )
    assert tables(summary) == ["a", "b"]


def test_a_name_a_loop_rebinds_is_unknown_in_its_body() -> None:
    summary = upgrade(
        "first = True\nfor t in mylib.tables():\n    if first:\n        op.drop_table('a')\n"
        "    else:\n        op.drop_table('b')\n    first = False"
    )
    assert tables(summary) == ["a", "b"]


def test_where_branches_meet_a_disputed_name_decides_no_test() -> None:
    summary = upgrade(
        "t = 'x'\nu = 'y'\nif mylib.flag():\n    t = 'a'\nelse:\n    t = 'b'\nop.drop_table(t)\n"
        "if t == 'b':\n    op.drop_table('one')\nif u == 'y':\n    op.drop_table('two')\nelse:\n"
        "    op.drop_table('never')"
    )
    # `t` is still read as the walk always read it (the last branch's value), but decides nothing.
    assert tables(summary) == ["b", "one", "two"]


def test_a_try_body_s_bindings_decide_nothing_in_its_handler() -> None:
    summary = upgrade(
        "ok = False\ntry:\n    mylib.probe()\n    ok = True\nexcept Exception:\n    if ok:\n"
        "        op.drop_table('a')\nif ok:\n    op.drop_table('b')"
    )
    assert tables(summary) == ["a", "b"]


def test_the_else_branch_does_not_see_the_body_s_bindings() -> None:
    summary = upgrade("t = 'x'\nif mylib.flag():\n    t = 'a'\nelse:\n    op.drop_table(t)")
    assert tables(summary) == ["x"]


def test_tuple_unpacking_binds_each_name() -> None:
    summary = upgrade('t, c = "a", "b"\nx = y = "z"\nop.drop_column(t, c)\nop.drop_table(x)\nop.drop_table(y)')
    assert [(o.table, o.target) for o in summary.operations] == [("a", "b"), ("z", None), ("z", None)]


@pytest.mark.parametrize(
    "stop",
    [
        "return",
        "raise RuntimeError('switched off')",
        "sys.exit(1)",
        "leave(2)",
        "exit()",
        "os._exit(3)",
        "fail('no')",
        "if mylib.flag():\n    return\nelse:\n    raise RuntimeError()",
        "try:\n    return\nfinally:\n    pass",
    ],
)
def test_nothing_after_a_statement_that_always_leaves_is_recorded(stop: str) -> None:
    summary = upgrade(
        f"{stop}\nop.drop_table('dead')\nmylib.change(op)",
        header=SYS_HEADER,
        extra="\ndef fail(reason):\n    print(reason)\n    raise RuntimeError(reason)\n",
    )
    assert (summary.operations, summary.opaque_phases) == ((), frozenset())


@pytest.mark.parametrize(
    "maybe",
    [
        "if op.get_context().as_sql:\n    return",
        "try:\n    mylib.check()\nexcept Exception:\n    return",
        "with contextlib.suppress(KeyError):\n    raise KeyError()",
        "for t in mylib.tables():\n    return",
        "maybe_fail(1)",
    ],
)
def test_what_follows_a_statement_that_may_not_leave_is_recorded(maybe: str) -> None:
    summary = upgrade(
        f"{maybe}\nop.drop_table('live')",
        header=SYS_HEADER + "import contextlib\n",
        extra="\ndef maybe_fail(n):\n    if n:\n        raise RuntimeError()\n",
    )
    assert tables(summary) == ["live"]


def test_an_early_return_leaves_the_function_empty() -> None:
    summary = migration(f"{HEADER}\ndef upgrade():\n    return\n    op.drop_table('t')\n\ndef downgrade():\n    pass\n")
    assert [function.does_nothing for function in summary.functions] == [True, True]


def test_a_helper_passed_by_name_runs_in_the_caller_s_phase() -> None:
    summary = upgrade(
        "mylib.each(tables, archive)\nfor step in (add_a, add_b):\n    step()",
        header=HEADER + "import mylib\n",
        extra="\ndef archive(t='x'):\n    op.drop_table(t)\n\ndef add_a():\n    op.drop_table('a')\n"
        "\ndef add_b():\n    op.drop_table('b')\n",
    )
    # The callee gives `archive` its argument: the default is not what it runs with.
    assert [(o.table, o.phase) for o in summary.operations] == [(None, "upgrade"), ("a", "upgrade"), ("b", "upgrade")]


def test_a_decorator_s_wrapper_runs_where_the_decorated_helper_is_called() -> None:
    summary = upgrade(
        "backfill()",
        header=HEADER + "import functools\n",
        extra="""
def temporary_index(name, table):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args):
            op.create_index(name, table, ["x"])
            return func(*args)
        return wrapper
    return decorator

def audited(func):
    op.drop_table("audit")
    return func

@temporary_index("ix_tmp", "t")
@audited
def backfill():
    op.execute("UPDATE t SET x = 1")
""",
    )
    assert [(o.name, o.table, o.phase) for o in summary.operations] == [
        ("create_index", "t", "upgrade"),  # the wrapper reads the factory's arguments through its closure
        ("drop_table", "audit", "upgrade"),
        ("execute", None, "upgrade"),
    ]


def test_a_local_function_reads_its_enclosing_function_s_names_where_it_is_called() -> None:
    summary = upgrade(
        "table = 'a'\ndef drop(column):\n    op.drop_column(table, column)\ndrop('x')\ntable = 'b'\ndrop('y')"
    )
    assert [(o.table, o.target) for o in summary.operations] == [("a", "x"), ("b", "y")]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements need Python 3.10")
def test_match_on_the_dialect_runs_each_case_on_its_dialects() -> None:
    summary = upgrade(
        'match op.get_bind().dialect.name:\n    case "postgresql":\n        op.drop_table("a")\n'
        '    case "mysql" | "mariadb":\n        op.drop_table("b")\n    case _:\n        op.drop_table("c")\n'
        'op.drop_table("d")'
    )
    assert [(o.table, o.dialects) for o in summary.operations] == [
        ("a", frozenset({"postgresql"})),
        ("b", frozenset({"mysql", "mariadb"})),
        ("c", ALL - {"postgresql", "mysql", "mariadb"}),
        ("d", ALL),
    ]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements need Python 3.10")
def test_match_on_anything_else_runs_every_case_everywhere() -> None:
    summary = upgrade(
        'match mylib.mode():\n    case "a":\n        op.drop_table("a")\n    case "b" if mylib.ok():\n'
        '        op.drop_table("b")\n    case other:\n        op.drop_table(other)',
        header=HEADER + "import mylib\n",
    )
    assert [(o.table, o.dialects) for o in summary.operations] == [("a", ALL), ("b", ALL), (None, ALL)]


@pytest.mark.parametrize(
    ("statements", "after_commit"),
    [
        ('op.execute(sa.text("COMMIT"))', True),
        ('COMMIT = sa.text("COMMIT")\nop.get_bind().execute(COMMIT)', True),
        ('op.get_bind().exec_driver_sql("commit work;")', True),
        ('if mylib.flag():\n    op.execute("COMMIT")\nelse:\n    op.execute("END")', True),
        ('if mylib.flag():\n    op.execute("COMMIT")', False),
        ('try:\n    op.execute("COMMIT")\nexcept Exception:\n    pass', False),
        ('op.execute("COMMIT")\nop.execute("BEGIN")', False),
        ('op.execute("COMMIT")\nop.get_bind().commit()', False),  # SQLAlchemy begins a new transaction
        ('with op.batch_alter_table("x"):\n    op.execute("COMMIT")', True),
        ('op.execute("COMMIT")\nwith op.get_context().autocommit_block():\n    pass', True),
    ],
)
def test_commits(statements: str, after_commit: bool) -> None:
    summary = upgrade(f'{statements}\nop.drop_table("after")', header=HEADER + "import mylib\n")
    assert only(summary, "drop_table").after_commit is after_commit


HANDLER_BODIES = [
    ("sys.exit(1)", ALL),
    ("log.error('x')\nleave(1)", ALL),
    ("os._exit(3)", ALL),
    ("exit()", ALL),
    ("fail('x')", ALL),
    ("fail_later('x')", ALL),
    ("for line in lines:\n    log.error(line)\nraise", ALL),
    ("for line in lines:\n    raise\n", frozenset()),
    ("for line in lines:\n    continue\nraise", ALL),
    ("if 'exists' in str(e):\n    return\nraise", frozenset()),
    ("if 'exists' in str(e):\n    pass\nelse:\n    raise", frozenset()),
    ("if 'exists' in str(e):\n    raise RuntimeError()\nraise", ALL),
    ("try:\n    log.error(e)\nexcept Exception:\n    pass\nraise", ALL),
    ("try:\n    raise\nexcept Exception:\n    pass", frozenset()),
    ("with lock:\n    raise", ALL),
    ("maybe_fail(1)", frozenset()),
    ("mylib.fail()", frozenset()),
    ("recurse()", frozenset()),
]


@pytest.mark.parametrize(("body", "reraises_on"), HANDLER_BODIES)
def test_handler_reraises_on_every_path(body: str, reraises_on: frozenset[str]) -> None:
    summary = upgrade(
        'try:\n    op.drop_table("t")\nexcept Exception as e:\n' + textwrap.indent(body, "    "),
        header=SYS_HEADER
        + "\ndef fail(reason):\n    raise RuntimeError(reason)\n"
        + "\ndef fail_later(reason):\n    mylib.log(reason)\n    fail(reason)\n"
        + "\ndef maybe_fail(n):\n    if n:\n        raise RuntimeError()\n"
        + "\ndef recurse():\n    recurse()\n",
    )
    outer = min(summary.try_blocks, key=lambda block: block.line)  # a try inside the handler is recorded first
    assert outer.handlers[0].reraises_on == reraises_on


@pytest.mark.parametrize(
    ("sql", "probe"),
    [
        ("SHOW server_version_num", True),
        ("SET LOCAL lock_timeout = '5s'", True),
        ("RESET ALL", True),
        ("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'", True),
        ("SELECT count(*) FROM t WHERE id IN (1, 2)", True),
        ("select exists (select 1 from information_schema.tables where table_name = 't')", True),
        ("SELECT current_setting('server_version_num')::int", True),
        ("SELECT 'create_hypertable(' AS text", True),
        ("SELECT create_hypertable('readings', 'taken_at')", False),
        ("SELECT setval('s', 10)", False),
        ("SELECT * INTO copy FROM readings", False),
        ("SELECT id FROM t FOR UPDATE", False),
        ("SELECT \x00(1)", False),
        ("UPDATE t SET a = 1", False),
        ("CREATE INDEX ix ON t (a)", False),
        ("WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d", False),
    ],
)
def test_probes(sql: str, probe: bool) -> None:
    (statement,) = classify(sql)
    assert is_probe(statement) is probe


def test_a_helper_opening_on_a_dialect_test_decides_it_on_those_dialects() -> None:
    summary = upgrade(
        'try:\n    op.drop_index("ix")\nexcept Exception as error:\n    if not is_lock_error(op.get_bind(), error):\n'
        "        raise\n    mylib.log(error)\nif not is_lock_error(op.get_bind(), None):\n    op.drop_table('a')\n"
        "if is_lock_error(op.get_bind(), None):\n    op.drop_column('t', 'c')\n",
        header=HEADER + "import mylib\n",
        extra='\ndef is_lock_error(conn, error):\n    """Only MySQL locks so."""\n'
        '    if conn.dialect.name != "mysql":\n        return False\n    return error.args[0] == 1205\n',
    )
    mysql = frozenset({"mysql", "mariadb"})
    (block,) = summary.try_blocks
    assert block.handlers[0].reraises_on == ALL - mysql  # carries on only where the helper may say yes
    assert (only(summary, "drop_table").dialects, only(summary, "drop_column").dialects) == (ALL, mysql)
