"""int8 variant of a model pack: onnxruntime static quantisation, measured against fp32.

Usage: python -m training.quantize models/<id> --data ../shared/datasets/<set>
       [--classes a,b] [--calib 300] [--method minmax|percentile] [--fp32-blocks 0,1] [--runs 3]

Calibrates on training images of the pack's classes, preprocessed exactly like the app
(``inference.images.load_image`` + ``inference.preprocess.preprocess``). QDQ format with
per-channel weights; everything downstream of the ``features`` tensor (pooling, head and the
``head_grad`` branch) stays fp32 so Grad-CAM inputs keep their precision. Measures both
variants through the app's engine on the pack's validation split (``val_predictions.csv``
lists it), records the figures in the manifest's variant notes and MODEL_CARD.md, and
re-seals the pack. Before measuring, int8 gets its own temperature, thresholds and guards
(:mod:`training.variant_fit`, fitted as the pipeline fits fp32's). int8 becomes the default
only when accuracy drops by less than 0.5 points on the validation images and, where the
dataset has a second site (``shift/``, measured, never fitted on), there too; its own guard
passes at least 95 % of the validation images, and it flags no smaller share of the probe
images (``--ood-probe``) than fp32's guard. ``--keep-model`` refits and re-measures an existing
``model.int8.onnx``.

Why the second site counts: on ``val`` the first int8 variants of the chest and brain-tumour
packs matched fp32 (+0.4 and +0.5 points), yet on ``shift`` they lost 2.6 and 1.2 points; the
quantisation error grows where the images differ from the calibration pool. ``--method
percentile`` and ``--fp32-blocks`` (MobileNetV2 ``features.N`` blocks left unquantised) are the
recipe knobs, chosen on ``shift`` (``training/make_packs.sh`` names each pack's): the first two
blocks in fp32 hold for every pack with a ``shift/`` split. Percentile calibration keeps every
activation of the calibration images in memory (about 17 GB for 300 images at 224 px; it was
killed for memory beside another job on a 24 GB machine), minmax does not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx

from inference import cam as cam_mod
from inference.engine import Engine
from inference.images import load_image
from inference.packs import load_pack
from inference.preprocess import preprocess
from inference.seal import digest_file as file_sha256
from inference.signing import load_private_key

from .evaluate import report
from .int8_record import (  # noqa: F401 - the rule and record, re-exported for callers of quantize
    CARD_HEADING,
    INT8_FILE,
    MAX_DROP_POINTS,
    MIN_OOD_PASS,
    int8_holds,
    record,
    recorded_res,
    without_section,
)
from .sign import sign


def _tensor(path: Path, spec, draft: tuple[int, int]) -> np.ndarray:
    img = load_image(path, draft_size=draft)
    return preprocess(img.pixels, spec)[None]


def calibration_files(data: Path, classes: list[str], n: int, seed: int = 0) -> list[Path]:
    """``n`` training images spread evenly over ``classes`` (random but reproducible)."""
    rng = np.random.default_rng(seed)
    per = max(1, n // len(classes))
    out: list[Path] = []
    for cls in classes:
        files = sorted(f for f in (data / "train" / cls).iterdir() if f.is_file())
        take = rng.permutation(len(files))[: min(per, len(files))]
        out += [files[i] for i in sorted(take)]
    return out


class _Reader:
    def __init__(self, files: list[Path], spec, draft: tuple[int, int], input_name: str):
        self._it = iter(files)
        self.spec, self.draft, self.name = spec, draft, input_name

    def get_next(self):
        path = next(self._it, None)
        return None if path is None else {self.name: _tensor(path, self.spec, self.draft)}

    def rewind(self):  # onnxruntime >= 1.17 may call it
        pass


def _downstream_of(model: onnx.ModelProto, tensor: str) -> list[str]:
    """Names of the nodes that (transitively) consume ``tensor``."""
    reached, names, changed = {tensor}, [], True
    while changed:
        changed = False
        for node in model.graph.node:
            if node.name not in names and any(i in reached for i in node.input):
                names.append(node.name)
                reached.update(node.output)
                changed = True
    return names


def block_nodes(model: onnx.ModelProto, blocks: Sequence[int]) -> list[str]:
    """Names of the nodes of MobileNetV2's ``features.N`` blocks (torchvision's export names
    them ``/features/features.N/...``; in an ensemble, training.ensemble, every member's:
    ``/members.M.N/``). A block that names no node is an error, so a typo cannot quietly
    quantise everything."""
    names = []
    for k in blocks:
        block = re.compile(rf"/(features|members\.\d+)\.{k}/")
        found = [n.name for n in model.graph.node if block.search(n.name)]
        if not found:
            raise ValueError(f"--fp32-blocks: the graph has no block features.{k}")
        names += found
    return names


def quantize_pack(pack_dir: Path, data: Path, classes: list[str], n_calib: int,
                  method: str = "minmax", fp32_blocks: Sequence[int] = ()) -> Path:
    from onnxruntime.quantization import (
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    pack = load_pack(pack_dir, check_signature=False)
    man = pack.manifest
    src = pack.onnx_path("fp32")
    out = pack_dir / INT8_FILE
    with tempfile.TemporaryDirectory() as tmp:
        prep = Path(tmp) / "prep.onnx"
        try:
            quant_pre_process(str(src), str(prep), skip_symbolic_shape=False)
        except Exception:  # noqa: BLE001 - fall back to the plain graph
            prep = src
        model = onnx.load(str(prep))
        for i, node in enumerate(model.graph.node):
            if not node.name:
                node.name = f"node_{i}"
        if prep != src:
            onnx.save(model, str(prep))
        else:
            prep = Path(tmp) / "named.onnx"
            onnx.save(model, str(prep))
        exclude = _downstream_of(model, man.onnx.features) if man.onnx.features else []
        exclude += block_nodes(model, fp32_blocks)
        files = calibration_files(data, classes, n_calib)
        draft = (2 * man.input.width, 2 * man.input.height)
        quantize_static(
            str(prep),
            str(out),
            _Reader(files, man.input, draft, man.onnx.input),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=(
                CalibrationMethod.Percentile if method == "percentile" else CalibrationMethod.MinMax
            ),
            nodes_to_exclude=exclude,
            extra_options={"CalibPercentile": 99.999} if method == "percentile" else {},
        )
    return out


def _cam(out, c: int) -> np.ndarray:
    """The app's own Grad-CAM of class ``c`` for a one-image engine output."""
    return cam_mod.compute(out.features[0], out.head_grad[0], c, str(c)).values


