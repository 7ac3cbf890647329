"""Image loading: every common format and colour mode becomes the right RGB pixels."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from inference import images
from inference.errors import ImageError, ImageTooLargeError
from inference.images import decode, load_image


def _encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _pattern(h: int = 12, w: int = 20) -> np.ndarray:
    """Distinct, smooth-ish RGB values so lossy codecs stay close."""
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 12 % 256, yy * 20 % 256, (xx + yy) * 6 % 256], axis=2).astype(np.uint8)


@pytest.mark.parametrize(
    ("fmt", "kw", "tol"),
    [
        ("PNG", {}, 0),
        ("BMP", {}, 0),
        ("TIFF", {}, 0),
        ("TIFF", {"compression": "tiff_lzw"}, 0),
        ("WEBP", {"lossless": True}, 0),
        ("JPEG", {"quality": 98, "subsampling": 0}, 12),
        ("WEBP", {"quality": 95}, 40),
    ],
)
def test_formats_decode_to_the_same_rgb(fmt, kw, tol):
    rgb = _pattern()
    loaded = decode(_encode(Image.fromarray(rgb), fmt, **kw), name=f"x.{fmt.lower()}")
    assert loaded.pixels.dtype == np.uint8 and loaded.pixels.shape == (12, 20, 3)
    diff = np.abs(loaded.pixels.astype(int) - rgb.astype(int))
    assert diff.max() <= tol
    assert loaded.original_size == (20, 12)
    assert len(loaded.sha256) == 64


def test_png_16_bit_uses_its_own_value_range():
    ramp = np.linspace(1000, 61000, 5 * 7).reshape(5, 7).astype(np.uint16)
    loaded = decode(_encode(Image.fromarray(ramp), "PNG"), name="deep.png")
    assert loaded.source_mode.startswith("I")
    gray = loaded.pixels[:, :, 0]
    assert np.array_equal(loaded.pixels[:, :, 1], gray) and np.array_equal(loaded.pixels[:, :, 2], gray)
    expected = np.floor((ramp.astype(float) - 1000) * 255 / 60000 + 0.5).astype(np.uint8)
    assert np.array_equal(gray, expected)
    assert gray.min() == 0 and gray.max() == 255


def test_png_8_bit_grayscale_is_copied_to_three_channels():
    gray = np.arange(0, 240, 4, dtype=np.uint8).reshape(6, 10)
    loaded = decode(_encode(Image.fromarray(gray, "L"), "PNG"))
    assert loaded.source_mode == "L"
    assert np.array_equal(loaded.pixels, np.repeat(gray[:, :, None], 3, axis=2))


def test_flat_16_bit_image_is_black_not_nan():
    flat = np.full((4, 4), 4242, np.uint16)
    loaded = decode(_encode(Image.fromarray(flat), "PNG"))
    assert not loaded.pixels.any()


def test_exif_orientation_is_applied():
    # Stored 20 wide x 10 high, left half red, right half blue; orientation 6 = rotate 90 CW.
    stored = np.zeros((10, 20, 3), np.uint8)
    stored[:, :10] = (255, 0, 0)
    stored[:, 10:] = (0, 0, 255)
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = 6
    loaded = decode(_encode(im, "PNG", exif=exif.tobytes()))
    assert loaded.pixels.shape == (20, 10, 3)
    assert loaded.original_size == (20, 10)
    assert tuple(loaded.pixels[2, 5]) == (255, 0, 0)  # the left half is now on top
    assert tuple(loaded.pixels[17, 5]) == (0, 0, 255)


def test_exif_orientation_in_jpeg():
    stored = np.zeros((16, 32, 3), np.uint8)
    stored[:, :16] = (250, 250, 250)
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = 8  # rotate 90 CCW: the left half ends at the bottom
    loaded = decode(_encode(im, "JPEG", quality=95, exif=exif.tobytes()))
    assert loaded.pixels.shape == (32, 16, 3)
    assert loaded.pixels[28, 8].mean() > 200 and loaded.pixels[3, 8].mean() < 50


def test_rgba_is_composited_on_black():
    rgba = np.zeros((2, 3, 4), np.uint8)
    rgba[0, 0] = (200, 100, 50, 128)
    rgba[0, 1] = (200, 100, 50, 255)
    rgba[0, 2] = (200, 100, 50, 0)
    rgba[1, :] = (255, 255, 255, 64)
    loaded = decode(_encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    px = loaded.pixels
    assert tuple(px[0, 0]) == (100, 50, 25)  # 200*128/255 = 100.4
    assert tuple(px[0, 1]) == (200, 100, 50)
    assert tuple(px[0, 2]) == (0, 0, 0)
    assert tuple(px[1, 0]) == (64, 64, 64)


def test_grayscale_with_alpha_is_composited_on_black():
    la = Image.new("LA", (2, 1))
    la.putpixel((0, 0), (200, 255))
    la.putpixel((1, 0), (200, 51))
    px = decode(_encode(la, "PNG")).pixels
    assert tuple(px[0, 0]) == (200, 200, 200)
    assert tuple(px[0, 1]) == (40, 40, 40)


def test_palette_image_uses_palette_colours():
    im = Image.new("P", (3, 1))
    im.putpalette([255, 0, 0, 0, 128, 0, 10, 20, 30] + [0] * (256 * 3 - 9))
    for x in range(3):
        im.putpixel((x, 0), x)
    for fmt in ("PNG", "BMP", "GIF"):
        px = decode(_encode(im, fmt)).pixels
        assert [tuple(p) for p in px[0]] == [(255, 0, 0), (0, 128, 0), (10, 20, 30)], fmt


def test_palette_transparency_is_composited_on_black():
    im = Image.new("P", (2, 1))
    im.putpalette([255, 255, 0, 0, 0, 255] + [0] * (254 * 3))
    im.putpixel((0, 0), 0)
    im.putpixel((1, 0), 1)
    px = decode(_encode(im, "PNG", transparency=0)).pixels
    assert tuple(px[0, 0]) == (0, 0, 0)
    assert tuple(px[0, 1]) == (0, 0, 255)


def test_cmyk_is_converted_to_rgb():
    cmyk = np.array(
        [[(0, 0, 0, 0), (255, 0, 0, 0), (0, 255, 255, 0), (0, 0, 0, 255)]], dtype=np.uint8
    )
    im = Image.fromarray(cmyk, "CMYK")
    px = decode(_encode(im, "TIFF")).pixels
    assert [tuple(p) for p in px[0]] == [(255, 255, 255), (0, 255, 255), (255, 0, 0), (0, 0, 0)]
    jpeg = decode(_encode(im.resize((16, 16), Image.NEAREST), "JPEG", quality=98)).pixels
    assert jpeg.shape == (16, 16, 3)
    assert abs(int(jpeg[8, 2].astype(int).sum()) - 3 * 255) < 40  # white stays white


def test_bilevel_image():
    im = Image.new("1", (4, 2))
    im.putpixel((1, 0), 1)
    px = decode(_encode(im, "PNG")).pixels
    assert tuple(px[0, 1]) == (255, 255, 255) and tuple(px[0, 0]) == (0, 0, 0)


def test_unicode_and_spaces_in_paths(tmp_path):
    folder = tmp_path / "dossier patiënt é" / "图像 folder"
    folder.mkdir(parents=True)
    path = folder / "scan n°1 ñ 图.png"
    Image.fromarray(_pattern()).save(path)
    loaded = load_image(path)
    assert loaded.path == str(path)
    assert np.array_equal(loaded.pixels, _pattern())


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size but holds no pixel data at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    crc = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND") & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + crc + end


def test_pixel_limit_refuses_before_decoding(tmp_path, monkeypatch):
    def never(self):  # pragma: no cover - reached only if the guard fails
        raise AssertionError("decoded a too-large image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    path = tmp_path / "big.png"
    path.write_bytes(_png_header(8000, 7000))  # 56 MP, under Pillow's own bomb limit
    with pytest.raises(ImageTooLargeError, match="megapixels") as info:
        load_image(path)
    assert info.value.code == "too_large"


def test_pixel_limit_is_configurable(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 99)
    data = _encode(Image.new("RGB", (10, 10)), "PNG")
    with pytest.raises(ImageTooLargeError):
        decode(data)
    assert decode(_encode(Image.new("RGB", (9, 11)), "PNG")).pixels.shape == (11, 9, 3)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"this is a text file, not a picture\n"),
        ("empty.jpg", b""),
        ("cut.png", None),
    ],
)
def test_unreadable_files_are_image_errors(tmp_path, name, content):
    if content is None:
        rng = np.random.default_rng(0)  # noise does not compress: the cut lands mid-pixel-data
        whole = _encode(Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)), "PNG")
        content = whole[: len(whole) // 2]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImageError) as info:
        load_image(path)
    assert not isinstance(info.value, ImageTooLargeError)
    assert info.value.code == "unreadable"
    assert name in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageError, match="not found"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="folder"):
        load_image(tmp_path)


def test_jpeg_draft_never_goes_below_the_requested_size():
    data = _encode(Image.fromarray(np.full((800, 1000, 3), 90, np.uint8)), "JPEG")
    loaded = decode(data, draft_size=(224, 224))
    assert loaded.height >= 224 and loaded.width >= 224
    assert loaded.width < 1000
    assert loaded.original_size == (1000, 800)


# Modes and the formats that can store them.
MODE_FORMATS = {
    "1": ["PNG", "BMP", "TIFF"],
    "L": ["PNG", "BMP", "TIFF", "JPEG", "WEBP"],
    "LA": ["PNG", "TIFF"],
    "P": ["PNG", "BMP", "GIF", "TIFF"],
    "RGB": ["PNG", "BMP", "TIFF", "JPEG", "WEBP"],
    "RGBA": ["PNG", "TIFF", "WEBP"],
    "CMYK": ["JPEG", "TIFF"],
    "I;16": ["PNG", "TIFF"],
    "I": ["TIFF"],  # Pillow 12 no longer writes 32-bit PNG
    "F": ["TIFF"],
}
PAIRS = [(m, f) for m, fmts in MODE_FORMATS.items() for f in fmts]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=st.sampled_from(PAIRS),
    width=st.integers(1, 64),
    height=st.integers(1, 64),
    seed=st.integers(0, 2**16),
)
def test_random_images_of_odd_sizes_and_modes_never_crash(pair, width, height, seed):
    mode, fmt = pair
    rng = np.random.default_rng(seed)
    base = Image.fromarray(rng.integers(0, 256, (height, width, 4), dtype=np.uint8), "RGBA")
    if mode in ("I;16", "I", "F"):
        arr = rng.integers(0, 65536, (height, width)).astype(
            {"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]
        )
        im = Image.fromarray(arr)  # Pillow infers I;16, I and F from the dtype
    elif mode == "P":
        im = base.convert("RGB").quantize(colors=int(rng.integers(2, 200)))
    else:
        im = base.convert(mode)
    loaded = decode(_encode(im, fmt), name=f"fuzz.{fmt.lower()}")
    assert loaded.pixels.shape == (height, width, 3)
    assert loaded.pixels.dtype == np.uint8
    assert loaded.pixels.flags.c_contiguous


def test_is_image_path():
    assert images.is_image_path(Path("A.JPG")) and images.is_image_path(Path("x.tiff"))
    assert not images.is_image_path(Path("notes.txt"))
