"""``# noqa`` comments, read exactly as flake8 reads them, and written as ruff accepts them.

flake8: ``# noqa`` alone hides every code on the line; ``# noqa: ALM001,ALM002`` hides those codes (and codes
they prefix); a line ``# flake8: noqa`` skips the whole file. flake8 searches for the comment not on one
physical line but on the lines of its token range: the lines from one line-ending token (NL or NEWLINE) to the
next, so every line of a multi-line string or a backslash continuation shares the comment at the range's end.
Only the last line of a range can hold a comment, which is where ``add_noqa`` writes it.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Collection
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
        self._ranges = token_ranges(text)

    def range_of(self, line: int) -> tuple[int, int]:
        """The first and last line of the token range holding ``line`` (the line alone when tokenising failed)."""
        return self._ranges.get(line, (line, line))

    def comment_text(self, line: int) -> str:
        """The text flake8 searches for a noqa of ``line``: every line of its token range."""
        first, last = self.range_of(line)
        return "\n".join(self.lines[first - 1 : last])

    def directive(self, line: int) -> re.Match[str] | None:
        """The noqa comment that governs ``line`` (flake8 reads the first one of the range)."""
        if not 1 <= line <= len(self.lines):
            return None
        text = self.comment_text(line)
        return NOQA_INLINE.search(text) if "noqa" in text.lower() else None

    def hides(self, line: int, code: str) -> bool:
        if self.file_skipped:
            return True
        match = self.directive(line)
        if match is None:
            return False
        codes = match.group("codes")
        if not codes:
            return True
        named = [found.upper() for found in _CODE.findall(codes)]
        return code in named or code.startswith(tuple(named))

    def noqa_line(self, line: int) -> int:
        """Where a noqa for ``line`` must go: the last line of its token range, the only place outside any string
        where a comment can stand and both flake8 and this linter read it."""
        return self.range_of(line)[1]

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


def token_ranges(text: str) -> dict[int, tuple[int, int]]:
    """line → (first, last) line of its token range, computed as flake8 computes them (``FileProcessor``'s noqa
    line mapping): tokens accumulate until an NL or NEWLINE token closes the range; DEDENT and ENDMARKER do not
    count. Empty when the text does not tokenise (flake8 then finds no noqa comment either)."""
    ranges: dict[int, tuple[int, int]] = {}
    if "\n" not in text.rstrip("\n") and "\r" not in text:
        return {1: (1, 1)} if text else {}  # one line: its own range, without tokenising
    first, last = None, -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first = token.start[0] if first is None else min(first, token.start[0])
            last = max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                for line in range(first, last + 1):
                    ranges[line] = (first, last)
                first, last = None, -1
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return {}
    return ranges


def add_noqa(text: str, codes_by_line: dict[int, set[str]]) -> tuple[str, int]:
    """Write ``# noqa: CODE`` for every finding where both faces read it (the last line of its token range, never
    inside a string), merging into the noqa comment already there; never a blanket noqa. Returns (new text,
    lines edited); running it again on its own output edits nothing."""
    noqa = NoqaMap(text)
    targets: dict[int, set[str]] = {}
    for line, codes in codes_by_line.items():
        if 1 <= line <= len(noqa.lines):
            targets.setdefault(noqa.noqa_line(line), set()).update(codes)
    lines = text.splitlines(keepends=True)
    edits = 0
    for line, codes in sorted(targets.items()):
        raw = lines[line - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body) :]
        match = NOQA_INLINE.search(body)
        if match and not match.group("codes"):
            continue  # a blanket noqa already hides everything
        if match:
            present = [found.upper() for found in _CODE.findall(match.group("codes"))]
            missing = sorted(code for code in codes if not (code in present or code.startswith(tuple(present))))
            if not missing:
                continue
            merged = ", ".join(dict.fromkeys([*present, *missing]))
            listed = match.group("codes")
            end = match.start("codes") + len(listed.rstrip(", \t"))  # the group swallows trailing separators
            body = body[: match.start()] + f"# noqa: {merged}" + body[end:]
        else:
            body = f"{body}  # noqa: {', '.join(sorted(codes))}"
        lines[line - 1] = body + ending
        edits += 1
    return "".join(lines), edits


def unused_codes(
    noqa: NoqaMap, found: dict[int, set[str]], enabled: Callable[[str], bool], known: Collection[str]
) -> list[tuple[int, int, str]]:
    """(line, column, message) for each ``# noqa: ALM…`` comment naming ALM codes that hide nothing: no finding of
    that code anywhere on the comment's token range. Codes of rules not enabled are left alone (they may be
    enabled elsewhere); codes that name no rule are reported as unknown."""
    reported: list[tuple[int, int, str]] = []
    for number, text in enumerate(noqa.lines, start=1):
        if "noqa" not in text.lower() or noqa.range_of(number)[1] != number:
            continue
        match = NOQA_INLINE.search(text)
        if match is None or not match.group("codes"):
            continue
        first, last = noqa.range_of(number)
        here = {code for line in range(first, last + 1) for code in found.get(line, ())}
        unused, unknown = [], []
        for code in (found_code.upper() for found_code in _CODE.findall(match.group("codes"))):
            if not code.startswith("ALM"):
                continue
            if not enabled(code):
                if not any(rule.startswith(code) for rule in known):
                    unknown.append(code)
                continue
            if not any(finding == code or finding.startswith(code) for finding in here):
                unused.append(code)
        if unused or unknown:
            parts = [f"unused: {', '.join(unused)}"] if unused else []
            parts += [f"unknown: {', '.join(unknown)}"] if unknown else []
            reported.append(
                (
                    number,
                    match.start(),
                    f"unused noqa directive ({'; '.join(parts)}): nothing on this line is reported under "
                    "these codes; remove them",
                )
            )
    return reported