def _pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    if a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def _labelled(data: Path, split: str, ids: list[str]) -> tuple[list[Path], np.ndarray]:
    """The files of ``data/split/<class>/`` for the pack's classes, and their class indices."""
    files, labels = [], []
    for i, cls in enumerate(ids):
        found = sorted(f for f in (data / split / cls).iterdir() if f.is_file())
        files += found
        labels += [i] * len(found)
    return files, np.array(labels)


def second_site(engines: dict[str, Engine], data: Path, ids: list[str], spec) -> dict | None:
    """Accuracy of each variant on ``data/shift`` (a second site; measured, never fitted on),
    or None where the dataset has none."""
    if not (data / "shift").is_dir():
        return None
    files, labels = _labelled(data, "shift", ids)
    draft = (2 * spec.width, 2 * spec.height)
    preds: dict[str, list[int]] = {v: [] for v in engines}
    for path in files:
        x = _tensor(path, spec, draft)
        for v, e in engines.items():
            preds[v].append(int(np.argmax(e.run(x).logits[0])))
    return {"n": len(files), **{v: float(np.mean(np.array(p) == labels)) for v, p in preds.items()}}


def evaluate(pack_dir: Path, data: Path, runs: int = 3, timing_images: int = 40) -> dict:
    """fp32 vs int8 on the validation split and the second site, through the app's engine
    (1 thread)."""
    pack = load_pack(pack_dir, check_signature=False)
    man = pack.manifest
    ids = list(man.class_ids)
    files, labels = _labelled(data, "val", ids)
    draft = (2 * man.input.width, 2 * man.input.height)
    engines = {v: Engine(pack, threads=1, variant=v) for v in ("fp32", "int8")}
    preds: dict[str, list[int]] = {v: [] for v in engines}
    from inference.ood import combined_scores, load_guards, pool

    guards = {v: load_guards(pack, v) for v in engines}  # each variant's own (issue 21)
    passed: dict[str, list[bool]] = {v: [] for v in engines}
    corr: list[float] = []
    max_logit_diff = 0.0
    step = max(1, len(files) // timing_images)
    sample = []
    for j, path in enumerate(files):
        x = _tensor(path, man.input, draft)
        if j % step == 0 and len(sample) < timing_images:
            sample.append(x)
        a, b = engines["fp32"].run(x), engines["int8"].run(x)
        preds["fp32"].append(int(np.argmax(a.logits[0])))
        preds["int8"].append(int(np.argmax(b.logits[0])))
        max_logit_diff = max(max_logit_diff, float(np.abs(a.logits - b.logits).max()))
        if a.features is not None and b.features is not None:
            for v, out in (("fp32", a), ("int8", b)):
                scorer, early = guards[v]
                if scorer is None:
                    continue
                score = combined_scores(scorer, early, pool(out.features), out.early_pooled)[0]
                passed[v].append(bool(score <= scorer.threshold))
        if a.features is None or b.features is None:
            continue
        c = int(np.argmax(a.logits[0]))
        r = _pearson(_cam(a, c), _cam(b, c))
        if r is not None:
            corr.append(r)
    res: dict = {"n": len(files)}
    for v in engines:
        pred = np.array(preds[v])
        res[v] = {
            "accuracy": float(np.mean(pred == labels)),
            "macro_f1": report(np.eye(len(ids))[pred], labels, tuple(ids)).macro_f1,
            "bytes": pack.onnx_path(v).stat().st_size,
            "ood_pass": float(np.mean(passed[v])) if passed[v] else None,
            "probes_flagged": _probes_flagged(man.for_variant(v)),
            "temperature": man.for_variant(v).temperature,
            "thresholds": {c.id: c.threshold for c in man.for_variant(v).classes if c.refer},
        }
    res["cam_pearson"] = float(np.mean(corr)) if corr else None
    shift = second_site(engines, data, ids, man.input)
    if shift is not None:
        res["shift_n"] = shift["n"]
        for v in engines:
            res[v]["shift_accuracy"] = shift[v]
    res["max_logit_diff"] = max_logit_diff
    res["load_avg"] = os.getloadavg()[0]  # timings on a shared machine say how busy it was
    for v, e in engines.items():
        e.run(sample[0])
        means = []
        for _ in range(runs):
            t0 = time.perf_counter()
            for x in sample:
                e.run(x)
            means.append((time.perf_counter() - t0) * 1000.0 / len(sample))
        res[v]["ms"] = statistics.median(means)
    return res


def _probes_flagged(man) -> float | None:
    """Share of the probe images the variant's guard flagged when it was fitted (None: no
    probes were given; the pipeline writes NaN then)."""
    rate = None if man.ood is None else man.ood.far_ood_flag_rate
    return None if rate is None or rate != rate else float(rate)


def _recipe_defaults(args: argparse.Namespace) -> None:
    """Fill the recipe the command line left open: with ``--keep-model`` the one recorded for
    the existing model (so its card keeps describing it), else minmax and no fp32 blocks."""
    recorded = {}
    if args.keep_model:
        raw = json.loads((args.pack / "manifest.json").read_text("utf-8"))
        recorded = raw["onnx"].get("variants", {}).get("int8", {}).get("metrics") or {}
    if args.method is None:
        args.method = recorded.get("calibration", "minmax")
    if args.fp32_blocks is None:
        args.fp32_blocks = tuple(recorded.get("fp32_blocks", ()))


def _blocks(text: str) -> tuple[int, ...]:
    return tuple(int(k) for k in text.split(",") if k.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pack", type=Path)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--classes", default=None, help="comma-separated; default: the pack's")
    ap.add_argument("--calib", type=int, default=300)
    ap.add_argument("--method", choices=("minmax", "percentile"), default=None,
                    help="calibration (default minmax; with --keep-model the recorded one)")
    ap.add_argument("--fp32-blocks", type=_blocks, default=None,
                    help="comma-separated MobileNetV2 features.N blocks to leave unquantised, e.g. 0,18")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ood-probe", type=Path, action="append", default=[],
                    help="folder of images the guards must flag (as training.cli); repeatable")
    ap.add_argument("--keep-model", action="store_true",
                    help=f"keep the existing {INT8_FILE}: refit its calibration and re-measure")
    ap.add_argument("--signing-key", type=Path, metavar="KEY",
                    help="private key to sign the rewritten pack with (unsigned packs are refused)")
    args = ap.parse_args(argv)
    if args.signing_key:
        load_private_key(args.signing_key)  # a bad key stops here, not after the work
    pack = load_pack(args.pack, check_signature=False)
    classes = args.classes.split(",") if args.classes else list(pack.manifest.class_ids)
    _recipe_defaults(args)
    if not args.keep_model:
        quantize_pack(args.pack, args.data, classes, args.calib, args.method, args.fp32_blocks)
    declared = {v.name: v.sha256 for v in pack.manifest.onnx.variants}
    if declared.get("int8") != file_sha256(args.pack / INT8_FILE):
        # the manifest must name the variant before the engine can load it
        res = {"n": 0, "fp32": {"accuracy": 0.0, "macro_f1": 0.0, "ms": 0.0, "bytes": 0},
               "cam_pearson": None}
        res["int8"] = dict(res["fp32"])
        record(args.pack, res, args.method, args.calib, args.fp32_blocks)
    from .variant_fit import fit_variant

    fit_variant(args.pack, args.data, "int8", tuple(args.ood_probe))
    res = evaluate(args.pack, args.data, runs=args.runs)
    default = record(args.pack, res, args.method, args.calib, args.fp32_blocks)
    from .variant_report import record_report

    record_report(args.pack, args.data, "int8")  # its per-class figures, for when it runs
    sign(args.pack, args.signing_key)
    print(json.dumps({"pack": pack.id, "default": default, **res}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
