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

import contextlib
import hashlib
import io
import os
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
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

# 50 megapixels: far beyond any screening photo or scan, well below memory trouble.
MAX_PIXELS = 50_000_000
MAX_FILE_BYTES = 200 * 1024 * 1024
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".dcm", ".dicom"}
)
_CHUNK = 1024 * 1024
_JPEG_EOI = b"\xff\xd9"


class NotAFileError(ImageError):
    """The path is a folder, pipe, device or socket: never read as an image."""

    code = "unreadable"


@dataclass(frozen=True, eq=False)
class LoadedImage:
    """A decoded image: RGB pixels plus what we need to report on it."""

    pixels: np.ndarray  # HxWx3 uint8, RGB
    sha256: str
    source_mode: str  # Pillow mode (or "DICOM ...") before conversion
    original_size: tuple[int, int]  # (width, height) as stored, before any draft reduction
    path: str = ""
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])


def is_image_path(path: Path) -> bool:
    """True for names that look like images we can open (used when scanning folders)."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------
# Opening files
# ---------------------------------------------------------------------------------------
def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder, not an image"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not an image file; it was not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device (such as /dev/zero), not an image file; it was not read"
    if stat.S_ISSOCK(mode):
        return "a socket, not an image file; it was not read"
    return "not a regular file; it was not read"


def describe_not_regular(path: Path | str) -> str | None:
    """Why ``path`` (links followed) will not be opened as an image, or None if it is a file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return None if stat.S_ISREG(st.st_mode) else f"{Path(path).name}: is {_kind(st.st_mode)}"


def _open_flags() -> int:
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_CLOEXEC", "O_NOCTTY", "O_BINARY"):
        flags |= getattr(os, name, 0)
    return flags


@contextlib.contextmanager
def open_regular(path: Path | str) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    """Open a regular file for reading, refusing anything else before reading a byte.

    The resolved target is checked with ``stat`` (so a link to a device or a pipe is never
    opened), opened non-blocking (so a pipe swapped in meanwhile cannot hang us) and
    checked again with ``fstat`` on what was actually opened."""
    p = Path(path)
    try:
        st = os.stat(p)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFileError(f"{p.name}: is {_kind(st.st_mode)}")
        _check_size(p, st)
        fd = os.open(p, _open_flags())
    except ImageError:
        raise
    except FileNotFoundError as exc:
        raise ImageError(f"{p}: file not found (a broken link, or removed)") from exc
    except PermissionError as exc:
        raise ImageError(f"{p}: permission denied") from exc
    except OSError as exc:
        raise ImageError(f"{p}: could not be read ({exc.strerror or exc})") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFileError(f"{p.name}: is {_kind(st.st_mode)}")
        _check_size(p, st)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh:
        yield fh, st


def _check_size(p: Path, st: os.stat_result) -> None:
    if st.st_size > MAX_FILE_BYTES:
        raise ImageTooLargeError(
            f"{p.name}: file is {st.st_size // (1024 * 1024)} MB, larger than the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB ClinicLens accepts"
        )


def _read_bounded(fh: BinaryIO, name: str) -> bytes:
    """The whole file, never more than the size limit (a file still growing is refused)."""
    try:
        data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ImageError(f"{name}: could not be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLargeError(f"{name}: file is larger than ClinicLens accepts")
    return data


def read_bytes(path: Path | str) -> bytes:
    """Read a regular file with the size guard and a clear error for the usual failures."""
    with open_regular(path) as (fh, _):
        return _read_bounded(fh, Path(path).name)


def sha256_file(path: Path | str) -> str:
    """sha256 of a regular file's content, read in chunks (nothing else is opened)."""
    with open_regular(path) as (fh, _):
        return _hash_stream(fh, Path(path).name)[0]


def _hash_stream(fh: BinaryIO, name: str) -> tuple[str, bytes]:
    """sha256 of the whole file and its first 132 bytes (the DICOM marker), in chunks."""
    digest = hashlib.sha256()
    head = b""
    total = 0
    try:
        while chunk := fh.read(_CHUNK):
            if len(head) < 132:
                head += chunk[: 132 - len(head)]
            digest.update(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise ImageTooLargeError(f"{name}: file is larger than ClinicLens accepts")
        fh.seek(0)
    except OSError as exc:
        raise ImageError(f"{name}: could not be read ({exc.strerror or exc})") from exc
    return digest.hexdigest(), head


# ---------------------------------------------------------------------------------------
# Pixels
# ---------------------------------------------------------------------------------------
def _to_uint8(arr: np.ndarray) -> np.ndarray:
    """Scale a high-bit-depth single-channel array to 0..255 over its own value range.

    Works in row blocks so a large 16-bit or float image never gets a float64 twin."""
    finite_min = finite_max = None
    floats = arr.dtype.kind == "f"
    for block in _row_blocks(arr):
        vals = block[np.isfinite(block)] if floats else block
        if vals.size:
            lo, hi = float(vals.min()), float(vals.max())
            finite_min = lo if finite_min is None else min(finite_min, lo)
            finite_max = hi if finite_max is None else max(finite_max, hi)
    out = np.zeros(arr.shape, np.uint8)
    if finite_min is None or finite_max is None or finite_max <= finite_min:
        return out
    scale = 255.0 / (finite_max - finite_min)
    start = 0
    for block in _row_blocks(arr):
        b = block.astype(np.float64)
        if floats:
            b = np.where(np.isfinite(b), b, finite_min)
        out[start : start + len(block)] = np.clip((b - finite_min) * scale + 0.5, 0, 255)
        start += len(block)
    return out


def _row_blocks(arr: np.ndarray, pixels: int = 1 << 20) -> Iterator[np.ndarray]:
    rows = max(1, pixels // max(1, int(np.prod(arr.shape[1:]))))
    for start in range(0, arr.shape[0], rows):
        yield arr[start : start + rows]


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
