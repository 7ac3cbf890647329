"""Reading images people actually have into RGB uint8 arrays.

Clinic images come from phones, scanners, old PACS exports and USB sticks: any of the
common formats, any colour mode, sometimes broken. Everything that is not a clean decode
becomes an :class:`ImageError` with a message the operator can act on.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageError, ImageTooLargeError

# 50 megapixels: far beyond any screening photo or scan, well below memory trouble.
MAX_PIXELS = 50_000_000
MAX_FILE_BYTES = 200 * 1024 * 1024
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".dcm", ".dicom"}
)


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


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    """Scale a high-bit-depth single-channel array to 0..255 over its own value range."""
    arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    if not finite.any():
        return np.zeros(arr.shape, np.uint8)
    lo, hi = float(arr[finite].min()), float(arr[finite].max())
    if hi <= lo:
        return np.zeros(arr.shape, np.uint8)
    arr = np.where(finite, arr, lo)
    return np.clip((arr - lo) * (255.0 / (hi - lo)) + 0.5, 0, 255).astype(np.uint8)


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
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float32)
        alpha = rgba[:, :, 3:4] / 255.0
        return np.clip(rgba[:, :, :3] * alpha + 0.5, 0, 255).astype(np.uint8)
    if mode == "1":
        im = im.convert("L")
    if mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im, dtype=np.uint8)


def decode(
    data: bytes, *, name: str = "image", draft_size: tuple[int, int] | None = None
) -> LoadedImage:
    """Decode image bytes. ``draft_size`` lets JPEG decode at a reduced scale (never below it)."""
    digest = sha256_bytes(data)
    if not data:
        raise ImageError(f"{name}: the file is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # damaged-tag chatter; errors still raise
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise ImageTooLargeError(
                    f"{name}: image is {width}x{height} pixels, more than the "
                    f"{MAX_PIXELS // 1_000_000} megapixels ClinicLens accepts; resize it first"
                )
            source_mode = im.mode
            # Image.open already sits on the first frame (GIF, TIFF pages); asking n_frames
            # would decode every frame, which a long animation turns into a stall.
            if draft_size is not None and im.format == "JPEG":
                im.draft("RGB", draft_size)
            im.load()
            im = ImageOps.exif_transpose(im) or im
            pixels = _to_rgb(im)
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


def read_bytes(path: Path) -> bytes:
    """Read a file with the size guard and a clear error for the usual failures."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageTooLargeError(
                f"{p.name}: file is {size // (1024 * 1024)} MB, larger than ClinicLens accepts"
            )
        return p.read_bytes()
    except ImageError:
        raise
    except FileNotFoundError as exc:
        raise ImageError(f"{p}: file not found") from exc
    except IsADirectoryError as exc:
        raise ImageError(f"{p}: is a folder, not an image") from exc
    except PermissionError as exc:
        raise ImageError(f"{p}: permission denied") from exc
    except OSError as exc:
        raise ImageError(f"{p}: could not be read ({exc.strerror or exc})") from exc


def load_image(path: Path | str, *, draft_size: tuple[int, int] | None = None) -> LoadedImage:
    """Read and decode one image file (DICOM included when pydicom is installed)."""
    p = Path(path)
    data = read_bytes(p)
    if _looks_like_dicom(p, data):
        try:
            from .dicom import decode_dicom  # local: pydicom is only needed for DICOM
        except ImportError as exc:
            raise ImageError(
                f"{p.name}: DICOM file, but DICOM support is not installed (pip install pydicom)"
            ) from exc
        return decode_dicom(data, name=str(p))
    loaded = decode(data, name=p.name, draft_size=draft_size)
    return LoadedImage(
        pixels=loaded.pixels,
        sha256=loaded.sha256,
        source_mode=loaded.source_mode,
        original_size=loaded.original_size,
        path=str(p),
    )


def _looks_like_dicom(path: Path, data: bytes) -> bool:
    return path.suffix.lower() in (".dcm", ".dicom") or data[128:132] == b"DICM"
