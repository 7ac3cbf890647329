"""The one pseudonym scheme: reports and DICOM headers turn a patient into the same code.

``ANON-<10 hex>`` is an HMAC-SHA256 of the patient's ID and name under a clinic secret:
the same patient and secret always give the same code (so a clinician can match reports),
and without the secret the code cannot be traced back. Defined once, here, so a DICOM
study and a report about the same patient can never disagree on it.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "ANON-"


def pseudonym(patient_id: str, name: str, secret: str) -> str:
    """``ANON-<10 upper-case hex>`` for this patient under ``secret``."""
    key = f"{patient_id}\x1f{name}".encode()
    return PREFIX + hmac.new(secret.encode(), key, hashlib.sha256).hexdigest()[:10].upper()
