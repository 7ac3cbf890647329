"""Several trained runs of one architecture exported as one model whose logits are their mean.

The app's graph contract (``features`` A [K,h,w] globally average-pooled, ``head_grad``
G [C,K]) holds unchanged: the members' feature maps are stacked along the channel axis and
the head's weights are the members' weights side by side, divided by their number. Then

    logit_c = sum_m (1/M) (W_m[c] . pool(A_m) + b_m[c])

is exactly the mean of the members' logits, and Grad-CAM over the stacked map is the ReLU of
the mean of the members' maps before their ReLU: the heatmap stays exact, with no change to
``inference``. Averaging runs trained apart is the cheapest known gain in accuracy under a
shift of site (Lakshminarayanan et al., 2017, "deep ensembles"); it costs one forward pass
per member.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from .archs import ArchError, BackboneInfo, Classifier, Head, build_backbone
from .gpu_import import GpuRun, comparison_table
from .gpu_recipes import Recipe


class StackedFeatures(nn.Module):
    """The members' backbones side by side: their output maps concatenated on channels."""

    def __init__(self, backbones: Sequence[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(backbones)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([m(x) for m in self.members], dim=1)


def merged_head(heads: Sequence[Head]) -> Head:
    """One linear head over the stacked features whose logits are the members' mean logits.
    Heads with a hidden layer are not linear in the pooled features, so they cannot merge."""
    if any(h.hidden is not None for h in heads):
        raise ArchError("an ensemble needs linear heads (no --hidden layer)")
    weights = [h.fc.weight.detach() for h in heads]
    classes = {w.shape[0] for w in weights}
    if len(classes) != 1:
        raise ArchError(f"ensemble members disagree on the number of classes: {sorted(classes)}")
    n = len(heads)
    head = Head(sum(w.shape[1] for w in weights), classes.pop(), heads[0].dropout.p)
    with torch.no_grad():
        head.fc.weight.copy_(torch.cat(weights, dim=1) / n)
        head.fc.bias.copy_(torch.stack([h.fc.bias.detach() for h in heads]).mean(dim=0))
    return head


def ensemble(members: Sequence[Classifier]) -> Classifier:
    """A Classifier whose logits are the mean of ``members``' logits (all in eval mode)."""
    if len(members) < 2:
        raise ArchError("an ensemble needs at least two members")
    return Classifier(
        StackedFeatures([m.features for m in members]), merged_head([m.head for m in members])
    ).eval()


def member_layers(layer: str, members: int) -> str:
    """Backbone layer ``layer`` ("features.13") of every member inside the stacked features,
    as the exported graph names their nodes ("members.0.13+members.1.13"): the early guard
    reads them all, as the main guard reads every member's pooled features."""
    prefix = "features."
    if not layer.startswith(prefix):
        raise ArchError(f"expected a backbone layer such as 'features.13', got {layer!r}")
    return "+".join(f"members.{m}.{layer[len(prefix):]}" for m in range(members))


def ensemble_record(runs: Sequence[GpuRun], results: Path, classes: tuple[str, ...]) -> GpuRun:
    """One record for the card from an ensemble's runs: the first run's recipe (the one the
    pack is named after), every member's name, hardware and training time."""
    rows = json.loads(results.read_text("utf-8"))
    names = tuple(r.recipe["name"] for r in runs)
    defaults = asdict(Recipe(name=""))  # rows from before a field existed have its default
    members = tuple(
        {"name": r.recipe["name"], "hardware": r.hardware, "seconds": r.seconds,
         "recipe": {**defaults, **r.recipe}}
        for r in runs
    )
    return GpuRun(
        {}, runs[0].recipe, sum(r.seconds for r in runs), runs[0].hardware,
        comparison_table(rows, classes, names), members,
    )


def build_from_runs(
    runs: Sequence[GpuRun], arch: str, output_stride: int, n_classes: int, dropout: float, hidden: int
) -> tuple[Classifier, BackboneInfo]:
    """The model a pack exports: one run's weights as they are, or the ensemble of several."""
    models, info = [], None
    for run in runs:
        features, info = build_backbone(arch, "none", output_stride)
        model = Classifier(features, Head(info.channels, n_classes, dropout, hidden))
        model.load_state_dict(run.state, strict=True)
        models.append(model.eval())
    if len(models) == 1:
        return models[0], info
    stacked = BackboneInfo(arch, info.channels * len(models), f"features (the {len(models)} members' maps stacked)")
    return ensemble(models), stacked
