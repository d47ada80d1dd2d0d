"""What a resident server keeps from one request to the next: results keyed by exactly what they depend on.

A fresh process starts with this empty (the command and flake8 never make one), so nothing here may change a
finding: each entry is keyed by the content of every input of its value (a path with the digest of its bytes, or
the very objects it was computed from). The one record of a path and its stat, ``files``, is no result: it only
says which digest a file had, and is trusted only as ``reading.RunFiles`` says (racily-clean rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .schema import ReplayMemo

if TYPE_CHECKING:
    from .history import Environment, Locations, RevisionInfo
    from .parse.module import ParseResult
    from .reading import SeenFile

MAX_ENTRIES = 10_000
"""Above this many entries of one kind, that kind is emptied (a server linting many projects in turn stays
bounded; its next request fills it again)."""


@dataclass
class Resident:
    summaries: dict[tuple[str, str], ParseResult] = field(default_factory=dict)
    """(absolute path, content digest) → the file's summary."""
    files: dict[str, SeenFile] = field(default_factory=dict)
    """Absolute path → what was read in it last (its stat signature then, its digests): see ``RunFiles``."""
    infos: dict[tuple[str, str], RevisionInfo] = field(default_factory=dict)
    """(absolute path, content digest) → the revision header read from it."""
    environments: dict[tuple[Locations, str], tuple[tuple[RevisionInfo, ...], list[Environment]]] = field(
        default_factory=dict
    )
    """Version locations and root → the graph facts last read there and the environments built from them."""
    replay_steps: ReplayMemo = field(default_factory=ReplayMemo)
    """(target dialects, revision, identity of its summary) → the schema before and after it (``schema.replay``)."""

    def sizes(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "summaries": len(self.summaries),
            "infos": len(self.infos),
            "environments": len(self.environments),
            "replay_steps": len(self.replay_steps.steps),
        }

    def bound(self) -> None:
        for memo in (self.files, self.summaries, self.infos, self.environments, self.replay_steps.steps):
            if len(memo) > MAX_ENTRIES:
                memo.clear()
