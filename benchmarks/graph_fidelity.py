"""Compare our static revision graph with Alembic's own RevisionMap on every environment of a corpus.

Usage: python benchmarks/graph_fidelity.py CORPUS_DIR   (needs alembic installed; reads files, runs none)

For each environment found the way the linter finds it (configured locations, else the versions tree split into
linked components), Alembic's RevisionMap is fed the statically read (revision, down_revision, branch_labels,
depends_on) and its heads and bases are compared with ours.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from alembic.script.revision import Revision, RevisionMap

from flake8_alembic.history import Environment, HistoryCache


def alembic_view(environment: Environment) -> tuple[list[str], list[str]]:
    def revisions():  # type: ignore[no-untyped-def]
        for info in environment.migrations:
            down = info.down_revisions
            yield Revision(
                info.revision,
                None if not down else down[0] if len(down) == 1 else down,
                dependencies=info.depends_on or None,
                branch_labels=info.labels or None,
            )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        revision_map = RevisionMap(revisions)
        return sorted(revision_map.heads), sorted(revision_map.bases)


def main() -> int:
    corpus = Path(sys.argv[1])
    differences = 0
    for project in sorted(path for path in corpus.iterdir() if path.is_dir() and not path.name.startswith(".")):
        cache = HistoryCache()
        seen: list[Environment] = []
        for path in sorted(project.rglob("*.py")):
            if "versions" not in path.parts:
                continue
            environment = cache.environment_for(str(path))
            if environment is not None and not any(environment is other for other in seen):
                seen.append(environment)
        for environment in seen:
            if not environment.migrations:
                continue
            ours = (environment.heads(), environment.bases())
            try:
                theirs = alembic_view(environment)
            except Exception as error:
                theirs = ([f"RevisionMap error: {type(error).__name__}: {error}"], [])
            where = Path(environment.migrations[0].path).parent.relative_to(corpus)
            status = "same" if ours == theirs else "DIFFERENT"
            differences += ours != theirs
            print(f"{status:9} {where}  {len(environment.migrations)} revisions  heads={ours[0]}  bases={ours[1]}")
            if ours != theirs:
                print(f"          alembic: heads={theirs[0]}  bases={theirs[1]}")
    print(f"{differences} environments differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
