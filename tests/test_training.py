"""Training pipeline: end to end into a loadable pack, exact Grad-CAM parity, resume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

torch = pytest.importorskip("torch")

from inference import cam as cam_mod  # noqa: E402
from inference.packs import load_pack  # noqa: E402
from inference.screener import Screener  # noqa: E402
from inference.signing import PackUnsignedError, sign_pack  # noqa: E402
from tests.packgen import TEST_KEY, test_trusted_key, write_test_key  # noqa: E402
from training.archs import Classifier, Head, build_backbone  # noqa: E402
from training.loop import Recipe, run_phase  # noqa: E402
from training.onnx_export import export_onnx  # noqa: E402
from training.pipeline import TrainConfig, train  # noqa: E402

pytestmark = pytest.mark.train


def _make_dataset(root: Path, n_train: int = 6, n_val: int = 4) -> Path:
    from PIL import Image

    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("val", n_val)):
        for cls, tint in (("calm", (40, 160, 40)), ("alert", (170, 40, 40))):
            folder = root / split / cls
            folder.mkdir(parents=True)
            for i in range(n):
                pixels = (rng.random((40, 52, 3)) * 70 + np.array(tint)).clip(0, 255)
                Image.fromarray(pixels.astype(np.uint8)).save(folder / f"{i:03d}.png")
    return root


def test_tiny_run_produces_a_pack_the_app_screens(tmp_path):
    data = _make_dataset(tmp_path / "data")
    out = tmp_path / "packs" / "tiny-trained"
    summary = train(
        TrainConfig(
            data=data,
            out=out,
            size=64,
            unfreeze=1,
            views=2,
            recipe=Recipe(epochs_head=1, epochs_finetune=1, batch_size=8),
            workdir=tmp_path / "work",
            ood_probes=(data / "val" / "calm",),
            early_guard="features.16",
            ood_downscaled=True,
            signing_key=write_test_key(tmp_path / "provider.key"),
        ),
        log=lambda *_: None,
    )
    pack = load_pack(out)  # validates the signature, the schema and every hash
    assert pack.signer is not None and pack.signer.fingerprint == test_trusted_key().fingerprint
    assert pack.manifest.class_ids == ("alert", "calm")
    early = pack.manifest.ood.early
    assert early is not None and early.layer == "features.16" and early.threshold > 0
    assert pack.manifest.ood.fitted_on and pack.manifest.ood.downscaled_val_pass_rate is not None
    assert (out / early.file).stat().st_size > 0
    raw = Screener(pack).engine.run(np.zeros((2, 3, 64, 64), np.float32))
    assert raw.early_pooled is not None and raw.early_pooled.shape == (2, 160)
    assert pack.manifest.onnx.has_cam_outputs
    assert pack.manifest.metrics.n == 8
    assert summary["accuracy"] == pytest.approx(pack.manifest.metrics.accuracy)
    for name in ("MODEL_CARD.md", "confusion.png", "curves.png", "ood.npz", "val_predictions.csv"):
        assert (out / name).stat().st_size > 0
    result = Screener(pack).screen_path(data / "val" / "alert" / "000.png")
    assert result.prediction is not None
    assert sum(result.prediction.probabilities) == pytest.approx(1.0, abs=1e-6)
    assert result.cam_source is not None and result.cam_source.features.shape[0] == 1280


def _lively(model: Classifier, size: int = 96) -> Classifier:
    """Random-init backbones have BN statistics that do not fit their activations, which end
    up near zero and flat; fit the BN statistics on random inputs (as any training would) so
    the CAMs compared below are real maps, not all-zero ones that would match trivially."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None  # cumulative average over the calibration batches
            m.reset_running_stats()
    model.train()
    gen = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, 3, size, size, generator=gen))
    return model.eval()


