"""The work counter the linear-time tests rely on can tell linear from quadratic."""

from __future__ import annotations

from .work import growth, hang_guard, work


def _linear(text: str) -> int:
    return sum(1 for character in text if character == "x")


def _quadratic(text: str) -> int:
    return sum(1 for first in text for second in text if first == second == "y")


def test_work_counts_every_turn_of_a_loop() -> None:
    assert work(_linear, "x" * 1000) > 1000


def test_linear_work_grows_ten_times_and_quadratic_work_a_hundred() -> None:
    assert 8 < growth(_linear, "x" * 500, "x" * 5000) < 13
    assert growth(_quadratic, "x" * 50, "x" * 500) > 80


def test_the_hang_guard_lets_a_quick_block_through() -> None:
    with hang_guard(seconds=30):
        assert _linear("xx") == 2
