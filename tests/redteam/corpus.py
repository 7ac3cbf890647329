"""The red-team corpus: bad inputs a batch must survive, generated on the spot, never stored.

Each :class:`Case` writes one entry into a folder and says what the batch row must show:
a status from :data:`REFUSED` statuses with words in the message, or any status that
means the image reached the model (:data:`REACHED`). Bombs are built from a few bytes of
header (or compressed zeros), so the corpus costs milliseconds and kilobytes; the cases
that need real large pixels are ``slow`` and run in the marked suite only.

Figures the red-team pass measured (issue 20) are kept here as the cases that reproduce
them: a FIFO hung the batch, a link to /dev/zero read 6 GB, a name that is not UTF-8 killed
the batch, a 7000x7000 RGBA PNG took 2.55 GB, a JPEG missing its end marker was refused.
"""

from __future__ import annotations

import io
import os
import socket
import stat
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

# Statuses of an image that was decoded and given to the model (its answer may be refused).
REACHED = frozenset({"ok", "poor_quality", "not_modality", "out_of_distribution"})
UNREADABLE = frozenset({"unreadable"})
TOO_LARGE = frozenset({"too_large"})


@dataclass(frozen=True)
class Case:
    """One corpus entry: ``make(folder) -> path`` and what its batch row must show."""

    name: str
    make: Callable[[Path], Path]
    expect: frozenset[str]
    words: str = ""  # must appear in the row's message (refusals)
    slow: bool = False
    needs: tuple[str, ...] = field(default=())  # "fifo", "socket", "devzero", "symlink"...


# -- building blocks ---------------------------------------------------------------------
def smooth_rgb(seed: int = 0, size: int = 64) -> Image.Image:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((size, size), Image.BILINEAR)


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, idat: bytes, *, depth: int = 8, colour: int = 2) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def zlib_bomb_png(side: int) -> bytes:
    """A greyscale PNG of side x side whose IDAT is compressed zeros (a few KB on disk)."""
    raw = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * side  # filter byte + mid-grey pixels
    body = b"".join(raw.compress(row) for _ in range(side)) + raw.flush()
    return png(side, side, body, colour=0)


def jpeg_bytes(seed: int = 0, size: int = 64) -> bytes:
    return encode(smooth_rgb(seed, size), "JPEG", quality=90)


def jpeg_with_dimensions(width: int, height: int) -> bytes:
    """A small JPEG whose SOF0 marker is rewritten to declare ``width`` x ``height``."""
    data = bytearray(jpeg_bytes())
    i = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, i + 5, height, width)
    return bytes(data)


def tiff_with_dimensions(width: int, height: int) -> bytes:
    data = bytearray(encode(smooth_rgb(), "TIFF"))
    # little-endian TIFF: patch ImageWidth (256) and ImageLength (257) entries of IFD0
    ifd = struct.unpack_from("<I", data, 4)[0]
    count = struct.unpack_from("<H", data, ifd)[0]
    for n in range(count):
        entry = ifd + 2 + 12 * n
        tag, kind = struct.unpack_from("<HH", data, entry)
        if tag in (256, 257):
            value = width if tag == 256 else height
            if kind == 3:
                struct.pack_into("<H", data, entry + 8, min(value, 65535))
            else:
                struct.pack_into("<I", data, entry + 8, value)
    return bytes(data)


def bmp_with_dimensions(width: int, height: int) -> bytes:
    data = bytearray(encode(smooth_rgb(), "BMP"))
    struct.pack_into("<ii", data, 18, width, height)
    return bytes(data)


def gif_with_screen(width: int, height: int) -> bytes:
    data = bytearray(encode(smooth_rgb().convert("P"), "GIF"))
    struct.pack_into("<HH", data, 6, width, height)
    # and the first image descriptor too
    i = data.index(b"\x2c")
    struct.pack_into("<HH", data, i + 5, width, height)
    return bytes(data)


def dicom(pixels: np.ndarray | None, **attrs) -> bytes:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "OT"
    if pixels is not None:
        ds.Rows, ds.Columns = pixels.shape[:2]
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = ds.BitsStored = pixels.dtype.itemsize * 8
        ds.HighBit = ds.BitsStored - 1
        ds.PixelRepresentation = 0
        ds.PixelData = pixels.tobytes()
    for key, value in attrs.items():
        setattr(ds, key, value)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _write(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data() if callable(data) else data)
        return path

    return make


