"""Shared helpers for the screening-layer tests: a tiny real pack and real images."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inference.packs import load_pack
from inference.screener import Screener
from screening.store import Store
from tests.packgen import make_pack


def tiny_screener(root: Path, pack_id: str = "tiny-pack") -> Screener:
    return Screener(load_pack(make_pack(root, pack_id)))


def write_image(path: Path, seed: int = 0, size: int = 48, fmt: str | None = None) -> Path:
    """A smooth random RGB image (real content, so the model gives varied answers)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((size, size), Image.BILINEAR)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format=fmt)
    return path


def write_corrupt_jpeg(path: Path) -> Path:
    """A JPEG cut off after its header: decodes to an error, never to pixels."""
    good = write_image(path.with_suffix(".tmp.jpg"), seed=99, fmt="JPEG")
    data = good.read_bytes()
    good.unlink()
    path.write_bytes(data[:200])
    return path


class CountingGate(threading.Event):
    """The queue's run/pause gate, also telling when ``parties`` threads are held at it."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.set()
        self.parties = parties
        self.all_held = threading.Event()
        self._held = 0
        self._lock = threading.Lock()

    def wait(self, timeout: float | None = None) -> bool:
        if self.is_set():
            return True
        with self._lock:
            self._held += 1
            if self._held >= self.parties:
                self.all_held.set()
        try:
            return super().wait(timeout)
        finally:
            with self._lock:
                self._held -= 1


# Shared fixtures (tests/conftest.py makes them available to every test module).
@pytest.fixture(scope="module")
def screener(tmp_path_factory):
    """A tiny signed pack's screener, once per module."""
    return tiny_screener(tmp_path_factory.mktemp("packs"))


@pytest.fixture()
def store(tmp_path):
    """A fresh store in the test's own folder."""
    with Store(tmp_path / "db" / "clinic.db") as s:
        yield s


def pin_cli_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models: Path) -> None:
    """The CLI's environment in a test: these packs, a home in ``tmp_path``, no operator from
    the shell, and English messages (they default to the system language)."""
    monkeypatch.setenv("CLINICLENS_MODELS", str(models))
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLINICLENS_OPERATOR", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
