"""How a pack holds up when the same images come from another site: answered share and
accuracy of the answers under named, fixed acquisition changes.

    python -m training.site_changes models/brain-mri-tumor --data ../shared/datasets/brain_mri \
        [--split val] [--n 300] [--json OUT] [--record --signing-key KEY]

``--record`` writes the table into the pack's card (between markers, replaced on every run),
re-seals the pack and signs it.

Why (issues 16 and 17): `shift/` is one second site; a clinic's scanner or camera differs in
ways no folder shows. Each change below is one such difference at a fixed, moderate strength
(a window that lifts the black surround, a noisier scanner, a tilted or smaller X-ray, a phone
in a dim room...). Every changed image goes through the app's own screening path (modality
check, guards, quality checks), so a refusal here is what the clinic would see. The answers
themselves usually stay right: where the answered share falls and the accuracy of the answers
does not, the guard is too tight around the training pool.

Measurement only: nothing is fitted, and the changes are not the random copies
``training.camera_guard`` fits guards on (other strengths, no randomness), so a guard fitted on
those copies is measured here on images it did not see.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from inference.images import decode
from inference.packs import load_pack
from inference.screener import Screener

from .pack_eval import split_files


def _arr(im: Image.Image) -> np.ndarray:
    return np.asarray(im, np.float32)


def _u8(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8))


def _jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert(im.mode)


def _pad(im: Image.Image, factor: float) -> Image.Image:
    """The image smaller in a wider black frame (a wider field of view, a collimation border)."""
    canvas = Image.new(im.mode, (round(im.width * factor), round(im.height * factor)))
    canvas.paste(im, ((canvas.width - im.width) // 2, (canvas.height - im.height) // 2))
    return canvas


def _crop(im: Image.Image, keep: float) -> Image.Image:
    dw, dh = round(im.width * (1 - keep) / 2), round(im.height * (1 - keep) / 2)
    return im.crop((dw, dh, im.width - dw, im.height - dh))


def _long_side(im: Image.Image, side: int, resample: int) -> Image.Image:
    """The image with its long side at ``side`` pixels, its shape kept."""
    scale = side / max(im.size)
    return im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), resample)


def _noise(im: Image.Image, sigma: float) -> Image.Image:
    a = _arr(im)
    return _u8(a + np.random.default_rng(1).normal(0.0, sigma, a.shape))


# name -> (what it stands for, the change). Fixed strengths: the same image always changes the same way.
CHANGES: dict[str, tuple[str, Callable[[Image.Image], Image.Image]]] = {
    "clean": ("the image as it is", lambda im: im),
    "gamma 0.7": ("brighter mid-tones (another window or display curve)",
                  lambda im: _u8(255 * (_arr(im) / 255) ** 0.7)),
    "gamma 1.4": ("darker mid-tones", lambda im: _u8(255 * (_arr(im) / 255) ** 1.4)),
    "contrast 0.7": ("flatter window: black lifted to dark grey, white dimmed",
                     lambda im: _u8((_arr(im) - 128) * 0.7 + 128)),
    "brighter +25": ("every grey level 25 higher (black surround at 25)", lambda im: _u8(_arr(im) + 25)),
    "blur 1.2": ("softer focus or a smoothing filter (Gaussian sigma 1.2 px)",
                 lambda im: im.filter(ImageFilter.GaussianBlur(1.2))),
    "noise 8": ("a noisier acquisition (Gaussian noise, sigma 8 grey levels)", lambda im: _noise(im, 8)),
    "JPEG 30": ("strong compression (JPEG quality 30)", lambda im: _jpeg(im, 30)),
    "96 px": ("a low-resolution export (long side down to 96 px and back)",
              lambda im: _long_side(im, 96, Image.BILINEAR).resize(im.size, Image.BILINEAR)),
    "512 px": ("a high-resolution export (long side up to 512 px)", lambda im: _long_side(im, 512, Image.BICUBIC)),
    "border 1.25": ("smaller in a black frame 1.25 times as wide", lambda im: _pad(im, 1.25)),
    "crop 0.85": ("a tighter crop (the middle 85 %)", lambda im: _crop(im, 0.85)),
    "tilt 10": ("tilted 10 degrees, black corners", lambda im: im.rotate(10, resample=Image.BILINEAR)),
    "sharpen": ("an edge-enhancing filter", lambda im: im.filter(ImageFilter.UnsharpMask(2, 120, 2))),
}


@dataclass(frozen=True)
class ChangeResult:
    """What the app did with one split's images under one change."""

    change: str
    n: int
    answered: int
    right: int  # answered and the top class is the label
    refusals: dict[str, int]  # status -> count, for the images not answered

    @property
    def answered_share(self) -> float:
        return self.answered / self.n if self.n else 0.0

    @property
    def accuracy_of_answers(self) -> float:
        return self.right / self.answered if self.answered else 0.0


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _open(path: Path) -> Image.Image:
    """Grey files stay grey (the app reads them so), everything else as RGB."""
    im = Image.open(path)
    return im.convert("L" if im.mode in ("L", "I", "I;16", "F") else "RGB")


