"""What the model sees, pinned: hand-computable cases for every mode plus a golden snapshot.

A failure here means packs trained before the change would see different numbers than
they were trained on: change preprocessing only together with new pack versions.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from inference.images import load_image
from inference.manifest import InputSpec, Normalization
from inference.preprocess import cam_to_image, fit, placement, preprocess

IMAGENET = Normalization("mean_std", mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))


def spec(h=4, w=4, color="rgb", resize="stretch", norm=IMAGENET) -> InputSpec:
    return InputSpec(height=h, width=w, color=color, resize=resize, normalization=norm)


def test_constant_colour_normalised_by_hand():
    img = np.zeros((6, 9, 3), np.uint8)
    img[...] = (255, 0, 128)
    out = preprocess(img, spec())
    assert out.shape == (3, 4, 4) and out.dtype == np.float32 and out.flags.c_contiguous
    expected = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225]
    for c in range(3):
        np.testing.assert_allclose(out[c], expected[c], atol=1e-6)


@pytest.mark.parametrize(
    ("norm", "low", "high"),
    [(Normalization("unit"), 0.0, 1.0), (Normalization("symmetric"), -1.0, 1.0)],
)
def test_unit_and_symmetric_scalings(norm, low, high):
    img = np.zeros((4, 4, 3), np.uint8)
    img[:, 2:] = 255
    out = preprocess(img, spec(norm=norm))
    np.testing.assert_allclose(out[:, :, :2], low, atol=1e-6)
    np.testing.assert_allclose(out[:, :, 2:], high, atol=1e-6)


def test_gray3_uses_bt601_luma_on_every_channel():
    img = np.zeros((4, 4, 3), np.uint8)
    img[...] = (255, 0, 0)
    out = preprocess(img, spec(color="gray3", norm=Normalization("unit")))
    np.testing.assert_allclose(out, 0.299, atol=1e-6)  # 0.299 * 255 / 255


def test_letterbox_pads_with_black_and_keeps_aspect():
    img = np.full((2, 4, 3), 200, np.uint8)  # 2:1 wide into a 4x4 square
    assert placement(2, 4, spec(resize="letterbox")).box == (0, 1, 4, 3)
    fitted = fit(img, spec(resize="letterbox"))
    assert (fitted[0] == 0).all() and (fitted[3] == 0).all() and (fitted[1:3] == 200).all()


def test_center_crop_takes_the_middle():
    img = np.zeros((4, 8, 3), np.uint8)
    img[:, 2:6] = 90  # the central square
    place = placement(4, 8, spec(resize="center_crop"))
    assert place.source_box == (2, 0, 6, 4) and place.box == (0, 0, 4, 4)
    assert (fit(img, spec(resize="center_crop")) == 90).all()


def test_out_buffer_gets_the_same_numbers():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (30, 20, 3), dtype=np.uint8)
    slot = np.empty((3, 4, 4), np.float32)
    same = preprocess(img, spec(resize="letterbox"), out=slot)
    assert same is slot
    np.testing.assert_array_equal(slot, preprocess(img, spec(resize="letterbox")))


def test_heatmap_maps_back_only_onto_what_the_model_saw():
    cam = np.ones((7, 7), np.float32)
    full = cam_to_image(cam, 4, 8, spec(resize="center_crop"))
    assert full.shape == (4, 8)
    assert (full[:, :2] == 0).all() and (full[:, 6:] == 0).all()
    np.testing.assert_allclose(full[:, 2:6], 1.0, atol=1e-6)


def _gradient(h: int = 23, w: int = 37) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 7 % 256, yy * 11 % 256, (xx * yy) % 256], axis=2).astype(np.uint8)


# Golden snapshot: a fixed image through each bundled-pack style input, recorded when the
# packs were trained (ClinicLens 0.1.0). Sum, L2 norm and two fixed probes per case.
GOLDEN = {
    ("rgb", "letterbox", 224): (-113247.9609, 611.6624, -2.1179, 0.1176),
    ("gray3", "stretch", 128): (4477.0898, 206.8043, -2.1179, -0.0933),
    ("rgb", "center_crop", 64): (935.9277, 122.559, -1.2788, 0.1176),
}


@pytest.mark.parametrize("case", sorted(GOLDEN), ids=lambda c: "-".join(map(str, c)))
def test_golden_snapshot(case):
    color, resize, size = case
    out = preprocess(_gradient(), spec(size, size, color, resize))
    got = (
        float(out.sum()),
        float(np.linalg.norm(out)),
        float(out[0, 0, 0]),
        float(out[1, size // 2, size // 3]),
    )
    np.testing.assert_allclose(got, GOLDEN[case], rtol=1e-4, atol=1e-3)


def test_training_feeds_the_network_exactly_what_the_app_does(tmp_path):
    from training.data import Sample, load_tensor

    path = tmp_path / "scan.png"
    Image.fromarray(_gradient()).save(path)
    s = spec(224, 224, "gray3", "letterbox")
    app = preprocess(load_image(path).pixels, s)
    np.testing.assert_array_equal(load_tensor(Sample(path, 0), s), app)
