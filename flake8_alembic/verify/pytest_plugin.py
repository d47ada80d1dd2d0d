"""The pytest plugin: ``alembic_verify`` runs verify's cycle inside a project's own test suite.

Fixture names follow pytest-alembic's, so one conftest serves both: ``alembic_config`` (a dict of options — ``file``
or ``script_location``, ``before_revision_data``, ``at_revision_data`` — or an Alembic ``Config``) and
``alembic_engine`` (the SQLAlchemy engine to migrate). When pytest-alembic is installed its own defaults are used;
otherwise this plugin supplies them (``alembic.ini`` of the root folder, a SQLite file in a temporary folder).

Registered through the ``pytest11`` entry point, this module loads in every pytest run of a project that installs
flake8-alembic, so it imports nothing but pytest and the standard library: SQLAlchemy and Alembic load only when
a test asks for these fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest


class VerifyFixture:
    """``alembic_verify()``: run the cycle over the configured history on ``alembic_engine``; the outcome's
    ``problems`` list every failure and divergence (``assert_passes()`` fails the test with them)."""

    def __init__(self, config: Any, engine: Any, root: Path) -> None:
        self.config = config
        self.engine = engine
        self.root = root

    def __call__(self, *, env_py: str = "project", models: str | None = None, allow_non_empty: bool = False) -> Any:
        from .seeds import seeds_from
        from .session import Request, verify_on_engine

        options = _options(self.config)
        path = _history_path(options, self.config, self.root)
        request = Request(
            path=path,
            env_py=env_py,
            allow_non_empty=allow_non_empty,
            seeds=seeds_from(options),
            models=models,
        )
        return verify_on_engine(request, self.engine)

    def assert_passes(self, **options: Any) -> Any:
        outcome = self(**options)
        if outcome.problems:
            lines = "\n".join(f"{p.path}:{p.line}: {p.code} {p.message}" for p in outcome.problems)
            pytest.fail(f"flake8-alembic verify found {len(outcome.problems)} problem(s):\n{lines}", pytrace=False)
        return outcome


def _options(config: Any) -> Mapping[str, Any]:
    """The options of a dict, of pytest-alembic's Config (its attributes) or of an Alembic Config (none)."""
    if isinstance(config, Mapping):
        return config
    found = {key: getattr(config, key) for key in ("before_revision_data", "at_revision_data") if hasattr(config, key)}
    options = getattr(config, "config_options", None)
    return {**(options if isinstance(options, Mapping) else {}), **found}


def _history_path(options: Mapping[str, Any], config: Any, root: Path) -> Path:
    for key in ("file", "script_location"):
        if options.get(key):
            path = Path(str(options[key]))
            return path if path.is_absolute() else root / path
    inner = getattr(config, "alembic_config", config)  # pytest-alembic wraps an Alembic Config
    ini = getattr(inner, "config_file_name", None)
    if ini:
        return Path(ini)
    get_option = getattr(inner, "get_main_option", None)
    location = get_option("script_location") if get_option is not None else None
    return Path(location) if location else root


class _Defaults:
    """pytest-alembic's fixtures when pytest-alembic is not installed."""

    @pytest.fixture
    def alembic_config(self) -> Mapping[str, Any]:
        return {}

    @pytest.fixture
    def alembic_engine(self, tmp_path: Path) -> Iterator[Any]:
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        from .databases import file_url

        engine = sa.create_engine(file_url(tmp_path / "alembic_verify.db"), poolclass=NullPool)
        yield engine
        engine.dispose()


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.hasplugin("pytest_alembic"):
        config.pluginmanager.register(_Defaults(), "flake8_alembic_verify_defaults")


@pytest.fixture
def alembic_verify(alembic_config: Any, alembic_engine: Any, request: pytest.FixtureRequest) -> VerifyFixture:
    """Run flake8-alembic verify's cycle (see ``VerifyFixture``)."""
    return VerifyFixture(alembic_config, alembic_engine, Path(str(request.config.rootpath)))
