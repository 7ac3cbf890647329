"""Draw the ClinicLens app icon: assets/icons/cliniclens.png (256 px) and cliniclens.ico.

    python tools/make_icon.py

A white medical cross inside a lens ring on a teal rounded square. Drawn at 1024 px and
scaled down (clean anti-aliased edges at every size). The .ico holds 16-256 px for Windows
(Explorer, taskbar, the exe itself via build.spec); the PNG is the Qt window icon.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "icons"
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]

TEAL = (0, 122, 135, 255)
TEAL_DARK = (0, 92, 102, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int = 1024) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 1024
    # Background: rounded square with a thin darker rim.
    d.rounded_rectangle((16 * s, 16 * s, 1008 * s, 1008 * s), radius=200 * s, fill=TEAL_DARK)
    d.rounded_rectangle((40 * s, 40 * s, 984 * s, 984 * s), radius=180 * s, fill=TEAL)
    # Lens: a white ring, centre slightly up-left, with a handle to the lower right.
    cx, cy, r, w = 450 * s, 450 * s, 300 * s, 64 * s
    d.line((cx + 0.70 * r, cy + 0.70 * r, 880 * s, 880 * s), fill=WHITE, width=int(110 * s))
    d.ellipse((880 * s - 55 * s, 880 * s - 55 * s, 880 * s + 55 * s, 880 * s + 55 * s), fill=WHITE)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    d.ellipse((cx - r + w, cy - r + w, cx + r - w, cy + r - w), fill=TEAL)
    # Medical cross inside the lens.
    arm, half = 150 * s, 52 * s
    d.rounded_rectangle((cx - half, cy - arm, cx + half, cy + arm), radius=14 * s, fill=WHITE)
    d.rounded_rectangle((cx - arm, cy - half, cx + arm, cy + half), radius=14 * s, fill=WHITE)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    png = big.resize((256, 256), Image.Resampling.LANCZOS)
    png.save(OUT / "cliniclens.png", optimize=True)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(
        OUT / "cliniclens.ico", format="ICO", sizes=ICO_SIZES
    )
    print(f"wrote {OUT / 'cliniclens.png'} and {OUT / 'cliniclens.ico'}")


if __name__ == "__main__":
    main()
