"""Ctrl-C and SIGTERM during a batch: stop soon, and stop for sure.

The first signal cancels the run: workers finish the image in hand, the rest stay pending.
If the run has not ended ``grace_s`` later (a worker stuck in a read the operating system
will not interrupt, such as a dead network share), or when a second signal comes, the
process exits at once with 130. That is safe: every finished item was committed in its own
transaction, and an item in hand stays pending (its claim ends with the process), so the
same command picks it up again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

GRACE_S = 15.0
EXIT_INTERRUPTED = 130


def _exit_now(message: str) -> None:
    with contextlib.suppress(Exception):
        print(f"cliniclens: {message}", file=sys.stderr, flush=True)
        sys.stdout.flush()
    os._exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def stop_on_signal(
    cancel: Callable[[], None],
    *,
    stopping: str,
    stopped: str,
    grace_s: float | None = None,
) -> Iterator[list[int]]:
    """Within the block, SIGINT/SIGTERM call ``cancel`` (printing ``stopping``) and, at a
    second signal or after ``grace_s`` (default :data:`GRACE_S`), end the process (printing
    ``stopped``). Yields the list of signals received."""
    grace = GRACE_S if grace_s is None else grace_s
    hit: list[int] = []
    timers: list[threading.Timer] = []

    def handler(signum, frame):  # noqa: ARG001
        hit.append(signum)
        if len(hit) > 1:
            _exit_now(stopped)
        with contextlib.suppress(Exception):
            print(f"cliniclens: {stopping}", file=sys.stderr, flush=True)
        cancel()
        timer = threading.Timer(grace, _exit_now, args=(stopped,))
        timer.daemon = True
        timers.append(timer)
        timer.start()

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            previous[sig] = signal.signal(sig, handler)
    try:
        yield hit
    finally:
        for timer in timers:
            timer.cancel()
        for sig, old in previous.items():
            signal.signal(sig, old)
