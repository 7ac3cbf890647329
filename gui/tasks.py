"""One QRunnable for all background work (scans, screening, heatmaps, reports).

Why one class: every job needs the same three things — progress, a result or an error,
and cooperative cancel — delivered to the GUI thread as queued Qt signals.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class TaskSignals(QObject):
    progress = Signal(int, int, object)  # done, total, payload
    done = Signal(object)
    failed = Signal(str)


class PoolTask(QRunnable):
    """Runs ``fn(task)`` in the pool; ``fn`` may call ``task.report`` and check
    ``task.cancelled``. Exceptions become ``failed`` with the message, never a crash.
    (Named apart from ``training.tasks.Task``, which defines what a pack screens for.)"""

    def __init__(self, fn: Callable[[PoolTask], Any], name: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)  # the owner keeps it until done/failed arrives
        self.fn = fn
        self.name = name
        self.signals = TaskSignals()
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def report(self, done: int, total: int, payload: object = None) -> None:
        self.signals.progress.emit(done, total, payload)

    def run(self) -> None:
        try:
            value = self.fn(self)
        except Exception as exc:  # noqa: BLE001 - shown to the user, the app keeps going
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            if not hasattr(exc, "code"):  # a bug: the trace helps; an expected error is shown
                traceback.print_exc()
            self.signals.failed.emit(str(message))
            return
        self.signals.done.emit(value)


class TaskRunner(QObject):
    """Starts tasks and keeps them alive until they finish."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._live: set[PoolTask] = set()
        self._shut = False

    def start(
        self,
        fn: Callable[[PoolTask], Any],
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_progress: Callable[[int, int, object], None] | None = None,
        name: str = "",
    ) -> PoolTask:
        task = PoolTask(fn, name)
        if on_progress is not None:
            task.signals.progress.connect(self._unless_shut(on_progress))
        if on_done is not None:
            task.signals.done.connect(self._unless_shut(on_done))
        if on_failed is not None:
            task.signals.failed.connect(self._unless_shut(on_failed))
        task.signals.done.connect(lambda _=None, t=task: self._live.discard(t))
        task.signals.failed.connect(lambda _=None, t=task: self._live.discard(t))
        self._live.add(task)
        self.pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def cancel_all(self) -> None:
        for task in list(self._live):
            task.cancel()

    def _unless_shut(self, callback: Callable[..., None]) -> Callable[..., None]:
        """Results are queued to the GUI thread; one that arrives after the window closed
        must not reach widgets that no longer exist."""
        return lambda *args: None if self._shut else callback(*args)

    def wait(self, msecs: int = 5000) -> bool:
        self.cancel_all()
        return self.pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 5000) -> bool:
        """Cancel everything, wait for it, and drop whatever results are still on the way."""
        self._shut = True
        return self.wait(msecs)
