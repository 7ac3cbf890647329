"""Reading images people actually have into RGB uint8 arrays.

Clinic images come from phones, scanners, old PACS exports and USB sticks: any of the
common formats, any colour mode, sometimes broken, sometimes not files at all (a named
pipe or a link to ``/dev/zero`` on a shared drive). Everything that is not a clean decode
becomes an :class:`ImageError` with a message the operator can act on.

Why the care with files and memory: a batch must never hang on a read, read without end,
or let one image take the memory a clinic laptop needs. So only regular files are opened
(checked on the resolved target, opened non-blocking, checked again on the open file);
reads are bounded by the size limit; and decoding reserves its memory from one budget
shared by every worker thread, refusing early (from the header) what cannot fit and
decoding large images at reduced size when the caller only needs a working copy.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageError, ImageTooLargeError
from .memory import (  # noqa: F401 - re-exported: callers know them from here
    BUDGET,
    DECODE_BUDGET_BYTES,
    WORK_PIXELS,
    DecodeBudget,
    block_mean,
    decode_bytes_needed,
    reduce_factor,
)
from .memory import reduce_image as _reduce
from .pixels import MAX_PIXELS, LoadedImage, sha256_bytes  # noqa: F401 - re-exported
from .pixels import to_uint8 as _to_uint8
from .reading import (  # noqa: F401 - re-exported: callers know them from here
    MAX_FILE_BYTES,
    NotAFileError,
    describe_not_regular,
    open_regular,
    read_bytes,
    sha256_file,
)
from .reading import hash_stream as _hash_stream

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".dcm", ".dicom"}
)
_JPEG_EOI = b"\xff\xd9"


def is_image_path(path: Path) -> bool:
    """True for names that look like images we can open (used when scanning folders)."""
    return path.suffix.lower() in IMAGE_SUFFIXES


# ---------------------------------------------------------------------------------------
# Pixels
# ---------------------------------------------------------------------------------------
def _composite_on_black(rgba: np.ndarray) -> np.ndarray:
    """RGB x alpha / 255, rounded, in integers (the float version took 16 bytes a pixel)."""
    alpha = rgba[:, :, 3].astype(np.uint16)
    out = np.empty(rgba.shape[:2] + (3,), np.uint8)
    for c in range(3):
        out[:, :, c] = (rgba[:, :, c] * alpha + 127) // 255
    return out


def _to_rgb(im: Image.Image) -> np.ndarray:
    """Convert any Pillow mode to RGB uint8; alpha is composited on black like the datasets."""
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        gray = _to_uint8(np.asarray(im))
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return _composite_on_black(np.asarray(im.convert("RGBA")))
    if mode == "1":
        im = im.convert("L")
    if mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im, dtype=np.uint8)


# ---------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------
def decode(
    data: bytes, *, name: str = "image", draft_size: tuple[int, int] | None = None
) -> LoadedImage:
    """Decode image bytes. ``draft_size`` asks for a working copy: JPEG decodes at a reduced
    scale (never below it) and images above ``WORK_PIXELS`` are reduced while decoding."""
    if not data:
        raise ImageError(f"{name}: the file is empty (0 bytes)")
    return _decode_stream(io.BytesIO(data), name, sha256_bytes(data), draft_size)


def _too_many_pixels(name: str, width: int, height: int) -> ImageTooLargeError:
    return ImageTooLargeError(
        f"{name}: image is {width}x{height} pixels, more than the "
        f"{MAX_PIXELS // 1_000_000} megapixels ClinicLens accepts; resize it first"
    )


def _decode_stream(
    fp: BinaryIO, name: str, digest: str, draft_size: tuple[int, int] | None
) -> LoadedImage:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # damaged-tag chatter; errors still raise
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(fp)
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(name, width, height)
            source_mode = im.mode
            # Image.open already sits on the first frame (GIF, TIFF pages); asking n_frames
            # would decode every frame, which a long animation turns into a stall.
            if draft_size is not None and im.format == "JPEG":
                im.draft("RGB", draft_size)
            factor = reduce_factor(im.size) if draft_size is not None else 1
            need = decode_bytes_needed(im.mode, im.size, factor)
            with BUDGET.reserve(need, name=name, strict=draft_size is not None):
                im = _load(im, fp, name, draft_size)
                if factor > 1:
                    im = _reduce(im, factor)
                im = ImageOps.exif_transpose(im) or im
                pixels = _to_rgb(im)
                del im
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(
            f"{name}: image is too large to open safely (it declares more than "
            f"{MAX_PIXELS // 1_000_000} megapixels); resize it first"
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(f"{name}: not an image file ClinicLens can read") from exc
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        raise ImageError(f"{name}: the image is damaged or incomplete ({exc})") from exc
    except Exception as exc:  # noqa: BLE001 - decoders raise odd types on hostile input
        raise ImageError(f"{name}: the image could not be decoded ({type(exc).__name__})") from exc
    if pixels.ndim != 3 or pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise ImageError(f"{name}: the image has no pixels")
    return LoadedImage(
        pixels=np.ascontiguousarray(pixels),
        sha256=digest,
        source_mode=source_mode,
        original_size=(width, height),
        path=name,
    )


def _load(
    im: Image.Image, fp: BinaryIO, name: str, draft_size: tuple[int, int] | None
) -> Image.Image:
    """``im.load()``, except that a JPEG missing only its end marker is accepted.

    Cameras and copy tools sometimes drop the final two bytes. The image is accepted
    only when every block is in the file: decoding it with the marker added, and again
    with filler bytes before the marker, must give the same pixels (a file cut short in
    its image data decodes the missing blocks from the filler, so the two differ)."""
    try:
        im.load()
        return im
    except OSError as exc:
        if im.format != "JPEG" or "truncated" not in str(exc):
            raise
        failure = exc
    fp.seek(0)
    data = fp.read(MAX_FILE_BYTES + 1)
    if data.endswith(_JPEG_EOI) or len(data) > MAX_FILE_BYTES:
        raise failure
    first = _jpeg_pixels(data + _JPEG_EOI, draft_size)
    second = _jpeg_pixels(data + b"\x55" * 64 + _JPEG_EOI, draft_size)
    if first is None or second is None or first.tobytes() != second.tobytes():
        raise ImageError(f"{name}: the image is damaged or incomplete (the file was cut short)")
    first.info.update(im.info)
    return first


def _jpeg_pixels(data: bytes, draft_size: tuple[int, int] | None) -> Image.Image | None:
    try:
        im = Image.open(io.BytesIO(data))
        if draft_size is not None:
            im.draft("RGB", draft_size)
        im.load()
        return im
    except (OSError, ValueError):
        return None


def load_image(path: Path | str, *, draft_size: tuple[int, int] | None = None) -> LoadedImage:
    """Read and decode one regular image file (DICOM included when pydicom is installed).

    The file is hashed and decoded from one open handle in bounded chunks; a file that
    changes while it is read is refused rather than answered with a mismatched hash."""
    p = Path(path)
    with open_regular(p) as (fh, before):
        if before.st_size == 0:
            raise ImageError(f"{p.name}: the file is empty (0 bytes)")
        digest, head = _hash_stream(fh, p.name)
        if _looks_like_dicom(p, head):
            try:
                from .dicom import decode_dicom_stream  # local: pydicom only for DICOM
            except ImportError as exc:
                raise ImageError(
                    f"{p.name}: DICOM file, but DICOM support is not installed "
                    "(pip install pydicom)"
                ) from exc
            loaded = decode_dicom_stream(
                fh, name=str(p), sha256=digest, working=draft_size is not None
            )
        else:
            loaded = _decode_stream(fh, p.name, digest, draft_size)
        after = os.fstat(fh.fileno())
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise ImageError(f"{p.name}: the file changed while it was being read; screen it again")
    if loaded.path == str(p):
        return loaded
    return LoadedImage(
        pixels=loaded.pixels,
        sha256=loaded.sha256,
        source_mode=loaded.source_mode,
        original_size=loaded.original_size,
        path=str(p),
        metadata=loaded.metadata,
    )


def _looks_like_dicom(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in (".dcm", ".dicom") or head[128:132] == b"DICM"
