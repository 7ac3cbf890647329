"""The worker runner: results reach the GUI thread, but never a window that has closed."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QThreadPool

from gui.tasks import TaskRunner


def test_results_arrive_until_shutdown_and_not_after(qtbot):
    pool = QThreadPool()
    runner = TaskRunner(pool=pool)
    got: list[object] = []
    runner.start(lambda _: 41, got.append)
    qtbot.waitUntil(lambda: got == [41], timeout=5000)

    gate = threading.Event()
    runner.start(lambda _: gate.wait(5) and 42, got.append, got.append)
    assert not runner.shutdown(0)  # still running: shutdown does not block the close
    gate.set()
    assert pool.waitForDone(5000)
    QCoreApplication.processEvents()  # deliver the queued result, if it were going to be
    assert got == [41]