def _fifo(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        os.mkfifo(path)
        return path

    return make


def _link(name: str, target: str | Callable[[Path], str]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.symlink_to(target(folder) if callable(target) else target)
        return path

    return make


def _socket(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(path))
        finally:
            sock.close()  # the socket file stays in the folder
        return path

    return make


def _bytes_name(raw: bytes, data: Callable[[], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        full = os.fsencode(folder) + b"/" + raw
        with open(full, "wb") as fh:
            fh.write(data())
        return Path(os.fsdecode(full))

    return make


def _deep(depth: int) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "deep"
        path.mkdir()
        for _ in range(depth):
            path = path / "d"
            path.mkdir()  # one at a time: os.makedirs recurses too
        target = path / "bottom.png"
        target.write_bytes(encode(smooth_rgb(7), "PNG"))
        return target

    return make


def _cut_jpeg(fraction: float) -> bytes:
    data = jpeg_bytes(3, 96)
    return data[: int(len(data) * fraction)]


def _png_bad_crc() -> bytes:
    data = bytearray(encode(smooth_rgb(), "PNG"))
    data[29] ^= 0xFF  # inside IHDR's CRC
    return bytes(data)


def _big_rgba_png() -> bytes:
    return encode(Image.new("RGBA", (7000, 7000), (120, 130, 140, 200)), "PNG", compress_level=1)


# -- the corpus --------------------------------------------------------------------------
CASES: tuple[Case, ...] = (
    # empty, wrong and random content
    Case("empty.png", _write("empty.png", b""), UNREADABLE, "empty"),
    Case("text.png", _write("text.png", b"a letter, not an image\n"), UNREADABLE, "not an image"),
    Case("html.jpg", _write("html.jpg", b"<html><h1>NO TUMOUR</h1></html>"), UNREADABLE),
    Case("pdf.png", _write("pdf.png", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), UNREADABLE),
    Case("zip.tif", _write("zip.tif", b"PK\x03\x04" + b"\x00" * 60), UNREADABLE),
    Case("zeros.png", _write("zeros.png", b"\x00" * 4096), UNREADABLE),
    Case("random.jpg", _write("random.jpg", os.urandom(2048)), UNREADABLE),
    Case("notes.txt", _write("notes.txt", b"clinic notes"), UNREADABLE),
    # damaged images
    Case("cut-third.jpg", _write("cut-third.jpg", lambda: _cut_jpeg(1 / 3)), UNREADABLE, "damaged"),
    Case("cut-90.jpg", _write("cut-90.jpg", lambda: _cut_jpeg(0.9)), UNREADABLE, "damaged"),
    Case("no-eoi.jpg", _write("no-eoi.jpg", lambda: jpeg_bytes(4, 96)[:-2]), REACHED),
    Case("header-only.jpg", _write("header-only.jpg", lambda: jpeg_bytes()[:200]), UNREADABLE),
    Case("bad-crc.png", _write("bad-crc.png", _png_bad_crc), UNREADABLE),
    Case("no-idat.png", _write("no-idat.png", lambda: png(16, 16, b"")), UNREADABLE),
    Case(
        "zero-width.png",
        _write("zero-width.png", lambda: png(0, 16, zlib.compress(b""))),
        UNREADABLE,
    ),
    Case("cut.webp", _write("cut.webp", lambda: encode(smooth_rgb(), "WEBP")[:60]), UNREADABLE),
    Case("cut.tif", _write("cut.tif", lambda: encode(smooth_rgb(), "TIFF")[:300]), UNREADABLE),
    Case("png-as.dcm", _write("png-as.dcm", lambda: encode(smooth_rgb(), "PNG")), UNREADABLE),
    # bombs: giant declared sizes over a few bytes
    Case(
        "bomb.png",
        _write("bomb.png", lambda: png(100_000, 100_000, zlib.compress(b"\0" * 64))),
        TOO_LARGE,
        "too large",
    ),
    Case("bomb.jpg", _write("bomb.jpg", lambda: jpeg_with_dimensions(65_000, 65_000)), TOO_LARGE),
    Case(
        "bomb.tif",
        _write("bomb.tif", lambda: tiff_with_dimensions(200_000, 200_000)),
        TOO_LARGE | UNREADABLE,
    ),
    Case(
        "bomb.bmp",
        _write("bomb.bmp", lambda: bmp_with_dimensions(60_000, 60_000)),
        TOO_LARGE | UNREADABLE,
    ),
    Case(
        "bomb.gif",
        _write("bomb.gif", lambda: gif_with_screen(65_535, 65_535)),
        TOO_LARGE | UNREADABLE,
    ),
    Case("zlib-bomb-4k.png", _write("zlib-bomb-4k.png", lambda: zlib_bomb_png(4000)), REACHED),
    Case(
        "bomb.dcm",
        _write("bomb.dcm", lambda: dicom(np.zeros((4, 4), np.uint8), Rows=60_000, Columns=60_000)),
        TOO_LARGE,
    ),
    Case("no-pixels.dcm", _write("no-pixels.dcm", lambda: dicom(None)), UNREADABLE, "no image"),
    Case(
        "cut.dcm",
        _write("cut.dcm", lambda: dicom(np.ones((64, 64), np.uint16))[:-3000]),
        UNREADABLE,
    ),
    Case(
        "noise-dicm",
        _write("noise-dicm", lambda: b"\0" * 128 + b"DICM" + os.urandom(200)),
        UNREADABLE,
    ),
    # not files at all
    Case("pipe.jpg", _fifo("pipe.jpg"), UNREADABLE, "named pipe", needs=("fifo",)),
    Case("pipe-no-ext", _fifo("pipe-no-ext"), UNREADABLE, "named pipe", needs=("fifo",)),
    Case("zero.png", _link("zero.png", "/dev/zero"), UNREADABLE, "device", needs=("devzero",)),
    Case("null.jpg", _link("null.jpg", "/dev/null"), UNREADABLE, "device", needs=("devzero",)),
    Case("sock.png", _socket("sock.png"), UNREADABLE, "socket", needs=("socket",)),
    Case(
        "broken-link.jpg",
        _link("broken-link.jpg", "nowhere.jpg"),
        UNREADABLE,
        "not found",
        needs=("symlink",),
    ),
    Case(
        "self-link.png",
        _link("self-link.png", lambda f: str(f / "self-link.png")),
        UNREADABLE,
        needs=("symlink",),
    ),
    # names
    Case(
        "bytes-name", _bytes_name(b"foto-\xff\xfe.jpg", jpeg_bytes), REACHED, needs=("bytes-names",)
    ),
    Case(
        "latin1-name",
        _bytes_name(b"ni\xf1o.png", lambda: encode(smooth_rgb(5), "PNG")),
        REACHED,
        needs=("bytes-names",),
    ),
    Case("newline-name", _write("two\nlines.png", lambda: encode(smooth_rgb(6), "PNG")), REACHED),
    Case(
        "formula-name", _write("=HYPERLINK(1).png", lambda: encode(smooth_rgb(8), "PNG")), REACHED
    ),
    Case("long-name", _write("x" * 240 + ".png", lambda: encode(smooth_rgb(9), "PNG")), REACHED),
    # odd but valid images
    Case(
        "deep16.png",
        _write(
            "deep16.png",
            lambda: encode(
                Image.fromarray((np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)), "PNG"
            ),
        ),
        REACHED,
    ),
    Case(
        "cmyk.jpg",
        _write("cmyk.jpg", lambda: encode(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG")),
        REACHED,
    ),
    Case(
        "palette-alpha.png",
        _write(
            "palette-alpha.png", lambda: encode(smooth_rgb(2).convert("P"), "PNG", transparency=0)
        ),
        REACHED,
    ),
    Case(
        "one-pixel.png",
        _write("one-pixel.png", lambda: encode(Image.new("RGB", (1, 1)), "PNG")),
        REACHED | UNREADABLE,
    ),
    Case(
        "thin.png",
        _write("thin.png", lambda: encode(Image.new("L", (4000, 1), 99), "PNG")),
        REACHED | UNREADABLE,
    ),
    Case("deep-folder", _deep(1_200), REACHED),
    # real pixels, large: the memory figures
    Case("rgba-7000.png", _write("rgba-7000.png", _big_rgba_png), REACHED, slow=True),
    Case(
        "gray16-7000.dcm",
        _write(
            "gray16-7000.dcm",
            lambda: dicom(np.full((7000, 7000), 2000, np.uint16), BitsStored=12, HighBit=11),
        ),
        REACHED,
        slow=True,
    ),
)


def supported(case: Case) -> bool:
    """Whether this machine can make the entry (FIFOs, sockets, byte names and, without
    developer mode, symlinks are POSIX only)."""
    if os.name != "posix":
        return not case.needs
    if "devzero" in case.needs:
        return stat.S_ISCHR(os.stat("/dev/zero").st_mode)
    return True


def build(folder: Path, *, slow: bool = False) -> dict[str, tuple[Case, Path]]:
    """Write every supported case (the slow ones only with ``slow``) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for case in CASES:
        if case.slow != slow or not supported(case):
            continue
        made[case.name] = (case, case.make(folder))
    return made


def remove_tree(top: Path) -> None:
    """Delete a folder of any depth (``shutil.rmtree`` recurses and fails on deep-folder)."""
    if not top.exists():
        return
    for root, dirs, files in reversed(list(_walk_all(top))):
        for name in files:
            os.unlink(os.path.join(root, name))
        for name in dirs:
            path = os.path.join(root, name)
            if os.path.islink(path):
                os.unlink(path)
            else:
                os.rmdir(path)
    os.rmdir(top)


def _walk_all(top: Path):
    from screening.scanner import walk

    return walk(top)
