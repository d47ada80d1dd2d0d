"""The ``flake8-alembic`` command (and ``python -m flake8_alembic``): a ``check`` goes to a running resident server
(``client``) when there is one, else everything runs in this process (``cli``)."""

from __future__ import annotations

import sys


def main() -> int:
    from .client import forward

    arguments = sys.argv[1:]
    try:
        forwarded = forward(arguments)
    except KeyboardInterrupt:
        return 130
    if forwarded is not None:
        return forwarded
    from .cli import main as run_here

    return run_here(arguments)


if __name__ == "__main__":
    sys.exit(main())
