"""Helpers for the report tests' module-scoped fixtures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from inference import signing
from tests.packgen import test_trusted_key


@contextlib.contextmanager
def trusted_test_key() -> Iterator[None]:
    """Trust the key tests.packgen signs with. Module-scoped fixtures are set up before
    tests/conftest.py's per-test trust, so they need it for themselves."""
    with pytest.MonkeyPatch.context() as mp:
        key = test_trusted_key()
        mp.setitem(signing.SESSION_TRUSTED, key.fingerprint, key)
        yield
