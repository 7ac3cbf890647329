"""The bounded hand-off between the batch's screening workers and its single writer.

Why: with one thread doing decode, model, heatmap, PNG and database write in turn, the
PNG encoding and the commits sat on the critical path. Workers now screen chunks of items
(one model call per chunk) and hand them to a writer thread; the hand-off holds at most
``max_chunks`` chunks, and a chunk at most ``max_items`` images and ``max_pixels`` pixels,
so a folder of 12-megapixel photos cannot pile up in memory while the disk is slow.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from inference.images import LoadedImage
from inference.results import ScreenResult

from .store import BatchItem

T = TypeVar("T")

CHUNK_ITEMS = 8  # images per model call and per database transaction
CHUNK_PIXELS = 4_000_000  # a chunk closes early past this many decoded pixels
HANDOFF_CHUNKS = 2  # chunks screened and waiting for the writer


@dataclass(frozen=True)
class Decoded:
    """A claimed item and its decoded image, waiting for the chunk's model call."""

    item: BatchItem
    image: LoadedImage
    decode_ms: float


@dataclass(frozen=True)
class Screened:
    """A screened item on its way to the writer, its pictures already encoded (in the
    workers, in parallel: the writer only writes files and the chunk's transaction)."""

    item: BatchItem
    result: ScreenResult
    thumbnail: bytes
    overlay_jpeg: bytes | None
    heatmap_png: bytes | None


class Handoff(Generic[T]):
    """A bounded FIFO of chunks. ``put`` blocks while it is full, ``get`` while it is
    empty; both give up (returning False / None) once ``closed`` is set."""

    def __init__(self, max_chunks: int = HANDOFF_CHUNKS) -> None:
        self.max_chunks = max(1, int(max_chunks))
        self._chunks: deque[T] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self.waiting = 0  # producers blocked on a full hand-off (tests watch it)
        self.on_wait: Callable[[int], None] | None = None

    def put(self, chunk: T) -> bool:
        """Queue a chunk; False when the hand-off was closed first (the chunk is dropped)."""
        with self._cond:
            if len(self._chunks) >= self.max_chunks and not self._closed:
                self.waiting += 1
                if self.on_wait is not None:
                    self.on_wait(self.waiting)
                try:
                    while len(self._chunks) >= self.max_chunks and not self._closed:
                        self._cond.wait()
                finally:
                    self.waiting -= 1
            if self._closed:
                return False
            self._chunks.append(chunk)
            self._cond.notify_all()
            return True

    def get(self, producers_done: Callable[[], bool]) -> T | None:
        """The next chunk; None once closed, or empty with every producer finished."""
        with self._cond:
            while not self._chunks:
                if self._closed or producers_done():
                    return None
                self._cond.wait()
            chunk = self._chunks.popleft()
            self._cond.notify_all()
            return chunk

    def wake(self) -> None:
        """Make a waiting ``get`` look again (a producer finished)."""
        with self._cond:
            self._cond.notify_all()

    def close(self) -> list[T]:
        """Stop the hand-off and return the chunks nobody will write (left pending)."""
        with self._cond:
            self._closed = True
            left = list(self._chunks)
            self._chunks.clear()
            self._cond.notify_all()
            return left


def pixels(shape: tuple[int, ...]) -> int:
    """Decoded pixels of an image array's shape (height x width)."""
    return int(shape[0]) * int(shape[1]) if len(shape) >= 2 else 0
