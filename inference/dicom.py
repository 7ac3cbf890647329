"""DICOM files from X-ray and MRI machines, turned into the RGB uint8 the models read.

Why here and not in ``images.py``: DICOM pixels are not display values. They need the
modality LUT (rescale slope/intercept), then the VOI LUT or window the radiographer chose,
then MONOCHROME1 inversion, before they look like the images the models were trained on.
Only one frame of a multi-frame file is decoded, so a 300-frame cine loop costs one frame.
Patient fields are read separately (:func:`read_dicom_patient`) so the GUI can prefill its
form and reports can leave them out or pseudonymise them; they never enter image metadata.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_color_lut, apply_modality_lut, apply_voi_lut, pixel_array
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from .errors import ImageError, ImageTooLargeError
from .identity import pseudonym
from .memory import BUDGET, block_mean, reduce_factor
from .pixels import MAX_PIXELS, LoadedImage, sha256_bytes
from .pixels import to_uint8 as _to_uint8
from .reading import read_bytes

# pydicom names plugins' requirements; these are the pip names a clinic should install.
_PIP_NAMES = {
    "gdcm": "python-gdcm",
    "pylibjpeg": "pylibjpeg",
    "pylibjpeg-libjpeg": "pylibjpeg-libjpeg",
    "pylibjpeg-openjpeg": "pylibjpeg-openjpeg",
    "pylibjpeg-rle": "pylibjpeg-rle",
    "pyjpegls": "pyjpegls",
}


@dataclass(frozen=True)
class DicomPatient:
    """What the DICOM header says about the patient and study; the user confirms it."""

    patient_id: str = ""
    name: str = ""  # "Given Middle Family" (DICOM stores Family^Given^Middle)
    sex: str = ""  # DICOM code: M, F, O or ""
    birth_date: date | None = None
    study_date: date | None = None
    modality: str = ""  # e.g. MR, CR, DX, CT

    def without_identifiers(self) -> DicomPatient:
        """A copy with ID, name and birth date removed, for reports that must not name anyone."""
        return replace(self, patient_id="", name="", birth_date=None)

    def pseudonymised(self, secret: str) -> DicomPatient:
        """Identifiers replaced by a stable pseudonym (same patient + secret -> same code)."""
        if not self.patient_id and not self.name:
            return self.without_identifiers()
        code = pseudonym(self.patient_id, self.name, secret)
        return replace(self.without_identifiers(), patient_id=code)


@contextmanager
def _quiet() -> Iterator[None]:
    """pydicom warns about every odd value in real-world files; the errors we raise suffice."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _read(data: bytes | BinaryIO, name: str, *, pixels: bool) -> Dataset:
    fp = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        fp.seek(0)
        ds = pydicom.dcmread(fp, force=True, stop_before_pixels=not pixels)
        if not _syntax(ds):
            _assume_syntax(ds)
        return ds
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types on broken files
        raise ImageError(f"{name}: not a readable DICOM file ({type(exc).__name__})") from exc


def _assume_syntax(ds: Dataset) -> None:
    """Old devices write bare datasets without a meta header: use the encoding it was read in."""
    implicit, little = getattr(ds, "original_encoding", (None, None))
    if implicit is None or little is None:
        return
    if implicit:
        uid = ImplicitVRLittleEndian
    else:
        uid = ExplicitVRLittleEndian if little else ExplicitVRBigEndian
    if getattr(ds, "file_meta", None) is None:
        ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = uid


def _text(ds: Dataset, keyword: str) -> str:
    try:
        value = ds.get(keyword, "")
    except Exception:  # noqa: BLE001 - a damaged element must not hide the others
        return ""
    return str(value or "").strip()


def _date(ds: Dataset, keyword: str) -> date | None:
    raw = re.sub(r"[^0-9]", "", _text(ds, keyword))
    if len(raw) != 8:
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


