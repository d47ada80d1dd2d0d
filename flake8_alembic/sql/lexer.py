"""Reading SQL text: splitting it into statements and statements into tokens, with the quoting rules of the
SQL dialects migrations use (``--`` and nested ``/* */`` comments, '...' and E'...' literals, "..." and `...`
identifiers, PostgreSQL dollar quoting). Tokenising is lazy and capped: a statement is read only as far as its
classification needs. Also the cursor the classifiers match keywords with."""

from __future__ import annotations

import re
from typing import NamedTuple

from .records import HOLE

_MAX_TOKENS = 50_000


# Everything that cannot end a statement or open a construct needing Python-level handling, including
# complete literals and quoted identifiers, consumed in one C-level match.  The loop stops at ``;``,
# ``/*``, a dollar-quote opening, or an unterminated quote.
_SPLIT_CHUNK = re.compile(
    r"(?:"
    r"[^';\"`$/\-]+"
    r"|(?<=(?<![\w$])[Ee])'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'"
    r"|'[^']*(?:''[^']*)*'"
    r'|"[^"]*(?:""[^"]*)*"'
    r"|`[^`]*`"
    r"|--[^\n]*"
    r"|/(?!\*)"
    r"|-(?!-)"
    r"|(?<=[\w$])\$"
    r"|\$(?!(?:[^\W\d]\w*)?\$)"
    r")*",
    re.S,
)


_DOLLAR_TAG = re.compile(r"\$(?:[^\W\d]\w*)?\$")


_SEPARATORS = re.compile(r"[\s;]+")


def _skip_block_comment(text: str, pos: int) -> int:
    """Index just past the (nested) block comment opening at ``pos``; ``len(text)`` if unterminated."""
    depth = 0
    i = pos
    n = len(text)
    next_open = text.find("/*", i)
    next_close = text.find("*/", i + 2)
    while True:
        if next_open != -1 and next_open < i:
            next_open = text.find("/*", i)
        if next_close != -1 and next_close < i:
            next_close = text.find("*/", i)
        if next_close == -1:
            return n
        if next_open != -1 and next_open < next_close:
            depth += 1
            i = next_open + 2
        else:
            depth -= 1
            i = next_close + 2
            if depth <= 0:
                return i


def _skip_dollar(text: str, pos: int) -> int | None:
    """Index past the dollar-quoted string opening at ``pos``, or ``None`` if no quote opens there."""
    m = _DOLLAR_TAG.match(text, pos)
    if m is None:
        return None
    tag = m.group()
    end = text.find(tag, m.end())
    return len(text) if end == -1 else end + len(tag)


def _split(sql: str) -> list[str]:
    result: list[str] = []
    n = len(sql)
    start = 0
    pos = 0
    while pos < n:
        m = _SPLIT_CHUNK.match(sql, pos)
        pos = m.end() if m is not None else pos
        if pos >= n:
            break
        ch = sql[pos]
        if ch == ";":
            _keep(sql[start:pos], result)
            skipped = _SEPARATORS.match(sql, pos)
            pos = start = skipped.end() if skipped is not None else pos + 1
        elif ch == "/":  # the chunk pattern only stops at "/" for "/*"
            pos = _skip_block_comment(sql, pos)
        elif ch == "$":
            end = _skip_dollar(sql, pos)
            pos = end if end is not None else pos + 1
        else:  # an unterminated quote: the rest of the text belongs to it
            break
    _keep(sql[start:], result)
    return result


def _keep(piece: str, result: list[str]) -> None:
    stripped = piece.strip()
    if not stripped:
        return
    if stripped[0] in "-/" and Lexer(stripped).get(0) is None:  # only comments
        return
    result.append(stripped)


def split_statements(sql: str) -> list[str]:
    """Split SQL text into statements at top-level ``;``; each stripped, empty / comment-only ones dropped."""
    if not isinstance(sql, str):
        return []
    try:
        return _split(sql)
    except Exception:  # defensive: never raise
        stripped = sql.strip()
        return [stripped] if stripped else []


class Token(NamedTuple):
    kind: str  # "word", "ident" (quoted identifier, unquoted value), "str", "op"
    value: str
    start: int
    end: int
    key: str = ""  # upper-cased keyword text of a word without HOLE, else ""


_TOKEN = re.compile(
    r"""
    (?:\s+|--[^\n]*)*
    (?:
      (?P<bc>/\*)
    | (?P<estr>(?<![\w$])[Ee]'[^'\\]*(?:(?:\\.|'')[^'\\]*)*(?:'|\Z))
    | (?P<str>'[^']*(?:''[^']*)*(?:'|\Z))
    | (?P<dq>"[^"]*(?:""[^"]*)*(?:"|\Z))
    | (?P<bq>`[^`]*(?:`|\Z))
    | (?P<dollar>(?<![\w$])\$(?:[^\W\d]\w*)?\$)
    | (?P<word>[\w\x00$]+)
    | (?P<op>::|.)
    )?
    """,
    re.S | re.X,
)


