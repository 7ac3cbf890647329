"""How an int8 variant is judged and written down: the default rule, the manifest's figures and
the card's section (:mod:`training.quantize` measures; this module records).

Why apart: the rule and the card text are read by other tools too (``tools/refit_guard_threshold.py``
re-judges a recorded default; the bundled-pack tests check it) without quantising anything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from inference.packs import load_pack
from inference.seal import digest_file as file_sha256
from inference.seal import write_seal

from .card import section_end

INT8_FILE = "model.int8.onnx"
MAX_DROP_POINTS = 0.5
MIN_OOD_PASS = 0.95  # the pack's own validation images the guard must let through
CARD_HEADING = "## int8 variant"


def _kept(fp32_blocks: Sequence[int]) -> str:
    """The recipe's unquantised blocks, in words."""
    if not fp32_blocks:
        return ""
    return ", blocks " + ", ".join(f"features.{k}" for k in fp32_blocks) + " left fp32"


def _shift(res: dict) -> str:
    f, q = res["fp32"], res["int8"]
    if f.get("shift_accuracy") is None or q.get("shift_accuracy") is None:
        return ""
    return (f"Second site (shift/) n={res['shift_n']}: accuracy {100 * q['shift_accuracy']:.2f} % "
            f"(fp32 {100 * f['shift_accuracy']:.2f} %); ")


def _cam_r(res: dict) -> str:
    """Grad-CAM agreement with fp32 (mean Pearson r), as printed."""
    return "n/a" if res["cam_pearson"] is None else f"{res['cam_pearson']:.3f}"


def _note(res: dict, method: str, n_calib: int, fp32_blocks: Sequence[int] = ()) -> str:
    f, q, cam = res["fp32"], res["int8"], _cam_r(res)
    return (
        f"onnxruntime static QDQ int8 (per-channel weights, {method} calibration on {n_calib} "
        f"training images; pooling/head left fp32{_kept(fp32_blocks)}). Validation n={res['n']}: "
        f"accuracy {100 * q['accuracy']:.2f} % (fp32 {100 * f['accuracy']:.2f} %), macro F1 "
        f"{100 * q['macro_f1']:.2f} % (fp32 {100 * f['macro_f1']:.2f} %); {_shift(res)}"
        f"{q['ms']:.1f} ms/image vs {f['ms']:.1f} ms (1 thread); "
        f"{q['bytes'] / 1e6:.1f} MB vs {f['bytes'] / 1e6:.1f} MB; "
        f"Grad-CAM Pearson r vs fp32 {cam}."
    )


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def _load(res: dict) -> str:
    load = res.get("load_avg")
    return "" if load is None else f" (timed with a 1-minute load average of {load:.1f} on this machine)"


def _thresholds(f: dict, q: dict) -> str:
    """Each variant's referral thresholds: a changed threshold changes who is referred."""
    a, b = f.get("thresholds") or {}, q.get("thresholds") or {}
    shown = [f"{c} {_num(a.get(c))} (fp32), {_num(b.get(c))} (int8)" for c in a if a.get(c) is not None]
    return f"- Referral thresholds: {'; '.join(shown)}.\n" if shown else ""


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def int8_holds(res: dict) -> bool:
    """The rule for int8 as the default: accuracy within 0.5 points of fp32 on the validation
    images and, where measured, on the second site; its own guard passing >= 95 % of the
    validation images; and no probe image let through that fp32's guard refuses (measured as
    a share: int8's must be at least fp32's)."""
    drop = 100 * (res["fp32"]["accuracy"] - res["int8"]["accuracy"])
    s32, s8 = res["fp32"].get("shift_accuracy"), res["int8"].get("shift_accuracy")
    if s32 is not None and s8 is not None:
        drop = max(drop, 100 * (s32 - s8))
    ood_pass = res["int8"].get("ood_pass")
    guard_ok = ood_pass is None or ood_pass >= MIN_OOD_PASS
    p8, p32 = res["int8"].get("probes_flagged"), res["fp32"].get("probes_flagged")
    probes_ok = p8 is None or p32 is None or p8 >= p32
    return drop < MAX_DROP_POINTS and guard_ok and probes_ok


def _shift_line(res: dict) -> str:
    f, q = res["fp32"], res["int8"]
    if f.get("shift_accuracy") is None or q.get("shift_accuracy") is None:
        return ""
    return (
        f"- Second site (`shift/`, n = {res['shift_n']}; measured, never fitted on): accuracy "
        f"{100 * q['shift_accuracy']:.1f} % with int8, {100 * f['shift_accuracy']:.1f} % with fp32 "
        f"({100 * (q['shift_accuracy'] - f['shift_accuracy']):+.2f} points).\n"
    )


def recorded_res(metrics: dict) -> dict:
    """The figures :func:`int8_holds` reads, back from a manifest's ``variants.int8.metrics``
    (for checks that re-judge a recorded default without measuring again)."""
    return {
        "fp32": {"accuracy": metrics["fp32_accuracy"], "probes_flagged": metrics.get("fp32_probes_flagged"),
                 "shift_accuracy": metrics.get("fp32_shift_accuracy")},
        "int8": {"accuracy": metrics["accuracy"], "ood_pass": metrics.get("ood_val_pass"),
                 "probes_flagged": metrics.get("probes_flagged"),
                 "shift_accuracy": metrics.get("shift_accuracy")},
    }


