"""The app's OpenCV-free image arithmetic against OpenCV itself (issue #7).

The bundled packs were trained on ``cv2.resize`` and their quality limits calibrated on
cv2's grey, saturation and Laplacian, so the numpy versions in ``inference`` must give the
same numbers: resizes within one grey level (in practice bit-identical), the quality
measures exactly. cv2 is the reference here only: it is a test and training dependency,
and nothing the app imports may load it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from inference import colormaps
from inference.overlay import COLORMAPS, blend, colorize
from inference.quality import gray_u8, laplacian, measure, saturation_u8
from inference.resample import area_resize, linear_resize

ROOT = Path(__file__).resolve().parent.parent
cv2 = pytest.importorskip("cv2")

# (source h, w) -> (target h, w): shrink, enlarge, integer and fractional factors, single
# pixels, tall and thin, one axis shrinking while the other grows, real photo sizes.
SIZES = [
    ((1, 1), (1, 1)), ((1, 1), (5, 7)), ((5, 7), (1, 1)), ((1, 9), (1, 3)), ((9, 1), (4, 1)),
    ((1, 300), (1, 7)), ((300, 1), (13, 1)), ((2, 2), (1, 1)), ((3, 500), (2, 17)),
    ((500, 3), (33, 1)), ((512, 512), (128, 128)), ((480, 640), (168, 224)),
    ((224, 224), (224, 224)), ((64, 64), (128, 128)), ((64, 64), (32, 32)), ((63, 65), (21, 13)),
    ((90, 120), (30, 40)), ((81, 81), (27, 27)), ((100, 50), (33, 17)), ((17, 23), (224, 224)),
    ((37, 23), (224, 224)), ((100, 300), (150, 128)), ((300, 100), (128, 150)),
    ((7, 200), (20, 64)), ((1200, 1600), (168, 224)), ((1080, 1920), (126, 224)),
    ((333, 777), (128, 128)), ((20, 20), (19, 21)), ((255, 257), (256, 256)),
]
RANDOM_SIZES = [
    (tuple(int(v) for v in rng.integers(1, 400, 2)), tuple(int(v) for v in rng.integers(1, 260, 2)))
    for rng in [np.random.default_rng(7)]
    for _ in range(120)
]


def _image(h: int, w: int, channels: int, seed: int) -> np.ndarray:
    """Half the cases random noise (every rounding path), half a smooth photo-like field."""
    rng = np.random.default_rng(seed)
    shape = (h, w, channels) if channels else (h, w)
    if seed % 2:
        return rng.integers(0, 256, shape, dtype=np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    field = 127.5 + 60 * np.sin(xx / 7.3 + yy / 11.1) + 50 * np.cos(yy / 5.7 - xx / 13.3)
    field = field[..., None] + np.arange(channels or 1) * 9.0 if channels else field
    return np.clip(field + rng.normal(0, 6, field.shape), 0, 255).astype(np.uint8)


def _compare(got: np.ndarray, ref: np.ndarray) -> tuple[int, float]:
    """(max abs difference, fraction of exactly equal values); cv2 drops a 1-channel axis."""
    ref = ref.reshape(got.shape)
    diff = np.abs(got.astype(np.int32) - ref.astype(np.int32))
    return int(diff.max()), float((diff == 0).mean())


_TALLY: dict[str, list[tuple[int, float, int]]] = {"area": [], "linear": []}


@pytest.mark.parametrize("channels", [0, 3])
@pytest.mark.parametrize(("src", "dst"), SIZES + RANDOM_SIZES, ids=lambda s: "x".join(map(str, s)))
def test_resize_matches_cv2(src, dst, channels):
    (h, w), (oh, ow) = src, dst
    img = _image(h, w, channels, seed=h * 1000 + w + oh + channels)
    for name, ours, flag in (
        ("area", area_resize, cv2.INTER_AREA),
        ("linear", linear_resize, cv2.INTER_LINEAR),
    ):
        got = ours(img, ow, oh)
        assert got.shape[:2] == (oh, ow) and got.dtype == np.uint8
        worst, equal = _compare(got, cv2.resize(img, (ow, oh), interpolation=flag))
        _TALLY[name].append((worst, equal, got.size))
        assert worst <= 1, f"{name} {src}->{dst}: off by {worst}"
        assert equal >= 0.99, f"{name} {src}->{dst}: only {equal:.4f} equal"


def test_resize_summary_against_cv2():
    """One line per mode for the record (pytest -s): worst difference, share equal."""
    for name, rows in _TALLY.items():
        if not rows:
            pytest.skip("run together with test_resize_matches_cv2")
        worst = max(r[0] for r in rows)
        total = sum(r[2] for r in rows)
        equal = sum(r[1] * r[2] for r in rows) / total
        print(f"\n{name}: {len(rows)} resizes, max |diff| {worst}, {equal:.6f} of {total} equal")
        assert worst <= 1 and equal >= 0.999


def test_preprocess_resize_rule_matches_cv2_on_a_photo():
    """The exact call the app makes: area when shrinking either axis, bilinear otherwise."""
    from inference.preprocess import _resize

    photo = _image(900, 1200, 3, seed=4)
    crop = photo[50:850, 201:1001]  # center_crop hands over a non-contiguous view
    for img in (photo, crop):
        ih, iw = img.shape[:2]
        for w, h in ((224, 168), (224, 224), (1500, 1000), (1300, 800), (iw // 4, ih // 4)):
            shrinking = w < iw or h < ih
            flag = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
            assert np.array_equal(_resize(img, w, h), cv2.resize(img, (w, h), interpolation=flag))


@pytest.mark.parametrize(("src", "dst"), SIZES[:24], ids=lambda s: "x".join(map(str, s)))
def test_float_linear_matches_cv2(src, dst):
    """Heatmaps are float32 in [0, 1]; cv2's own float path may fuse multiply-adds."""
    rng = np.random.default_rng(src[0] + dst[1])
    cam = rng.random(src, dtype=np.float32)
    got = linear_resize(cam, dst[1], dst[0])
    ref = cv2.resize(cam, (dst[1], dst[0]), interpolation=cv2.INTER_LINEAR).reshape(got.shape)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref, atol=1e-4)


