"""Images for the modality check: every pack's images, augmented, and negatives drawn offline.

Why synthetic negatives: nothing can be downloaded here, and the failures the issue measured
were documents, screenshots, blank frames and grey or washed-out photos. We draw those with
PIL and numpy (documents, UI screenshots, charts, noise, blank frames, gradients, shapes,
1/f "natural" textures and simple scenes, in colour and grey) from a seed, so the training
and validation negatives differ and can be regenerated bit for bit.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from inference.images import load_image
from inference.modality import NONE
from inference.resources import resource_path

DATASETS = resource_path().parent / "shared" / "datasets"
# modality label -> dataset folder
SOURCES = {
    "brain-mri": "brain_mri",
    "chest-xray": "chest_xray",
    "palm-photo": "palm_anemia",
    "face-photo": "face_mask",
}
PHOTO = {"palm-photo", "face-photo"}
FONTS = sorted(str(p) for p in resource_path("assets", "fonts").glob("*.ttf"))
WORDS = (
    "patient name date birth hasil pemeriksaan laboratorium hemoglobin invoice total report "
    "puskesmas rujuk signature clinic notes dosage tablet mg daily form registration page "
    "settings file edit view help open save cancel ok search results download status"
).split()


@dataclass(frozen=True)
class Item:
    """One image to extract: a file or a generated negative, and how to vary it."""

    label: str  # one of inference.modality.LABELS
    key: str  # stable id (path or generator name)
    path: str = ""  # file on disk, or "" for a generated negative
    seed: int = 0  # augmentation / generation seed
    augment: bool = False

    def pixels(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        if not self.path:
            return negative(self.key, rng)
        rgb = load_image(self.path).pixels
        return augment(rgb, self.label in PHOTO, rng) if self.augment else rgb


def files(dataset: str, split: str) -> list[Path]:
    root = DATASETS / dataset / split
    return sorted(p for p in root.glob("*/*.jpg") if p.is_file()) if root.is_dir() else []


def genuine(split: str, copies: dict[str, int] | None = None, seed: int = 0) -> list[Item]:
    """Every image of ``split`` per modality, plus ``copies[label]`` augmented copies each."""
    items: list[Item] = []
    for label, dataset in SOURCES.items():
        for i, path in enumerate(files(dataset, split)):
            items.append(Item(label, str(path), str(path)))
            for c in range((copies or {}).get(label, 0)):
                items.append(
                    Item(label, f"{path}#aug{c}", str(path), seed * 1_000_003 + i * 31 + c, True)
                )
    return items


def negatives(n: int, seed: int) -> list[Item]:
    kinds = sorted(GENERATORS)
    return [Item(NONE, kinds[i % len(kinds)], "", seed * 100_003 + i) for i in range(n)]


# -- augmentation of genuine images -------------------------------------------------------
def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


# Share of augmented copies given sensor noise, and its sigma range in grey levels. Without
# it the check refused 9 of 300 val X-rays with noise of sigma 8 (training/site_changes.py).
NOISE_P, NOISE_SIGMA = 0.35, (2.0, 12.0)


def add_noise(arr: np.ndarray, photo: bool, rng: np.random.Generator) -> np.ndarray:
    """Gaussian sensor noise: per colour channel on a photo, the same on all three on a scan
    (a grey detector)."""
    sigma = rng.uniform(*NOISE_SIGMA)
    shape = arr.shape if photo else arr.shape[:2] + (1,)
    return arr + rng.normal(0.0, sigma, shape).astype(np.float32)


def augment(rgb: np.ndarray, photo: bool, rng: np.random.Generator) -> np.ndarray:
    """What a clinic's copy of a genuine image may look like: cropped, smaller, recompressed,
    brighter or darker, noisier, flipped; photos sometimes grey, scans sometimes tinted (a phone
    photo of a film or a monitor)."""
    img = Image.fromarray(rgb)
    w, h = img.size
    area = rng.uniform(0.7, 1.0)
    cw = int(w * np.sqrt(area) * rng.uniform(0.9, 1.1))
    ch = int(h * np.sqrt(area) * rng.uniform(0.9, 1.1))
    cw, ch = max(16, min(w, cw)), max(16, min(h, ch))
    x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    img = img.crop((x0, y0, x0 + cw, y0 + ch))
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if not photo and rng.random() < 0.2:
        img = img.transpose(
            Image.Transpose.ROTATE_90 if rng.random() < 0.5 else Image.Transpose.ROTATE_270
        )
    side = int(rng.integers(72, 257))
    img.thumbnail((side, side))
    arr = np.asarray(img, np.float32)
    gain, bias, gamma = rng.uniform(0.75, 1.25), rng.uniform(-25, 25), rng.uniform(0.75, 1.35)
    arr = 255.0 * (np.clip(arr * gain + bias, 0, 255) / 255.0) ** gamma
    if photo and rng.random() < 0.25:
        arr = np.repeat(arr @ np.array([[0.299], [0.587], [0.114]], np.float32), 3, axis=2)
    elif not photo and rng.random() < 0.15:
        arr = arr * rng.uniform(0.85, 1.15, size=3).astype(np.float32)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.5))))
    if rng.random() < NOISE_P:
        noisy = add_noise(np.asarray(img, np.float32), photo, rng)
        img = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    return np.asarray(_jpeg(img, int(rng.integers(40, 96))))


# -- negatives -----------------------------------------------------------------------------
def _size(rng: np.random.Generator) -> tuple[int, int]:
    return int(rng.integers(128, 513)), int(rng.integers(128, 513))


def _colour(rng: np.random.Generator, grey: bool = False) -> tuple[int, int, int]:
    if grey:
        v = int(rng.integers(0, 256))
        return (v, v, v)
    return tuple(int(v) for v in rng.integers(0, 256, 3))  # type: ignore[return-value]


def _font(rng: np.random.Generator, size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    if FONTS and rng.random() < 0.8:
        return ImageFont.truetype(FONTS[int(rng.integers(len(FONTS)))], size)
    return ImageFont.load_default()


def _text(rng: np.random.Generator, n: int) -> str:
    return " ".join(WORDS[int(i)] for i in rng.integers(0, len(WORDS), n)).capitalize()


def _fractal(rng: np.random.Generator, h: int, w: int, beta: float) -> np.ndarray:
    """1/f^beta noise in [0,1]: clouds, foliage, skin-like texture, fog."""
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    f = np.sqrt(fx**2 + fy**2)
    f[0, 0] = 1.0
    spec = (rng.normal(size=f.shape) + 1j * rng.normal(size=f.shape)) / f**beta
    out = np.fft.irfft2(spec, s=(h, w))
    out -= out.min()
    return out / max(out.max(), 1e-9)


def _document(rng: np.random.Generator) -> Image.Image:
    w, h = int(rng.integers(300, 700)), int(rng.integers(380, 900))
    grey = rng.random() < 0.6
    paper = _colour(rng, grey) if rng.random() < 0.3 else (int(rng.integers(215, 256)),) * 3
    img = Image.new("RGB", (w, h), paper)
    d = ImageDraw.Draw(img)
    y = int(rng.integers(10, 40))
    ink = _colour(rng, True) if grey else _colour(rng)
    ink = tuple(int(v * 0.3) for v in ink)
    while y < h - 20:
        size = int(rng.integers(9, 26))
        if rng.random() < 0.15:
            d.line((10, y, w - 10, y), fill=ink, width=1)
        elif rng.random() < 0.1:
            d.rectangle((20, y, w - 20, y + size * 3), outline=ink)
        else:
            d.text(
                (int(rng.integers(5, 60)), y),
                _text(rng, int(rng.integers(2, 9))),
                fill=ink,
                font=_font(rng, size),
            )
        y += int(size * rng.uniform(1.2, 2.2))
    return img


def _screenshot(rng: np.random.Generator) -> Image.Image:
    w, h = int(rng.integers(320, 800)), int(rng.integers(240, 600))
    dark = rng.random() < 0.3
    bg = (int(rng.integers(20, 60)),) * 3 if dark else (int(rng.integers(225, 256)),) * 3
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, int(rng.integers(18, 40))), fill=_colour(rng))
    if rng.random() < 0.7:
        d.rectangle(
            (0, 40, int(w * rng.uniform(0.15, 0.3)), h), fill=_colour(rng, rng.random() < 0.5)
        )
    for _ in range(int(rng.integers(3, 15))):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(40, h - 20))
        x1, y1 = x0 + int(rng.integers(30, 200)), y0 + int(rng.integers(14, 60))
        if rng.random() < 0.2:  # an embedded picture area
            tex = (_fractal(rng, max(1, y1 - y0), max(1, x1 - x0), 1.5) * 255).astype(np.uint8)
            img.paste(Image.fromarray(tex).convert("RGB"), (x0, y0))
        else:
            d.rounded_rectangle(
                (x0, y0, x1, y1),
                radius=int(rng.integers(0, 8)),
                fill=_colour(rng),
                outline=_colour(rng, True),
            )
        d.text(
            (x0 + 4, y0 + 2),
            _text(rng, 2),
            fill=(255, 255, 255) if dark else (0, 0, 0),
            font=_font(rng, 12),
        )
    return img


def _chart(rng: np.random.Generator) -> Image.Image:
    w, h = _size(rng)
    img = Image.new("RGB", (w, h), (255, 255, 255) if rng.random() < 0.7 else _colour(rng))
    d = ImageDraw.Draw(img)
    d.line((20, h - 20, w - 10, h - 20), fill=(0, 0, 0), width=2)
    d.line((20, 10, 20, h - 20), fill=(0, 0, 0), width=2)
    n = int(rng.integers(3, 12))
    if rng.random() < 0.5:
        for i in range(n):
            bh = int(rng.integers(10, h - 40))
            x = 30 + i * (w - 50) // n
            d.rectangle((x, h - 20 - bh, x + max(3, (w - 60) // n - 4), h - 20), fill=_colour(rng))
    else:
        pts = [(20 + i * (w - 30) // n, int(rng.integers(10, h - 20))) for i in range(n + 1)]
        d.line(pts, fill=_colour(rng), width=int(rng.integers(1, 4)))
    return img


def _noise(rng: np.random.Generator) -> Image.Image:
    w, h = _size(rng)
    ch = 1 if rng.random() < 0.5 else 3
    kind = rng.integers(3)
    if kind == 0:
        arr = rng.integers(0, 256, (h, w, ch))
    elif kind == 1:
        arr = np.clip(rng.normal(rng.uniform(40, 210), rng.uniform(5, 80), (h, w, ch)), 0, 255)
    else:
        arr = np.where(rng.random((h, w, ch)) < rng.uniform(0.01, 0.3), 255, rng.integers(0, 60))
    return Image.fromarray(np.repeat(arr, 3 // ch, axis=2).astype(np.uint8))


def _blank(rng: np.random.Generator) -> Image.Image:
    w, h = _size(rng)
    c = np.array(_colour(rng, rng.random() < 0.6), np.float32)
    arr = c + rng.normal(0, rng.uniform(0, 4), (h, w, 1))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _gradient(rng: np.random.Generator) -> Image.Image:
    w, h = _size(rng)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if rng.random() < 0.5:
        a = rng.uniform(0, 2 * np.pi)
        t = xx * np.cos(a) + yy * np.sin(a)
    else:
        t = np.hypot(xx - rng.uniform(0, w), yy - rng.uniform(0, h))
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    grey = rng.random() < 0.5
    c0, c1 = np.array(_colour(rng, grey), np.float32), np.array(_colour(rng, grey), np.float32)
    return Image.fromarray((c0 + (c1 - c0) * t[..., None]).astype(np.uint8))


def _shapes(rng: np.random.Generator) -> Image.Image:
    w, h = _size(rng)
    grey = rng.random() < 0.4
    img = Image.new("RGB", (w, h), _colour(rng, grey))
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(1, 25))):
        x0, y0 = int(rng.integers(-50, w)), int(rng.integers(-50, h))
        box = (x0, y0, x0 + int(rng.integers(10, w)), y0 + int(rng.integers(10, h)))
        fill = _colour(rng, grey)
        shape = rng.integers(3)
        if shape == 0:
            d.ellipse(box, fill=fill)
        elif shape == 1:
            d.rectangle(box, fill=fill)
        else:
            d.polygon(
                [tuple(int(v) for v in rng.integers(0, max(w, h), 2)) for _ in range(3)], fill=fill
            )
    if rng.random() < 0.5:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(1, 8))))
    return img


def _texture(rng: np.random.Generator) -> Image.Image:
    w, h = _size(rng)
    beta = rng.uniform(0.8, 2.2)
    if rng.random() < 0.5:  # grey: fog, clouds, concrete (what a washed-out photo looks like)
        t = _fractal(rng, h, w, beta)
        lo, hi = sorted(rng.uniform(0, 255, 2))
        arr = np.repeat((lo + (hi - lo) * t)[..., None], 3, axis=2)
    else:
        arr = np.stack([_fractal(rng, h, w, beta) for _ in range(3)], -1)
        mix = rng.dirichlet(np.ones(3), 3).astype(np.float32)
        arr = 255 * (arr @ mix)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _scene(rng: np.random.Generator) -> Image.Image:
    """A crude outdoor/indoor photo: sky, horizon, textured ground, blurred objects."""
    w, h = _size(rng)
    horizon = int(h * rng.uniform(0.2, 0.8))
    sky0, sky1 = np.array(_colour(rng), np.float32), np.array(_colour(rng), np.float32)
    t = np.linspace(0, 1, horizon, dtype=np.float32)[:, None, None]
    sky = np.broadcast_to(sky0 + (sky1 - sky0) * t, (horizon, w, 3))
    ground_c = np.array(_colour(rng), np.float32)
    tex = _fractal(rng, h - horizon, w, rng.uniform(1.0, 2.0))[..., None]
    ground = ground_c * (0.5 + tex)
    img = Image.fromarray(np.clip(np.concatenate([sky, ground], 0), 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(1, 8))):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        d.ellipse(
            (x0, y0, x0 + int(rng.integers(10, w // 2)), y0 + int(rng.integers(10, h // 2))),
            fill=_colour(rng),
        )
    img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 4))))
    if rng.random() < 0.35:
        img = img.convert("L").convert("RGB")
    return img


def _pattern(rng: np.random.Generator) -> Image.Image:
    w, h = _size(rng)
    period = int(rng.integers(4, 64))
    yy, xx = np.mgrid[0:h, 0:w]
    if rng.random() < 0.5:
        mask = ((xx // period + yy // period) % 2).astype(bool)
    else:
        mask = np.sin((xx * rng.uniform(-1, 1) + yy) * 2 * np.pi / period) > 0
    c0, c1 = np.array(_colour(rng), np.uint8), np.array(_colour(rng), np.uint8)
    return Image.fromarray(np.where(mask[..., None], c0, c1))


GENERATORS: dict[str, Callable[[np.random.Generator], Image.Image]] = {
    "document": _document,
    "screenshot": _screenshot,
    "chart": _chart,
    "noise": _noise,
    "blank": _blank,
    "gradient": _gradient,
    "shapes": _shapes,
    "texture": _texture,
    "scene": _scene,
    "pattern": _pattern,
}


def negative(kind: str, rng: np.random.Generator) -> np.ndarray:
    """One generated negative as RGB uint8, sometimes JPEG-recompressed like a real file."""
    img = GENERATORS[kind](rng).convert("RGB")
    if rng.random() < 0.5:
        img = _jpeg(img, int(rng.integers(50, 96)))
    return np.asarray(img)
