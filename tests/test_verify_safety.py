"""Safety: `check` never executes project code; `verify` (which does) touches only the database it is given.

- a migration and an env.py that write a marker file when run: `check` lints them and the marker never appears
  (verify, which runs them, makes it appear: the marker works);
- `verify --database-url` refuses a database that holds tables, and leaves it as it was;
- an env.py that takes its database from DATABASE_URL, pointed at a second throwaway database, is refused before
  anything runs: no marker, and that database is untouched.
"""

from __future__ import annotations

import io
import shutil
import textwrap
from pathlib import Path

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from flake8_alembic.cli import main  # noqa: E402

from .postgres import server_url_or_skip  # noqa: E402
from .test_verify_histories import fresh_postgres_database  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATABASE_URL_ENV = REPO / "tests" / "fixtures" / "verify" / "database_url_env"

MARKING_MIGRATION = '''\
"""A migration that leaves a marker when it is imported."""
import sqlalchemy as sa
from alembic import op
from pathlib import Path

Path({marker!r}).write_text("executed")

revision = "m01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("things", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("things")
'''


def _project_that_marks(root: Path, marker: Path) -> Path:
    (root / "versions").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'marks'\n")
    (root / "env.py").write_text(f"from pathlib import Path\nPath({str(marker) + '.env'!r}).write_text('ran')\n")
    (root / "versions" / "m01_things.py").write_text(MARKING_MIGRATION.format(marker=str(marker)))
    return root


def test_check_never_executes_project_code_and_verify_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "marker"
    project = _project_that_marks(tmp_path / "project", marker)
    monkeypatch.chdir(project)
    assert main(["check", "--no-cache", "--preview", "."], stdout=io.StringIO()) in (0, 1)
    assert main(["check", "--no-cache", str(project / "versions" / "m01_things.py")], stdout=io.StringIO()) in (0, 1)
    assert not marker.exists() and not Path(str(marker) + ".env").exists()
    assert main(["verify", str(project / "versions"), "--env-py", "generic", "-q"], stdout=io.StringIO()) == 0
    assert marker.read_text() == "executed"  # the marker is real: running the migration writes it


def test_verify_refuses_a_non_empty_database_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "users.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY)"))
        connection.execute(sa.text("INSERT INTO customers VALUES (1)"))
    healthy = REPO / "tests" / "fixtures" / "verify" / "healthy"
    status = main(["verify", str(healthy), "--database-url", f"sqlite:///{database}"], stdout=io.StringIO())
    assert status == 2
    error = capsys.readouterr().err
    assert "the database is not empty (customers)" in error and "--allow-non-empty" in error
    with engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == ["customers"]
        assert connection.execute(sa.text("SELECT count(*) FROM customers")).scalar() == 1
    engine.dispose()
    allowed = ["verify", str(healthy), "--database-url", f"sqlite:///{database}", "--allow-non-empty", "-q"]
    assert main(allowed, stdout=io.StringIO()) == 0  # and with the flag it runs (the refusal was the check)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM customers")).scalar() == 1
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def test_an_env_py_reading_database_url_is_refused_before_anything_runs(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    shutil.copytree(DATABASE_URL_ENV, project)
    marker = tmp_path / "env-py-ran"
    given = tmp_path / "given.db"
    started = server_url_or_skip() if kind == "postgresql" else None
    try:
        if started is not None:
            cluster = next(started)
            second = fresh_postgres_database(cluster)
        else:
            second = f"sqlite:///{tmp_path / 'second.db'}"
        monkeypatch.setenv("DATABASE_URL", second)
        monkeypatch.setenv("VERIFY_MARKER", str(marker))
        status = main(["verify", str(project), "--database-url", f"sqlite:///{given}"], stdout=io.StringIO())
        assert status == 2
        error = capsys.readouterr().err
        assert "env.py:11 takes its database from an environment variable" in error
        assert "os.environ['DATABASE_URL']" in error and "config.attributes.get('connection')" in error
        assert not marker.exists(), "env.py ran"
        if kind == "sqlite":
            assert not (tmp_path / "second.db").exists(), "the second database was opened"
        else:
            engine = sa.create_engine(second)
            with engine.connect() as connection:
                assert sa.inspect(connection).get_table_names() == []
            engine.dispose()
        assert not given.exists(), "the given database was created before the refusal"
    finally:
        if started is not None:
            next(started, None)


def test_generic_env_py_runs_the_same_history_on_the_given_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--env-py generic does not run the project's env.py at all: the history runs, the marker stays absent."""
    marker = tmp_path / "env-py-ran"
    monkeypatch.setenv("VERIFY_MARKER", str(marker))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'second.db'}")
    versions = DATABASE_URL_ENV / "versions"
    assert main(["verify", str(versions), "--env-py", "generic", "-q"], stdout=io.StringIO()) == 0
    assert not marker.exists() and not (tmp_path / "second.db").exists()


def test_an_env_py_wiring_check_can_fail(tmp_path: Path) -> None:
    """The refusal is specific: the same env.py wired the cookbook way is accepted."""
    from flake8_alembic.verify.envpy import read_env_py

    wired = tmp_path / "env.py"
    wired.write_text(
        textwrap.dedent(
            """
            from alembic import context
            connection = context.config.attributes["connection"]
            context.configure(connection=connection)
            """
        )
    )
    assert read_env_py(wired).refusal is None
    assert read_env_py(DATABASE_URL_ENV / "env.py").refusal is not None
