"""The model pack manifest: a versioned JSON document, validated on load.

The manifest is the contract between ``training/`` (which writes it) and the app (which
trusts nothing it does not say). It is parsed once into frozen dataclasses so that no
other module reads raw dicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from .errors import ManifestError

SCHEMA_VERSION = 1
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class LocalText:
    """A user-visible string in several languages; English is always present."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, raw: str | dict[str, str]) -> LocalText:
        if isinstance(raw, str):
            return cls(((DEFAULT_LANGUAGE, raw),))
        return cls(tuple(sorted(raw.items())))

    def get(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Exact tag, then its base language ("pt_BR" and "pt-BR" -> "pt"), then English."""
        table = dict(self.values)
        tag = language.replace("-", "_")
        return (
            table.get(language)
            or table.get(tag)
            or table.get(tag.split("_")[0])
            or table[DEFAULT_LANGUAGE]
        )

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True)
class ClassSpec:
    id: str
    name: LocalText
    description: LocalText
    refer: bool
    threshold: float | None = None


@dataclass(frozen=True)
class Normalization:
    kind: str  # "mean_std" | "unit" | "symmetric"
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)


@dataclass(frozen=True)
class InputSpec:
    height: int
    width: int
    color: str  # "rgb" | "gray3"
    resize: str  # "stretch" | "letterbox" | "center_crop"
    normalization: Normalization


@dataclass(frozen=True)
class OnnxVariant:
    name: str
    file: str
    sha256: str
    notes: str = ""


@dataclass(frozen=True)
class OnnxSpec:
    file: str
    sha256: str
    input: str
    logits: str
    features: str | None = None
    head_grad: str | None = None
    early_pooled: str | None = None  # [N, K'] pooled early-layer features for the second guard
    target_layer: str | None = None
    variants: tuple[OnnxVariant, ...] = ()
    default_variant: str = "fp32"
    base_variant: str = "fp32"  # what ``file`` is: "int8" in a release copy that ships int8 only

    @property
    def has_cam_outputs(self) -> bool:
        return self.features is not None and self.head_grad is not None


@dataclass(frozen=True)
class EarlyGuardSpec:
    """The second out-of-distribution guard, on an early layer's pooled features."""

    layer: str
    file: str
    sha256: str
    threshold: float
    val_pass_rate: float | None = None


@dataclass(frozen=True)
class OodSpec:
    """The guard on the pooled features; the rates cover both guards together."""

    file: str
    sha256: str
    method: str
    threshold: float
    val_pass_rate: float | None = None
    far_ood_flag_rate: float | None = None
    early: EarlyGuardSpec | None = None
    fitted_on: str = ""  # what the statistics were fitted on, when more than the training images
    downscaled_val_pass_rate: float | None = None  # own val images shrunk to 160 px
    camera_val_pass_rate: float | None = None  # own val images as camera-like copies
    scanner_val_pass_rate: float | None = None  # own val images as scanner-like copies


@dataclass(frozen=True)
class Metrics:
    split: str
    n: int
    accuracy: float
    macro_f1: float
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class VariantCalibration:
    """What was fitted on one model variant's own outputs: int8 logits and features differ
    from fp32's, so a guard fitted on fp32 features refuses more of int8's own images."""

    variant: str
    temperature: float
    thresholds: tuple[float | None, ...]  # per class, in the order of Manifest.classes
    ood: OodSpec | None
    calibration: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # The variant's own validation figures, where its block records them (None: the base's).
    metrics: Metrics | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class QualitySpec:
    min_brightness: float | None = None
    max_brightness: float | None = None
    min_sharpness: float | None = None
    expect_grayscale: bool = False
    min_saturation: float | None = None  # colour-photo packs: below this it is a grey scan
    max_border_brightness: float | None = None  # scan packs: above this the scan looks inverted


@dataclass(frozen=True)
class Manifest:
    id: str
    display_name: LocalText
    pack_version: str
    modality: str
    classes: tuple[ClassSpec, ...]
    input: InputSpec
    onnx: OnnxSpec
    temperature: float
    intended_use: LocalText
    limitations: tuple[LocalText, ...]
    metrics: Metrics
    ood: OodSpec | None = None
    quality: QualitySpec = QualitySpec()
    calibration: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    training: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    # The model variant whose calibration the fields above hold (parse: the default variant),
    # and every variant's calibration, for :meth:`for_variant`.
    variant: str = "fp32"
    calibrations: tuple[VariantCalibration, ...] = field(default=(), compare=False, repr=False)
    # How to take the image so the model reads it as it was trained (palm: the light), said
    # with the pack's warning before each screening; None where the pack needs none.
    capture_advice: LocalText | None = None

    def for_variant(self, name: str | None) -> Manifest:
        """This manifest with ``name``'s own temperature, thresholds, guard and validation
        figures (None: the default variant); what a variant did not fit or record of its own
        it shares with the base."""
        name = name or self.onnx.default_variant
        if name == self.variant:
            return self
        cal = next((c for c in self.calibrations if c.variant == name), None)
        if cal is None:
            raise ManifestError(f"pack {self.id}: has no model variant {name!r}")
        classes = tuple(
            replace(c, threshold=t) for c, t in zip(self.classes, cal.thresholds, strict=True)
        )
        base = self.calibrations[0].metrics  # a variant that records none shows the base's
        return replace(self, temperature=cal.temperature, classes=classes, ood=cal.ood,
                       calibration=dict(cal.calibration), variant=name,
                       metrics=cal.metrics or base or self.metrics)

    @property
    def class_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.classes)

    def class_index(self, class_id: str) -> int:
        return self.class_ids.index(class_id)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("manifest.schema.json").read_text("utf-8")
    return json.loads(text)


