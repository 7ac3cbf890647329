"""Every test trusts the key tests/packgen.py signs its packs with (the app never does)."""

from __future__ import annotations

import pytest

from inference import signing
from tests.packgen import test_trusted_key
from tests.screening_fixtures import screener, store  # noqa: F401 - shared fixtures

# Trusted for the whole session, not per test: module- and session-scoped fixtures load
# packs before any function-scoped fixture runs. Tests of refusals use keys of their own or
# ``monkeypatch.setattr(signing, "SESSION_TRUSTED", {})``.
_TEST_KEY = test_trusted_key()
signing.SESSION_TRUSTED[_TEST_KEY.fingerprint] = _TEST_KEY


@pytest.fixture(autouse=True)
def trust_test_packs(monkeypatch):
    """The test key stays trusted even after a test replaced the dict, and the developer
    option is off unless a test turns it on."""
    monkeypatch.setitem(signing.SESSION_TRUSTED, _TEST_KEY.fingerprint, _TEST_KEY)
    monkeypatch.delenv(signing.ALLOW_UNSIGNED_ENV, raising=False)
    return _TEST_KEY
