"""The model pack manifest: a versioned JSON document, validated on load.

The manifest is the contract between ``training/`` (which writes it) and the app (which
trusts nothing it does not say). It is parsed once into frozen dataclasses so that no
other module reads raw dicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class QualitySpec:
    min_brightness: float | None = None
    max_brightness: float | None = None
    min_sharpness: float | None = None
    expect_grayscale: bool = False
    min_saturation: float | None = None  # colour-photo packs: below this it is a grey scan


@dataclass(frozen=True)
class Metrics:
    split: str
    n: int
    accuracy: float
    macro_f1: float
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


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


def parse(raw: dict[str, Any], *, where: str = "manifest") -> Manifest:
    """Validate a manifest document and turn it into a Manifest."""
    validate(raw, where=where)
    inp = raw["input"]
    norm = inp["normalization"]
    onnx = raw["onnx"]
    outputs = onnx["outputs"]
    ood = raw.get("ood")
    quality = raw.get("quality", {})
    metrics = raw["metrics"]
    return Manifest(
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
        ),
        temperature=float(raw["calibration"]["temperature"]),
        intended_use=LocalText.parse(raw["intended_use"]),
        limitations=tuple(LocalText.parse(t) for t in raw["limitations"]),
        metrics=Metrics(
            split=metrics["split"],
            n=int(metrics["n"]),
            accuracy=float(metrics["accuracy"]),
            macro_f1=float(metrics["macro_f1"]),
            extra={k: v for k, v in metrics.items() if k not in {"split", "n", "accuracy", "macro_f1"}},
        ),
        ood=None
        if ood is None
        else OodSpec(
            file=ood["file"],
            sha256=ood["sha256"],
            method=ood["method"],
            threshold=float(ood["threshold"]),
            val_pass_rate=ood.get("val_pass_rate"),
            far_ood_flag_rate=ood.get("far_ood_flag_rate"),
            early=_early_guard(ood.get("early")),
            fitted_on=ood.get("fitted_on", ""),
            downscaled_val_pass_rate=ood.get("downscaled_val_pass_rate"),
        ),
        quality=QualitySpec(
            min_brightness=quality.get("min_brightness"),
            max_brightness=quality.get("max_brightness"),
            min_sharpness=quality.get("min_sharpness"),
            expect_grayscale=bool(quality.get("expect_grayscale", False)),
            min_saturation=quality.get("min_saturation"),
        ),
        calibration=dict(raw["calibration"]),
        training=dict(raw["training"]),
        raw=raw,
    )


def read(path: Path) -> Manifest:
    """Read and validate ``manifest.json``; every failure is a ManifestError naming the file."""
    try:
        raw = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"{path}: manifest.json is missing") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: manifest is not readable JSON ({exc})") from exc
    return parse(raw, where=str(path))
