"""Nasty files: each gives a specific error or a correct result, never a crash or a hang."""

from __future__ import annotations

import io
import socket
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from inference.errors import ImageError, ImageTooLargeError
from inference.images import decode, load_image
from inference.packs import load_pack
from inference.results import Status
from inference.screener import Screener
from screening.inputs import collect_inputs
from screening.scanner import ScanResult, scan_paths
from tests.packgen import make_pack


def _encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header declaring a giant image over a few bytes of data (a 'bomb')."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _smooth_rgb(seed: int = 0, size: int = 48) -> Image.Image:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((size, size), Image.BILINEAR)


def _ramp16() -> np.ndarray:
    return (np.arange(40 * 40, dtype=np.uint32).reshape(40, 40) * 40).astype(np.uint16)


def _gif_two_frames() -> bytes:
    frames = [Image.new("RGB", (24, 24), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
    return buf.getvalue()


@pytest.fixture(scope="module")
def screener(tmp_path_factory) -> Screener:
    return Screener(load_pack(make_pack(tmp_path_factory.mktemp("packs"))))


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """The nasty-file corpus, written fresh for each test that wants it."""
    root = tmp_path / "corpus"
    root.mkdir()
    jpeg = _encode(_smooth_rgb(), "JPEG")
    (root / "truncated.jpg").write_bytes(jpeg[: len(jpeg) // 3])
    (root / "zero.png").write_bytes(b"")
    (root / "text.png").write_text("this is a letter, not an image\n", "utf-8")
    (root / "huge.png").write_bytes(huge_png())
    (root / "deep16.png").write_bytes(_encode(Image.fromarray(_ramp16()), "PNG"))
    (root / "deep16.tif").write_bytes(_encode(Image.fromarray(_ramp16()), "TIFF"))
    (root / "cmyk.jpg").write_bytes(_encode(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG"))
    (root / "animated.gif").write_bytes(_gif_two_frames())
    unicode_dir = root / "pasién Ñoño 患者"
    unicode_dir.mkdir()
    _smooth_rgb(1).save(unicode_dir / "foto tangan kiri é.png")
    return root


EXPECTED_ERRORS = {
    "truncated.jpg": ("unreadable", "damaged or incomplete"),
    "zero.png": ("unreadable", "empty (0 bytes)"),
    "text.png": ("unreadable", "not an image file"),
    "huge.png": ("too_large", "too large"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_ERRORS))
def test_bad_files_give_specific_errors(corpus, screener, name):
    code, words = EXPECTED_ERRORS[name]
    with pytest.raises(ImageError) as info:
        load_image(corpus / name)
    assert info.value.code == code and words in str(info.value) and name in str(info.value)
    result = screener.screen_path(corpus / name)
    assert result.status is Status(code) and not result.answered
    assert words in result.message


def test_huge_declared_png_fails_fast_without_allocating(corpus):
    import tracemalloc

    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(ImageTooLargeError):
        load_image(corpus / "huge.png")
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 5_000_000  # 100000x100000 RGB would be 30 GB


@pytest.mark.parametrize("name", ["deep16.png", "deep16.tif"])
def test_16bit_images_use_their_full_range(corpus, screener, name):
    loaded = load_image(corpus / name)
    assert loaded.source_mode.startswith("I;16") and loaded.pixels.dtype == np.uint8
    gray = loaded.pixels[:, :, 0]
    assert gray.min() == 0 and gray.max() == 255
    assert (np.diff(gray.astype(int).ravel()) >= 0).all()  # the ramp stays a ramp
    assert screener.screen_path(corpus / name).status is Status.OK


def test_cmyk_jpeg_becomes_rgb(corpus, screener):
    loaded = load_image(corpus / "cmyk.jpg")
    assert loaded.source_mode == "CMYK"
    r, g, b = loaded.pixels[16, 16].astype(int)
    assert r > 240 and g < 15 and b < 15  # C=0 M=Y=full is red
    assert screener.screen_path(corpus / "cmyk.jpg").status is Status.OK


def test_animated_gif_uses_first_frame(corpus, screener):
    loaded = load_image(corpus / "animated.gif")
    assert loaded.pixels.shape == (24, 24, 3)
    assert tuple(loaded.pixels[5, 5]) == (255, 0, 0)
    assert screener.screen_path(corpus / "animated.gif").status is Status.OK


def test_animated_gif_is_not_decoded_frame_by_frame(corpus, monkeypatch):
    """Counting frames decodes them all: a long animation would stall the loader."""
    from PIL import GifImagePlugin

    def counted(self):
        raise AssertionError("the loader counted the GIF's frames")

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "n_frames", property(counted))
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "is_animated", property(counted))
    assert tuple(load_image(corpus / "animated.gif").pixels[0, 0]) == (255, 0, 0)


def test_unicode_and_spaces_in_paths(corpus, screener):
    path = corpus / "pasién Ñoño 患者" / "foto tangan kiri é.png"
    assert load_image(path).path == str(path)
    result = screener.screen_path(path)
    assert result.status is Status.OK and result.source == str(path)
    assert scan_paths([corpus]).images[-1] == path


def test_missing_file_and_folder_are_specific(tmp_path, screener):
    with pytest.raises(ImageError, match="file not found"):
        load_image(tmp_path / "gone.png")
    (tmp_path / "dir.png").mkdir()
    assert screener.screen_path(tmp_path / "dir.png").status is Status.UNREADABLE


# -- folder scanning ---------------------------------------------------------------------
def test_scan_survives_symlink_loop_and_is_deterministic(corpus):
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    (corpus / "pasién Ñoño 患者" / "up").symlink_to(corpus, target_is_directory=True)
    (corpus / "self").symlink_to(corpus / "self")  # a link to itself
    (corpus / "alias.gif").symlink_to(corpus / "animated.gif")
    (corpus / ".hidden.png").write_bytes(b"x")
    (corpus / "Thumbs.db").write_bytes(b"x")
    (corpus / "notes.txt").write_text("n", "utf-8")
    t0 = time.perf_counter()
    result = scan_paths([corpus])
    assert time.perf_counter() - t0 < 2.0
    assert isinstance(result, ScanResult)
    names = [p.relative_to(corpus).as_posix() for p in result.images]
    assert names == [
        "alias.gif",  # the link comes first by name; the target is the same file, listed once
        "cmyk.jpg",
        "deep16.png",
        "deep16.tif",
        "huge.png",
        "text.png",
        "truncated.jpg",
        "zero.png",
        "pasién Ñoño 患者/foto tangan kiri é.png",
    ]
    assert [p.name for p in result.skipped] == ["notes.txt"]
    assert sum("link loop" in e for e in result.errors) == 2
    assert any("self" in e for e in result.errors)
    assert scan_paths([corpus]) == result


def test_scan_files_missing_paths_and_dicom_without_extension(tmp_path):
    (tmp_path / "IM0001").write_bytes(b"\0" * 128 + b"DICM" + b"\0" * 16)
    (tmp_path / "README").write_bytes(b"just text")
    (tmp_path / "a.PNG").write_bytes(b"")
    result = scan_paths([tmp_path, tmp_path / "a.PNG", tmp_path / "nope"])
    assert [p.name for p in result.images] == ["IM0001", "a.PNG"]
    assert [p.name for p in result.skipped] == ["README"]
    assert len(result.errors) == 1 and "does not exist" in result.errors[0]


def test_extensionless_dicom_and_notes_are_told_apart_by_the_one_scanner(tmp_path, screener):
    """Issue 22: a PACS export folder with an extensionless DICOM file and notes.txt. The
    scanner finds the DICOM file and skips the notes; the CLI's batch queues both, reads
    IM0001 as DICOM by the same rule (DICM at byte 128) and refuses notes.txt as not an image."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "IM0001").write_bytes(b"\0" * 128 + b"DICM" + b"\0" * 16)
    (folder / "notes.txt").write_text("clinic notes", "utf-8")
    found = scan_paths([folder])
    assert [p.name for p in found.images] == ["IM0001"]
    assert [p.name for p in found.skipped] == ["notes.txt"] and found.errors == ()
    queued = [Path(i.path).name for i in collect_inputs([folder])]
    assert queued == ["IM0001", "notes.txt"]
    with pytest.raises(ImageError, match="DICOM"):  # decoded as DICOM, not as a picture
        load_image(folder / "IM0001")
    assert screener.screen_path(folder / "notes.txt").status is Status.UNREADABLE


def test_gui_drop_finds_the_extensionless_dicom_like_the_scanner(tmp_path):
    from gui.scan import expand

    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "IM0001").write_bytes(b"\0" * 128 + b"DICM" + b"\0" * 16)
    (folder / "notes.txt").write_text("clinic notes", "utf-8")
    dropped = expand([folder])
    assert [Path(p).name for p in dropped.images] == ["IM0001"]
    assert dropped.skipped == 1


def test_whole_corpus_screens_without_exceptions(corpus, screener):
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    statuses = {p.name: screener.screen_path(p).status for p in scan_paths([corpus]).images}
    assert statuses == {
        "animated.gif": Status.OK,
        "cmyk.jpg": Status.OK,
        "deep16.png": Status.OK,
        "deep16.tif": Status.OK,
        "huge.png": Status.TOO_LARGE,
        "text.png": Status.UNREADABLE,
        "truncated.jpg": Status.UNREADABLE,
        "zero.png": Status.UNREADABLE,
        "foto tangan kiri é.png": Status.OK,
    }


# -- fuzzing -----------------------------------------------------------------------------
def _seeds() -> list[bytes]:
    im = _smooth_rgb(2, 16)
    return [
        _encode(im, "PNG"),
        _encode(im, "JPEG", quality=80),
        _encode(im.convert("P"), "GIF"),
        _encode(im, "TIFF"),
        _encode(im, "BMP"),
        _encode(Image.fromarray(_ramp16()[:8, :8]), "PNG"),
        huge_png(3, 2),
    ]


SEEDS = _seeds()
FUZZ = settings(
    max_examples=150,
    deadline=1000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


def _decode_or_image_error(data: bytes) -> None:
    try:
        loaded = decode(data, name="fuzz")
    except ImageError:
        return
    assert loaded.pixels.dtype == np.uint8 and loaded.pixels.ndim == 3
    assert loaded.pixels.shape[2] == 3 and loaded.pixels.size > 0


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes(data):
    _decode_or_image_error(data)


@FUZZ
@given(
    st.sampled_from(range(len(SEEDS))),
    st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), min_size=1, max_size=8),
    st.one_of(st.none(), st.integers(0, 1 << 16)),
)
def test_fuzz_mutated_valid_images(seed, flips, cut):
    data = bytearray(SEEDS[seed])
    for pos, value in flips:
        data[pos % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    _decode_or_image_error(bytes(data))


@FUZZ
@given(st.sampled_from(range(len(SEEDS))), st.integers(0, 64), st.integers(1, 0xFFFF))
def test_fuzz_header_dimensions(seed, offset, value):
    """Rewrite 16-bit words early in the header, where sizes and counts live."""
    data = bytearray(SEEDS[seed])
    pos = min(offset, len(data) - 2)
    data[pos : pos + 2] = value.to_bytes(2, "big")
    _decode_or_image_error(bytes(data))


# -- no network ----------------------------------------------------------------------------
def test_screening_works_with_network_blocked(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("ClinicLens tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    pack = load_pack(make_pack(tmp_path / "packs", "offline"))
    screener = Screener(pack)
    image = tmp_path / "photo.png"
    _smooth_rgb(4).save(image)
    result = screener.screen_path(image)
    assert result.status is Status.OK and result.prediction is not None
    loaded = load_image(image)
    _, picture, _ = screener.overlay(loaded, result)
    assert picture.shape == loaded.pixels.shape
