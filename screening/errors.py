"""Errors raised by the clinic workflow, each with a message a clinic user can act on.

Like ``inference.errors``, every class has a short machine ``code`` so the CLI and GUI can
count and map them (e.g. to exit codes) without parsing messages.
"""

from __future__ import annotations

from inference.errors import CodedError


class ScreeningError(CodedError):
    """Base class of everything the workflow layer raises on purpose."""

    code = "screening_error"


class StoreError(ScreeningError):
    """The patient database cannot be opened or written."""

    code = "store_error"


class StoreFullError(StoreError):
    """The disk holding the database (or an output folder) is full."""

    code = "disk_full"


class StoreReadOnlyError(StoreError):
    """The database file or its folder cannot be written."""

    code = "read_only"


class StoreVersionError(StoreError):
    """The database was written by a newer ClinicLens than this one."""

    code = "store_too_new"


class NotFoundError(ScreeningError):
    """A patient, screening or batch job id that does not exist."""

    code = "not_found"


class DuplicatePatientError(ScreeningError):
    """Another patient already has this clinic patient ID."""

    code = "duplicate_patient"


class InvalidInputError(ScreeningError):
    """User input (a form field, a CSV mapping, a path list) that cannot be used."""

    code = "invalid_input"


class QueueError(ScreeningError):
    """A batch job cannot be created, resumed or changed."""

    code = "queue_error"


class OutputError(ScreeningError):
    """A results file, heatmap or report could not be written."""

    code = "output_error"


class ReportError(OutputError):
    """A PDF report could not be built or written."""

    code = "report_error"
