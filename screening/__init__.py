"""Clinic workflow for ClinicLens: patient store, crash-safe batch queue, PDF reports, CLI.

Nothing here imports Qt; the GUI and the command line share this package.
"""
