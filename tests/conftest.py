"""Test options: ``--snapshot-update`` rewrites the finding snapshots (never in CI); what is never collected."""

from __future__ import annotations

import os

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


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--snapshot-update") and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise pytest.UsageError("--snapshot-update is refused under CI: snapshots change only in a reviewed commit")
