"""onnxruntime sessions for model packs: lazy, cached per pack, checked against the manifest."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import onnxruntime as ort

from .errors import PackError, PackMismatchError
from .packs import ModelPack


@dataclass(frozen=True, eq=False)
class RawOutputs:
    """What one forward pass of a pack's graph returns, batch-first."""

    logits: np.ndarray  # [N, C]
    features: np.ndarray | None = None  # [N, K, h, w] post-activation target tensor
    head_grad: np.ndarray | None = None  # [N, C, K] d logit / d pooled feature
    early_pooled: np.ndarray | None = None  # [N, K'] pooled early-layer features (second guard)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _session_options(threads: int | None) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        opts.intra_op_num_threads = int(threads)
        opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return opts


def _optional(named: dict[str, object], name: str | None) -> np.ndarray | None:
    return None if name is None or name not in named else np.asarray(named[name])


class Engine:
    """One pack's ONNX graph. Thread-safe: onnxruntime's ``run`` may be called concurrently."""

    def __init__(self, pack: ModelPack, *, threads: int | None = None, variant: str | None = None):
        self.pack = pack
        self.threads = threads
        self.variant = variant
        self._session: ort.InferenceSession | None = None
        self._lock = threading.Lock()
        spec = pack.manifest.onnx
        self._output_names = [spec.logits]
        if spec.has_cam_outputs:
            self._output_names += [spec.features, spec.head_grad]
        if spec.early_pooled is not None:
            self._output_names.append(spec.early_pooled)

    @property
    def has_cam_outputs(self) -> bool:
        return self.pack.manifest.onnx.has_cam_outputs

    @property
    def session(self) -> ort.InferenceSession:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._session = self._create()
        return self._session

    def _create(self) -> ort.InferenceSession:
        path = self.pack.onnx_path(self.variant)
        # The bytes checked against the signed hash are the bytes onnxruntime parses: a model
        # file swapped after the pack was verified is refused, never run.
        model = self.pack.model_bytes(self.variant)
        try:
            session = ort.InferenceSession(
                model, _session_options(self.threads), providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            raise PackError(
                f"pack {self.pack.id}: {path.name} is not a loadable ONNX model ({exc})"
            ) from exc
        self._check_signature(session)
        return session

    def _check_signature(self, session: ort.InferenceSession) -> None:
        man = self.pack.manifest
        inputs = {i.name: i for i in session.get_inputs()}
        if man.onnx.input not in inputs:
            raise PackMismatchError(
                f"pack {man.id}: the model has no input {man.onnx.input!r} "
                f"(it has {sorted(inputs)})"
            )
        shape = inputs[man.onnx.input].shape
        expected = [None, 3, man.input.height, man.input.width]
        if len(shape) != 4 or any(
            isinstance(got, int) and want is not None and got != want
            for got, want in zip(shape, expected, strict=False)
        ):
            raise PackMismatchError(
                f"pack {man.id}: model input shape {shape} does not match the manifest's "
                f"[N, 3, {man.input.height}, {man.input.width}]"
            )
        outputs = {o.name for o in session.get_outputs()}
        missing = [n for n in self._output_names if n not in outputs]
        if missing:
            raise PackMismatchError(f"pack {man.id}: the model lacks outputs {missing}")

    def run(self, batch: np.ndarray) -> RawOutputs:
        """Forward a float32 [N,3,H,W] batch."""
        values = self.session.run(self._output_names, {self.pack.manifest.onnx.input: batch})
        logits = np.asarray(values[0], dtype=np.float32)
        n_classes = len(self.pack.manifest.classes)
        if logits.ndim != 2 or logits.shape[1] != n_classes:
            raise PackMismatchError(
                f"pack {self.pack.id}: model returns {logits.shape[-1]} scores but the manifest "
                f"lists {n_classes} classes"
            )
        named = dict(zip(self._output_names, values, strict=True))
        spec = self.pack.manifest.onnx
        return RawOutputs(
            logits,
            features=_optional(named, spec.features),
            head_grad=_optional(named, spec.head_grad),
            early_pooled=_optional(named, spec.early_pooled),
        )

    def dry_run(self) -> RawOutputs:
        """Run a blank image through the graph: proves the pack loads and its shapes agree."""
        spec = self.pack.manifest.input
        outputs = self.run(np.zeros((1, 3, spec.height, spec.width), dtype=np.float32))
        if outputs.features is not None and outputs.head_grad is not None:
            k = outputs.features.shape[1]
            if outputs.head_grad.shape[1:] != (len(self.pack.manifest.classes), k):
                raise PackMismatchError(
                    f"pack {self.pack.id}: heatmap outputs disagree "
                    f"(features {outputs.features.shape}, head_grad {outputs.head_grad.shape})"
                )
        return outputs


class EngineCache:
    """One Engine per (pack, variant, threads), created on first use."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._engines: dict[tuple[str, str, str | None], Engine] = {}
        self._lock = threading.Lock()

    def get(self, pack: ModelPack, variant: str | None = None) -> Engine:
        key = (str(pack.directory), pack.manifest.onnx.sha256, variant)
        with self._lock:
            engine = self._engines.get(key)
            if engine is None:
                engine = Engine(pack, threads=self.threads, variant=variant)
                self._engines[key] = engine
            return engine

    def clear(self) -> None:
        with self._lock:
            self._engines.clear()