def _person_name(ds: Dataset) -> str:
    try:
        pn = ds.get("PatientName")
        if pn is None:
            return ""
        parts = [pn.name_prefix, pn.given_name, pn.middle_name, pn.family_name, pn.name_suffix]
        readable = " ".join(p.strip() for p in parts if p and p.strip())
        return readable or str(pn).replace("^", " ").strip()
    except Exception:  # noqa: BLE001
        return _text(ds, "PatientName").replace("^", " ").strip()


def read_dicom_patient(source: Path | str | bytes) -> DicomPatient:
    """Patient and study fields of a DICOM file (path or bytes) without decoding pixels."""
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), "DICOM data"
    else:
        data, name = read_bytes(Path(source)), Path(source).name
    with _quiet():
        return _patient(_read(data, name, pixels=False))


def _patient(ds: Dataset) -> DicomPatient:
    sex = _text(ds, "PatientSex").upper()
    return DicomPatient(
        patient_id=_text(ds, "PatientID"),
        name=_person_name(ds),
        sex=sex if sex in ("M", "F", "O") else "",
        birth_date=_date(ds, "PatientBirthDate"),
        study_date=_date(ds, "StudyDate") or _date(ds, "SeriesDate"),
        modality=_text(ds, "Modality").upper(),
    )


def _frames(ds: Dataset) -> int:
    try:
        return max(1, int(ds.get("NumberOfFrames", 1) or 1))
    except (TypeError, ValueError):
        return 1


def dicom_frame_count(data: bytes) -> int:
    """How many frames the file holds (1 for ordinary images), so the GUI can offer a choice."""
    with _quiet():
        return _frames(_read(data, "DICOM data", pixels=False))


def _syntax(ds: Dataset) -> Any:
    """The transfer syntax UID, or "" for files written without a file meta header."""
    meta = getattr(ds, "file_meta", None)
    try:
        return meta.get("TransferSyntaxUID", "") if meta is not None else ""
    except Exception:  # noqa: BLE001
        return ""


def _missing_decoder_message(name: str, ds: Dataset, detail: str) -> str:
    syntax = _syntax(ds)
    label = getattr(syntax, "name", "") or str(syntax) or "compressed"
    options = []
    for line in detail.splitlines():
        m = re.search(r"requires (.+)$", line)
        if not m:
            continue
        pkgs = [re.split(r"[<>=!~ ]", p.strip())[0] for p in m.group(1).split(" and ")]
        pkgs = [_PIP_NAMES.get(p, p) for p in pkgs if p and p != "numpy"]
        if pkgs:
            options.append("pip install " + " ".join(pkgs))
    how = " or ".join(options) or "pip install pylibjpeg pylibjpeg-libjpeg (or python-gdcm)"
    return (
        f"{name}: this DICOM image is compressed as '{label}', which needs an extra decoder "
        f"that is not installed. Install one ({how}) or export the image uncompressed."
    )


def _window(values: np.ndarray, ds: Dataset) -> np.ndarray | None:
    """Window centre/width per DICOM PS3.3 C.11.2.1.2, as 0..1; None without a usable window."""
    try:
        center = ds.WindowCenter
        width = ds.WindowWidth
    except AttributeError:
        return None
    center = float(center[0] if isinstance(center, pydicom.multival.MultiValue) else center)
    width = float(width[0] if isinstance(width, pydicom.multival.MultiValue) else width)
    function = _text(ds, "VOILUTFunction").upper() or "LINEAR"
    if function == "SIGMOID" and width > 0:
        return 1.0 / (1.0 + np.exp(-4.0 * (values - center) / width))
    if function == "LINEAR_EXACT" and width > 0:
        return np.clip((values - center) / width + 0.5, 0.0, 1.0)
    if width < 1:
        return None
    if width == 1:
        return (values > center - 0.5).astype(np.float64)
    return np.clip((values - (center - 0.5)) / (width - 1) + 0.5, 0.0, 1.0)


