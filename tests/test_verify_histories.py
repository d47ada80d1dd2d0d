"""`flake8-alembic verify` on fixture histories of our own, on SQLite (the default, no server) and on a throwaway
PostgreSQL: each history reports exactly the results its `# verify: ALVnnn` comments mark (the healthy one none),
with the revision and the step named; and the policy's incident history fails at its foreign-key revision.

Without PostgreSQL server binaries the PostgreSQL cases are skipped visibly, except under CI (CI=true), where
that is a failure (see tests/postgres.py).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from flake8_alembic.cli import main  # noqa: E402

from .postgres import server_url_or_skip  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
VERIFY = REPO / "tests" / "fixtures" / "verify"
INCIDENT = REPO / "tests" / "fixtures" / "histories" / "seed_incident"
MARKER = re.compile(r"#\s*verify:\s*(ALV\d{3}(?:\s*,\s*ALV\d{3})*)")

# Folder -> extra options (paths relative to the folder, which is also the working folder).
HISTORIES = {
    "healthy": [],
    "downgrade_leaves_column": [],
    "empty_downgrade": [],
    "not_repeatable": [],
    "unique_over_duplicates": ["--seed", "seed.json"],
    "model_drift": ["--models", "models:metadata"],
    "runtime_sql": [],
}
_names = itertools.count()


@pytest.fixture(scope="module")
def postgres_cluster() -> Iterator[str]:
    yield from server_url_or_skip()


def fresh_postgres_database(cluster: str) -> str:
    """A new empty database on the shared cluster (a cluster per test would cost seconds each)."""
    name = f"verify_{next(_names)}"
    engine = sa.create_engine(cluster, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return sa.engine.make_url(cluster).set(database=name).render_as_string(hide_password=False)


def expected_markers(folder: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(folder.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = MARKER.search(line)
            if match:
                found.update((path.name, number, code.strip()) for code in match.group(1).split(","))
    return found


def run_verify(arguments: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[dict]]:
    """verify in-process from ``cwd``; its JSON results."""
    monkeypatch.chdir(cwd)
    out = io.StringIO()
    status = main(["verify", *arguments, "--output-format", "json", "--quiet"], stdout=out)
    return status, json.loads(out.getvalue()) if out.getvalue().strip() else []


def database_options(dialect: str, request: pytest.FixtureRequest) -> list[str]:
    if dialect == "sqlite":
        return []
    return ["--database-url", fresh_postgres_database(request.getfixturevalue("postgres_cluster"))]


DIALECTS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("history", sorted(HISTORIES))
def test_a_history_reports_exactly_its_marked_lines(
    history: str, dialect: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = VERIFY / history
    status, results = run_verify([".", *HISTORIES[history], *database_options(dialect, request)], folder, monkeypatch)
    found = {(Path(r["filename"]).name, r["location"]["row"], r["code"]) for r in results}
    expected = expected_markers(folder)
    assert found == expected, [r["message"] for r in results]
    assert status == (1 if expected else 0)
    for result in results:
        assert re.match(r"revision \w+( \(head\))?, step [\w -]+: ", result["message"]), result["message"]


def test_a_downgrade_that_undid_nothing_does_not_hide_the_rest() -> None:
    """x02's downgrade is empty: reported, and x03 below it is still verified (the database is stamped back)."""
    from flake8_alembic.verify.session import Request, verify

    outcome = verify(Request(VERIFY / "empty_downgrade"))
    assert [(r.revision, r.reached, r.passed) for r in outcome.walk.revisions] == [
        ("x01", True, True),
        ("x02", True, False),
        ("x03", True, True),
    ]


def test_the_healthy_history_walks_its_branches_and_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every revision of the healthy history is verified (both branches, the merge downgraded to each parent)."""
    from flake8_alembic.verify.session import Request, verify

    outcome = verify(Request(VERIFY / "healthy"))
    assert [report.revision for report in outcome.walk.revisions] == ["h01", "h02", "h03a", "h03b", "h04", "h05"]
    assert all(report.passed for report in outcome.walk.revisions)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_messages_name_revision_step_sql_and_error(
    dialect: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = database_options(dialect, request)
    _, leaves = run_verify([".", *options], VERIFY / "downgrade_leaves_column", monkeypatch)
    left = next(r for r in leaves if r["code"] == "ALV004")["message"]
    assert left.startswith("revision l02, step downgrade to l01: the downgrade leaves behind")
    assert "notes.pinned" in left
    options = database_options(dialect, request)
    _, repeat = run_verify([".", *options], VERIFY / "not_repeatable", monkeypatch)
    again = repeat[0]["message"]
    assert again.startswith("revision n02, step re-upgrade after downgrade to n01: ")
    assert "INSERT INTO statuses" in again
    assert ("UNIQUE constraint failed" if dialect == "sqlite" else "duplicate key value") in again
    options = database_options(dialect, request)
    _, runtime = run_verify([".", *options], VERIFY / "runtime_sql", monkeypatch)
    assert "accounts.nickname" in runtime[0]["message"]
    assert "built at run time" in runtime[0]["message"]


@pytest.mark.slow
def test_the_incident_history_fails_on_postgresql_at_the_foreign_key(
    postgres_cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The policy's incident: s05 keys a UUID column to documents.id, which s03 made VARCHAR(36). PostgreSQL
    rejects it (42804); the result carries the SQL, the error and the static ALM004 finding of that statement."""
    url = fresh_postgres_database(postgres_cluster)
    status, results = run_verify([str(INCIDENT), "--env-py", "generic", "--database-url", url], REPO, monkeypatch)
    assert status == 1
    assert [(Path(r["filename"]).name, r["location"]["row"], r["code"]) for r in results] == [
        ("s05_add.py", 19, "ALV001")
    ]
    message = results[0]["message"]
    assert message.startswith("revision s05, step upgrade: DatatypeMismatch: foreign key constraint")
    assert "SQL: CREATE TABLE document_share_links" in message
    assert "FOREIGN KEY(document_id) REFERENCES documents (id)" in message
    assert "the static analysis reported it on this statement: ALM004 foreign key" in message


def test_the_incident_history_stops_earlier_on_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite the same history fails sooner, at s03's PostgreSQL-only ALTER COLUMN … TYPE (a dialect-specific
    failure), and nothing below it is reached."""
    status, results = run_verify([str(INCIDENT), "--env-py", "generic"], REPO, monkeypatch)
    assert status == 1
    assert [(Path(r["filename"]).name, r["location"]["row"], r["code"]) for r in results] == [
        ("s03_convert.py", 19, "ALV001")
    ]
    assert 'OperationalError: near "ALTER": syntax error' in results[0]["message"]


@pytest.mark.slow
def test_the_postgres_option_starts_a_cluster_and_removes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import shutil
    import tempfile

    from flake8_alembic.verify.postgres import server_binaries

    if server_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("no PostgreSQL server binaries under CI")
        pytest.skip("no PostgreSQL server binaries")
    # A temporary folder of this test's own (other processes start clusters in /tmp too); readable by the
    # server's unprivileged user, as /tmp is.
    private = Path(tempfile.mkdtemp(prefix="verify-postgres-option-"))
    private.chmod(0o755)
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    try:
        status, results = run_verify([".", "--postgres"], VERIFY / "healthy", monkeypatch)
        assert (status, results) == (0, [])
        assert list(private.iterdir()) == [], "the cluster's folder was left behind"
    finally:
        shutil.rmtree(private, ignore_errors=True)
