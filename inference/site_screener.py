"""A Screener that uses a site calibration: the pack's files untouched, the operating point
(temperature, thresholds, guard reference, optionally the head) replaced in memory, and
every prediction naming the calibration it was made with."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .engine import Engine
from .ood import load_guards
from .packs import ModelPack
from .results import Prediction
from .screener import Screener
from .site import OperatingPoint, early_for, guard_for
from .site_head import CalibratedEngine


class SiteScreener(Screener):
    """Screens like :class:`Screener`, under ``op``; ``label`` names the calibration in every
    prediction's ``pack_version`` ("1.0.0 + site <id>"), which the store, CSV, JSON and
    reports already carry."""

    def __init__(
        self, pack: ModelPack, op: OperatingPoint, label: str, engine: Engine | None = None
    ) -> None:
        base = engine or Engine(pack)
        if op.head is not None:
            base = CalibratedEngine(base, *op.head)  # type: ignore[assignment]
        super().__init__(replace(pack, manifest=op.manifest_for(pack.manifest)), engine=base)
        self.site_label = label
        self._op = op

    def _load_guards(self):  # noqa: ANN202 - same type as Screener's
        if self._guards is None:
            main, early = load_guards(self.pack) if self.engine.has_cam_outputs else (None, None)
            self._guards = (guard_for(main, self._op), early_for(early, self._op))  # type: ignore[assignment]
        return self._guards

    def predict(self, probabilities: np.ndarray) -> Prediction:
        pred = super().predict(probabilities)
        return replace(pred, pack_version=f"{pred.pack_version} + {self.site_label}")
