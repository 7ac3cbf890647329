"""Render synthetic 'document scan' images used as out-of-domain probes for the OOD guard."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

LINES = [
    "PATIENT REGISTRATION FORM", "Name: ____________________", "Date of birth: __/__/____",
    "Puskesmas Kecamatan", "Hasil pemeriksaan laboratorium", "Hemoglobin: 11.2 g/dL",
    "Signature: ______________", "Keterangan: rujuk ke RSUD", "Invoice no. 2024-0031",
]


def render(out: Path, n: int = 12, seed: int = 0) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    font = ImageFont.load_default()
    for i in range(n):
        w, h = int(rng.integers(300, 600)), int(rng.integers(400, 800))
        paper = int(rng.integers(215, 255))
        im = Image.new("L", (w, h), paper)
        d = ImageDraw.Draw(im)
        y = 20
        while y < h - 30:
            d.text((int(rng.integers(10, 40)), y), LINES[int(rng.integers(len(LINES)))], fill=int(rng.integers(0, 60)), font=font)
            y += int(rng.integers(14, 30))
        arr = np.asarray(im, np.float32) + rng.normal(0, 6, (h, w))
        Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(out / f"doc_{i:02d}.jpg", quality=85)


if __name__ == "__main__":
    render(Path(sys.argv[1] if len(sys.argv) > 1 else "runs/probes/documents"))
