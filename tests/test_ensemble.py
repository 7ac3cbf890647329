"""Ensemble packs (training.ensemble): mean logits, exact heatmaps, guards and card."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

torch = pytest.importorskip("torch")

from inference import cam as cam_mod  # noqa: E402
from inference.manifest import InputSpec  # noqa: E402
from inference.packs import load_pack  # noqa: E402
from tests.packgen import write_test_key  # noqa: E402
from tests.test_gpu_training import CLASSES, _quick  # noqa: E402
from training import gpu_recipes as gr  # noqa: E402
from training.archs import ArchError, Classifier, Head, build_backbone  # noqa: E402
from training.ensemble import ensemble, member_layers, merged_head  # noqa: E402
from training.gpu_data import IMAGENET  # noqa: E402
from training.gpu_import import record_recipes  # noqa: E402
from training.guard import EARLY_OUTPUT, GuardError, add_early_output  # noqa: E402
from training.onnx_export import export_onnx  # noqa: E402
from training.pipeline import TrainConfig, train  # noqa: E402
from training.quantize import block_nodes  # noqa: E402

pytestmark = pytest.mark.train
SPEC = InputSpec(64, 64, "gray3", "letterbox", IMAGENET)


def _member(seed: int, hidden: int = 0) -> Classifier:
    torch.manual_seed(seed)
    features, info = build_backbone("mobilenet_v2", "none", output_stride=16)
    model = Classifier(features, Head(info.channels, 2, hidden=hidden)).eval()
    with torch.no_grad():
        model.head.fc.weight.normal_(0, 0.5)
        model.head.fc.bias.normal_(0, 0.5)
    return model


@pytest.fixture(scope="module")
def members() -> list[Classifier]:
    return [_member(s) for s in range(3)]


@pytest.fixture(scope="module")
def exported(members, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ens") / "m.onnx"
    export_onnx(ensemble(members), SPEC, path)
    return path


def _image(seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 1, (2, 3, 64, 64)).astype(np.float32)


def test_the_ensemble_answers_the_mean_of_its_members_logits(members, exported):
    x = _image()
    session = ort.InferenceSession(str(exported), providers=["CPUExecutionProvider"])
    logits, feats, head_grad = session.run(None, {"image": x})
    with torch.no_grad():
        each = [m(torch.from_numpy(x)).numpy() for m in members]
    np.testing.assert_allclose(logits, np.mean(each, axis=0), atol=1e-4)
    assert not np.allclose(each[0], each[1], atol=1e-2)  # the members do differ
    assert feats.shape[1] == head_grad.shape[2] == 3 * 1280


def test_its_gradcam_is_the_relu_of_the_members_mean_map(members, exported):
    """Grad-CAM of the averaged logit, by autograd through every member, equals the app's
    numpy Grad-CAM on the stacked graph outputs."""
    x = _image(2)[:1]
    session = ort.InferenceSession(str(exported), providers=["CPUExecutionProvider"])
    _, feats, head_grad = session.run(None, {"image": x})
    maps = []
    for m in members:
        f = m.features(torch.from_numpy(x))
        f.retain_grad()
        (m.head(f)[0, 1] / len(members)).backward()
        maps.append((f.grad[0].mean(dim=(1, 2))[:, None, None] * f[0]).sum(0).detach().numpy())
    ref, _ = cam_mod.normalise(np.maximum(np.sum(maps, axis=0), 0))
    got = cam_mod.compute(feats[0], head_grad[0], 1, "1").values
    assert np.abs(got - ref).max() < 1e-4


def test_the_early_guard_reads_every_members_layer(members, exported, tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(exported.read_bytes())
    add_early_output(path, member_layers("features.13", 3))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = _image(3)
    early = session.run([EARLY_OUTPUT], {"image": x})[0]
    with torch.no_grad():
        ref = np.concatenate(
            [m.features[:14](torch.from_numpy(x)).mean(dim=(2, 3)).numpy() for m in members], axis=1
        )
    assert early.shape == (2, 3 * 96)
    np.testing.assert_allclose(early, ref, atol=1e-4)
    with pytest.raises(ArchError, match="features.13"):
        member_layers("13", 3)
    with pytest.raises(GuardError, match="already has"):
        add_early_output(path, "members.0.13")
    fresh = tmp_path / "f.onnx"
    fresh.write_bytes(exported.read_bytes())
    with pytest.raises(GuardError, match="no layer 'members.7.13'"):
        add_early_output(fresh, "members.0.13+members.7.13")


def test_int8_keeps_the_same_blocks_of_every_member_in_fp32(exported, tmp_path):
    single = tmp_path / "one.onnx"
    export_onnx(_member(0), SPEC, single)
    one = block_nodes(onnx.load(str(single)), (0, 1))
    three = block_nodes(onnx.load(str(exported)), (0, 1))
    assert one and len(three) == 3 * len(one)
    assert {n.split("/")[2] for n in three} == {"members.0", "members.1", "members.2"}
    with pytest.raises(ValueError, match="no block features.40"):
        block_nodes(onnx.load(str(exported)), (40,))


def test_members_that_cannot_be_averaged_are_refused(members):
    with pytest.raises(ArchError, match="at least two"):
        ensemble(members[:1])
    with pytest.raises(ArchError, match="linear heads"):
        merged_head([members[0].head, _member(5, hidden=8).head])
    three = Classifier(members[1].features, Head(1280, 3))
    with pytest.raises(ArchError, match="number of classes"):
        ensemble([members[0], three])


def test_an_ensemble_pack_is_built_signed_and_described(tmp_path):
    data, weights, (meta, images) = _quick(tmp_path)
    gpu_dir = tmp_path / "gpu"
    gpu_dir.mkdir()
    base = gr.Recipe("t_a", classes=CLASSES, epochs=1, batch=4, box_weight=0.5, size=32)
    recipes = [base, replace(base, name="t_b", seed=1, other_source_draws=3)]
    rows, models = [], []
    for r in recipes:
        model = gr.train(r, gr.subset(meta, images, "train", CLASSES, "cpu"), weights, log=lambda *_: None)
        torch.save(model.state_dict(), gpu_dir / f"{r.name}.pt")
        models.append(model.float().eval())
        rows.append({"recipe": gr.asdict(r), "seconds": 60.0, "hardware": "CPU (2 cores)",
                     **{s: gr.measure(model, gr.subset(meta, images, s, CLASSES, "cpu"), CLASSES)
                        for s in ("val", "shift")}})
    rows.append({**rows[0], "recipe": gr.asdict(replace(base, name="t_other"))})
    (gpu_dir / "results.json").write_text(json.dumps(rows))
    out = tmp_path / "packs" / "ens-pack"
    train(TrainConfig(data=data, out=out, size=32, output_stride=16, workdir=tmp_path / "work",
                      early_guard="features.13", init_checkpoint=gpu_dir / "t_a.pt",
                      ensemble_with=(gpu_dir / "t_b.pt",), init_results=gpu_dir / "results.json",
                      signing_key=write_test_key(tmp_path / "k.key")), log=lambda *_: None)
    pack_ = load_pack(out)
    tr = pack_.manifest.training
    assert [m["name"] for m in tr["ensemble"]] == ["t_a", "t_b"]
    assert tr["gpu_recipe"]["name"] == "t_a" and tr["seconds"] == 120.0
    raw = json.loads((out / "manifest.json").read_text())
    assert raw["ood"]["early"]["layer"] == "members.0.13+members.1.13"
    x = np.random.default_rng(0).normal(0, 1, (1, 3, 32, 32)).astype(np.float32)
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ref = np.mean([m(torch.from_numpy(x)).numpy() for m in models], axis=0)
    np.testing.assert_allclose(session.run(["logits"], {"image": x})[0], ref, atol=1e-3)
    card = (out / "MODEL_CARD.md").read_text()
    assert "- Ensemble of 2 runs: `t_a` (CPU (2 cores), 1 min), `t_b` (CPU (2 cores), 1 min; seed 1; " \
        "other source draws 3)." in card
    assert "**t_a** (shipped, in the ensemble)" in card and "**t_b** (shipped, in the ensemble)" in card
    assert "| t_other |" in card
    record_recipes(out, gpu_dir / "results.json", note="recorded again")
    card = (out / "MODEL_CARD.md").read_text()
    assert card.count("(shipped, in the ensemble)") == 2 and "recorded again" in card


def test_ensemble_with_needs_a_first_member(tmp_path):
    with pytest.raises(ValueError, match="needs --init-checkpoint"):
        train(TrainConfig(data=tmp_path, out=tmp_path / "p", ensemble_with=(tmp_path / "b.pt",)),
              log=lambda *_: None)
