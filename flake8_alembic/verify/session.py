"""One verify run: find the Alembic environment, refuse an env.py wired to another database, open the database,
walk the history (``cycle.py``) and, when asked, compare the application's models at the heads.

Nothing runs before the env.py check and the emptiness check pass. Imports Alembic and SQLAlchemy: the command
imports this module only when ``verify`` runs.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.util import CommandError

from .alembic_run import Driver, Target, alembic_config, script_directory, version_folders
from .cycle import Problem, Progress, Seeds, Walk, WalkReport
from .databases import SetupError, database, existing_objects
from .envpy import EnvWiring, read_env_py
from .expected import StaticHistory
from .live import quiet_index_reflection
from .provenance import StaticFindings

__all__ = ["Outcome", "Request", "SetupError", "verify", "verify_on_engine"]

PROJECT, GENERIC = "project", "generic"


@dataclass(frozen=True)
class Request:
    path: Path
    """alembic.ini, a folder holding it or env.py, or (with the generic env.py) a folder of version files."""
    env_py: str = PROJECT
    section: str = "alembic"
    database_url: str | None = None
    postgres: bool = False
    allow_non_empty: bool = False
    seeds: Seeds = field(default_factory=Seeds)
    models: str | None = None
    render_as_batch: bool | None = None
    """None: as the project's env.py says (read statically)."""
    prepend_sys_path: tuple[Path, ...] = ()


@dataclass
class Outcome:
    walk: WalkReport
    problems: list[Problem]
    seconds: float


@dataclass(frozen=True)
class Prepared:
    """A request checked statically: what to run, and with which options."""

    target: Target
    render_as_batch: bool
    version_table: str | None


def verify(request: Request, progress: Progress | None = None) -> Outcome:
    """Verify on the database the request names (a temporary SQLite file by default)."""
    started = time.perf_counter()
    prepared = prepare(request)
    with database(request.database_url, request.postgres, request.allow_non_empty) as (url, engine):
        try:
            return _run(prepared, request, url, engine, progress, started)
        finally:
            engine.dispose()


def verify_on_engine(request: Request, engine: Any, progress: Progress | None = None) -> Outcome:
    """Verify on the caller's engine (the pytest fixtures): refused when it holds tables, unless allowed."""
    started = time.perf_counter()
    prepared = prepare(request)
    objects = existing_objects(engine)
    if objects and not request.allow_non_empty:
        raise SetupError(f"the database is not empty ({', '.join(objects[:5])}); verify needs an empty one")
    return _run(prepared, request, engine.url.render_as_string(hide_password=False), engine, progress, started)


def prepare(request: Request) -> Prepared:
    """Resolve the environment and read its env.py, refusing one wired to another database (nothing runs yet)."""
    target, wiring = resolve(request)
    if request.env_py == PROJECT:
        refusal = wiring.refusal if wiring is not None else f"no env.py found for {request.path}"
        if refusal is not None:
            raise SetupError(refusal)
    render_as_batch = request.render_as_batch
    if render_as_batch is None:
        render_as_batch = wiring.render_as_batch if wiring is not None else False
    return Prepared(target, render_as_batch, wiring.version_table if wiring is not None else None)


def _run(
    prepared: Prepared, request: Request, url: str, engine: Any, progress: Progress | None, started: float
) -> Outcome:
    with alembic_config(prepared.target, url, prepared.render_as_batch) as config:
        _prepend(request.prepend_sys_path)
        history = _static_history(_version_folders(config), engine.dialect.name)
        _load_revisions(config)
        driver = Driver(config, engine, prepared.version_table)
        with quiet_index_reflection():
            walk = Walk(driver, history, request.seeds, StaticFindings(history.dialect)).run(progress)
        problems = list(walk.problems)
        if request.models and not walk.problems and not walk.stopped:
            problems += _model_drift(request, driver, history)
    return Outcome(walk, problems, time.perf_counter() - started)


