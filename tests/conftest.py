"""Every test trusts the key tests/packgen.py signs its packs with (the app never does)."""

from __future__ import annotations

import pytest

from inference import signing
from tests.packgen import test_trusted_key


@pytest.fixture(autouse=True)
def trust_test_packs(monkeypatch):
    """Packs built by tests.packgen run as signed by a trusted key; tests of refusals use
    keys of their own, or ``signing.SESSION_TRUSTED.clear()``."""
    key = test_trusted_key()
    monkeypatch.setitem(signing.SESSION_TRUSTED, key.fingerprint, key)
    monkeypatch.delenv(signing.ALLOW_UNSIGNED_ENV, raising=False)
    return key
