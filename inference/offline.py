"""Keep third-party libraries from reaching the network or writing outside the app's folders.

onnxruntime ships telemetry: a process alive for about ten seconds looks up
``mobile.events.data.microsoft.com`` and keeps a device id and an event queue under
``~/.cache/Microsoft/DeveloperTools/.onnxruntime/``. ``disable_telemetry_events()`` does not
stop the lookups; ``ORT_DISABLE_TELEMETRY=1`` in the environment before onnxruntime is first
imported does (strace: no connect or sendto, no cache folder; ``tests/test_offline.py``).

This module is imported first by :mod:`inference` (so by every entry point: the app, the
CLI, the executable, training and the benchmarks), and importing it is all it takes.
Patient images never leave the machine, so the value is forced, not defaulted: an inherited
``ORT_DISABLE_TELEMETRY=0`` must not switch telemetry back on.
"""

from __future__ import annotations

import os

# Environment variables that keep bundled libraries offline, with the value each must have.
OFFLINE_ENVIRONMENT: dict[str, str] = {
    "ORT_DISABLE_TELEMETRY": "1",
}


def enforce_offline_environment() -> None:
    """Set :data:`OFFLINE_ENVIRONMENT` in this process (and so in any child it starts)."""
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ[name] = value


enforce_offline_environment()
