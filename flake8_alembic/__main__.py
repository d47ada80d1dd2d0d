"""`python -m flake8_alembic`: the standalone command."""

import sys

from .cli import main

sys.exit(main())
