"""What a user would otherwise run: eager PyTorch + pytorch-grad-cam, against ClinicLens.

    python bench/peer.py [--pack chest-xray-pneumonia] [--image PATH] [--repeats 15] [--threads 2]

One screening with a heatmap, from the image file to class probabilities and a coloured
overlay, timed both ways on the same image, architecture and input size:

- **peer**: the notebook path the published prototypes use (PIL + torchvision transforms,
  ``torchvision.models.mobilenet_v2``, ``pytorch_grad_cam.GradCAM`` on the last feature block,
  ``show_cam_on_image``);
- **cliniclens**: ``Screener.screen_path`` + ``Screener.overlay`` on the bundled pack.

Each side runs in its own process (onnxruntime's spinning worker threads would otherwise
slow torch) with the same thread count; the figure is the ratio of the medians. Needs the
training extra (torch, torchvision, grad-cam): ``make test`` installs it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from timing import median_ms  # bench/timing.py (the script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
TARGET_PEER_RATIO = 10.0  # ClinicLens at least this many times faster than the peer path
PEER_PACK = "chest-xray-pneumonia"  # MobileNetV2 at 224 px, the comparison issue 21 states


def peer_model(manifest: dict):  # noqa: ANN201 - torch is imported lazily
    """The pack's architecture in eager torchvision: MobileNetV2, with the last stride removed
    where the pack has it (output stride 16, the v2 brain packs), untrained weights."""
    from torchvision import models

    model = models.mobilenet_v2(num_classes=len(manifest["classes"])).eval()
    if manifest["training"].get("output_stride") == 16:
        sys.path.insert(0, str(ROOT))
        from training.archs import dilate_last_stage

        dilate_last_stage(model.features)
    return model


def peer_ms(pack_dir: Path, image: Path, repeats: int, threads: int) -> float:
    """Median ms of one eager-PyTorch screening with a Grad-CAM overlay."""
    import numpy as np
    import torch
    from PIL import Image
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.image import show_cam_on_image
    from torchvision import transforms

    torch.set_num_threads(threads)
    manifest = json.loads((pack_dir / "manifest.json").read_text("utf-8"))
    if manifest.get("training", {}).get("arch") != "mobilenet_v2":
        raise SystemExit(f"{pack_dir.name}: the peer path is written for mobilenet_v2 packs")
    height, width = manifest["input"]["size"]
    model = peer_model(manifest)
    prep = transforms.Compose(
        [
            transforms.Resize((height, width)),
            transforms.ToTensor(),
            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ]
    )
    cam = GradCAM(model=model, target_layers=[model.features[-1]])

    def screen() -> None:
        rgb = Image.open(image).convert("RGB")
        tensor = prep(rgb).unsqueeze(0)
        heat = cam(input_tensor=tensor, targets=None)[0]  # forward, backward, map (top class)
        torch.softmax(cam.outputs, dim=1)
        shown = np.asarray(rgb.resize((width, height)), dtype=np.float32) / 255.0
        show_cam_on_image(shown, heat, use_rgb=True)

    return median_ms(screen, repeats)


def cliniclens_ms(pack_dir: Path, image: Path, repeats: int, threads: int) -> float:
    """Median ms of one ClinicLens screening with its heatmap overlay (what the app shows)."""
    sys.path.insert(0, str(ROOT))
    from inference.engine import Engine
    from inference.packs import load_pack
    from inference.screener import Screener

    pack = load_pack(pack_dir)
    screener = Screener(pack, Engine(pack, threads=threads))

    def screen() -> None:
        loaded = screener.load(image)
        result = screener.screen_image(loaded)
        screener.overlay(loaded, result)

    return median_ms(screen, repeats)


def _in_own_process(side: str, pack_dir: Path, image: Path, repeats: int, threads: int) -> float:
    cmd = [sys.executable, __file__, "--side", side, "--pack-dir", str(pack_dir)]
    cmd += ["--image", str(image), "--repeats", str(repeats), "--threads", str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=900)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["ms"])


def compare(pack_dir: Path, image: Path, repeats: int, threads: int) -> dict[str, float]:
    """Both sides, each in a fresh process; ``ratio`` = peer / ClinicLens."""
    peer = _in_own_process("peer", pack_dir, image, repeats, threads)
    ours = _in_own_process("cliniclens", pack_dir, image, repeats, threads)
    return {"peer_ms": peer, "cliniclens_ms": ours, "ratio": peer / ours}


def default_image(pack_dir: Path) -> Path:
    samples = ROOT / "assets" / "samples" / pack_dir.name
    return sorted(p for p in samples.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pack", default=PEER_PACK, help="a bundled mobilenet_v2 pack")
    ap.add_argument("--pack-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--image", type=Path, help="default: the pack's first bundled sample")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--side", choices=("peer", "cliniclens"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    pack_dir = args.pack_dir or ROOT / "models" / args.pack
    image = args.image or default_image(pack_dir)
    if args.side:
        fn = peer_ms if args.side == "peer" else cliniclens_ms
        print(json.dumps({"ms": fn(pack_dir, image, args.repeats, args.threads)}))
        return 0
    figures = compare(pack_dir, image, args.repeats, args.threads)
    print(
        f"Peer (torch eager + pytorch-grad-cam, {pack_dir.name}, {args.threads} threads): "
        f"{figures['peer_ms']:.1f} ms vs ClinicLens {figures['cliniclens_ms']:.1f} ms "
        f"per screening with heatmap: {figures['ratio']:.1f}x"
    )
    verdict = "PASS" if figures["ratio"] >= TARGET_PEER_RATIO else "FAIL"
    print(f"  {verdict}: ClinicLens >= {TARGET_PEER_RATIO:.0f}x faster than the peer path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