def spaced(items: Sequence, n: int) -> list:
    """``n`` items spread evenly over ``items`` (classes are stored in order, so every class shows)."""
    if n >= len(items):
        return list(items)
    return [items[i] for i in np.linspace(0, len(items) - 1, n).round().astype(int)]


def measure(screener: Screener, files: Sequence[tuple[Path, str]], changes: Sequence[str],
            batch: int = 32) -> list[ChangeResult]:
    """Screen every file under every change through ``screener``; one result per change."""
    out = []
    for name in changes:
        change = CHANGES[name][1]
        status: Counter[str] = Counter()
        right = 0
        for start in range(0, len(files), batch):
            chunk = files[start : start + batch]
            images = [decode(_png(change(_open(p))), name=f"{p.name} ({name})") for p, _ in chunk]
            for result, (_, label) in zip(screener.screen_images(images), chunk, strict=True):
                status[result.status.value] += 1
                right += int(result.status.value == "ok" and result.prediction.top_class == label)
        answered = status.pop("ok", 0)
        out.append(ChangeResult(name, len(files), answered, right, dict(sorted(status.items()))))
    return out


def markdown(pack_id: str, split: str, results: Sequence[ChangeResult]) -> str:
    lines = [f"`{pack_id}`, {split} ({results[0].n} images, spread over the classes):", "",
             "| change | what it stands for | answered | accuracy of answers | refused as |",
             "|---|---|---|---|---|"]
    for r in results:
        refused = ", ".join(f"{k} {v}" for k, v in r.refusals.items()) or "-"
        lines.append(f"| {r.change} | {CHANGES[r.change][0]} | {100 * r.answered_share:.1f} % "
                     f"| {100 * r.accuracy_of_answers:.1f} % | {refused} |")
    return "\n".join(lines)


START, END = "<!-- site-changes:start -->", "<!-- site-changes:end -->"


def card_section(pack_id: str, split: str, variant: str, results: Sequence[ChangeResult]) -> str:
    """The card's block: why, the table, and what it does not say."""
    return "\n".join([
        START,
        "## Another site's scanner or camera: the same images changed",
        "",
        f"Each {split} image changed one way at a fixed strength and screened through the app's whole "
        f"path (`python -m training.site_changes`, variant {variant}): the share still answered and "
        "how often those answers were right. Simulated changes, not another site's images: they "
        "show where the guards refuse images the model still reads, not how a real site will do.",
        "",
        markdown(pack_id, split, results),
        END,
    ]) + "\n"


def record(pack_dir: Path, section: str) -> str:
    """Put ``section`` into the card (replacing an earlier one) and re-seal; the caller signs.
    A first one goes before the evaluation block, so both generated blocks stay at the end."""
    from inference.seal import write_seal

    from .card import put_block
    from .eval_record import START as EVALUATION

    card = Path(pack_dir) / "MODEL_CARD.md"
    put_block(card, START, END, section, before=EVALUATION)
    write_seal(Path(pack_dir))
    return f"{card}: site changes recorded"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m training.site_changes", description=__doc__.split("\n\n")[0])
    p.add_argument("pack", type=Path, help="pack folder (models/<id>)")
    p.add_argument("--data", type=Path, required=True, help="the pack's dataset (split folders inside)")
    p.add_argument("--split", default="val")
    p.add_argument("--n", type=int, default=300, help="images, spread evenly over the split (default 300)")
    p.add_argument("--changes", nargs="+", choices=list(CHANGES), default=list(CHANGES))
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--unsigned", action="store_true", help="measure a candidate pack not signed yet (seal still checked)")
    p.add_argument("--record", action="store_true", help="write the table into the pack's card, re-seal and sign")
    p.add_argument("--signing-key", type=Path, metavar="KEY", help="with --record: the release key")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    pack = load_pack(args.pack, check_signature=not args.unsigned)
    files = spaced(split_files(args.data, args.split, pack.manifest.class_ids), args.n)
    screener = Screener(pack)
    results = measure(screener, files, args.changes)
    print(markdown(pack.manifest.id, args.split, results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1) + "\n", "utf-8")
    if not args.record:
        return 0
    from .sign import record_then_sign

    variant = screener.engine.variant or pack.manifest.onnx.default_variant
    section = card_section(pack.manifest.id, args.split, variant, results)
    return record_then_sign("site_changes", args.pack, args.signing_key,
                            lambda: record(args.pack, section), (OSError, ValueError))


if __name__ == "__main__":
    sys.exit(main())
