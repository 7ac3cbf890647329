"""Loaded by pytest before any test module: telemetry off before a test imports onnxruntime.

Tests that import onnxruntime directly would otherwise start its telemetry in the test
process (see inference/offline.py).
"""

import inference.offline  # noqa: F401
