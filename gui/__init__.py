"""ClinicLens desktop app (PySide6). Widgets stay thin; state lives in :mod:`gui.session`.

Nothing here is imported by ``inference`` or ``screening`` (import-linter contracts).
"""