def _gray_to_uint8(arr: np.ndarray, ds: Dataset) -> np.ndarray:
    """Modality LUT, then VOI LUT or window, else the full value range, as display grey."""
    values = np.asarray(apply_modality_lut(arr, ds), dtype=np.float64)
    if "VOILUTSequence" in ds:
        lut = np.asarray(ds.VOILUTSequence[0].LUTData, dtype=np.float64).ravel()
        out = np.asarray(apply_voi_lut(values.round().astype(np.int64), ds, prefer_lut=True))
        lo, hi = float(lut.min()), float(lut.max())
        unit = (out - lo) / (hi - lo) if hi > lo else np.zeros(out.shape)
    else:
        unit = _window(values, ds)
    if unit is not None:
        gray = np.clip(unit * 255.0 + 0.5, 0, 255).astype(np.uint8)
    elif arr.dtype == np.uint8 and values.min() >= 0 and values.max() <= 255:
        gray = values.astype(np.uint8)  # plain 8-bit: already display values, keep them
    else:
        gray = _to_uint8(values)
    if _text(ds, "PhotometricInterpretation").upper() == "MONOCHROME1":
        gray = 255 - gray  # MONOCHROME1: low values are white
    return gray


def _colour_bits(ds: Dataset, photometric: str) -> int | None:
    """Bit depth of the colour values: the palette's output depth, else BitsStored."""
    try:
        if photometric == "PALETTE COLOR":
            bits = int(ds.RedPaletteColorLookupTableDescriptor[2])
        else:
            bits = int(ds.BitsStored)
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    return bits if 1 <= bits <= 32 else None


def _colour_to_uint8(arr: np.ndarray, ds: Dataset, photometric: str) -> np.ndarray:
    if photometric == "PALETTE COLOR":
        arr = apply_color_lut(arr, ds)
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ImageError(f"unsupported colour layout {arr.shape}")
    arr = arr[:, :, :3]
    if arr.dtype == np.uint8:
        return arr
    bits = _colour_bits(ds, photometric)
    top = float(arr.max()) if arr.size else 0.0
    if bits is None or top > 2**bits - 1:  # header missing or wrong: trust the values
        bits = 8 if top <= 255 else 16 if top <= 65535 else int(np.ceil(np.log2(top + 1)))
    return np.clip(arr.astype(np.float64) * (255.0 / (2**bits - 1)) + 0.5, 0, 255).astype(np.uint8)


def decode_dicom(data: bytes, *, name: str, frame: int = 0) -> LoadedImage:
    """Decode one frame of a DICOM file into display RGB; every failure is an ImageError."""
    with _quiet():
        return _decode(io.BytesIO(data), name, frame, sha256_bytes(data), working=False)


def decode_dicom_stream(
    fh: BinaryIO, *, name: str, sha256: str, frame: int = 0, working: bool = False
) -> LoadedImage:
    """Like :func:`decode_dicom` from an open file: only the header and the one frame are
    read. ``working`` reduces images above ``WORK_PIXELS`` before the display transforms
    and refuses what the decode budget cannot hold (batches)."""
    with _quiet():
        return _decode(fh, name, frame, sha256, working=working)