def _autograd_gradcam(model: Classifier, x: torch.Tensor, class_index: int) -> np.ndarray:
    feats = model.features(x)
    feats.retain_grad()
    logits = model.head(feats)
    model.zero_grad()
    logits[0, class_index].backward()
    weights = feats.grad[0].mean(dim=(1, 2))
    raw = torch.relu((weights[:, None, None] * feats[0]).sum(0)).detach().numpy()
    values, _ = cam_mod.normalise(raw)
    return values


@pytest.mark.parametrize(("arch", "hidden"), [("mobilenet_v2", 0), ("resnet18", 16)])
def test_onnx_gradcam_matches_autograd(tmp_path, arch, hidden):
    torch.manual_seed(0)
    features, info = build_backbone(arch, "none")
    model = _lively(Classifier(features, Head(info.channels, 3, dropout=0.3, hidden=hidden)))
    size = 96
    from inference.manifest import InputSpec, Normalization

    spec = InputSpec(size, size, "rgb", "stretch", Normalization("unit"))
    path = tmp_path / "m.onnx"
    export_onnx(model, spec, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (2, 3, size, size)).astype(np.float32)
    logits, feats, head_grad = session.run(None, {"image": x})
    with torch.no_grad():
        ref_logits = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(logits, ref_logits, atol=1e-4)
    with_evidence = 0
    for n in range(2):
        for c in range(3):
            cmap = cam_mod.compute(feats[n], head_grad[n], c, str(c))
            ref = _autograd_gradcam(model, torch.from_numpy(x[n : n + 1]), c)
            assert np.abs(cmap.values - ref).max() < 1e-4, (arch, n, c)
            with_evidence += cmap.has_evidence
    assert with_evidence >= 2  # the comparison covered real maps, not only empty ones


def test_onnx_gradcam_matches_pytorch_grad_cam(tmp_path):
    gc = pytest.importorskip("pytorch_grad_cam")
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    from inference.manifest import InputSpec, Normalization
    from inference.preprocess import cam_to_image

    torch.manual_seed(3)
    features, info = build_backbone("mobilenet_v2", "none")
    model = _lively(Classifier(features, Head(info.channels, 2)))
    size = 96
    spec = InputSpec(size, size, "rgb", "stretch", Normalization("unit"))
    export_onnx(model, spec, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(2).normal(0, 1, (1, 3, size, size)).astype(np.float32)
    _, feats, head_grad = session.run(None, {"image": x})
    with gc.GradCAM(model=model, target_layers=[model.features[-1]]) as method:
        for c in range(2):
            ref = method(input_tensor=torch.from_numpy(x), targets=[ClassifierOutputTarget(c)])[0]
            cmap = cam_mod.compute(feats[0], head_grad[0], c, str(c))
            # pytorch-grad-cam min-max scales again after upsampling; do the same here.
            ours, _ = cam_mod.normalise(cam_to_image(cmap.values, size, size, spec))
            assert cmap.has_evidence == bool(ref.max() > 0)
            assert np.abs(ours - ref).max() < 1e-4


def test_hidden_head_gradient_is_exact():
    torch.manual_seed(0)
    head = Head(12, 3, hidden=7).eval()
    pooled = torch.randn(4, 12, requires_grad=True)
    closed = head.pooled_grad(pooled).detach().numpy()
    for c in range(3):
        (grad,) = torch.autograd.grad(head.forward_pooled(pooled)[:, c].sum(), pooled)
        np.testing.assert_allclose(closed[:, c, :], grad.numpy(), atol=1e-6)


def test_training_resumes_after_an_interruption(tmp_path):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (40, 8, 3, 3)).astype(np.float16)
    y = (rng.random(40) > 0.5).astype(np.int64)
    x[y == 1] += 0.8
    recipe = Recipe(batch_size=10, patience=10)
    head_a = Head(8, 2)
    ckpt = tmp_path / "phase.pt"
    first = run_phase("p", torch.nn.Identity(), head_a, [x], y, x, y, recipe, 1, 0.0, ckpt, log=lambda *_: None)
    assert len(first.epochs) == 1
    # "Power cut": a fresh process builds a new head and calls the same phase with more epochs.
    messages: list[str] = []
    head_b = Head(8, 2)
    resumed = run_phase("p", torch.nn.Identity(), head_b, [x], y, x, y, recipe, 3, 0.0, ckpt, log=messages.append)
    assert any("resuming after epoch 1" in m for m in messages)
    assert len(resumed.epochs) == 3
    assert resumed.epochs[0] == first.epochs[0]
    state = torch.load(ckpt, weights_only=False)
    assert state["epoch"] == 2
    assert json.dumps(resumed.epochs[-1])  # rows stay JSON-serialisable for the model card


