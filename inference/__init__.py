"""Pure compute for ClinicLens: images, model packs, ONNX sessions, heatmaps, OOD checks.

Nothing in this package imports Qt or the clinic workflow, so the CLI, the GUI, the
training pipeline and the tests all share exactly one definition of what the model sees.
"""

# First, before anything can import onnxruntime: telemetry off (see inference/offline.py).
from . import offline as _offline  # noqa: F401

# isort: split
# Then one BLAS thread for numpy's small products (see inference/blas.py).
from . import blas as _blas  # noqa: F401

__version__ = "0.1.0"
