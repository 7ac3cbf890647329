"""Builds tiny but real model packs for tests, with onnx.helper only (no torch).

Graph: conv3x3/stride 4 -> ReLU = ``features`` [N,K,h,w] -> global average pool -> Gemm
= ``logits`` [N,C]; ``head_grad`` [N,C,K] is the Gemm weight broadcast over the batch,
exactly what the training export produces for a plain linear head.

Packs are signed with ``TEST_KEY``, a key only the tests trust (``tests/conftest.py`` adds it
to ``inference.signing.SESSION_TRUSTED``; ``trust_test_key`` writes it into a user data
folder for tests that start a separate process). The app never trusts it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from onnx import TensorProto, helper, numpy_helper

from inference.seal import write_seal
from inference.signing import TrustedKey, fingerprint, save_trusted, sign_pack

# Deterministic so that packs built in different test processes carry the same signer.
TEST_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"ClinicLens tests only").digest())


def test_trusted_key(name: str = "ClinicLens tests") -> TrustedKey:
    """TEST_KEY as a trusted-keys entry."""
    from cryptography.hazmat.primitives import serialization

    raw = TEST_KEY.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    import base64

    return TrustedKey(fingerprint(raw), base64.b64encode(raw).decode(), name)


test_trusted_key.__test__ = False  # a helper, not a test, for pytest's collector


def trust_test_key(home: Path) -> Path:
    """Make a process using ``CLINICLENS_HOME=home`` trust the test packs."""
    return save_trusted([test_trusted_key()], Path(home) / "trusted-keys.json")


def write_test_key(path: Path) -> Path:
    """TEST_KEY as a PEM file, for tools that take ``--signing-key``."""
    from cryptography.hazmat.primitives import serialization

    pem = TEST_KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    Path(path).write_bytes(pem)
    return Path(path)


def reseal(directory: Path, key: Ed25519PrivateKey | None = TEST_KEY) -> None:
    """Seal the pack as it is now and sign it (``key=None``: leave it unsigned)."""
    write_seal(directory)
    if key is not None:
        sign_pack(directory, key)


def build_model(
    n_classes: int = 3, k: int = 8, size: int = 32, seed: int = 0, cam_outputs: bool = True
) -> tuple[onnx.ModelProto, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    conv_w = rng.normal(0, 0.5, (k, 3, 3, 3)).astype(np.float32)
    conv_b = rng.normal(0, 0.1, (k,)).astype(np.float32)
    fc_w = rng.normal(0, 1.0, (n_classes, k)).astype(np.float32)
    fc_b = rng.normal(0, 0.1, (n_classes,)).astype(np.float32)
    inits = [
        numpy_helper.from_array(conv_w, "conv_w"),
        numpy_helper.from_array(conv_b, "conv_b"),
        numpy_helper.from_array(fc_w, "fc_w"),
        numpy_helper.from_array(fc_b, "fc_b"),
        numpy_helper.from_array(fc_w[None], "fc_w3"),
        numpy_helper.from_array(np.array([0], np.int64), "zero"),
        numpy_helper.from_array(np.array([1], np.int64), "one"),
        numpy_helper.from_array(np.array([n_classes, k], np.int64), "ck"),
    ]
    nodes = [
        helper.make_node("Conv", ["image", "conv_w", "conv_b"], ["pre"], strides=[4, 4], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["pre"], ["features"]),
        helper.make_node("GlobalAveragePool", ["features"], ["pooled4"]),
        helper.make_node("Flatten", ["pooled4"], ["pooled"]),
        helper.make_node("Gemm", ["pooled", "fc_w", "fc_b"], ["logits"], transB=1),
        helper.make_node("Shape", ["image"], ["shape"]),
        helper.make_node("Slice", ["shape", "zero", "one"], ["n"]),
        helper.make_node("Concat", ["n", "ck"], ["nck"], axis=0),
        helper.make_node("Expand", ["fc_w3", "nck"], ["head_grad"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", n_classes])]
    if cam_outputs:
        outputs += [
            helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", k, "h", "w"]),
            helper.make_tensor_value_info("head_grad", TensorProto.FLOAT, ["N", n_classes, k]),
        ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, size, size])],
        outputs,
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    onnx.checker.check_model(model)
    return model, {"conv_w": conv_w, "conv_b": conv_b, "fc_w": fc_w, "fc_b": fc_b}


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def make_manifest(pack_id: str, classes: list[str], size: int, onnx_sha: str, **overrides: Any) -> dict:
    manifest: dict[str, Any] = {
        "schema_version": 1,
        "id": pack_id,
        "display_name": {"en": f"Test pack {pack_id}", "id": f"Paket uji {pack_id}"},
        "pack_version": "1.0.0",
        "modality": "other",
        "classes": [
            {
                "id": c,
                "name": {"en": c.title(), "id": c.title()},
                "description": {"en": f"Class {c}", "id": f"Kelas {c}"},
                "refer": i > 0,
            }
            for i, c in enumerate(classes)
        ],
        "input": {
            "size": [size, size],
            "color": "rgb",
            "resize": "stretch",
            "normalization": {"kind": "mean_std", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        },
        "onnx": {
            "file": "model.onnx",
            "sha256": onnx_sha,
            "input": "image",
            "outputs": {"logits": "logits", "features": "features", "head_grad": "head_grad"},
            "target_layer": "conv",
        },
        "calibration": {"temperature": 1.5},
        "intended_use": "Tests only.",
        "limitations": ["Random weights."],
        "training": {"data": "none"},
        "metrics": {"split": "val", "n": 0, "accuracy": 0.5, "macro_f1": 0.5},
    }
    manifest.update(overrides)
    return manifest


def make_pack(
    root: Path,
    pack_id: str = "tiny-pack",
    classes: tuple[str, ...] = ("normal", "abnormal", "other"),
    size: int = 32,
    seed: int = 0,
    cam_outputs: bool = True,
    key: Ed25519PrivateKey | None = TEST_KEY,
    **overrides: Any,
) -> Path:
    """Write a complete, valid pack folder ``root/pack_id``, signed with ``key`` (None:
    unsigned), and return it."""
    directory = Path(root) / pack_id
    directory.mkdir(parents=True, exist_ok=True)
    model, _ = build_model(len(classes), size=size, seed=seed, cam_outputs=cam_outputs)
    onnx.save(model, directory / "model.onnx")
    manifest = make_manifest(pack_id, list(classes), size, sha256(directory / "model.onnx"), **overrides)
    if not cam_outputs:
        manifest["onnx"]["outputs"] = {"logits": "logits"}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    reseal(directory, key)
    return directory


def rewrite_manifest(directory: Path, *, seal: bool = True, **changes: Any) -> None:
    """Change top-level manifest fields; ``seal=False`` leaves the old seal and signature (a
    tampered pack); otherwise the pack is re-sealed and signed with the test key."""
    path = Path(directory) / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data, indent=2), "utf-8")
    if seal:
        reseal(directory)