class Lexer:
    """Lazy tokenizer: statements are only tokenised as far as their classification needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []
        self.done = False

    def get(self, index: int) -> Token | None:
        tokens = self.tokens
        if index < len(tokens):
            return tokens[index]
        while len(tokens) <= index and not self.done:
            self._advance()
        return tokens[index] if index < len(tokens) else None

    def fill_all(self) -> bool:
        """Tokenise everything (up to the cap); False when the cap was hit."""
        self.get(_MAX_TOKENS)
        return len(self.tokens) <= _MAX_TOKENS

    def _advance(self) -> None:
        """Append the next token, or set ``done``."""
        if len(self.tokens) > _MAX_TOKENS:
            self.done = True
            return
        text = self.text
        while True:
            m = _TOKEN.match(text, self.pos)
            kind = m.lastgroup if m is not None else None
            if m is None or kind is None:  # only whitespace / line comments remain
                self.done = True
                return
            start = m.start(kind)
            end = m.end()
            if kind == "bc":
                self.pos = _skip_block_comment(text, start)
                continue
            if kind == "dollar":
                stop = _skip_dollar(text, start)
                self.pos = stop if stop is not None else end
                self.tokens.append(Token("str", text[start : self.pos], start, self.pos))
                return
            self.pos = end
            raw = text[start:end]
            if kind == "dq":
                body = raw[1:-1] if len(raw) >= 2 and raw.endswith('"') else raw[1:]
                self.tokens.append(Token("ident", body.replace('""', '"'), start, end))
            elif kind == "bq":
                body = raw[1:-1] if len(raw) >= 2 and raw.endswith("`") else raw[1:]
                self.tokens.append(Token("ident", body, start, end))
            elif kind == "estr":
                self.tokens.append(Token("str", raw, start, end))
            elif kind == "word":
                key = "" if HOLE in raw else raw.upper()
                self.tokens.append(Token(kind, raw, start, end, key))
            else:
                self.tokens.append(Token(kind, raw, start, end))
            return


class Bail(Exception):
    """A HOLE sits where a keyword may be: claim nothing beyond the verb."""


def keyword_of(tok: Token | None) -> str:
    """Upper-cased keyword text of a plain word token (never matches a HOLE-containing word)."""
    return "" if tok is None else tok.key


def is_name_tok(tok: Token | None) -> bool:
    return tok is not None and tok.kind in ("word", "ident")


def is_op(tok: Token | None, value: str) -> bool:
    return tok is not None and tok.kind == "op" and tok.value == value


class Cursor:
    """Keyword matching at a position ``i`` of a token sequence; subclasses say how to reach token ``k`` ahead."""

    i: int

    def token_at(self, k: int = 0) -> Token | None:
        raise NotImplementedError

    def kw(self, k: int = 0) -> str:
        return keyword_of(self.token_at(k))

    def accept(self, *words: str) -> bool:
        if self.kw() in words:
            self.i += 1
            return True
        return False

    def accept_seq(self, *words: str) -> bool:
        if all(self.kw(k) == w for k, w in enumerate(words)):
            self.i += len(words)
            return True
        return False


class Parser(Cursor):
    def __init__(self, lexer: Lexer, start: int = 1) -> None:
        self.lx = lexer
        self.i = start

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        tokens = self.lx.tokens
        return tokens[j] if j < len(tokens) else self.lx.get(j)

    token_at = peek

    def at_end(self) -> bool:
        return self.peek() is None

    def name(self) -> tuple[bool, str | None]:
        """A possibly qualified name: (found, name or None when it contains a HOLE)."""
        tok = self.peek()
        if not is_name_tok(tok):
            return False, None
        parts: list[str] = []
        while True:
            assert tok is not None
            parts.append(spelled(tok))
            self.i += 1
            if is_op(self.peek(), ".") and is_name_tok(self.peek(1)):
                self.i += 1
                tok = self.peek()
                continue
            break
        joined = ".".join(parts)
        return True, (None if HOLE in joined else joined)

    def skip_parens(self) -> bool:
        """Skip a balanced parenthesised group starting at the current token."""
        if not is_op(self.peek(), "("):
            return False
        depth = 0
        while True:
            tok = self.peek()
            if tok is None:
                return True
            if tok.kind == "op":
                if tok.value == "(":
                    depth += 1
                elif tok.value == ")":
                    depth -= 1
                    if depth == 0:
                        self.i += 1
                        return True
            self.i += 1


def split_top_level(toks: list[Token]) -> list[list[Token]]:
    """Split tokens at commas outside parentheses/brackets."""
    parts: list[list[Token]] = []
    current: list[Token] = []
    depth = 0
    for tok in toks:
        if tok.kind == "op":
            if tok.value in "([":
                depth += 1
            elif tok.value in ")]":
                depth -= 1
            elif tok.value == "," and depth <= 0:
                parts.append(current)
                current = []
                continue
        current.append(tok)
    parts.append(current)
    return [part for part in parts if part]


def single_name(tok: Token | None) -> str | None:
    if not is_name_tok(tok):
        return None
    assert tok is not None
    return None if HOLE in tok.value else spelled(tok)


def spelled(tok: Token) -> str:
    """A name as the database reads it: a quoted identifier keeps its double quotes (``"Token"`` keeps its case where
    an unquoted ``Token`` is folded), whichever quotes it was written with."""
    if tok.kind == "ident":
        return '"' + tok.value.replace('"', '""') + '"'
    return tok.value


def has_seq(toks: list[Token], *words: str) -> bool:
    n = len(words)
    return any(all(keyword_of(toks[idx + k]) == words[k] for k in range(n)) for idx in range(len(toks) - n + 1))
