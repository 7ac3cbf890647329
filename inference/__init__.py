"""Pure compute for ClinicLens: images, model packs, ONNX sessions, heatmaps, OOD checks.

Nothing in this package imports Qt or the clinic workflow, so the CLI, the GUI, the
training pipeline and the tests all share exactly one definition of what the model sees.
"""

__version__ = "0.1.0"
