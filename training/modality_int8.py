"""int8 variant of the modality check (issue 21): quantised, refitted on its own outputs,
measured against fp32 on the same images, and made the default only where it holds.

    python -m training.modality_int8 quantize   # runs/modality/model.int8.onnx (head left fp32)
    python -m training.modality_int8 extract    # int8 pooled features, runs/modality/cache_int8/
    python -m training.modality_int8 fit        # head + distances on int8 features (as fp32)
    python -m training.modality_int8 compare    # both variants on val, val_aug, shift, probes
    python -m training.modality_int8 export     # into models/checks/modality/, card, seal

Why refit: the head and the distance statistics read the pooled features, and int8 moves them;
fp32's thresholds on int8 features would refuse genuine images or pass foreign ones. Fitted
exactly as :mod:`training.modality_fit` fits fp32 (head on train, C and thresholds on val).

Quantisation reuses :mod:`training.quantize`'s recipe: onnxruntime static QDQ, per-channel
int8 weights, uint8 activations, MinMax calibration, on training images of every modality
(and drawn negatives) as :mod:`training.modality_data` gathers them; the pooling and the head
stay fp32 so the refitted head can be written into the graph and the distances read fp32
pooling. The rule (:func:`int8_holds`): genuine val images of every modality answered at
least fp32's share minus 0.5 points, no probe fp32 refuses let through, and faster.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from inference.modality import CHECKED, LABELS, NONE

from .modality import CACHE, RUNS, SPEC, load, log

INT8_FILE = "model.int8.onnx"
INT8_DISTANCE = "distance.int8.npz"
INT8_MODEL = RUNS / INT8_FILE
INT8_CACHE = RUNS / "cache_int8"
INT8_FIT = RUNS / "fit_int8.npz"
INT8_REPORT = RUNS / "report_int8.json"
COMPARE = RUNS / "compare_int8.json"
SPEED = RUNS / "speed_int8.json"  # tools/modality_speed.py --variants fp32,int8 --json ...
CALIB_PER_LABEL = 64  # training images per label (every modality and the drawn negatives)
MAX_DROP_POINTS = 0.5  # answered share of genuine val images int8 may lose, per modality
CARD_HEADING = "## int8 variant"


def calibration_items(per_label: int = CALIB_PER_LABEL, seed: int = 0) -> list:
    """``per_label`` training items of each label (originals and augmented copies alike, as
    the training set holds them), reproducibly spread."""
    from .modality import sets

    train = sets()["train"]
    rng = np.random.default_rng(seed)
    out = []
    for label in LABELS:
        idx = [i for i, it in enumerate(train) if it.label == label]
        take = sorted(rng.permutation(len(idx))[:per_label])
        out += [train[idx[i]] for i in take]
    return out


class _Reader:
    """onnxruntime's calibration reader over modality items, preprocessed like the app."""

    def __init__(self, items: list) -> None:
        self._it = iter(items)

    def get_next(self):
        from inference.preprocess import preprocess

        item = next(self._it, None)
        return None if item is None else {"image": preprocess(item.pixels(), SPEC)[None]}

    def rewind(self) -> None:  # onnxruntime >= 1.17 may call it
        pass


def quantize(src: Path, out: Path, items: list) -> Path:
    """Static QDQ int8 of ``src`` (a graph with ``logits`` and ``pooled``); the pooling and the
    head stay fp32."""
    import onnx
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from .quantize import _downstream_of

    with tempfile.TemporaryDirectory() as tmp:
        prep = Path(tmp) / "prep.onnx"
        try:
            quant_pre_process(str(src), str(prep), skip_symbolic_shape=False)
        except Exception:  # noqa: BLE001 - fall back to the plain graph
            prep = Path(src)
        model = onnx.load(str(prep))
        for i, node in enumerate(model.graph.node):
            if not node.name:
                node.name = f"node_{i}"
        prep = Path(tmp) / "named.onnx"
        onnx.save(model, str(prep))
        (pool,) = [n for n in model.graph.node if "pooled" in n.output]
        exclude = _downstream_of(model, pool.input[0])  # pooling and head
        quantize_static(
            str(prep),
            str(out),
            _Reader(items),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax,
            nodes_to_exclude=exclude,
        )
    return out


