"""Test options: ``--snapshot-update`` rewrites the finding snapshots (never in CI); what is never collected."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

# The fixtures are projects to lint, some with test modules of their own (what a project's migration tests say about
# its databases): never collected, never imported.
collect_ignore_glob = ["fixtures/*", "golden/*"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        help="rewrite tests/snapshots/ from the current findings (review the diff; refused when CI is set)",
    )


_SERVER_FOLDER = tempfile.mkdtemp(prefix="fa-", dir="/tmp" if os.path.isdir("/tmp") else None)


def pytest_configure(config: pytest.Config) -> None:
    # Every command a test runs looks for a resident server (``flake8-alembic server``) in $XDG_RUNTIME_DIR: one of
    # the developer's own would answer the tests' runs with its code. The tests get a folder of their own (short: a
    # socket's path is limited to about 100 bytes).
    os.environ["XDG_RUNTIME_DIR"] = _SERVER_FOLDER
    if config.getoption("--snapshot-update") and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise pytest.UsageError("--snapshot-update is refused under CI: snapshots change only in a reviewed commit")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_SERVER_FOLDER, ignore_errors=True)
