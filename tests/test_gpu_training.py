"""Recipes trained on a lent GPU: data archive, box geometry, resume, import into a pack."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

torch = pytest.importorskip("torch")

from inference import cam as cam_mod  # noqa: E402
from inference.manifest import InputSpec  # noqa: E402
from inference.packs import load_pack  # noqa: E402
from tests.packgen import write_test_key  # noqa: E402
from training import gpu_recipes as gr  # noqa: E402
from training.archs import Classifier, Head, build_backbone  # noqa: E402
from training.gpu_data import IMAGENET, input_box, pack  # noqa: E402
from training.gpu_import import GpuImportError, load_gpu_run, record_recipes  # noqa: E402
from training.onnx_export import export_onnx  # noqa: E402
from training.pipeline import TrainConfig, train  # noqa: E402

pytestmark = pytest.mark.train
CLASSES = ("glioma", "notumor")


def _dataset(root: Path) -> Path:
    """Two classes of small grey 'scans' (a bright square marks the 'tumour') with boxes."""
    from PIL import Image

    rng = np.random.default_rng(0)
    rows = ["split,file,label,xc,yc,w,h"]
    for split, n in (("train", 6), ("val", 4), ("shift", 4)):
        for cls in CLASSES:
            folder = root / split / cls
            folder.mkdir(parents=True)
            for i in range(n):
                img = (rng.random((48, 64)) * 60).astype(np.uint8)
                if cls == "glioma":
                    img[10:22, 30:46] = 230
                    rows.append(f"{split},{split}/{cls}/{i:02d}.png,{cls},{38 / 64},{16 / 48},{16 / 64},{12 / 48}")
                Image.fromarray(img, "L").convert("RGB").save(folder / f"{i:02d}.png")
    (root / "tumour_boxes.csv").write_text("\n".join(rows) + "\n")
    return root


def test_box_follows_the_letterbox_the_app_applies():
    spec = InputSpec(128, 128, "gray3", "letterbox", IMAGENET)
    # a 100 x 200 (h x w) image fills the width and rows 32..96 of the input
    x0, y0, x1, y1 = input_box((0.5, 0.5, 0.5, 0.5), 100, 200, spec)
    assert (x0, x1) == pytest.approx((0.25, 0.75))
    assert (y0, y1) == pytest.approx(((32 + 16) / 128, (32 + 48) / 128))


def test_archive_holds_fitted_images_and_boxes(tmp_path):
    data = _dataset(tmp_path / "data")
    info = pack(data, tmp_path / "a.zip", 32)
    assert info == {"images": 28, "boxes": 14, "bytes": (tmp_path / "a.zip").stat().st_size}
    meta, images = gr.load_archive(tmp_path / "a.zip")
    assert images.shape == (28, 32, 32) and meta["classes"] == list(CLASSES)
    boxed = [r for r in meta["images"] if "box" in r]
    assert {r["split"] for r in boxed} == {"train", "val", "shift"}
    assert all(meta["classes"][r["label"]] == "glioma" for r in boxed)
    # the bright square lies inside its box in the stored (letterboxed) image
    r = boxed[0]
    img = images[meta["images"].index(r)]
    x0, y0, x1, y1 = (int(round(v * 32)) for v in r["box"])
    assert img[y0:y1, x0:x1].mean() > 150 > img.mean()
    assert {tuple(r["orig"]) for r in meta["images"]} == {(48, 64)}  # height, width before fitting


def test_other_sources_are_drawn_more_often():
    orig = [(256, 256)] * 4 + [(512, 512), (300, 240)]
    assert gr.epoch_pool(orig, 1).tolist() == [0, 1, 2, 3, 4, 5]
    assert sorted(gr.epoch_pool(orig, 3).tolist()) == [0, 1, 2, 3, 4, 4, 4, 5, 5, 5]
    with pytest.raises(ValueError, match="rebuild it"):
        gr.epoch_pool([(256, 256), None], 2)


def _quick(tmp_path: Path) -> tuple[Path, Path, dict]:
    data = _dataset(tmp_path / "data")
    pack(data, tmp_path / "a.zip", 32)
    weights = tmp_path / "w.pth"
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    torch.save(torchvision.models.mobilenet_v2(weights=None).state_dict(), weights)
    return data, weights, gr.load_archive(tmp_path / "a.zip")


def test_training_resumes_from_its_last_epoch(tmp_path):
    _, weights, (meta, images) = _quick(tmp_path)
    recipe = gr.Recipe("r", classes=CLASSES, epochs=2, batch=4, box_weight=1.0, scanner_aug=True)
    split = gr.subset(meta, images, "train", CLASSES, "cpu")
    ckpt = tmp_path / "r.resume.pt"
    first = gr.train(recipe, split, weights, ckpt, log=lambda *_: None)
    assert torch.load(ckpt, weights_only=True)["epoch"] == 2
    said = []
    again = gr.train(recipe, split, weights, ckpt, log=said.append)
    assert said == ["  r: resumed after epoch 2"]  # nothing left to train
    for k, v in first.state_dict().items():
        assert torch.equal(v, again.state_dict()[k]), k


def test_a_finished_recipe_is_not_trained_again(tmp_path, capsys):
    _, weights, _ = _quick(tmp_path)
    out = tmp_path / "out"
    argv = [str(tmp_path / "a.zip"), str(weights), str(out), "--quick", "--only", "t_os16_scanner_box2"]
    assert gr.main(argv) == 0
    rows = json.loads((out / "results.json").read_text())
    assert [r["recipe"]["name"] for r in rows] == ["t_os16_scanner_box2"]
    assert {"pointing", "lift", "centre_pointing"} <= set(rows[0]["shift"])
    assert not list(out.glob("*.resume.pt"))
    assert gr.main(argv) == 0
    assert "already in" in capsys.readouterr().out
    assert json.loads((out / "results.json").read_text()) == rows


def test_a_recipe_for_another_input_size_is_skipped(tmp_path, capsys):
    _, weights, _ = _quick(tmp_path)
    out = tmp_path / "out"
    argv = [str(tmp_path / "a.zip"), str(weights), str(out), "--only", "gm_os16_scanner_box05_s160"]
    assert gr.main(argv) == 0
    assert "needs an archive built at 160 px (this one is 32 px), skipped" in capsys.readouterr().out
    assert not (out / "results.json").exists()


def test_dilated_model_gradcam_stays_exact(tmp_path):
    """Output stride 16 (the retrained brain packs): ONNX Grad-CAM equals autograd."""
    torch.manual_seed(0)
    features, info = build_backbone("mobilenet_v2", "none", output_stride=16)
    model = Classifier(features, Head(info.channels, 2)).eval()
    with torch.no_grad():
        model.head.fc.weight.normal_(0, 0.5)
    spec = InputSpec(64, 64, "gray3", "letterbox", IMAGENET)
    export_onnx(model, spec, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).normal(0, 1, (1, 3, 64, 64)).astype(np.float32)
    _, feats, head_grad = session.run(None, {"image": x})
    assert feats.shape[-2:] == (4, 4)  # 64 / 16
    xt = torch.from_numpy(x)
    f = model.features(xt)
    f.retain_grad()
    model.head(f)[0, 1].backward()
    ref = torch.relu((f.grad[0].mean(dim=(1, 2))[:, None, None] * f[0]).sum(0)).detach().numpy()
    values, _ = cam_mod.normalise(ref)
    assert np.abs(cam_mod.compute(feats[0], head_grad[0], 1, "1").values - values).max() < 1e-4


def test_gpu_weights_become_a_signed_pack_with_every_recipe_in_its_card(tmp_path):
    data, weights, (meta, images) = _quick(tmp_path)
    recipe = gr.Recipe("t_small", classes=CLASSES, epochs=1, batch=4, box_weight=0.5, size=32)
    model = gr.train(recipe, gr.subset(meta, images, "train", CLASSES, "cpu"), weights, log=lambda *_: None)
    gpu_dir = tmp_path / "gpu"
    gpu_dir.mkdir()
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()},
               gpu_dir / "t_small.pt")
    rows = [{"recipe": gr.asdict(r), "seconds": 1.0, "hardware": "one NVIDIA H200 GPU (lent)",
             **{s: gr.measure(model, gr.subset(meta, images, s, CLASSES, "cpu"), CLASSES) for s in ("val", "shift")}}
            for r in (recipe, replace(recipe, name="t_other"))]
    (gpu_dir / "results.json").write_text(json.dumps(rows))
    with pytest.raises(GpuImportError, match="trained on"):
        load_gpu_run(gpu_dir / "t_small.pt", gpu_dir / "results.json", ("a", "b"))
    with pytest.raises(GpuImportError, match="trained at 32 px, this pack reads 64 px"):
        load_gpu_run(gpu_dir / "t_small.pt", gpu_dir / "results.json", CLASSES, 64)
    out = tmp_path / "packs" / "gpu-pack"
    train(TrainConfig(data=data, out=out, size=32, output_stride=16, workdir=tmp_path / "work",
                      init_checkpoint=gpu_dir / "t_small.pt", init_results=gpu_dir / "results.json",
                      pack_version="2.0.0",
                      signing_key=write_test_key(tmp_path / "k.key")), log=lambda *_: None)
    pack_ = load_pack(out)
    assert pack_.manifest.training["gpu_recipe"]["name"] == "t_small"
    assert pack_.manifest.training["where"] == "gpu"
    assert pack_.manifest.pack_version == "2.0.0"
    card = (out / "MODEL_CARD.md").read_text()
    assert card.startswith("# Model card: gpu-pack (`gpu-pack` v2.0.0)")
    assert "**t_small** (shipped)" in card and "| t_other |" in card
    assert "## Recipes tried" in card and "Initial weights: ImageNet" in card
    assert "curves.png" not in card and not (out / "curves.png").exists()
    # the exported graph answers as the GPU-trained weights do
    x = np.zeros((1, 3, 32, 32), np.float32)
    session = ort.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ref = model.float()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(session.run(None, {"image": x})[0], ref, atol=2e-2)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert "index.json" in zf.namelist()
    # a recipe compared after the build is recorded in the card; the pack stays sealed
    later = {**rows[1], "recipe": gr.asdict(replace(recipe, name="t_later", other_source_draws=3))}
    (gpu_dir / "more.json").write_text(json.dumps([*rows, later]))
    record_recipes(out, gpu_dir / "more.json", note="t_later lost 2 points on shift.")
    card = (out / "MODEL_CARD.md").read_text()
    assert re.search(r"\| t_later \|[^\n]*\|\n\nt_later lost 2 points on shift\.\n\n## Comparison", card)
    assert "| t_later | 32 | 16 | no | 0.0 | 0.5 | 3x |" in card and "**t_small** (shipped)" in card
    assert card.count("## Recipes tried") == 1 and "## Comparison with the published model" in card
    assert load_pack(out, check_signature=False).manifest.training["gpu_recipe"]["name"] == "t_small"
    (gpu_dir / "other.json").write_text(json.dumps([later]))
    with pytest.raises(GpuImportError, match="no row for the shipped recipe"):
        record_recipes(out, gpu_dir / "other.json")


@pytest.mark.parametrize(
    ("field", "value", "column", "old_row", "new_row"),
    [  # an old row (from before the field) reads as the default: drawn once, 128 px
        ("other_source_draws", 3, "| epochs | val acc |", "| a | 16 | no | 0.0 | 0.0 | 1x | 30 |",
         "| **b** (shipped) | 16 | no | 0.0 | 0.0 | 3x | 30 |"),
        ("size", 160, "| recipe | input px | output stride |", "| a | 128 | 16 | no | 0.0 |",
         "| **b** (shipped) | 160 | 16 | no | 0.0 |"),
    ],
)
def test_recipe_table_shows_a_column_only_when_a_recipe_departs_from_its_default(
        field, value, column, old_row, new_row):
    from training.gpu_import import comparison_table

    heading = {"other_source_draws": "| other sources drawn |", "size": "| input px |"}[field]
    fig = {"accuracy": 0.95, "recall": {c: 0.9 for c in CLASSES}}
    rows = [{"recipe": gr.asdict(gr.Recipe("a", classes=CLASSES)), "val": fig, "shift": fig}]
    assert heading not in comparison_table(rows, CLASSES, "a")
    rows.append({"recipe": gr.asdict(gr.Recipe("b", classes=CLASSES, **{field: value})), "val": fig, "shift": fig})
    old = {**rows[0], "recipe": {k: v for k, v in rows[0]["recipe"].items() if k != field}}
    table = comparison_table([old, rows[1]], CLASSES, "b")
    assert heading in table and column in table
    assert old_row in table and new_row in table


def test_the_card_says_where_recipe_weights_were_trained():
    from training.gpu_import import GpuRun
    from training.pipeline import _gpu_training_fields

    recipe = gr.asdict(gr.Recipe("t", classes=CLASSES))
    cpu = _gpu_training_fields(GpuRun({}, recipe, 60.0, "CPU (2 cores)", ""))
    gpu = _gpu_training_fields(GpuRun({}, recipe, 60.0, "one NVIDIA H200 GPU (lent)", ""))
    assert (cpu["where"], gpu["where"]) == ("cpu", "gpu")
    assert "GPU" not in cpu["views"] and "GPU" in gpu["views"]
    assert cpu["hardware"] == "CPU (2 cores)"
