"""Exceptions raised by the compute layer.

Every error carries a short machine ``code`` (used as the status column of batch
results and counted by clinics) and a message a clinic user can act on.
"""

from __future__ import annotations


class CodedError(Exception):
    """An error with a machine ``code`` and a user-facing message; each layer derives its own."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class InferenceError(CodedError):
    """Base class of everything the compute layer raises on purpose."""

    code = "error"


class ImageError(InferenceError):
    """The file could not be read as an image."""

    code = "unreadable"


class ImageTooLargeError(ImageError):
    """The image declares more pixels than the loader accepts (decompression bomb guard)."""

    code = "too_large"


class PackError(InferenceError):
    """A model pack cannot be used."""

    code = "pack_invalid"


class ManifestError(PackError):
    """manifest.json is missing, not JSON, or does not follow the schema."""

    code = "manifest_invalid"


class PackIntegrityError(PackError):
    """A pack file does not match the hash recorded in its manifest (modified or damaged)."""

    code = "pack_tampered"


class PackMismatchError(PackError):
    """The ONNX graph does not have the inputs/outputs the manifest promises."""

    code = "pack_mismatch"


class PackNotFoundError(PackError):
    """No installed pack has the requested id."""

    code = "pack_not_found"
