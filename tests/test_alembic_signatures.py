"""The Alembic call signatures data (flake8_alembic/data/alembic_signatures.json), its loader and its generator.

The data is checked against the real Alembic: the installed one here (no network), every covered release in the
slow tests (each wheel unpacked onto PYTHONPATH in a subprocess). ``call_problem`` is checked by running each call
through the real ``alembic.op`` in offline mode: the calls it flags raise TypeError, the calls it accepts do not.
The linter never imports Alembic; these tests do, to hold the data to what Alembic really does.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flake8_alembic import signatures
from flake8_alembic.signatures import Param, Signature, call_problem, signature

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "flake8_alembic" / "data" / "alembic_signatures.json"

# Runtime attributes of Operations / BatchOperations that Alembic's op.pyi deliberately leaves out, so the data
# does too: ``context`` builds an Operations from a MigrationContext, ``create_module_class_proxy`` wires alembic.op.
NOT_OPERATIONS = frozenset({"context", "create_module_class_proxy"})


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("alembic_signatures", ROOT / "scripts" / "alembic_signatures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


def committed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


# ---------------------------------------------------------------------------------------------------------------------
# What the real Alembic says. Run in this process, and in subprocesses over other releases (see the slow tests).


def _runtime_signature(cls: type, name: str) -> dict[str, Any]:
    raw = inspect.getattr_static(cls, name)
    params = list(inspect.signature(getattr(cls, name)).parameters.values())
    if not isinstance(raw, (classmethod, staticmethod)):  # a plain method: the call binds self
        assert params[0].name == "self", (cls, name, params)
        params = params[1:]
    kind = inspect.Parameter

    def of(k: Any) -> list[list[Any]]:
        return [[p.name, p.default is not kind.empty] for p in params if p.kind is k]

    return {
        "positional_only": of(kind.POSITIONAL_ONLY),
        "positional": of(kind.POSITIONAL_OR_KEYWORD),
        "keyword_only": of(kind.KEYWORD_ONLY),
        "var_positional": any(p.kind is kind.VAR_POSITIONAL for p in params),
        "var_keyword": any(p.kind is kind.VAR_KEYWORD for p in params),
    }


def runtime_signatures() -> dict[str, Any]:
    """``{"version": ..., "op": {...}, "batch_op": {...}}`` from the importable Alembic, by ``inspect.signature``.

    ``op.<name>`` is a ``(*args, **kw)`` proxy of the module alembic.op that calls ``Operations.<name>``; the
    method's signature is what a call is bound against.
    """
    import alembic
    from alembic.operations import BatchOperations, Operations

    result: dict[str, Any] = {"version": alembic.__version__}
    for receiver, cls in (("op", Operations), ("batch_op", BatchOperations)):
        names = [n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n)) and n not in NOT_OPERATIONS]
        result[receiver] = {name: _runtime_signature(cls, name) for name in sorted(names)}
    return result


def _without_release(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "release"}


# ---------------------------------------------------------------------------------------------------------------------
# (a) The data for the installed Alembic is what the installed Alembic does.


def test_installed_alembic_matches_the_data() -> None:
    pytest.importorskip("alembic")
    runtime = runtime_signatures()
    data = committed()
    version = minor(runtime["version"])
    assert version in data["versions"], f"alembic {runtime['version']} is not in the data: run the generator"
    entry = data["versions"][version]
    for receiver in ("op", "batch_op"):
        assert sorted(entry[receiver]) == sorted(runtime[receiver]), receiver
        for name, expected in runtime[receiver].items():
            assert entry[receiver][name] == expected, f"{receiver}.{name} in alembic {runtime['version']}"


def test_loader_gives_the_installed_alembic_signatures() -> None:
    alembic = pytest.importorskip("alembic")
    version = tuple(int(part) for part in alembic.__version__.split(".")[:3])
    runtime = runtime_signatures()
    for receiver in ("op", "batch_op"):
        for name, expected in runtime[receiver].items():
            sig = signature(version, receiver, name)
            assert sig is not None, f"{receiver}.{name}"
            assert (sig.receiver, sig.name, sig.version) == (receiver, name, minor(alembic.__version__))
            pairs = {
                "positional_only": [[p.name, p.has_default] for p in sig.positional_only],
                "positional": [[p.name, p.has_default] for p in sig.positional],
                "keyword_only": [[p.name, p.has_default] for p in sig.keyword_only],
                "var_positional": sig.var_positional,
                "var_keyword": sig.var_keyword,
            }
            assert pairs == expected, f"{receiver}.{name}"


# ---------------------------------------------------------------------------------------------------------------------
# Loader: version lookup and laziness.


def test_version_lookup() -> None:
    data = committed()
    oldest, newest = data["oldest"], data["newest"]
    assert oldest == "1.7"
    newest_key = tuple(int(p) for p in newest.split("."))
    # Keyword-only parameters arrived in 1.11: the lookup must give each minor its own data.
    sig_110 = signature((1, 10, 4), "op", "add_column")
    sig_111 = signature((1, 11), "op", "add_column")
    assert sig_110 is not None and sig_111 is not None
    assert sig_110.version == "1.10" and [p.name for p in sig_110.positional] == ["table_name", "column", "schema"]
    assert sig_111.version == "1.11" and [p.name for p in sig_111.positional] == ["table_name", "column"]
    assert Param("schema", True) in sig_111.keyword_only
    # Newer than the newest known, or no version at all: the newest. Older than 1.7: nothing to say.
    for version in [(newest_key[0], newest_key[1] + 5), (newest_key[0] + 1,), None]:
        found = signature(version, "op", "drop_column")
        assert found is not None and found.version == newest, version
    assert signature((1, 6, 5), "op", "drop_column") is None
    assert signature((0, 9), "op", "drop_column") is None
    assert signature((1,), "op", "drop_column") is None  # (1,) is 1.0
    # Names that are not operations of that receiver.
    assert signature(None, "op", "no_such_op") is None
    assert signature(None, "batch_op", "create_table") is None  # a table-level op: not on batch_op since 1.11
    assert signature((1, 10), "batch_op", "create_table") is not None  # inherited from Operations before 1.11
    assert signature(None, "context", "configure") is None


def test_loader_reads_the_data_lazily() -> None:
    # Importing the module must not read the JSON: a fresh interpreter shows whether the cache was filled.
    code = (
        "import flake8_alembic.signatures as s\n"
        "assert s._table.cache_info().currsize == 0\n"
        "assert s.signature(None, 'op', 'add_column') is not None\n"
        "assert s._table.cache_info().currsize == 1\n"
        "s.signature((1, 7), 'op', 'add_column')\n"
        "assert s._table.cache_info().misses == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert signatures.signature(None, "op", "add_column") is signatures.signature(None, "op", "add_column")


# ---------------------------------------------------------------------------------------------------------------------
# (b) call_problem against the real Alembic.


def _the_call(tree: ast.Module) -> ast.Call:
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in ("op", "batch_op")
        and node.func.attr != "batch_alter_table"
    ]
    assert len(calls) == 1, ast.dump(tree)
    return calls[0]


def judge(source: str, version: tuple[int, ...] | None) -> str | None:
    """What a rule would do: read the call from source with ast, look its signature up, ask call_problem."""
    call = _the_call(ast.parse(source))
    assert isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
    sig = signature(version, call.func.value.id, call.func.attr)
    assert sig is not None, source
    return call_problem(
        sig,
        positional=sum(1 for arg in call.args if not isinstance(arg, ast.Starred)),
        keywords=tuple(kw.arg for kw in call.keywords if kw.arg is not None),
        has_star_args=any(isinstance(arg, ast.Starred) for arg in call.args),
        has_star_kwargs=any(kw.arg is None for kw in call.keywords),
    )


# (source, a fragment that both the real TypeError and call_problem's reason contain; None: the call is fine)
CASES = [
    ('op.create_index("ix", "t", ["c"], unique=True, postgresql_where=sa.text("c > 0"))', None),
    ('op.drop_index("ix", "t", postgresql_concurrently=True)', None),
    ('op.drop_constraint("uq", "t", "unique", schema="s")', None),  # type_ stayed positional-or-keyword
    ('op.create_table("t2", sa.Column("id", sa.Integer()), if_not_exists=True, schema="s", comment="x")', None),
    ('op.create_foreign_key("fk", "a", "b", ["x"], ["id"], ondelete="CASCADE")', None),
    ('op.drop_column("t", "c", "extra_positional", "more")', "positional argument"),
    ('op.add_column("t", sa.Column("c", sa.Integer()), "myschema")', "positional argument"),  # schema: keyword-only
    ('op.execute("SELECT 1", {"a": 1})', "positional argument"),  # execution_options: keyword-only
    ('op.f("ix", "y")', "positional argument"),
    ('op.create_table_comment("t")', "'comment'"),
    ('op.bulk_insert(sa.table("t"))', "'rows'"),
    ('op.rename_table("a", new_table_name="b", old_table_name="a")', "multiple values for argument 'old_table_name'"),
    # No **kw: dialect keywords are a TypeError, though the same keyword is fine on create_index.
    ('op.create_primary_key("pk", "t", ["id"], postgresql_include=["x"])', "unexpected keyword argument"),
    ('op.drop_constraint("uq", "t", "unique", postgresql_not_valid=True)', "unexpected keyword argument"),
    ('with op.batch_alter_table("t") as batch_op:\n    batch_op.alter_column("c", nullable=False)', None),
    (
        'with op.batch_alter_table("t") as batch_op:\n    batch_op.create_index("ix", ["c"], postgresql_using="gin")',
        None,
    ),
    ('with op.batch_alter_table("t") as batch_op:\n    batch_op.add_column(sa.Column("x", sa.Integer()))', None),
    ('with op.batch_alter_table("t") as batch_op:\n    batch_op.drop_column("c", "x")', "positional argument"),
    ('with op.batch_alter_table("t") as batch_op:\n    batch_op.create_unique_constraint("uq")', "'columns'"),
    (
        'with op.batch_alter_table("t") as batch_op:\n    batch_op.create_primary_key("pk", ["id"], schema="s")',
        "'schema'",
    ),
]


@pytest.fixture(scope="module")
def real_op() -> Iterator[ModuleType]:
    """``alembic.op``, the module migrations import, set up on an offline (SQL-rendering) PostgreSQL context."""
    sa = pytest.importorskip("sqlalchemy")
    pytest.importorskip("alembic")
    from alembic import op
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    context = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": io.StringIO()}
    )
    assert sa is not None
    with Operations.context(context):
        yield op


@pytest.mark.parametrize(("source", "fragment"), CASES, ids=[case[0].splitlines()[-1].strip() for case in CASES])
def test_call_problem_agrees_with_alembic(real_op: ModuleType, source: str, fragment: str | None) -> None:
    import alembic
    import sqlalchemy as sa

    version = tuple(int(part) for part in alembic.__version__.split(".")[:3])
    reason = judge(source, version)
    raised: TypeError | None = None
    try:
        exec(compile(source, "<migration>", "exec"), {"op": real_op, "sa": sa})
    except TypeError as exc:
        raised = exc
    if fragment is None:
        assert reason is None, reason
        assert raised is None, raised
    else:
        assert reason is not None and fragment in reason, reason
        assert raised is not None and fragment in str(raised), raised
        assert "\n" not in reason


def test_call_problem_before_keyword_only_arguments() -> None:
    # The same calls in Alembic 1.10, where schema and execution_options were still positional-or-keyword.
    assert judge('op.add_column("t", sa.Column("c", sa.Integer()), "myschema")', (1, 10)) is None
    assert judge('op.execute("SELECT 1", {"a": 1})', (1, 10)) is None
    assert judge('op.drop_column("t", "c", "myschema")', (1, 10)) is None
    assert judge('op.drop_column("t", "c", "myschema")', (1, 11)) is not None
    # A keyword unknown to a function with **kw is Alembic's to take (if_not_exists before 1.11 lands in kw).
    assert judge('op.create_index("ix", "t", ["c"], if_not_exists=True)', (1, 10)) is None
    assert judge('op.create_primary_key("pk", "t", ["id"], if_not_exists=True)', (1, 20)) is not None


def _sig(**fields: Any) -> Signature:
    defaults: dict[str, Any] = {
        "receiver": "op",
        "name": "f",
        "version": "1.0",
        "positional_only": (),
        "positional": (),
        "keyword_only": (),
        "var_positional": False,
        "var_keyword": False,
    }
    return Signature(**{**defaults, **fields})


def test_call_problem_rules() -> None:
    sig = _sig(
        positional_only=(Param("p", False),),
        positional=(Param("a", False), Param("b", True)),
        keyword_only=(Param("k", False), Param("o", True)),
    )
    assert call_problem(sig, 2, ("k",), False, False) is None
    assert call_problem(sig, 3, ("k", "o"), False, False) is None
    assert (
        call_problem(sig, 4, ("k",), False, False)
        == "op.f() takes 3 positional arguments at most, 4 given (keyword-only: 'k', 'o')"
    )
    assert call_problem(sig, 2, ("k", "x"), False, False) == "op.f() got an unexpected keyword argument 'x'"
    assert call_problem(sig, 2, ("k", "a"), False, False) == "op.f() got multiple values for argument 'a'"
    assert (
        call_problem(sig, 1, ("k", "p"), False, False) == "op.f() got positional-only argument 'p' passed as a keyword"
    )
    assert call_problem(sig, 1, (), False, False) == "op.f() missing required arguments 'a', 'k'"
    assert call_problem(sig, 0, ("a", "k"), False, False) == "op.f() missing required argument 'p'"
    # Unpacking is never judged, whatever else is wrong.
    assert call_problem(sig, 9, ("x",), True, False) is None
    assert call_problem(sig, 0, (), False, True) is None
    # **kw takes any keyword, a positional-only name included (it lands in kw, and p is still missing).
    with_kw = _sig(positional_only=(Param("p", False),), var_keyword=True)
    assert call_problem(with_kw, 1, ("mysql_length", "p"), False, False) is None
    assert call_problem(with_kw, 0, ("p",), False, False) == "op.f() missing required argument 'p'"
    # *args takes any number of positional arguments.
    assert call_problem(_sig(positional=(Param("a", False),), var_positional=True), 5, (), False, False) is None
    assert call_problem(_sig(), 1, (), False, False) == "op.f() takes 0 positional arguments at most, 1 given"


def test_calls_with_unpacking_are_not_judged() -> None:
    assert judge('op.drop_column("t", "c", *extra)', None) is None
    assert judge('op.create_primary_key("pk", "t", **options)', None) is None


# ---------------------------------------------------------------------------------------------------------------------
# (c) The generator, without network: its pure parsing on inline stubs and on the installed Alembic's own files.

STUB = '''
from typing import overload

def plain(a: int, b: str = "x") -> None: ...
def keyword_only(table_name: str, *, schema: str | None = None, needed: int, **kw: Any) -> None:
    """Docstring."""
    ...
def pos_only(a, b=1, /, c=2, *args, d, **kw): ...
@overload
def over(operation: int) -> int: ...
@overload
def over(operation: str) -> str: ...
def _private(x): ...
class NotAFunction:
    def method(self): ...
'''


def test_parse_op_stub() -> None:
    parsed = generator.parse_op_stub(STUB)
    assert list(parsed) == ["keyword_only", "over", "plain", "pos_only"]
    assert parsed["plain"] == {
        "positional_only": [],
        "positional": [["a", False], ["b", True]],
        "keyword_only": [],
        "var_positional": False,
        "var_keyword": False,
    }
    assert parsed["keyword_only"] == {
        "positional_only": [],
        "positional": [["table_name", False]],
        "keyword_only": [["schema", True], ["needed", False]],
        "var_positional": False,
        "var_keyword": True,
    }
    assert parsed["pos_only"] == {
        "positional_only": [["a", False], ["b", True]],
        "positional": [["c", True]],
        "keyword_only": [["d", False]],
        "var_positional": True,
        "var_keyword": True,
    }
    assert parsed["over"]["positional"] == [["operation", False]]


def test_parse_op_stub_refuses_overloads_it_cannot_merge() -> None:
    text = "@overload\ndef f(a): ...\n@overload\ndef f(a, b): ...\n"
    with pytest.raises(generator.GeneratorError, match="different parameters"):
        generator.parse_op_stub(text)
    # With an implementation, the implementation is what a call binds to.
    assert generator.parse_op_stub(text + "def f(a, b=None): ...\n")["f"]["positional"] == [["a", False], ["b", True]]


BASE_WITH_STUBS = """
from typing import TYPE_CHECKING