LOCAL_MNV2 = (
    Path(__file__).resolve().parents[2]
    / "shared/weights/mobilenet_v2/mobilenet_v2_imagenet1k_onnxzoo_dequant.pth"
)


def test_imagenet_weights_come_from_the_torch_cache_when_present(tmp_path, monkeypatch):
    """`--weights imagenet` is torchvision's download; with the file cached it works offline."""
    import socket

    from training.archs import ArchError

    if not LOCAL_MNV2.is_file():
        pytest.skip("local MobileNetV2 weights not available")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))

    def no_network(*args, **kwargs):
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(ArchError, match="--weights PATH"):
        build_backbone("mobilenet_v2", "imagenet")

    cache = tmp_path / "torch" / "hub" / "checkpoints"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "mobilenet_v2-7ebf99e0.pth").write_bytes(LOCAL_MNV2.read_bytes())
    features, info = build_backbone("mobilenet_v2", "imagenet")
    local, _ = build_backbone("mobilenet_v2", str(LOCAL_MNV2))
    assert info.channels == 1280
    for a, b in zip(features.state_dict().values(), local.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_early_guard_retrofits_a_trained_pack_without_changing_its_answers(tmp_path):
    from training.guard import retrofit

    data = _make_dataset(tmp_path / "data")
    out = tmp_path / "packs" / "tiny-plain"
    cfg = TrainConfig(data=data, out=out, size=64, unfreeze=1, views=1,
                      recipe=Recipe(epochs_head=1, epochs_finetune=0, batch_size=8), workdir=tmp_path / "w",
                      signing_key=write_test_key(tmp_path / "provider.key"))
    train(cfg, log=lambda *_: None)
    image = data / "val" / "alert" / "000.png"
    before = Screener(load_pack(out)).screen_path(image)
    assert load_pack(out).manifest.ood.early is None

    rates = retrofit(out, data, "features.15", (data / "val" / "calm",))
    with pytest.raises(PackUnsignedError):  # the rewrite dropped the old signature
        load_pack(out)
    pack = load_pack(out, check_signature=False)  # re-sealed: every hash checks out
    after = Screener(pack).screen_path(image)
    assert pack.manifest.ood.early.layer == "features.15"
    assert np.allclose(after.prediction.probabilities, before.prediction.probabilities, atol=1e-6)
    assert after.ood_score >= before.ood_score - 1e-9  # the larger of the two guards' scores
    assert 0.0 <= rates["val_pass_rate"] <= 1.0 and rates["early_val_pass_rate"] >= 0.75
    assert "Second guard" in (out / "MODEL_CARD.md").read_text("utf-8")

    from training.guard import refit_downscaled

    refit = refit_downscaled(out, data, (data / "val" / "calm",))
    sign_pack(out, TEST_KEY)  # what --signing-key does after the refit
    pack = load_pack(out)
    assert pack.manifest.ood.fitted_on and pack.manifest.ood.early is not None
    assert pack.manifest.ood.threshold == pytest.approx(refit["threshold"])
    assert 0.0 <= pack.manifest.ood.downscaled_val_pass_rate <= 1.0
    again = Screener(pack).screen_path(image)
    assert np.allclose(again.prediction.probabilities, before.prediction.probabilities, atol=1e-6)
    assert "shrunk to 160 px pass" in (out / "MODEL_CARD.md").read_text("utf-8")