def write_head(path: Path, w: np.ndarray, b: np.ndarray, out: Path) -> None:
    """``path`` with its head (``head.weight``, ``head.bias``, fp32) replaced by ``w``, ``b``."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    found = set()
    for init in model.graph.initializer:
        if init.name in ("head.weight", "head.bias"):
            value = w if init.name == "head.weight" else b
            init.CopyFrom(numpy_helper.from_array(value.astype(np.float32), init.name))
            found.add(init.name)
    if found != {"head.weight", "head.bias"}:
        raise SystemExit(f"{path}: no fp32 head.weight/head.bias to write the refitted head into")
    tmp = out.with_suffix(".tmp")
    onnx.save(model, str(tmp))
    os.replace(tmp, out)


# -- fit and compare ------------------------------------------------------------------------
def fit_int8() -> None:
    """Head and distances on int8's pooled features, exactly as fp32's were fitted."""
    from .modality_fit import fit

    fit(cache=INT8_CACHE, fit_path=INT8_FIT, report_path=INT8_REPORT, model=INT8_MODEL)


def _answered(decided: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Per label: the share answered as itself (genuine images: screened; none: refused)."""
    return {m: float(np.mean(decided[truth == m] == m)) for m in LABELS if np.any(truth == m)}


def compare_sets(fp32, int8, fp32_cache: Path = CACHE, int8_cache: Path = INT8_CACHE) -> dict:
    """Both variants' decisions on the same images of every measured set."""
    from .modality_fit import _label_names

    out: dict = {}
    for name in ("val", "val_aug", "shift"):
        a, b = load(name, fp32_cache), load(name, int8_cache)
        if not np.array_equal(a["keys"], b["keys"]):
            raise SystemExit(f"{name}: the fp32 and int8 caches hold different images")
        truth = _label_names(a["labels"])
        da, db = fp32.decide(a["pooled"]), int8.decide(b["pooled"])
        out[name] = {
            "n": int(len(truth)),
            "agreement": float(np.mean(da == db)),
            "agreement_by_label": {
                m: float(np.mean(da[truth == m] == db[truth == m]))
                for m in LABELS
                if np.any(truth == m)
            },
            "fp32_answered": _answered(da, truth),
            "int8_answered": _answered(db, truth),
        }
    return out


def compare_probes(fp32_rows: dict, int8_rows: dict) -> dict:
    """Probe by probe: which fp32 refuses (``none``) that int8 lets through."""
    refused = [n for n, r in fp32_rows.items() if r["got"] == NONE]
    through = [n for n in refused if int8_rows[n]["got"] != NONE]
    return {
        "n": len(fp32_rows),
        "fp32_refused": len(refused),
        "int8_refused": sum(r["got"] == NONE for r in int8_rows.values()),
        "fp32_as_expected": sum(r["got"] == r["expected"] for r in fp32_rows.values()),
        "int8_as_expected": sum(r["got"] == r["expected"] for r in int8_rows.values()),
        "let_through": {n: int8_rows[n]["got"] for n in through},
        "changed": {
            n: f"{fp32_rows[n]['got']} -> {int8_rows[n]['got']}"
            for n in fp32_rows
            if fp32_rows[n]["got"] != int8_rows[n]["got"]
        },
    }


def compare() -> dict:
    from .modality_fit import BACKBONE, FIT, REPORT, load_fitted, measure_probes

    fp32, int8 = load_fitted(FIT, REPORT), load_fitted(INT8_FIT, INT8_REPORT)
    res = compare_sets(fp32, int8)
    res["probes"] = compare_probes(
        measure_probes(fp32, BACKBONE)["rows"], measure_probes(int8, INT8_MODEL)["rows"]
    )
    COMPARE.write_text(json.dumps(res, indent=2), "utf-8")
    log(json.dumps({k: v for k, v in res.items()}, indent=1))
    return res


