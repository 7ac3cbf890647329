"""Backbones from torchvision as one ``features`` Sequential plus a replaceable head.

Every backbone ends in the post-activation tensor that the head globally average-pools:
that tensor is the Grad-CAM target and the ``features`` output of the exported graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
import torchvision
from torch import nn

ARCHS = ("mobilenet_v2", "resnet18", "densenet121", "efficientnet_b0")


class ArchError(Exception):
    """Unknown architecture or unusable weights."""


@dataclass(frozen=True)
class BackboneInfo:
    arch: str
    channels: int
    target_layer: str  # name of the Grad-CAM target inside ``features``


def _torchvision_model(arch: str, weights: str) -> nn.Module:
    builder = getattr(torchvision.models, arch)
    if weights == "imagenet":
        # torchvision downloads into TORCH_HOME/hub/checkpoints once, then reuses the file.
        try:
            return builder(weights="DEFAULT")
        except (OSError, RuntimeError) as exc:  # URLError is an OSError
            raise ArchError(
                f"could not get torchvision's ImageNet weights for {arch} ({exc}). Without "
                "internet, copy the file into $TORCH_HOME/hub/checkpoints/ or pass "
                "--weights PATH to a local state_dict"
            ) from exc
    model = builder(weights=None)
    if weights not in ("none", ""):
        path = Path(weights)
        if not path.is_file():
            raise ArchError(f"weights file {path} not found")
        state = torch.load(path, map_location="cpu", weights_only=True)
        try:
            model.load_state_dict(state, strict=True)
        except RuntimeError as exc:
            raise ArchError(f"{path} does not fit torchvision's {arch}: {exc}") from exc
    return model


def dilate_last_stage(features: nn.Sequential) -> None:
    """MobileNetV2 at output stride 16 (DeepLab style): the last stride-2 block keeps its
    weights but strides 1, and the depthwise convolutions after it dilate by 2, so each
    kernel still sees the receptive field it was pretrained on. The CAM grid doubles
    (4x4 -> 8x8 at 128 px) at the cost of running the last blocks on 4x the positions."""
    first = 14  # features[14]: the stride-2 block that opens the 160-channel stage
    features[first].conv[1][0].stride = (1, 1)
    for block in features[first + 1 : len(features) - 1]:
        dw = block.conv[1][0]
        dw.dilation, dw.padding = (2, 2), (2, 2)


def build_backbone(
    arch: str, weights: str = "none", output_stride: int = 32
) -> tuple[nn.Sequential, BackboneInfo]:
    """``features`` Sequential ending in the pooled post-activation tensor."""
    if arch not in ARCHS:
        raise ArchError(f"unknown architecture {arch!r}; choose from {', '.join(ARCHS)}")
    if output_stride not in (16, 32) or (output_stride == 16 and arch != "mobilenet_v2"):
        raise ArchError("--output-stride 16 is implemented for mobilenet_v2 only (default 32)")
    m = _torchvision_model(arch, weights)
    if arch == "mobilenet_v2":
        if output_stride == 16:
            dilate_last_stage(m.features)
        return m.features, BackboneInfo(arch, 1280, f"features.{len(m.features) - 1}")
    if arch == "efficientnet_b0":
        return m.features, BackboneInfo(arch, 1280, f"features.{len(m.features) - 1}")
    if arch == "resnet18":
        seq = nn.Sequential(m.conv1, m.bn1, m.relu, m.maxpool, m.layer1, m.layer2, m.layer3, m.layer4)
        return seq, BackboneInfo(arch, 512, "layer4")
    # densenet121: torchvision applies ReLU after norm5 in forward(); make it a layer.
    seq = nn.Sequential(*m.features.children(), nn.ReLU(inplace=False))
    return seq, BackboneInfo(arch, 1024, "features.relu")


class Head(nn.Module):
    """Global average pool -> dropout -> linear, optionally with one hidden ReLU layer."""

    def __init__(self, channels: int, n_classes: int, dropout: float = 0.2, hidden: int = 0):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.hidden = nn.Linear(channels, hidden) if hidden else None
        self.fc = nn.Linear(hidden or channels, n_classes)

    def forward_pooled(self, pooled: torch.Tensor) -> torch.Tensor:
        x = self.dropout(pooled)
        if self.hidden is not None:
            x = torch.relu(self.hidden(x))
            x = self.dropout(x)
        return self.fc(x)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.forward_pooled(features.mean(dim=(2, 3)))

    def pooled_grad(self, pooled: torch.Tensor) -> torch.Tensor:
        """d logits / d pooled [N,C,K] in closed form (eval mode: dropout is identity)."""
        n = pooled.shape[0]
        w2 = self.fc.weight  # [C, H]
        if self.hidden is None:
            return w2.unsqueeze(0).expand(n, -1, -1)
        active = (self.hidden(pooled) > 0).to(pooled.dtype)  # [N, H]
        return torch.einsum("ch,nh,hk->nck", w2, active, self.hidden.weight)


class Classifier(nn.Module):
    def __init__(self, features: nn.Sequential, head: Head):
        super().__init__()
        self.features = features
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class ExportWrapper(nn.Module):
    """The graph the app runs: logits, the CAM target tensor and d logit / d pooled."""

    def __init__(self, model: Classifier):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor):
        feats = self.model.features(image)
        pooled = feats.mean(dim=(2, 3))
        logits = self.model.head.forward_pooled(pooled)
        return logits, feats, self.model.head.pooled_grad(pooled)


def split_index(features: nn.Sequential, unfreeze: int) -> int:
    """Index of the first trainable child when the top ``unfreeze`` children are trained."""
    n = len(features)
    if not 0 <= unfreeze <= n:
        raise ArchError(f"--unfreeze must be between 0 and {n} for this backbone")
    return n - unfreeze
