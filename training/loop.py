"""The two-phase transfer-learning recipe on cached frozen-prefix outputs.

Phase 1 trains the head with the whole backbone frozen; phase 2 unfreezes the top
layers at a lower learning rate. Both keep the best checkpoint by validation loss,
stop early, lower the LR on plateaus, and save a resumable checkpoint every epoch.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm


@dataclass(frozen=True)
class Recipe:
    epochs_head: int = 15
    epochs_finetune: int = 12
    lr: float = 1e-3
    finetune_lr_factor: float = 0.1
    optimizer: str = "adam"  # adam | rmsprop | sgd
    batch_size: int = 32
    weight_decay: float = 1e-4
    patience: int = 4
    balance: str = "weights"  # weights | undersample | none
    feature_flip: bool = True  # horizontal flip of cached maps as extra augmentation
    seed: int = 0


@dataclass
class History:
    epochs: list[dict] = field(default_factory=list)
    best_val_loss: float = float("inf")
    best_epoch: int = -1
    bad_epochs: int = 0


def make_optimizer(name: str, groups: list[dict], weight_decay: float) -> torch.optim.Optimizer:
    if name == "adam":
        return torch.optim.Adam(groups, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(groups, momentum=0.9, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}")


def class_weights(labels: np.ndarray, n_classes: int) -> torch.Tensor:
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    weights = counts.sum() / (n_classes * np.maximum(counts, 1))
    return torch.tensor(weights, dtype=torch.float32)


def epoch_indices(labels: np.ndarray, balance: str, rng: np.random.Generator) -> np.ndarray:
    if balance != "undersample":
        return rng.permutation(len(labels))
    smallest = np.bincount(labels).min()
    picked = [rng.choice(np.flatnonzero(labels == c), smallest, replace=False) for c in np.unique(labels)]
    return rng.permutation(np.concatenate(picked))


def _save_atomic(obj: dict, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def evaluate(top: nn.Module, head: nn.Module, cached: np.ndarray, labels: np.ndarray, batch: int = 128):
    """(mean CE loss, logits [N,C], pooled [N,K]) in eval mode."""
    top.eval()
    head.eval()
    logits, pooled = [], []
    with torch.no_grad():
        for s in range(0, len(labels), batch):
            x = torch.from_numpy(np.asarray(cached[s : s + batch], dtype=np.float32))
            p = top(x).mean(dim=(2, 3))
            pooled.append(p.numpy())
            logits.append(head.forward_pooled(p).numpy())
    lg = np.concatenate(logits)
    loss = float(nn.functional.cross_entropy(torch.from_numpy(lg), torch.from_numpy(labels)))
    return loss, lg, np.concatenate(pooled)


def run_phase(
    name: str,
    top: nn.Module,
    head: nn.Module,
    train_views: list[np.ndarray],
    train_labels: np.ndarray,
    val_cached: np.ndarray,
    val_labels: np.ndarray,
    recipe: Recipe,
    epochs: int,
    lr_top: float,
    checkpoint: Path,
    log=print,
) -> History:
    """Train (top if it has trainable params, and head); resumable from ``checkpoint``."""
    n_classes = head.fc.out_features
    top_params = [p for p in top.parameters() if p.requires_grad]
    groups = [{"params": head.parameters(), "lr": recipe.lr}]
    if top_params:
        groups.append({"params": top_params, "lr": lr_top})
    opt = make_optimizer(recipe.optimizer, groups, recipe.weight_decay)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.3, patience=max(1, recipe.patience // 2))
    weights = class_weights(train_labels, n_classes) if recipe.balance == "weights" else None
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    history = History()
    best_path = checkpoint.with_name(checkpoint.stem + "_best.pt")
    start = 0
    if checkpoint.exists():
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)
        top.load_state_dict(state["top"])
        head.load_state_dict(state["head"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        history = History(**state["history"])
        start = state["epoch"] + 1
        log(f"[{name}] resuming after epoch {state['epoch'] + 1}")
    rng = np.random.default_rng(recipe.seed + 7919 * start)
    for epoch in range(start, epochs):
        if history.bad_epochs >= recipe.patience:
            break
        t0 = time.time()
        top.train(bool(top_params))
        head.train()
        cached = train_views[epoch % len(train_views)]
        order = epoch_indices(train_labels, recipe.balance, rng)
        total, correct, seen = 0.0, 0, 0
        bar = tqdm(range(0, len(order), recipe.batch_size), desc=f"{name} {epoch + 1}/{epochs}", leave=False)
        for s in bar:
            idx = np.sort(order[s : s + recipe.batch_size])
            x = torch.from_numpy(np.asarray(cached[idx], dtype=np.float32))
            if recipe.feature_flip:
                flip = torch.from_numpy(rng.random(len(idx)) < 0.5)
                x[flip] = x[flip].flip(-1)
            y = torch.from_numpy(train_labels[idx])
            if top_params:
                pooled = top(x).mean(dim=(2, 3))
            else:
                with torch.no_grad():
                    pooled = top(x).mean(dim=(2, 3))
            logits = head.forward_pooled(pooled)
            loss = loss_fn(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            correct += int((logits.argmax(1) == y).sum())
            seen += len(idx)
            bar.set_postfix(loss=f"{total / seen:.3f}")
        val_loss, val_logits, _ = evaluate(top, head, val_cached, val_labels)
        val_acc = float((val_logits.argmax(1) == val_labels).mean())
        sched.step(val_loss)
        row = {
            "phase": name,
            "epoch": epoch + 1,
            "train_loss": total / seen,
            "train_acc": correct / seen,
            "val_loss": val_loss,
            "val_acc": val_acc,
            "lr": opt.param_groups[0]["lr"],
            "seconds": time.time() - t0,
        }
        history.epochs.append(row)
        log(json.dumps(row))
        if val_loss < history.best_val_loss - 1e-4:
            history.best_val_loss, history.best_epoch, history.bad_epochs = val_loss, epoch + 1, 0
            _save_atomic({"top": top.state_dict(), "head": head.state_dict()}, best_path)
        else:
            history.bad_epochs += 1
        _save_atomic(
            {
                "top": top.state_dict(),
                "head": head.state_dict(),
                "opt": opt.state_dict(),
                "sched": sched.state_dict(),
                "history": asdict(history),
                "epoch": epoch,
            },
            checkpoint,
        )
    if best_path.exists():
        best = torch.load(best_path, map_location="cpu", weights_only=False)
        top.load_state_dict(best["top"])
        head.load_state_dict(best["head"])
    return history
