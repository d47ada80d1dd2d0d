"""flake8-alembic: static checks for Alembic migrations."""

from __future__ import annotations

__all__ = ["__version__", "package_version"]


def package_version() -> str:
    """The installed distribution's version (importing importlib.metadata costs start-up time: done on demand)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flake8-alembic")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return package_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
