"""Site calibration maths: fit a pack's operating point to a clinic's own labelled images.

Why: every site's scanners differ from the images a pack was trained on (the chest pack calls
many normal X-rays of another hospital pneumonia; the brain guard refuses some genuine scans).
A clinic can re-fit, on a small labelled sample of its own, what does not touch the network:
the temperature, the referral threshold of each class for a target sensitivity, and the
guard's acceptance of local images (a second Mahalanobis reference fitted on the local
features, capped so that it keeps refusing the probe images the shipped pack refuses).

Everything here works on arrays computed once per sample image (logits, pooled features),
so k-fold cross-validation costs no extra inference. Pure numpy: no Qt, no scipy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .engine import softmax
from .manifest import Manifest
from .ood import MahalanobisScorer, combined_scores
from .site_stats import (  # noqa: F401 - re-exported: callers import them from inference.site
    MIN_PER_CLASS,
    Z95,
    Cancelled,
    PairedDifference,
    Rate,
    kfold,
    missing_per_class,
    paired,
    wilson,
)

SITE_GUARD_QUANTILE = 0.99  # site guard threshold: this quantile of out-of-fold local scores
PROBE_MARGIN = 1.05  # the site threshold stays this factor below the probe scores it caps at
# Probe images the other checks (modality, quality) already refuse: the extended guard alone
# must still refuse at least this share of them (defence in depth); probes that only the
# guard refuses stay refused, all of them.
PROBE_GUARD_SHARE = 0.95
DEFAULT_FOLDS = 5


# -- data -------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SampleOutputs:
    """What the pack computed once for each labelled sample image."""

    labels: np.ndarray  # [N] class index
    logits: np.ndarray  # [N, C]
    pooled: np.ndarray | None  # [N, K] features the main guard reads
    early: np.ndarray | None  # [N, K'] features of the early guard, where the pack has one
    # Refused for reasons calibration does not change (unreadable, wrong modality, quality).
    other_refusal: np.ndarray  # [N] bool

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def subset(self, idx: np.ndarray) -> SampleOutputs:
        def take(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return SampleOutputs(
            self.labels[idx], self.logits[idx], take(self.pooled), take(self.early),
            self.other_refusal[idx],
        )


@dataclass(frozen=True, eq=False)
class Probes:
    """Images of other kinds that the shipped pack refuses (documents, blank frames, other
    modalities): the main-guard features of each, and whether only the guard refuses it."""

    pooled: np.ndarray  # [M, K]
    guard_only: np.ndarray  # [M] bool: the other checks would answer it
    early: np.ndarray | None = None  # [M, K'] early-guard features, where the pack has one

    def early_probes(self) -> Probes | None:
        """The same probes seen by the early guard (its site reference is capped on them)."""
        return None if self.early is None else Probes(self.early, self.guard_only)

    def __len__(self) -> int:
        return int(self.pooled.shape[0])


@dataclass(frozen=True, eq=False)
class OperatingPoint:
    """Everything calibration may change: the shipped pack's values or a fitted profile's."""

    temperature: float
    thresholds: tuple[float | None, ...]  # per class; None for classes that never refer
    refer: tuple[bool, ...]
    site_guard: MahalanobisScorer | None = None  # extra reference of local images
    head: tuple[np.ndarray, np.ndarray] | None = None  # refitted linear head (weight, bias)
    site_early: MahalanobisScorer | None = None  # extra reference of local images, early layer

    def logits(self, sample: SampleOutputs) -> np.ndarray:
        if self.head is None or sample.pooled is None:
            return sample.logits
        return sample.pooled @ self.head[0].T + self.head[1]

    @classmethod
    def shipped(cls, manifest: Manifest) -> OperatingPoint:
        return cls(
            temperature=float(manifest.temperature),
            thresholds=tuple(c.threshold for c in manifest.classes),
            refer=tuple(c.refer for c in manifest.classes),
        )

    def manifest_for(self, manifest: Manifest) -> Manifest:
        """The manifest the Screener uses: temperature and thresholds replaced, all else as
        shipped (the shipped pack's files are never changed)."""
        classes = tuple(
            replace(c, threshold=t) if c.refer else c
            for c, t in zip(manifest.classes, self.thresholds, strict=True)
        )
        return replace(manifest, temperature=self.temperature, classes=classes)


class SiteGuard:
    """The pack's main guard with a second reference fitted on local images: an image passes
    when either accepts it. Same interface as :class:`MahalanobisScorer` (``score``,
    ``threshold``, ``flags``), on the main guard's scale, so the Screener needs no change."""

    def __init__(self, main: MahalanobisScorer, site: MahalanobisScorer) -> None:
        self.main, self.site = main, site
        self.threshold = main.threshold

    def score(self, pooled: np.ndarray) -> np.ndarray:
        rescaled = self.site.score(pooled) / self.site.threshold * self.main.threshold
        return np.minimum(self.main.score(pooled), rescaled)

    def flags(self, pooled: np.ndarray) -> np.ndarray:
        return self.score(pooled) > self.threshold


def guard_for(main: MahalanobisScorer | None, op: OperatingPoint) -> MahalanobisScorer | SiteGuard | None:
    if main is None or op.site_guard is None:
        return main
    return SiteGuard(main, op.site_guard)


def early_for(early: MahalanobisScorer | None, op: OperatingPoint) -> MahalanobisScorer | SiteGuard | None:
    """The pack's early guard, widened like the main one where the profile has a local
    reference for it: a local scan refused only by the early layer is answered again."""
    if early is None or op.site_early is None:
        return early
    return SiteGuard(early, op.site_early)


# -- decisions --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Decisions:
    answered: np.ndarray  # [N] bool
    predicted: np.ndarray  # [N] class index the app would name (meaningful where answered)
    referred: np.ndarray  # [N, C] bool: class c passed its referral threshold
    probabilities: np.ndarray  # [N, C]


def decide(
    op: OperatingPoint,
    sample: SampleOutputs,
    main: MahalanobisScorer | None,
    early: MahalanobisScorer | None,
) -> Decisions:
    """What the Screener would answer for each sample image under ``op`` (same rules:
    refer = a refer class at or above its threshold, or the top class without one)."""
    probs = softmax(op.logits(sample), op.temperature)
    n, c = probs.shape
    top = probs.argmax(axis=1)
    referred = np.zeros((n, c), bool)
    for j in range(c):
        if not op.refer[j]:
            continue
        t = op.thresholds[j]
        referred[:, j] = probs[:, j] >= t if t is not None else top == j
    refer_mask = np.asarray(op.refer)
    masked = np.where(referred, probs, -1.0)
    if refer_mask.all() or not (~refer_mask).any():
        fallback = top
    else:
        fallback = np.where(refer_mask[None, :], -1.0, probs).argmax(axis=1)
    predicted = np.where(referred.any(axis=1), masked.argmax(axis=1), fallback)
    answered = ~sample.other_refusal.copy()
    guard = guard_for(main, op)
    if guard is not None and sample.pooled is not None:
        scores = combined_scores(guard, early_for(early, op), sample.pooled, sample.early)  # type: ignore[arg-type]
        answered &= scores <= guard.threshold
    return Decisions(answered, predicted, referred, probs)


# -- fitting ----------------------------------------------------------------------------
def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood (golden-section on log T)."""

    def nll(log_t: float) -> float:
        p = softmax(logits, math.exp(log_t))
        return float(-np.log(np.maximum(p[np.arange(len(labels)), labels], 1e-300)).mean())

    lo, hi = math.log(0.05), math.log(20.0)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(b)
    return math.exp((lo + hi) / 2)


def threshold_for_sensitivity(positive_scores: np.ndarray, target: float) -> float | None:
    """The highest threshold that keeps at least ``target`` of the positives referred, set
    half-way to the next lower positive so a new image just below the last one still passes."""
    s = np.sort(np.asarray(positive_scores, np.float64))[::-1]
    if s.size == 0:
        return None
    k = min(max(math.ceil(target * s.size), 1), s.size)
    lower = s[k] if k < s.size else 0.0
    return float((s[k - 1] + lower) / 2)


def fit_site_scorer(pooled: np.ndarray, labels: np.ndarray, n_classes: int, dims: int) -> dict[str, np.ndarray]:
    """Guard statistics on local features, the same recipe training uses for ``ood.npz``
    (L2-normalised, PCA subspace, class means, shared shrunk covariance, residual energy);
    classes absent from the sample are left out of the class means."""
    x = np.asarray(pooled, np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    center = x.mean(axis=0)
    xc = x - center
    projection = _principal_axes(xc, max(1, min(dims, len(xc) - 1)))
    d = projection.shape[1]
    z = xc @ projection
    present = [c for c in range(n_classes) if (labels == c).any()]
    means = np.stack([z[labels == c].mean(axis=0) for c in present])
    resid = z - means[np.searchsorted(present, labels)]
    cov = resid.T @ resid / max(len(z) - len(present), 1)
    cov = 0.9 * cov + 0.1 * np.eye(d) * np.trace(cov) / d
    precision = np.linalg.pinv(cov + 1e-6 * np.eye(d))
    residual_var = float(((xc - z @ projection.T) ** 2).sum(axis=1).mean())
    return {
        "center": center, "projection": projection, "class_means": means, "precision": precision,
        "l2_normalise": np.array(1, np.int8), "residual_var": np.array(max(residual_var, 1e-12)),
    }


def probes_allowed(n: int) -> int:
    """How many of ``n`` probes the extended guard alone may pass and still refuse
    ``PROBE_GUARD_SHARE`` of them (0 below 20 probes: a small probe set allows no leak)."""
    return int(math.floor(round((1 - PROBE_GUARD_SHARE) * n, 9)))


def _principal_axes(xc: np.ndarray, d: int) -> np.ndarray:
    """The top ``d`` principal directions [K, d] of centred rows, from the small N x N Gram
    matrix (a full SVD of a few hundred 1280-wide rows took seconds on a busy clinic PC)."""
    gram = xc @ xc.T
    vals, vecs = np.linalg.eigh(gram)
    order = np.argsort(vals)[::-1][:d]
    vals, vecs = np.maximum(vals[order], 1e-12), vecs[:, order]
    axes = xc.T @ vecs / np.sqrt(vals)
    return axes / np.maximum(np.linalg.norm(axes, axis=0, keepdims=True), 1e-12)


def _site_dims(n: int) -> int:
    return int(max(2, min(64, n // 8)))


def fit_site_guard(
    pooled: np.ndarray,
    labels: np.ndarray,
    n_classes: int,
    probes: Probes | None,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
) -> MahalanobisScorer:
    """A local reference whose threshold passes ``SITE_GUARD_QUANTILE`` of local images it
    was not fitted on (inner cross-validation), capped below every probe that only the guard
    refuses and so that it alone still refuses ``PROBE_GUARD_SHARE`` of the others."""
    dims = _site_dims(len(labels))
    oof = np.empty(len(labels))
    for fit_idx, held in kfold(labels, min(folds, max(2, len(labels) // 10)), seed):
        arrays = fit_site_scorer(pooled[fit_idx], labels[fit_idx], n_classes, dims)
        oof[held] = MahalanobisScorer.from_arrays(arrays, 1.0).score(pooled[held])
    threshold = float(np.quantile(oof, SITE_GUARD_QUANTILE))
    scorer = MahalanobisScorer.from_arrays(fit_site_scorer(pooled, labels, n_classes, dims), 1.0)
    if probes is not None and len(probes):
        scores = scorer.score(probes.pooled)
        if probes.guard_only.any():
            threshold = min(threshold, float(scores[probes.guard_only].min()) / PROBE_MARGIN)
        threshold = min(threshold, float(np.sort(scores)[probes_allowed(len(scores))]) / PROBE_MARGIN)
    return replace(scorer, threshold=threshold)


@dataclass(frozen=True)
class FitOptions:
    """What the clinic chose: target sensitivity per refer class (None: the pack's own
    validation sensitivity) and which parts to fit."""

    targets: tuple[float | None, ...] = ()
    temperature: bool = True
    thresholds: bool = True
    guard: bool = True
    head: bool = False  # refit the linear head (needs the shipped head: ``shipped_head``)


def default_targets(manifest: Manifest) -> tuple[float | None, ...]:
    """The pack's own validation sensitivity per refer class (None where it has none)."""
    per_class = manifest.metrics.extra.get("per_class", {}) if manifest.metrics.extra else {}
    out: list[float | None] = []
    for c in manifest.classes:
        recall = per_class.get(c.id, {}).get("recall") if c.refer else None
        out.append(float(recall) if recall is not None else None)
    return tuple(out)


def fit_operating_point(
    shipped: OperatingPoint,
    sample: SampleOutputs,
    main: MahalanobisScorer | None,
    early: MahalanobisScorer | None,
    options: FitOptions,
    probes: Probes | None = None,
    shipped_head: tuple[np.ndarray, np.ndarray] | None = None,
) -> OperatingPoint:
    """Fit on ``sample`` only: the site guard first (it decides which images get answers),
    then the head, then the temperature and each refer class's threshold on logits the head
    was not fitted on (inner cross-validation), so they are not tuned to in-sample optimism."""
    n_classes = sample.logits.shape[1]
    op = shipped
    keep = ~sample.other_refusal
    if options.guard and main is not None and sample.pooled is not None:
        site = fit_site_guard(sample.pooled[keep], sample.labels[keep], n_classes, probes)
        op = replace(op, site_guard=site)
        if early is not None and sample.early is not None:
            early_probes = probes.early_probes() if probes is not None else None
            op = replace(op, site_early=fit_site_guard(sample.early[keep], sample.labels[keep],
                                                       n_classes, early_probes))
    answered = decide(op, sample, main, early).answered
    logits = sample.logits
    if options.head and shipped_head is not None and sample.pooled is not None:
        from .site_head import fit_head

        x, y = sample.pooled, sample.labels
        logits = np.array(sample.logits, np.float64)
        for fit_idx, held in kfold(y[keep], min(DEFAULT_FOLDS, max(2, int(keep.sum()) // 10))):
            rows = np.flatnonzero(keep)
            w, b = fit_head(x[rows[fit_idx]], y[rows[fit_idx]], *shipped_head)
            logits[rows[held]] = x[rows[held]] @ w.T + b
        op = replace(op, head=fit_head(x[keep], y[keep], *shipped_head))
    if options.temperature and answered.sum() >= 2:
        op = replace(op, temperature=fit_temperature(logits[answered], sample.labels[answered]))
    if options.thresholds:
        probs = softmax(logits[answered], op.temperature)
        labels = sample.labels[answered]
        thresholds = list(op.thresholds)
        for j in range(n_classes):
            target = options.targets[j] if j < len(options.targets) else None
            if op.refer[j] and target is not None and (labels == j).any():
                thresholds[j] = threshold_for_sensitivity(probs[labels == j, j], target)
        op = replace(op, thresholds=tuple(thresholds))
    return op


# -- cross-validation and statistics ------------------------------------------------------
@dataclass(frozen=True)
class SampleMetrics:
    accuracy: Rate  # correct answers / all images (refusals count as misses)
    answered: Rate
    sensitivity: tuple[tuple[str, Rate], ...]  # per refer class
    specificity: tuple[tuple[str, Rate], ...]


def measure(decisions: Decisions, labels: np.ndarray, class_ids: Sequence[str], refer: Sequence[bool]) -> SampleMetrics:
    """Refusals count as misses everywhere: a refused image got no answer."""
    ans = decisions.answered
    correct = ans & (decisions.predicted == labels)
    sens, spec = [], []
    for j, cid in enumerate(class_ids):
        if not refer[j]:
            continue
        pos = labels == j
        sens.append((cid, Rate(int((ans & pos & decisions.referred[:, j]).sum()), int(pos.sum()))))
        spec.append((cid, Rate(int((ans & ~pos & ~decisions.referred[:, j]).sum()), int((~pos).sum()))))
    n = len(labels)
    return SampleMetrics(Rate(int(correct.sum()), n), Rate(int(ans.sum()), n), tuple(sens), tuple(spec))


@dataclass(frozen=True, eq=False)
class CrossValidation:
    before: SampleMetrics
    after: SampleMetrics
    accuracy_change: PairedDifference
    sensitivity_change: tuple[tuple[str, PairedDifference], ...]  # on each class's positives
    folds: int


def cross_validate(
    shipped: OperatingPoint,
    sample: SampleOutputs,
    main: MahalanobisScorer | None,
    early: MahalanobisScorer | None,
    class_ids: Sequence[str],
    fit: Callable[[SampleOutputs], OperatingPoint],
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    progress: Callable[[int, int], bool] | None = None,
) -> CrossValidation:
    """Fit on k-1 folds, decide on the held-out fold; before and after on the same images.
    ``progress(done, total)`` returning False cancels (raises :class:`Cancelled`)."""
    n, c = sample.logits.shape
    after_ans, after_pred = np.zeros(n, bool), np.zeros(n, int)
    after_ref = np.zeros((n, c), bool)
    for i, (fit_idx, held) in enumerate(kfold(sample.labels, folds, seed)):
        if progress is not None and not progress(i, folds):
            raise Cancelled("calibration cancelled")
        op = fit(sample.subset(fit_idx))
        d = decide(op, sample.subset(held), main, early)
        after_ans[held], after_pred[held], after_ref[held] = d.answered, d.predicted, d.referred
    before = decide(shipped, sample, main, early)
    after = Decisions(after_ans, after_pred, after_ref, before.probabilities)
    labels = sample.labels
    ok_before = before.answered & (before.predicted == labels)
    ok_after = after.answered & (after.predicted == labels)
    sens_change = []
    for j, cid in enumerate(class_ids):
        if shipped.refer[j]:
            pos = labels == j
            sens_change.append((cid, paired(
                (after.answered & after.referred[:, j])[pos], (before.answered & before.referred[:, j])[pos]
            )))
    return CrossValidation(
        before=measure(before, labels, class_ids, shipped.refer),
        after=measure(after, labels, class_ids, shipped.refer),
        accuracy_change=paired(ok_after, ok_before),
        sensitivity_change=tuple(sens_change),
        folds=folds,
    )