def _frame_bytes(ds: Dataset, rows: int, cols: int) -> int:
    try:
        samples = max(1, int(ds.get("SamplesPerPixel", 1) or 1))
        allocated = max(8, int(ds.get("BitsAllocated", 16) or 16))
    except (TypeError, ValueError):
        samples, allocated = 3, 64
    return rows * cols * samples * (allocated // 8)


def _frame_array(fh: BinaryIO, label: str, frame: int) -> np.ndarray:
    """One frame, read from the file alone where pydicom can (native encodings with a
    meta header), else from a full read (compressed or headerless files)."""
    try:
        fh.seek(0)
        return pixel_array(fh, index=frame)
    except Exception:  # noqa: BLE001 - retried the slow way, which reports properly
        pass
    ds = _read(fh, label, pixels=True)
    try:
        return pixel_array(ds, index=frame)
    except Exception as exc:  # noqa: BLE001 - decoder plugins raise many types
        detail = str(exc)
        if "missing dependencies" in detail or "no pixel data decoders" in detail.lower():
            raise ImageError(_missing_decoder_message(label, ds, detail)) from exc
        raise ImageError(f"{label}: the DICOM image data is damaged or incomplete") from exc


def _decode(fh: BinaryIO, name: str, frame: int, digest: str, *, working: bool) -> LoadedImage:
    label = Path(name).name or name
    ds = _read(fh, label, pixels=False)
    # The header read stops just before the pixel element; no such element, no image.
    has_pixels = fh.read(4)[:2] in (b"\xe0\x7f", b"\x7f\xe0")
    if not has_pixels:
        raise ImageError(f"{label}: this DICOM file holds no image (it may be a report or list)")
    try:
        rows, cols = int(ds.Rows), int(ds.Columns)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ImageError(
            f"{label}: the DICOM header lacks the image size; file is damaged"
        ) from exc
    if rows <= 0 or cols <= 0:
        raise ImageError(f"{label}: the DICOM image has no pixels")
    if rows * cols > MAX_PIXELS:
        raise ImageTooLargeError(
            f"{label}: image is {cols}x{rows} pixels, more than the "
            f"{MAX_PIXELS // 1_000_000} megapixels ClinicLens accepts"
        )
    n_frames = _frames(ds)
    if not 0 <= frame < n_frames:
        raise ImageError(f"{label}: frame {frame + 1} asked for, but the file has {n_frames}")
    photometric = _text(ds, "PhotometricInterpretation").upper()
    factor = reduce_factor((cols, rows)) if working else 1
    out_pixels = (rows // factor) * (cols // factor)
    need = 2 * _frame_bytes(ds, rows, cols) + 8 * out_pixels  # frame read + array; shrink
    with BUDGET.reserve(need, name=label, strict=working):
        arr = _frame_array(fh, label, frame)
        if factor > 1:
            arr = _shrink(arr, factor, label)
        pixels = _display(arr, ds, photometric, label)
        del arr
    bits = _text(ds, "BitsStored") or _text(ds, "BitsAllocated") or "?"
    metadata: tuple[tuple[str, str], ...] = (
        ("dicom_frames", str(n_frames)),
        ("dicom_frame", str(frame)),
        ("dicom_modality", _text(ds, "Modality").upper()),
        ("dicom_photometric", photometric),
        ("dicom_transfer_syntax", str(_syntax(ds))),
    )
    return LoadedImage(
        pixels=np.ascontiguousarray(pixels),
        sha256=digest,
        source_mode=f"DICOM {photometric or 'unknown'} {bits}-bit",
        original_size=(cols, rows),
        path=name,
        metadata=metadata,
    )


def _shrink(arr: np.ndarray, factor: int, label: str) -> np.ndarray:
    """Box-average a large frame before the display transforms (same dtype, so LUTs apply)."""
    try:
        mean = block_mean(arr, factor)
    except ImageError as exc:
        raise ImageError(f"{label}: {exc}") from exc
    if arr.dtype.kind in "iu":
        np.rint(mean, out=mean)
    return mean.astype(arr.dtype)


def _display(arr: np.ndarray, ds: Dataset, photometric: str, label: str) -> np.ndarray:
    try:
        if photometric.startswith("MONOCHROME") or (arr.ndim == 2 and photometric == ""):
            gray = _gray_to_uint8(arr if arr.ndim == 2 else arr[..., 0], ds)
            return np.repeat(gray[:, :, None], 3, axis=2)
        return _colour_to_uint8(arr, ds, photometric)
    except ImageError as exc:
        raise ImageError(f"{label}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - odd LUTs and headers in the wild
        raise ImageError(
            f"{label}: the DICOM display settings could not be applied ({type(exc).__name__})"
        ) from exc