class AbstractOperations:
    def __init__(self, context): ...
    @classmethod
    def register_operation(cls, name, sourcename=None): ...
    def f(self, name): ...
    @classmethod
    def context(cls, migration_context): ...

class Operations(AbstractOperations):
    if TYPE_CHECKING:
        def drop_column(self, table_name, column_name, *, schema=None, **kw): ...

class BatchOperations(AbstractOperations):
    def _noop(self, operation): ...
    if TYPE_CHECKING:
        def drop_column(self, column_name, **kw): ...
"""

BASE_WITHOUT_STUBS = """
class Operations:
    def f(self, name): ...

class BatchOperations(Operations):
    def _noop(self, operation): ...
"""

OPS_REGISTERING = """
@Operations.register_operation("drop_column")
@BatchOperations.register_operation("drop_column", "batch_drop_column")
class DropColumnOp(AlterTableOp):
    @classmethod
    def drop_column(cls, operations, table_name, column_name, schema=None, **kw): ...
    @classmethod
    def batch_drop_column(cls, operations, column_name, **kw): ...

@Operations.register_operation("create_table")
class CreateTableOp(MigrateOperation):
    @classmethod
    def create_table(cls, operations, table_name, *columns, **kw): ...
"""


def test_parse_batch_ops_from_stubs() -> None:
    op_sigs = generator.parse_op_stub(
        "def drop_column(table_name, column_name, *, schema=None, **kw): ...\ndef f(name): ...\n"
    )
    batch = generator.parse_batch_ops(BASE_WITH_STUBS, {}, op_sigs)
    assert sorted(batch) == ["drop_column", "f"]  # context is not in op.pyi: left out, as for op
    assert batch["drop_column"]["positional"] == [["column_name", False]]
    assert batch["f"]["positional"] == [["name", False]]


def test_parse_batch_ops_from_registrations() -> None:
    op_sigs = generator.parse_op_stub(
        "def drop_column(table_name, column_name, schema=None, **kw): ...\n"
        "def create_table(table_name, *columns, **kw): ...\n"
        "def f(name): ...\n"
    )
    batch = generator.parse_batch_ops(BASE_WITHOUT_STUBS, {"alembic/operations/ops.py": OPS_REGISTERING}, op_sigs)
    # Everything op has (BatchOperations inherits Operations), the batch variant replacing drop_column.
    assert sorted(batch) == ["create_table", "drop_column", "f"]
    assert batch["drop_column"]["positional"] == [["column_name", False]]
    assert batch["drop_column"]["var_keyword"] is True
    assert batch["create_table"] == op_sigs["create_table"]


def test_written_methods_win_over_a_lagging_op_pyi() -> None:
    base = "class Operations:\n    @classmethod\n    def implementation_for(cls, op_cls, replace=False): ...\n"
    op_text = "def implementation_for(op_cls): ...\ndef drop_column(table_name, column_name): ...\n"
    written = generator.written_op_methods(base, op_text)
    assert written == {
        "implementation_for": {
            "positional_only": [],
            "positional": [["op_cls", False], ["replace", True]],
            "keyword_only": [],
            "var_positional": False,
            "var_keyword": False,
        }
    }


def _installed_alembic_files() -> dict[str, str]:
    """The installed Alembic's source files by wheel path, read as text (as the generator reads a wheel)."""
    spec = importlib.util.find_spec("alembic")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("alembic is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    return {
        f"alembic/{path.relative_to(package).as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted(package.rglob("*"))
        if path.suffix in (".py", ".pyi")
    }


