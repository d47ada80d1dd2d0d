"""``# noqa`` comments, read exactly as flake8 reads them, and written as ruff accepts them.

flake8: ``# noqa`` alone hides every code on the line; ``# noqa: ALM001,ALM002`` hides those codes (and codes
they prefix); a comment on any line of a multi-line string applies to every line of that string; a line
``# flake8: noqa`` skips the whole file.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Final

# flake8's own patterns (flake8/defaults.py), so both faces suppress the same findings.
NOQA_INLINE: Final = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
NOQA_FILE: Final = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_FILE_NOQA_WITH_CODES: Final = re.compile(r"\s*# flake8[:=]\s*noqa\s*:\s*[A-Z]+[0-9]+", re.IGNORECASE)
_CODE: Final = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_BLANKET_PREFIX: Final = re.compile(r"#\s*noqa\s*:\s*ALM(?![0-9])", re.IGNORECASE)
_UNSPACED: Final = re.compile(r"#noqa\b", re.IGNORECASE)


@dataclass(frozen=True)
class NoqaWarning:
    line: int
    message: str


class NoqaMap:
    """Which codes each line's ``# noqa`` hides, for one file."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.file_skipped = any(NOQA_FILE.match(line) for line in self.lines)
        self._logical = _multiline_strings(text) if "noqa" in text.lower() else {}

    def comment_text(self, line: int) -> str:
        """The text flake8 searches for a noqa of ``line`` (the whole string for lines of a multi-line string)."""
        first, last = self._logical.get(line, (line, line))
        return "\n".join(self.lines[first - 1 : last])

    def hides(self, line: int, code: str) -> bool:
        if self.file_skipped:
            return True
        if not 1 <= line <= len(self.lines) or "noqa" not in self.comment_text(line).lower():
            return False
        match = NOQA_INLINE.search(self.comment_text(line))
        if match is None:
            return False
        codes = match.group("codes")
        if not codes:
            return True
        named = [found.upper() for found in _CODE.findall(codes)]
        return code in named or code.startswith(tuple(named))

    def noqa_line(self, line: int) -> int:
        """Where a noqa for ``line`` must go: the last line of a multi-line string, else the line itself."""
        return self._logical.get(line, (line, line))[1]

    def warnings(self) -> list[NoqaWarning]:
        """Forms flake8 and ruff read differently: worth fixing before either tool surprises someone."""
        found = []
        for number, line in enumerate(self.lines, start=1):
            if _FILE_NOQA_WITH_CODES.match(line):
                found.append(
                    NoqaWarning(
                        number,
                        "`# flake8: noqa: CODE` makes flake8 skip the whole file for every code, not just CODE; "
                        "put `# noqa: CODE` on the lines instead",
                    )
                )
            elif _BLANKET_PREFIX.search(line):
                found.append(
                    NoqaWarning(
                        number,
                        "`# noqa: ALM` is a blanket noqa for flake8 (it hides every code on the line) and ruff "
                        "rejects it; write full codes such as `# noqa: ALM002`",
                    )
                )
            elif _UNSPACED.search(line):
                found.append(
                    NoqaWarning(
                        number,
                        "`#noqa` without a space is no noqa comment for flake8 (ruff accepts it); "
                        "write `# noqa: ALM002`",
                    )
                )
        return found


def _multiline_strings(text: str) -> dict[int, tuple[int, int]]:
    """line → (first, last) line of the multi-line string token covering it."""
    spans: dict[int, tuple[int, int]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                for line in range(token.start[0], token.end[0] + 1):
                    spans[line] = (token.start[0], token.end[0])
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return spans


def add_noqa(text: str, codes_by_line: dict[int, set[str]]) -> tuple[str, int]:
    """Append ``# noqa: CODE`` for every finding (merging into an existing ``# noqa: X``); (new text, edits)."""
    noqa = NoqaMap(text)
    targets: dict[int, set[str]] = {}
    for line, codes in codes_by_line.items():
        targets.setdefault(noqa.noqa_line(line), set()).update(codes)
    lines = text.splitlines(keepends=True)
    edits = 0
    for line, codes in targets.items():
        if not 1 <= line <= len(lines):
            continue
        raw = lines[line - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body) :]
        match = NOQA_INLINE.search(body)
        if match and not match.group("codes"):
            continue  # a blanket noqa already hides everything
        if match:
            present = {found.upper() for found in _CODE.findall(match.group("codes"))}
            merged = ",".join(sorted(present | codes))
            body = body[: match.start()] + f"# noqa: {merged}" + body[match.end() :]
        else:
            body = f"{body}  # noqa: {','.join(sorted(codes))}"
        lines[line - 1] = body + ending
        edits += 1
    return "".join(lines), edits