def resolve(request: Request) -> tuple[Target, EnvWiring | None]:
    """What to run, and how the project's env.py (when there is one) connects."""
    path = request.path.resolve()
    ini = path if path.is_file() else (path / "alembic.ini" if (path / "alembic.ini").is_file() else None)
    if ini is None and not path.is_dir():
        raise SetupError(f"{request.path}: no such file or folder")
    script_location = path if ini is None and (path / "env.py").is_file() else None
    if ini is None and script_location is None:
        if request.env_py != GENERIC:
            raise SetupError(f"{request.path}: no alembic.ini and no env.py here; give one, or --env-py generic")
        env_py = path.parent / "env.py"
        wiring = read_env_py(env_py) if env_py.is_file() else None
        return Target(None, None, (path,), request.section, _has_subfolders(path)), wiring
    project = Target(ini, script_location, (), request.section)
    with alembic_config(project, "", False) as config:  # only read here: no database yet
        script = _script(config)
        wiring = read_env_py(Path(script.dir) / "env.py") if (Path(script.dir) / "env.py").is_file() else None
        if request.env_py == GENERIC:
            recursive = (config.get_main_option("recursive_version_locations") or "").lower() in ("true", "1")
            folders = tuple(version_folders(script))
            return Target(None, None, folders, request.section, recursive), wiring
    return project, wiring


def _script(config: Config):  # type: ignore[no-untyped-def]
    try:
        return script_directory(config)
    except CommandError as error:
        raise SetupError(f"Alembic cannot read the environment: {error}") from None


def _load_revisions(config: Config) -> None:
    """Import every revision module as Alembic does before its first step: a history whose modules need what is
    not installed (the application, its libraries) cannot be verified here at all."""
    try:
        _script(config).revision_map.get_revisions("heads")
    except SetupError:
        raise
    except ImportError as error:
        missing = error.name or str(error)
        raise SetupError(
            f"the migrations import {missing!r}, which is not importable here: run verify in the project's own "
            "environment (or give --prepend-sys-path)"
        ) from None
    except Exception as error:  # a revision module that fails as it is imported: Alembic could not run either
        raise SetupError(f"Alembic cannot load the revisions: {type(error).__name__}: {error}") from None


def _has_subfolders(folder: Path) -> bool:
    return any(child.is_dir() and child.name != "__pycache__" for child in folder.iterdir())


def _prepend(paths: tuple[Path, ...]) -> None:
    """``--prepend-sys-path``: where the application's package is, first on ``sys.path`` (as Alembic's own
    ``prepend_sys_path`` option does)."""
    for path in reversed(paths):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def _version_folders(config: Config) -> list[Path]:
    return [folder for folder in version_folders(_script(config)) if folder.is_dir()]


def _static_history(folders: list[Path], dialect: str) -> StaticHistory:
    for folder in folders:
        history = StaticHistory.of_folder(folder, dialect)
        if history is not None:
            if not history.complete:
                raise SetupError(f"{folder}: the revision graph cannot be ordered (a cycle or duplicate ids)")
            return history
    raise SetupError(f"no migrations found in {', '.join(map(str, folders)) or 'the version locations'}")


def _model_drift(request: Request, driver: Driver, history: StaticHistory) -> list[Problem]:
    from .drift import drift, load_metadata  # imports the application: only with --models

    failed = driver.upgrade("heads")
    if failed is not None:
        raise SetupError(f"--models: cannot upgrade to the heads: {failed.describe()}")
    metadata, models_file = load_metadata(request.models or "", Path.cwd())
    heads = ", ".join(sorted(history.environment.heads()))
    with driver.engine.connect() as connection:
        found = drift(connection, metadata, models_file, driver.version_table)
    return [
        Problem(
            "ALV006",
            heads,
            "compare the models",
            item.path,
            item.line,
            0,
            f"revision {heads} (head), step compare the models: they differ from the migrated database: {item.message}",
        )
        for item in found
    ]