def validate(raw: Any, *, where: str = "manifest") -> None:
    """Raise ManifestError naming the first schema violation."""
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        location = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ManifestError(f"{where}: invalid at {location}: {err.message}")
    ids = [c["id"] for c in raw["classes"]]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{where}: class ids are not unique: {ids}")
    if (raw.get("ood") or {}).get("early") and "early_pooled" not in raw["onnx"]["outputs"]:
        # Without the output the second guard would silently never run.
        raise ManifestError(
            f"{where}: ood.early needs the graph output onnx.outputs.early_pooled"
        )
    _validate_variant_calibration(raw, where)


def _validate_variant_calibration(raw: dict[str, Any], where: str) -> None:
    """``variants.<name>``: a model variant the pack has, referral classes only, and no
    guard lost (a variant whose guard lacks the early guard the base has would run without)."""
    names = set(raw["onnx"].get("variants", {}))
    refer = {c["id"] for c in raw["classes"] if c["refer"]}
    base_early = bool((raw.get("ood") or {}).get("early"))
    for name, block in raw.get("variants", {}).items():
        if name not in names:
            raise ManifestError(
                f"{where}: variants.{name} calibrates a model variant the pack does not have "
                f"(onnx.variants: {sorted(names) or 'none'})"
            )
        unknown = sorted(set(block.get("thresholds", {})) - refer)
        if unknown:
            raise ManifestError(
                f"{where}: variants.{name}.thresholds names classes that do not refer: {unknown}"
            )
        ood = block.get("ood")
        if ood is not None and base_early and not ood.get("early"):
            raise ManifestError(
                f"{where}: variants.{name}.ood has no early guard but the pack's guard has one"
            )
        if ood is not None and ood.get("early") and "early_pooled" not in raw["onnx"]["outputs"]:
            raise ManifestError(
                f"{where}: variants.{name}.ood.early needs the graph output onnx.outputs.early_pooled"
            )


def _early_guard(raw: dict[str, Any] | None) -> EarlyGuardSpec | None:
    if raw is None:
        return None
    return EarlyGuardSpec(
        layer=raw["layer"],
        file=raw["file"],
        sha256=raw["sha256"],
        threshold=float(raw["threshold"]),
        val_pass_rate=raw.get("val_pass_rate"),
    )


def _ood(ood: dict[str, Any] | None) -> OodSpec | None:
    if ood is None:
        return None
    return OodSpec(
        file=ood["file"],
        sha256=ood["sha256"],
        method=ood["method"],
        threshold=float(ood["threshold"]),
        val_pass_rate=ood.get("val_pass_rate"),
        far_ood_flag_rate=ood.get("far_ood_flag_rate"),
        early=_early_guard(ood.get("early")),
        fitted_on=ood.get("fitted_on", ""),
        downscaled_val_pass_rate=ood.get("downscaled_val_pass_rate"),
        camera_val_pass_rate=ood.get("camera_val_pass_rate"),
        scanner_val_pass_rate=ood.get("scanner_val_pass_rate"),
    )


_SUMMARY = ("split", "n", "accuracy", "macro_f1")
# What a variant's ``onnx.variants.<name>.metrics`` may hold besides its summary that describes
# that variant alone (training/variant_report.py); the rest compares it with fp32.
VARIANT_REPORT_KEYS = ("per_class", "confusion", "roc_auc")


def _metrics(block: dict[str, Any], extra: dict[str, Any]) -> Metrics:
    return Metrics(split=block["split"], n=int(block["n"]), accuracy=float(block["accuracy"]),
                   macro_f1=float(block["macro_f1"]), extra=extra)


def _variant_metrics(raw: dict[str, Any], base: str) -> dict[str, Metrics]:
    """Each model variant's validation figures: the top level's for the base, a variant's own
    where its block records them. ``tools/evaluate_packs.py``'s evaluation goes with the
    variant it measured, so a number on screen is always that of the model that runs."""
    top = raw["metrics"]
    evaluation = top.get("evaluation")
    measured = evaluation.get("variant", base) if isinstance(evaluation, dict) else base
    base_extra = {k: v for k, v in top.items() if k not in _SUMMARY and (k != "evaluation" or measured == base)}
    out = {base: _metrics(top, base_extra)}
    for name, v in raw["onnx"].get("variants", {}).items():
        own = v.get("metrics", {})
        if set(_SUMMARY) <= set(own):
            extra = {k: own[k] for k in VARIANT_REPORT_KEYS if k in own}
            if measured == name:
                extra["evaluation"] = evaluation
            out[name] = _metrics(own, extra)
        elif measured == name:  # no summary of its own: the base's, with its evaluation
            out[name] = _metrics(top, {**base_extra, "evaluation": evaluation})
    return out


