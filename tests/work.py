"""Counting work instead of timing it: a busy machine changes seconds, never the number of calls.

A linear-time guarantee is tested by running the same shape of input at two sizes and comparing the work done:
Python lines executed (a loop's every turn counts) plus calls into C (each regex match, each string method). A
quadratic algorithm does about a hundred times more work on ten times the input, a linear one about ten. Work
done inside one C call is not seen: the hang guard below covers that.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any, Callable


def work(func: Callable[..., Any], *args: Any) -> int:
    """The work ``func(*args)`` does: Python lines executed plus calls into C."""
    count = 0

    def trace(frame: FrameType, event: str, arg: object) -> Callable[..., Any]:
        nonlocal count
        count += event == "line"
        return trace

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal count
        count += event == "c_call"

    previous_trace, previous_profile = sys.gettrace(), sys.getprofile()
    sys.settrace(trace)
    sys.setprofile(profile)
    try:
        func(*args)
    finally:
        sys.setprofile(previous_profile)
        sys.settrace(previous_trace)
    return count


def growth(func: Callable[[Any], Any], small: Any, large: Any) -> float:
    """The ratio of the work done on ``large`` to the work done on ``small``."""
    return work(func, large) / max(1, work(func, small))


@contextlib.contextmanager
def hang_guard(seconds: int) -> Iterator[None]:
    """Fail instead of hanging when a block runs far longer than it ever should. A guard against endless loops
    with generous headroom (about 30 times a busy machine's time), never an assertion about speed."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