def test_resize_rejects_what_it_cannot_do():
    with pytest.raises(TypeError):
        area_resize(np.zeros((4, 4), np.float32), 2, 2)
    with pytest.raises(ValueError):
        linear_resize(np.zeros((4, 4), np.uint8), 0, 2)


def _all_colours() -> np.ndarray:
    v = np.arange(1 << 24, dtype=np.uint32)
    rgb = np.stack([(v >> 16) & 255, (v >> 8) & 255, v & 255], axis=-1).astype(np.uint8)
    return rgb.reshape(4096, 4096, 3)


def test_grey_and_saturation_equal_cv2_for_every_colour():
    rgb = _all_colours()
    assert np.array_equal(gray_u8(rgb), cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    worst, _ = _compare(saturation_u8(rgb), cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[:, :, 1])
    assert worst <= 1


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (5, 1), (2, 2), (7, 3), (256, 192)])
def test_laplacian_equals_cv2(shape):
    gray = np.random.default_rng(shape[0]).integers(0, 256, shape, dtype=np.uint8)
    ref = cv2.Laplacian(gray, cv2.CV_64F)
    assert np.array_equal(laplacian(gray), ref)
    np.testing.assert_allclose(laplacian(gray).var(), ref.var(), rtol=1e-9)


def _measure_cv2(rgb: np.ndarray) -> tuple[float, float, float]:
    """quality.measure as it was written with OpenCV."""
    h, w = rgb.shape[:2]
    scale = 256 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    lap = cv2.Laplacian(gray, cv2.CV_64F).var()
    return float(gray.mean()), float(lap), float(hsv[:, :, 1].mean() / 255.0)


@pytest.mark.parametrize("shape", [(480, 640), (1000, 750), (200, 90), (30, 40), (256, 256)])
def test_quality_measure_equals_cv2(shape):
    rgb = _image(*shape, 3, seed=shape[0])
    np.testing.assert_allclose(measure(rgb), _measure_cv2(rgb), rtol=1e-9, atol=0)


@pytest.mark.parametrize("name", list(COLORMAPS))
def test_colormap_tables_equal_cv2(name):
    code = getattr(cv2, f"COLORMAP_{name.upper()}")
    grey = np.arange(256, dtype=np.uint8).reshape(1, 256)
    ref = cv2.cvtColor(cv2.applyColorMap(grey, code), cv2.COLOR_BGR2RGB).reshape(256, 3)
    assert np.array_equal(colormaps.table(name), ref)
    heat = np.random.default_rng(3).random((40, 50)).astype(np.float32)
    scaled = np.clip(heat * 255.0 + 0.5, 0, 255).astype(np.uint8)
    expected = cv2.cvtColor(cv2.applyColorMap(scaled, code), cv2.COLOR_BGR2RGB)
    assert np.array_equal(colorize(heat, name), expected)


def test_generated_module_is_what_the_generator_writes():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import gen_colormaps
    finally:
        sys.path.remove(str(ROOT / "tools"))
    current = (ROOT / "inference" / "colormaps.py").read_text(encoding="utf-8")
    assert gen_colormaps.render().split("\n", 3)[3] == current.split("\n", 3)[3]


@pytest.mark.parametrize("opacity", [0.0, 0.25, 0.45, 0.6, 1.0])
def test_blend_equals_add_weighted(opacity):
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (120, 90, 3), dtype=np.uint8)
    heat = rng.random((120, 90)).astype(np.float32)
    scaled = np.clip(heat * 255.0 + 0.5, 0, 255).astype(np.uint8)
    colour = cv2.cvtColor(cv2.applyColorMap(scaled, cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)
    ref = cv2.addWeighted(rgb, 1.0 - opacity, colour, opacity, 0.0)
    worst, _ = _compare(blend(rgb, heat, opacity), ref)
    assert worst <= 1


def test_heatmap_mapping_equals_two_cv2_resizes():
    """cam_to_image composes its two bilinear resizes into one matrix per axis."""
    from inference.manifest import InputSpec, Normalization
    from inference.preprocess import cam_to_image, placement

    rng = np.random.default_rng(3)
    worst = 0.0
    for mode in ("stretch", "letterbox", "center_crop"):
        spec = InputSpec(128, 128, "rgb", mode, Normalization("unit"))
        for _ in range(20):
            height, width = (int(v) for v in rng.integers(20, 1500, 2))
            cam = rng.random((4, 4)).astype(np.float32)
            place = placement(height, width, spec)
            up = cv2.resize(cam, (128, 128), interpolation=cv2.INTER_LINEAR)
            x0, y0, x1, y1 = place.box
            sx0, sy0, sx1, sy1 = place.source_box
            ref = np.zeros((height, width), np.float32)
            ref[sy0:sy1, sx0:sx1] = cv2.resize(
                up[y0:y1, x0:x1], (sx1 - sx0, sy1 - sy0), interpolation=cv2.INTER_LINEAR
            )
            worst = max(worst, float(np.abs(cam_to_image(cam, height, width, spec) - ref).max()))
    assert worst < 1e-5