def test_generator_on_the_installed_alembic_gives_the_committed_entry() -> None:
    from importlib.metadata import version as dist_version

    release = dist_version("alembic")
    entry = generator.version_entry(release, _installed_alembic_files())
    data = committed()
    assert minor(release) in data["versions"], f"alembic {release} is not in the data: run the generator"
    assert _without_release(entry) == _without_release(data["versions"][minor(release)])


def test_committed_json_is_rendered_deterministically() -> None:
    text = DATA.read_text(encoding="utf-8")
    data = json.loads(text)
    assert generator.render(data) == text
    assert generator.render(generator.document(data["versions"])) == text
    minors = sorted(data["versions"], key=generator.minor_of)
    assert (data["oldest"], data["newest"]) == (minors[0], minors[-1])
    # Every minor from the oldest to the newest is there: a rule looks its minor up directly.
    majors_minors = [generator.minor_of(m) for m in minors]
    assert majors_minors == [(1, n) for n in range(7, majors_minors[-1][1] + 1)]
    for version, entry in data["versions"].items():
        assert minor(entry["release"]) == version
    assert len(text.encode()) < 300_000


# ---------------------------------------------------------------------------------------------------------------------
# Slow, with network: every covered release, downloaded as the generator downloads it.


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheel of each release the committed data was read from, by minor; skip when pip cannot download."""
    folder = tmp_path_factory.mktemp("alembic-wheels")
    found: dict[str, Path] = {}
    for version, entry in committed()["versions"].items():
        try:
            found[version] = generator.download(f"alembic=={entry['release']}", folder / version)
        except generator.GeneratorError as exc:
            if not found:
                pytest.skip(f"pip cannot download Alembic wheels: {exc}")
            raise
    return found


@pytest.mark.slow
def test_generator_reproduces_the_committed_data(wheels: dict[str, Path]) -> None:
    """``--check`` over the pinned releases: a new Alembic release does not make this fail, stale code does."""
    data = committed()
    entries = {
        version: generator.version_entry(generator.wheel_release(w), generator.wheel_sources(w))
        for version, w in wheels.items()
    }
    assert generator.render(generator.document(entries)) == DATA.read_text(encoding="utf-8")
    assert set(entries) == set(data["versions"])


@pytest.mark.slow
def test_every_release_matches_its_runtime(wheels: dict[str, Path], tmp_path: Path) -> None:
    """Each release unpacked onto PYTHONPATH and asked by inspect.signature, as the installed one is in (a)."""
    data = committed()
    for version, wheel in wheels.items():
        target = tmp_path / version
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
        env = {**os.environ, "PYTHONPATH": str(target)}
        code = "import json, tests.test_alembic_signatures as t; print(json.dumps(t.runtime_signatures()))"
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, proc.stderr
        runtime = json.loads(proc.stdout)
        assert runtime["version"] == data["versions"][version]["release"]
        assert {"op": runtime["op"], "batch_op": runtime["batch_op"]} == {
            "op": data["versions"][version]["op"],
            "batch_op": data["versions"][version]["batch_op"],
        }, version