def _calibrations(raw: dict[str, Any], base: str, metrics: dict[str, Metrics]) -> tuple[VariantCalibration, ...]:
    """The base model's calibration (top level) and each variant's: its own block
    (``variants.<name>``) where there is one, the base's values for whatever it leaves out;
    ``metrics``: each variant's validation figures (:func:`_variant_metrics`)."""
    thresholds = {c["id"]: c.get("threshold") for c in raw["classes"]}
    ids = [c["id"] for c in raw["classes"]]
    out = [VariantCalibration(base, float(raw["calibration"]["temperature"]),
                              tuple(thresholds[i] for i in ids), _ood(raw.get("ood")),
                              dict(raw["calibration"]), metrics[base])]
    blocks = raw.get("variants", {})
    for name in sorted(raw["onnx"].get("variants", {})):
        block = blocks.get(name, {})
        cal = block.get("calibration", raw["calibration"])
        own = {**thresholds, **block.get("thresholds", {})}
        out.append(VariantCalibration(
            name, float(cal["temperature"]), tuple(own[i] for i in ids),
            _ood(block["ood"]) if "ood" in block else out[0].ood, dict(cal), metrics.get(name),
        ))
    return tuple(out)


def parse(raw: dict[str, Any], *, where: str = "manifest") -> Manifest:
    """Validate a manifest document and turn it into a Manifest, its temperature, thresholds
    and guard those of the default model variant (the top level holds the base model's,
    ``variants.<name>`` a variant's own; :meth:`Manifest.for_variant` picks another)."""
    validate(raw, where=where)
    inp = raw["input"]
    norm = inp["normalization"]
    onnx = raw["onnx"]
    outputs = onnx["outputs"]
    quality = raw.get("quality", {})
    base = onnx.get("base_variant", "fp32")
    metrics = _variant_metrics(raw, base)
    man = Manifest(
        id=raw["id"],
        display_name=LocalText.parse(raw["display_name"]),
        pack_version=raw["pack_version"],
        modality=raw["modality"],
        classes=tuple(
            ClassSpec(
                id=c["id"],
                name=LocalText.parse(c["name"]),
                description=LocalText.parse(c["description"]),
                refer=bool(c["refer"]),
                threshold=c.get("threshold"),
            )
            for c in raw["classes"]
        ),
        input=InputSpec(
            height=int(inp["size"][0]),
            width=int(inp["size"][1]),
            color=inp["color"],
            resize=inp["resize"],
            normalization=Normalization(
                kind=norm["kind"],
                mean=tuple(norm.get("mean", (0.0, 0.0, 0.0))),
                std=tuple(norm.get("std", (1.0, 1.0, 1.0))),
            ),
        ),
        onnx=OnnxSpec(
            file=onnx["file"],
            sha256=onnx["sha256"],
            input=onnx["input"],
            logits=outputs["logits"],
            features=outputs.get("features"),
            head_grad=outputs.get("head_grad"),
            early_pooled=outputs.get("early_pooled"),
            target_layer=onnx.get("target_layer"),
            variants=tuple(
                OnnxVariant(name=k, file=v["file"], sha256=v["sha256"], notes=v.get("notes", ""))
                for k, v in sorted(onnx.get("variants", {}).items())
            ),
            default_variant=onnx.get("default_variant", "fp32"),
            base_variant=onnx.get("base_variant", "fp32"),
        ),
        temperature=float(raw["calibration"]["temperature"]),
        intended_use=LocalText.parse(raw["intended_use"]),
        limitations=tuple(LocalText.parse(t) for t in raw["limitations"]),
        capture_advice=LocalText.parse(raw["capture_advice"]) if raw.get("capture_advice") else None,
        metrics=metrics[base],
        ood=_ood(raw.get("ood")),
        quality=QualitySpec(
            min_brightness=quality.get("min_brightness"),
            max_brightness=quality.get("max_brightness"),
            min_sharpness=quality.get("min_sharpness"),
            expect_grayscale=bool(quality.get("expect_grayscale", False)),
            min_saturation=quality.get("min_saturation"),
            max_border_brightness=quality.get("max_border_brightness"),
        ),
        calibration=dict(raw["calibration"]),
        training=dict(raw["training"]),
        raw=raw,
        variant=base,
        calibrations=_calibrations(raw, base, metrics),
    )
    default = man.onnx.default_variant
    if all(c.variant != default for c in man.calibrations):
        return man  # an unknown default is the loader's to refuse, with the pack's name
    return man.for_variant(default)


def read(path: Path) -> Manifest:
    """Read and validate ``manifest.json``; every failure is a ManifestError naming the file."""
    try:
        raw = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"{path}: manifest.json is missing") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: manifest is not readable JSON ({exc})") from exc
    return parse(raw, where=str(path))