def int8_holds(res: dict) -> tuple[bool, list[str]]:
    """The rule for int8 as the check's default, and why not where it fails: genuine val
    images of every modality answered at least fp32's share minus MAX_DROP_POINTS, no probe
    fp32 refuses let through, and faster per image (measured at 1 thread)."""
    why = []
    val = res["val"]
    for m in CHECKED:
        a, b = val["fp32_answered"].get(m), val["int8_answered"].get(m)
        if a is None or b is None:
            why.append(f"no {m} val images measured")
        elif 100 * (a - b) > MAX_DROP_POINTS:
            why.append(f"{m}: {100 * b:.2f} % answered vs fp32 {100 * a:.2f} %")
    through = res["probes"]["let_through"]
    if through:
        why.append("probes fp32 refuses let through: " + ", ".join(sorted(through)))
    speed = res.get("speed")
    if not speed:
        why.append("speed not measured")
    elif not speed["int8_ms"] < speed["fp32_ms"]:
        why.append(f"not faster: {speed['int8_ms']:.2f} ms vs fp32 {speed['fp32_ms']:.2f} ms")
    return not why, why


# -- export ---------------------------------------------------------------------------------
def _pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def card_section(res: dict, default: str, why: list[str], n_calib: int) -> str:
    """The card's int8 section: both variants on the same images, and the rule's outcome."""
    val, probes, speed = res["val"], res["probes"], res.get("speed")
    rows = "\n".join(
        f"| {m} | {_pct(val['fp32_answered'][m])} | {_pct(val['int8_answered'][m])} | "
        f"{_pct(val['agreement_by_label'][m])} |"
        for m in LABELS
        if m in val["fp32_answered"]
    )
    timing = (
        f"{speed['int8_ms']:.2f} ms per image vs {speed['fp32_ms']:.2f} ms for fp32 (the check "
        f"alone, median of {speed['n']} val images, 1 thread, {speed['conditions']})"
        if speed
        else "speed not measured"
    )
    through = probes["let_through"]
    return (
        f"{CARD_HEADING}\n"
        f"- `{INT8_FILE}`: onnxruntime static quantisation (QDQ, per-channel int8 weights, uint8 "
        f"activations, MinMax calibration on {n_calib} training images, {CALIB_PER_LABEL} of "
        "each label including the drawn negatives); pooling and head stay fp32. Its head and "
        f"distances (`{INT8_DISTANCE}`) are refitted on its own features exactly as fp32's "
        "(head on train, C and thresholds on val only; shift and probes only measured).\n"
        f"- Same val images (n = {val['n']}): decisions agree on {_pct(val['agreement'])}; "
        f"val_aug {_pct(res['val_aug']['agreement'])}, shift {_pct(res['shift']['agreement'])}."
        "\n\n| val, answered as itself | fp32 | int8 | agreement |\n|---|---:|---:|---:|\n"
        f"{rows}\n\n"
        f"- Probes: fp32 refuses {probes['fp32_refused']} of {probes['n']}, int8 "
        f"{probes['int8_refused']}; refused by fp32 but let through by int8: "
        f"{', '.join(f'{k} ({v})' for k, v in sorted(through.items())) if through else 'none'}.\n"
        f"- Speed: {timing}.\n"
        f"- Default variant: **{default}** (int8 only when every modality's genuine val images "
        f"are answered at least fp32's share minus {MAX_DROP_POINTS} points, no probe fp32 "
        "refuses gets through, and it is faster)"
        + (f"; not int8 because: {'; '.join(why)}" if why else "")
        + ". A release ships the default only.\n"
    )