def _card_section(res: dict, default: str, method: str, n_calib: int,
                  fp32_blocks: Sequence[int] = ()) -> str:
    f, q, cam = res["fp32"], res["int8"], _cam_r(res)
    return (
        f"{CARD_HEADING}\n"
        f"- `{INT8_FILE}`: onnxruntime static quantisation (QDQ, per-channel int8 weights, "
        f"uint8 activations, {method} calibration on {n_calib} training images preprocessed "
        f"like the app); pooling, head and `head_grad` stay fp32{_kept(fp32_blocks)}.\n"
        f"- Measured with the app's engine on the validation split (n = {res['n']}), 1 thread"
        f"{_load(res)}:\n\n"
        f"| variant | size | ms / image | accuracy | macro F1 |\n|---|---:|---:|---:|---:|\n"
        f"| fp32 | {f['bytes'] / 1e6:.1f} MB | {f['ms']:.1f} | {100 * f['accuracy']:.1f} % | "
        f"{100 * f['macro_f1']:.1f} % |\n"
        f"| int8 | {q['bytes'] / 1e6:.1f} MB | {q['ms']:.1f} | {100 * q['accuracy']:.1f} % | "
        f"{100 * q['macro_f1']:.1f} % |\n\n"
        f"- Accuracy change {100 * (q['accuracy'] - f['accuracy']):+.2f} points; Grad-CAM of the top class correlates with "
        f"fp32 at mean Pearson r = {cam}.\n"
        f"{_shift_line(res)}"
        f"- Each variant has its own temperature, referral thresholds and out-of-distribution "
        f"guard, fitted on its own outputs (`training/variant_fit.py`): temperature "
        f"{_num(f.get('temperature'))} (fp32), {_num(q.get('temperature'))} (int8); own "
        f"validation images passing the guard {_pct(f.get('ood_pass'))} with fp32, "
        f"{_pct(q.get('ood_pass'))} with int8; probe images flagged "
        f"{_pct(f.get('probes_flagged'))} with fp32, {_pct(q.get('probes_flagged'))} with int8.\n"
        f"{_thresholds(f, q)}"
        f"- Default variant: **{default}** (int8 becomes the default only when accuracy drops "
        f"by less than {MAX_DROP_POINTS} points, on the validation images and on the second "
        f"site where there is one, its guard passes at least "
        f"{100 * MIN_OOD_PASS:.0f} % of the validation images and flags no fewer probe images "
        f"than fp32's).\n"
    )


def _shift_metrics(res: dict) -> dict:
    """The second-site figures for the manifest (none where the dataset has no shift/)."""
    if res["int8"].get("shift_accuracy") is None:
        return {}
    return {"shift_n": res["shift_n"], "shift_accuracy": res["int8"]["shift_accuracy"],
            "fp32_shift_accuracy": res["fp32"]["shift_accuracy"]}


def without_section(text: str, heading: str) -> str:
    """The card without ``heading``'s section (:func:`training.card.section_end`)."""
    start = text.find(heading)
    if start < 0:
        return text
    end = section_end(text, start + len(heading))
    return text[:start] + text[end + 1:] if end < len(text) else text[:start]


def record(pack_dir: Path, res: dict, method: str, n_calib: int,
           fp32_blocks: Sequence[int] = ()) -> str:
    """Write the variant into the manifest and card, choose the default, re-seal."""
    default = "int8" if int8_holds(res) else "fp32"
    path = pack_dir / "manifest.json"
    raw = json.loads(path.read_text("utf-8"))
    raw["onnx"].setdefault("variants", {})["int8"] = {
        "file": INT8_FILE,
        "sha256": file_sha256(pack_dir / INT8_FILE),
        "notes": _note(res, method, n_calib, fp32_blocks),
        "metrics": {  # read by tools/models_table.py; the schema allows extra variant keys
            "split": "val",
            "n": res["n"],
            "accuracy": res["int8"]["accuracy"],
            "macro_f1": res["int8"]["macro_f1"],
            "ms_per_image": res["int8"]["ms"],
            "fp32_accuracy": res["fp32"]["accuracy"],
            "fp32_macro_f1": res["fp32"]["macro_f1"],
            "fp32_ms_per_image": res["fp32"]["ms"],
            "cam_pearson": res["cam_pearson"],
            "calibration": method,
            "fp32_blocks": list(fp32_blocks),
            **_shift_metrics(res),
            "ood_val_pass": res["int8"].get("ood_pass"),
            "fp32_ood_val_pass": res["fp32"].get("ood_pass"),
            "probes_flagged": res["int8"].get("probes_flagged"),
            "fp32_probes_flagged": res["fp32"].get("probes_flagged"),
        },
    }
    raw["onnx"]["default_variant"] = default
    path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", "utf-8")
    card = pack_dir / "MODEL_CARD.md"
    if card.exists():
        text = card.read_text("utf-8")
        text = without_section(text, CARD_HEADING)
        section = _card_section(res, default, method, n_calib, fp32_blocks)
        card.write_text(text.rstrip("\n") + "\n\n" + section, "utf-8")
    write_seal(pack_dir)
    load_pack(pack_dir, check_signature=False)  # proves the re-sealed pack verifies
    return default
