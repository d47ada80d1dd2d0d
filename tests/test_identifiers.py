"""Unit tests for flake8_alembic.names' identifiers: how each set of target databases compares names written in
Python and in SQL (quoted or not), the names PostgreSQL gives objects itself, and names shown in messages."""

from __future__ import annotations

import pytest

from flake8_alembic.names import (
    FOLDED,
    MYSQL_IDENTIFIERS,
    POSTGRESQL_IDENTIFIERS,
    Identifiers,
    norm,
    postgresql_object_name,
    unquoted,
)


@pytest.mark.parametrize(
    ("dialects", "expected"),
    [
        ({"postgresql"}, POSTGRESQL_IDENTIFIERS),
        ({"mysql"}, MYSQL_IDENTIFIERS),
        ({"mysql", "mariadb"}, MYSQL_IDENTIFIERS),
        ({"sqlite"}, FOLDED),
        ({"postgresql", "sqlite"}, FOLDED),
        ({"postgresql", "mysql"}, FOLDED),
        (set(), FOLDED),
    ],
)
def test_the_comparison_of_each_target_set(dialects: set[str], expected: Identifiers) -> None:
    assert Identifiers.on(frozenset(dialects)) == expected


def test_postgresql_keeps_the_case_sqlalchemy_quotes_and_folds_unquoted_sql() -> None:
    ids = POSTGRESQL_IDENTIFIERS
    assert ids.python("Token") == "Token"  # op.create_table("Token") emits "Token"
    assert ids.sql('"Token"') == "Token"
    assert ids.sql("Token") == "token"  # CREATE TABLE Token makes token
    assert ids.python("Token") != ids.sql("token")
    assert ids.python("token") == ids.sql("TOKEN")
    assert ids.python("nickName", "column") != ids.python("nickname", "column")


def test_mysql_tables_keep_their_case_and_columns_do_not() -> None:
    ids = MYSQL_IDENTIFIERS
    assert ids.sql("Token") == "Token"  # no folding of unquoted names
    assert ids.python("Token") != ids.python("token")
    assert ids.python("Name", "column") == ids.sql("`NAME`", "column") == "name"
    assert ids.python("IX_A", "index") == "ix_a"


def test_folded_compares_without_case_or_quotes_as_norm_always_did() -> None:
    for written in ('"Public"."Users"', "public.USERS", "`Users`", "[Users]"):
        assert FOLDED.sql(written) == "users"
    assert FOLDED.python("Users") == norm("Users") == "users"
    assert FOLDED.python(None) is None and FOLDED.sql(None) is None


def test_the_schema_part_is_left_out_but_a_dot_inside_quotes_is_kept() -> None:
    assert POSTGRESQL_IDENTIFIERS.sql('public."Odd.Name"') == "Odd.Name"
    assert POSTGRESQL_IDENTIFIERS.sql('"s"."T"') == "T"
    assert POSTGRESQL_IDENTIFIERS.sql('"a""b"') == 'a"b'


def test_postgresql_cuts_the_longer_part_first() -> None:
    assert postgresql_object_name("orders", "customer_id", "fkey") == "orders_customer_id_fkey"
    assert postgresql_object_name("a" * 40, "b" * 30, "fkey") == "a" * 29 + "_" + "b" * 28 + "_fkey"
    assert postgresql_object_name("t" * 70, None, "pkey") == "t" * 58 + "_pkey"
    assert len(postgresql_object_name("x" * 100, "y" * 100, "check").encode()) == 63


def test_postgresql_never_cuts_inside_a_character() -> None:
    name = postgresql_object_name("é" * 40, "b" * 10, "key")
    assert len(name.encode()) <= 63
    assert name.endswith("_" + "b" * 10 + "_key")
    assert "\ufffd" not in name


def test_unquoted_shows_a_sql_name_as_a_message_does() -> None:
    assert unquoted('public."Token"') == "public.Token"
    assert unquoted('"a""b"') == 'a"b'
    assert unquoted("plain") == "plain"