def export_int8(directory: Path, n_calib: int = CALIB_PER_LABEL * len(LABELS)) -> str:
    """Add the int8 variant (graph with its refitted head, own distances) to the check in
    ``directory``, choose the default by :func:`int8_holds`, rewrite the card and re-seal.
    The check must be signed again afterwards (``tools/sign_pack.py``)."""
    from inference.seal import write_seal

    from .modality_card import write_card
    from .modality_fit import FIT, REPORT
    from .onnx_export import sha256

    data = np.load(INT8_FIT)
    report = json.loads(INT8_REPORT.read_text("utf-8"))
    res = json.loads(COMPARE.read_text("utf-8"))
    if SPEED.exists():
        res["speed"] = json.loads(SPEED.read_text("utf-8"))
    holds, why = int8_holds(res)
    default = "int8" if holds else "fp32"
    write_head(INT8_MODEL, data["w"], data["b"], directory / INT8_FILE)
    dist = {k: data[k] for k in data.files if k.split(".")[0] in CHECKED}
    np.savez_compressed(directory / INT8_DISTANCE, **dist)
    path = directory / "manifest.json"
    raw = json.loads(path.read_text("utf-8"))
    speed = res.get("speed") or {}
    raw["onnx"]["variants"] = {
        "int8": {
            "file": INT8_FILE,
            "sha256": sha256(directory / INT8_FILE),
            "notes": "onnxruntime static QDQ int8 (per-channel weights, MinMax calibration on "
            f"{n_calib} training images of every label); pooling and head fp32, head and "
            "distances refitted on its own features (training/modality_int8.py)",
            "metrics": {
                "split": "val",
                "n": res["val"]["n"],
                "agreement": res["val"]["agreement"],
                "answered": res["val"]["int8_answered"],
                "fp32_answered": res["val"]["fp32_answered"],
                "probes_refused": res["probes"]["int8_refused"],
                "fp32_probes_refused": res["probes"]["fp32_refused"],
                "probes_let_through": sorted(res["probes"]["let_through"]),
                "probes_n": res["probes"]["n"],
                "ms_per_image": speed.get("int8_ms"),
                "fp32_ms_per_image": speed.get("fp32_ms"),
                "timing": speed.get("conditions"),
                "bytes": (directory / INT8_FILE).stat().st_size,
                "fp32_bytes": (directory / raw["onnx"]["file"]).stat().st_size,
            },
        }
    }
    raw["onnx"]["default_variant"] = default
    raw["variants"] = {
        "int8": {
            "distance": {
                **{k: v for k, v in raw["distance"].items() if k not in ("file", "sha256")},
                "file": INT8_DISTANCE,
                "sha256": sha256(directory / INT8_DISTANCE),
                "thresholds": report["thresholds"],
            },
            "head": f"logistic regression, class-balanced, C={report['C']}",
            "metrics": {k: report[k] for k in ("val", "val_aug", "shift", "val_negatives")},
        }
    }
    path.write_text(json.dumps(raw, indent=2) + "\n", "utf-8")
    fp32_report = json.loads(REPORT.read_text("utf-8"))
    assert np.load(FIT)["w"].shape == data["w"].shape
    card = write_card(directory, raw, fp32_report)
    text = card.read_text("utf-8").rstrip("\n")
    card.write_text(text + "\n\n" + card_section(res, default, why, n_calib), "utf-8")
    write_seal(directory)
    log(f"int8 variant written to {directory}; default {default}" + (f" ({why})" if why else ""))
    return default


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.modality_int8")
    sub = ap.add_subparsers(dest="stage", required=True)
    sub.add_parser("quantize")
    ex = sub.add_parser("extract")
    ex.add_argument("sets", nargs="*", default=["val", "val_aug", "shift", "train"])
    sub.add_parser("fit")
    sub.add_parser("compare")
    sub.add_parser("export")
    args = ap.parse_args(argv)
    if args.stage == "quantize":
        from inference.modality import check_dir

        items = calibration_items()
        log(f"calibrating on {len(items)} training items")
        quantize(check_dir() / "model.onnx", INT8_MODEL, items)
        log(f"wrote {INT8_MODEL} ({INT8_MODEL.stat().st_size / 1e6:.2f} MB)")
    elif args.stage == "extract":
        from .modality import extract

        extract(args.sets, backbone=INT8_MODEL, cache=INT8_CACHE)
    elif args.stage == "fit":
        fit_int8()
    elif args.stage == "compare":
        compare()
    else:
        from inference.modality import check_dir

        export_int8(check_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
