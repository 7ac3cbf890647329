"""Site calibration (issue 18): the maths, the sealed profile, the screener that uses it, and
the ``cliniclens calibrate`` command, on tiny packs and synthetic features (fast)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from inference.engine import softmax
from inference.ood import MahalanobisScorer
from inference.packs import load_pack
from inference.screener import Screener
from inference.site import (
    PROBE_GUARD_SHARE,
    FitOptions,
    OperatingPoint,
    Probes,
    SampleOutputs,
    decide,
    fit_site_guard,
    fit_site_scorer,
    fit_temperature,
    missing_per_class,
    paired,
    threshold_for_sensitivity,
    wilson,
)
from inference.site_screener import SiteScreener
from screening.site import profile as profile_mod
from screening.site.active import screener_for
from screening.site.calibrate import apply, calibrate
from tests.packgen import make_pack
from tests.screening_fixtures import pin_cli_environment, write_image


# -- maths ------------------------------------------------------------------------------
def test_wilson_interval_matches_published_values():
    lo, hi = wilson(5, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.2366, 0.7634)
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and round(hi, 4) == 0.2775  # not the Wald interval's empty [0, 0]


def test_threshold_keeps_the_target_share_of_positives():
    scores = np.linspace(0.05, 0.95, 40)
    t = threshold_for_sensitivity(scores, 0.9)
    assert (scores >= t).mean() >= 0.9
    assert (scores >= t).sum() == math.ceil(0.9 * 40)  # and no lower than it must be


def test_temperature_fit_recovers_the_temperature_labels_were_drawn_with():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, (4000, 3))
    p = softmax(logits, 2.5)
    labels = np.array([rng.choice(3, p=row) for row in p])
    assert fit_temperature(logits, labels) == pytest.approx(2.5, rel=0.1)


def test_paired_difference_needs_more_than_noise():
    before = np.array([True] * 50 + [False] * 50)
    after = before.copy()
    after[50:53] = True  # 3 better
    after[0:2] = False  # 2 worse
    assert not paired(after, before).beats_noise
    after[50:80] = True
    change = paired(after, before)
    assert change.beats_noise and change.interval[0] > 0


def test_missing_per_class_says_how_many_more():
    labels = np.array([0] * 40 + [1] * 12)
    assert missing_per_class(labels, ("normal", "pneumonia"), 30) == {"pneumonia": 18}


def _clusters(rng, centre, n, k=24, spread=0.3):
    return np.abs(centre + rng.normal(0, spread, (n, k)))


def test_site_guard_answers_local_images_and_keeps_probes_refused():
    """The shipped guard refuses a shifted site; the extension passes it, not the probes,
    even a probe lying close to the site (the threshold is capped below it)."""
    rng = np.random.default_rng(1)
    k = 24
    train_c, site_c, probe_c = np.full(k, 1.0), np.full(k, 1.0), np.full(k, 1.0)
    site_c[:8] += 2.5
    probe_c[8:16] += 3.0
    train = _clusters(rng, train_c, 300)
    labels = np.arange(300) % 2
    main = MahalanobisScorer.from_arrays(fit_site_scorer(train, labels, 2, 8), 1.0)
    main = MahalanobisScorer(**{**main.__dict__, "threshold": float(np.quantile(main.score(train), 0.97))})
    site = _clusters(rng, site_c, 240)
    probes = np.vstack([_clusters(rng, probe_c, 40), site[:1] * 1.02])  # one probe near the site
    site = site[1:]
    site_labels = np.arange(len(site)) % 2
    assert main.flags(site).mean() > 0.9 and main.flags(probes).all()
    n = len(site)
    sample = SampleOutputs(site_labels, np.zeros((n, 2)), site, None, np.zeros(n, bool))
    shipped = OperatingPoint(1.0, (None, None), (False, True))
    op = OperatingPoint(1.0, (None, None), (False, True),
                        site_guard=fit_site_guard(site[:160], site_labels[:160], 2,
                                                  Probes(probes, np.ones(len(probes), bool))))
    held = sample.subset(np.arange(160, n))
    assert decide(shipped, held, main, None).answered.mean() < 0.1
    assert decide(op, held, main, None).answered.mean() >= 0.9
    p = SampleOutputs(np.zeros(len(probes), int), np.zeros((len(probes), 2)), probes, None,
                      np.zeros(len(probes), bool))
    assert not decide(op, p, main, None).answered.any()


def test_probes_other_checks_refuse_stay_mostly_refused_by_the_guard_too():
    """Probes the modality check already refuses may not all be kept out by the extension
    (a chest X-ray is close to brain MRIs), but the guard alone still refuses 95 % of them."""
    rng = np.random.default_rng(2)
    k = 24
    base = np.full(k, 1.0)
    site = _clusters(rng, base, 200)
    labels = np.arange(200) % 2
    near = _clusters(rng, base, 60, spread=0.33)  # probes overlapping the local images
    guard = fit_site_guard(site, labels, 2, Probes(near, np.zeros(len(near), bool)))
    assert (guard.score(near) > guard.threshold).mean() >= PROBE_GUARD_SHARE


# -- on a tiny pack -----------------------------------------------------------------------
@pytest.fixture()
def site_env(tmp_path, monkeypatch):
    models = tmp_path / "models"
    make_pack(models, "tiny-pack", classes=("normal", "abnormal"))
    pin_cli_environment(tmp_path, monkeypatch, models)
    return tmp_path


def _flipped_sample(pack, root: Path, n: int = 80) -> tuple[list[Path], list[int]]:
    """Images labelled against the shipped pack: the half it finds least abnormal are called
    abnormal. A site where the shipped head ranks every image backwards, which a refitted head
    can learn (the label is a linear function of the pooled features)."""
    screener = Screener(pack)
    paths = [write_image(root / f"img{i:03d}.png", seed=100 + i, size=40) for i in range(n)]
    p = np.array([screener.screen_path(q).prediction.probability("abnormal") for q in paths])
    labels = [int(v < np.median(p)) for v in p]
    return paths, labels


def _move_into_class_folders(paths, labels, class_ids, root: Path) -> None:
    for p, y in zip(paths, labels, strict=True):
        dest = root / class_ids[y] / p.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        p.replace(dest)


def test_too_small_a_sample_is_refused_saying_how_many_more(site_env):
    pack = load_pack(site_env / "models" / "tiny-pack")
    paths, labels = _flipped_sample(pack, site_env / "imgs", n=12)
    run = calibrate(pack, paths, labels, minimum=10)
    assert not run.allowed and run.cv is None
    assert run.counts == {"normal": 6, "abnormal": 6}
    assert run.missing == {"normal": 4, "abnormal": 4}
    assert "more" in run.reasons[0] and "at least 10" in run.reasons[0]


def test_calibration_beats_a_wrong_head_and_the_profile_is_used_and_named(site_env):
    pack = load_pack(site_env / "models" / "tiny-pack")
    paths, labels = _flipped_sample(pack, site_env / "imgs")
    options = FitOptions(targets=(None, None), head=True)
    run = calibrate(pack, paths, labels, options=options, minimum=10, folds=4)
    assert run.cv is not None
    assert run.cv.before.accuracy.value <= 0.55  # the shipped head ranks this site backwards
    assert run.cv.after.accuracy.value > 0.7 and run.cv.accuracy_change.beats_noise
    assert run.allowed
    prof = apply(run, created_by="dr. Sari", created_at="2026-11-30T10:00:00+00:00")
    screener, note = screener_for(pack)
    assert note == "" and isinstance(screener, SiteScreener)
    res = screener.screen_path(paths[0])
    assert prof.id in res.prediction.pack_version and "80 images" in res.prediction.pack_version
    assert "dr. Sari" in res.prediction.pack_version
    def agreement(scr) -> float:
        return float(np.mean([scr.screen_path(p).prediction.top_class == pack.manifest.class_ids[y]
                              for p, y in zip(paths, labels, strict=True)]))

    assert agreement(screener) > agreement(Screener(pack)) + 0.2
    # the heatmap explains the refitted head: head_grad is its weight matrix
    np.testing.assert_allclose(res.cam_source.head_grad, prof.arrays["head_weight"], atol=1e-5)
    # the shipped pack's files are unchanged, and revert goes back to them
    assert load_pack(site_env / "models" / "tiny-pack").model_sha256() == pack.model_sha256()
    assert profile_mod.revert(pack.id)
    assert type(screener_for(pack)[0]) is Screener


def _made_profile(site_env) -> tuple[object, object]:
    pack = load_pack(site_env / "models" / "tiny-pack")
    paths, labels = _flipped_sample(pack, site_env / "imgs")
    run = calibrate(pack, paths, labels, options=FitOptions(targets=(None, None), head=True),
                    minimum=10, folds=4)
    return pack, apply(run, created_by="nurse", created_at="2026-11-30T10:00:00+00:00")


def test_a_changed_profile_file_is_refused_and_screening_falls_back(site_env):
    pack, prof = _made_profile(site_env)
    path = profile_mod.profile_dir(pack.id) / profile_mod.JSON_NAME
    body = json.loads(path.read_text())
    body["thresholds"]["abnormal"] = 0.01
    path.write_text(json.dumps(body))
    screener, note = screener_for(pack)
    assert type(screener) is Screener and "changed after it was made" in note


def test_a_new_pack_version_invalidates_the_profile_with_a_clear_message(site_env, tmp_path):
    pack, prof = _made_profile(site_env)
    newer = make_pack(tmp_path / "v2", "tiny-pack", classes=("normal", "abnormal"), seed=5,
                      pack_version="1.1.0")
    screener, note = screener_for(load_pack(newer))
    assert type(screener) is Screener
    assert "version 1.0.0" in note and "1.1.0 is installed" in note and "Make a new site" in note


def test_export_and_import_carry_the_profile_to_another_machine(site_env, tmp_path, monkeypatch):
    pack, prof = _made_profile(site_env)
    exported = profile_mod.export_profile(pack.id, tmp_path / "clinic")
    assert exported.suffix == ".clsite"
    monkeypatch.setenv("CLINICLENS_HOME", str(tmp_path / "other-machine"))
    assert profile_mod.active_profile(pack) is None
    imported = profile_mod.import_profile(exported, pack)
    assert imported.id == prof.id and profile_mod.active_profile(pack).id == prof.id
    # a damaged export is refused before anything is activated
    import zipfile

    bad = tmp_path / "bad.clsite"
    with zipfile.ZipFile(exported) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, data.replace(b'"nurse"', b'"admin"'))
    profile_mod.revert(pack.id)
    with pytest.raises(profile_mod.ProfileError):
        profile_mod.import_profile(bad, pack)
    assert profile_mod.active_profile(pack) is None


# -- CLI ---------------------------------------------------------------------------------
def test_cli_calibrate_applies_reverts_exports_and_audits(site_env, capsys):
    from screening.cli import main
    from screening.store import Store

    pack = load_pack(site_env / "models" / "tiny-pack")
    paths, labels = _flipped_sample(pack, site_env / "imgs", n=70)
    sample = site_env / "sample"
    _move_into_class_folders(paths, labels, pack.manifest.class_ids, sample)
    db = site_env / "store.db"
    code = main(["calibrate", "--model", "tiny-pack", str(sample), "--folds", "4",
                 "--operator", "dr. Sari", "--db", str(db)])
    out = capsys.readouterr().out
    assert "accuracy" in out and "calibrated" in out and "Accuracy change +" in out
    assert code == 0, out
    assert "Applied: site " in out
    assert main(["calibrate", "--model", "tiny-pack", "--export", str(site_env / "p"),
                 "--db", str(db)]) == 0
    assert (site_env / "p.clsite").is_file()
    assert main(["calibrate", "--model", "tiny-pack", "--revert", "--db", str(db)]) == 0
    assert "back to its shipped calibration" in capsys.readouterr().out
    with Store(db) as store:
        actions = [e.action for e in store.audit_log()]
    assert {"site_profile.make", "site_profile.apply", "site_profile.export",
            "site_profile.revert"} <= set(actions)


def test_cli_refuses_too_small_a_sample(site_env, capsys):
    from screening.cli import main

    sample = site_env / "sample"
    for i in range(4):
        write_image(sample / "normal" / f"n{i}.png", seed=i)
        write_image(sample / "abnormal" / f"a{i}.png", seed=50 + i)
    assert main(["calibrate", "--model", "tiny-pack", str(sample)]) == 1
    out = capsys.readouterr().out
    assert "26 more normal" in out and "26 more abnormal" in out
    assert profile_mod.active_profile(load_pack(site_env / "models" / "tiny-pack")) is None


def test_the_desktop_app_screens_with_the_active_profile(site_env):
    from gui.session import Session

    pack, prof = _made_profile(site_env)
    session = Session()
    screener = session.screener(pack)
    assert isinstance(screener, SiteScreener) and screener.site_label == prof.label
    profile_mod.revert(pack.id)  # the open window notices: no restart needed
    assert type(session.screener(pack)) is Screener


def test_cancel_stops_a_calibration_and_changes_nothing(site_env):
    from inference.site import Cancelled

    pack = load_pack(site_env / "models" / "tiny-pack")
    paths, labels = _flipped_sample(pack, site_env / "imgs", n=40)
    seen = []

    def progress(stage: str, done: int, total: int) -> bool:
        seen.append(stage)
        return stage != "folds"  # cancel once cross-validation starts

    with pytest.raises(Cancelled):
        calibrate(pack, paths, labels, minimum=10, folds=4, progress=progress)
    assert "screening" in seen and profile_mod.active_profile(pack) is None


def test_a_small_probe_set_allows_no_probe_past_the_extended_guard():
    from inference.site import probes_allowed

    assert [probes_allowed(n) for n in (16, 19, 20, 40, 136)] == [0, 0, 1, 2, 6]


def test_batch_results_and_report_name_the_profile(site_env, capsys):
    import csv

    from pypdf import PdfReader

    from screening.cli import main

    pack, prof = _made_profile(site_env)
    images = site_env / "batch"
    for i in range(3):
        write_image(images / f"b{i}.png", seed=900 + i)
    out = site_env / "out"
    assert main(["batch", str(images), "--model", "tiny-pack", "--out", str(out),
                 "--db", str(site_env / "b.db"), "--report"]) in (0, 1)
    with (out / "results.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(prof.label in r["pack_version"] for r in rows)
    assert prof.id in (out / "results.json").read_text("utf-8")
    pdf = next(out.glob("*.pdf"))
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert f"site {prof.id}" in " ".join(text.split())


def test_labelled_sample_from_a_csv_or_class_folders(tmp_path):
    from screening.errors import InvalidInputError
    from screening.site.labelled import read_labelled

    for i in range(2):
        write_image(tmp_path / "imgs" / f"n{i}.png", seed=i)
        write_image(tmp_path / "sample" / "Abnormal" / f"a{i}.png", seed=10 + i)
    (tmp_path / "labels.csv").write_text(
        "file,label\nimgs/n0.png,normal\nimgs/n1.png, Normal \n", "utf-8")
    got = read_labelled([tmp_path / "labels.csv", tmp_path / "sample"], ("normal", "abnormal"))
    assert got.counts() == {"normal": 2, "abnormal": 2}
    assert got.paths[0] == tmp_path / "imgs" / "n0.png"
    (tmp_path / "bad.csv").write_text("imgs/n0.png,pneumonia\n", "utf-8")
    with pytest.raises(InvalidInputError, match="its classes: normal, abnormal"):
        read_labelled([tmp_path / "bad.csv"], ("normal", "abnormal"))


def test_cli_target_sensitivity_is_read_as_a_share_or_a_percentage(site_env):
    import argparse

    from screening.errors import InvalidInputError
    from screening.site.cli import _targets

    man = load_pack(site_env / "models" / "tiny-pack").manifest
    for text in ("abnormal=0.95", "abnormal=95", "abnormal=95%"):
        assert _targets(argparse.Namespace(target=[text]), man)[1] == pytest.approx(0.95)
    with pytest.raises(InvalidInputError, match="only referral classes"):
        _targets(argparse.Namespace(target=["normal=0.9"]), man)


def test_the_early_guard_is_widened_for_the_site_too_and_kept_in_the_profile(tmp_path):
    """A pack with an early guard (the v2 brain packs): local scans its early layer refuses
    are answered after calibration, probes far from them stay refused, and the profile file
    carries the early reference (so the app screens as the cross-validation measured)."""
    from inference.site import FitOptions, fit_operating_point

    rng = np.random.default_rng(3)
    k = 24
    train = _clusters(rng, np.full(k, 1.0), 300)
    labels = np.arange(300) % 2
    def guard(x):  # noqa: E306
        g = MahalanobisScorer.from_arrays(fit_site_scorer(x, labels, 2, 8), 1.0)
        return MahalanobisScorer(**{**g.__dict__, "threshold": float(np.quantile(g.score(x), 0.97))})
    main, early = guard(train), guard(train)
    shifted = np.full(k, 1.0)
    shifted[:8] += 2.5
    n = 240
    pooled = _clusters(rng, np.full(k, 1.0), n)  # the main guard's layer sees nothing unusual
    early_x = _clusters(rng, shifted, n)  # the early layer does
    site_labels = np.arange(n) % 2
    far = np.full(k, 1.0)
    far[8:16] += 3.0
    probe_early = _clusters(rng, far, 30)
    probes = Probes(_clusters(rng, far, 30), np.ones(30, bool), probe_early)
    sample = SampleOutputs(site_labels, np.zeros((n, 2)), pooled, early_x, np.zeros(n, bool))
    fit_part, held = sample.subset(np.arange(160)), sample.subset(np.arange(160, n))
    shipped = OperatingPoint(1.0, (None, None), (False, True))
    op = fit_operating_point(shipped, fit_part, main, early, FitOptions(targets=(None, None), temperature=False,
                                                                       thresholds=False), probes)
    assert op.site_early is not None
    assert decide(shipped, held, main, early).answered.mean() < 0.1
    assert decide(op, held, main, early).answered.mean() >= 0.9
    p = SampleOutputs(np.zeros(30, int), np.zeros((30, 2)), probes.pooled, probe_early, np.zeros(30, bool))
    assert not decide(op, p, main, early).answered.any()
    pack = load_pack(make_pack(tmp_path / "models", "tiny-pack", classes=("normal", "abnormal")))
    files = profile_mod.build_files(pack, op, "2026-11-30T18:00:00", "test", n, {})
    back = profile_mod.parse_files(files, "test").operating_point(shipped)
    assert back.site_early is not None and back.site_early.threshold == op.site_early.threshold
    np.testing.assert_array_equal(decide(back, held, main, early).answered, decide(op, held, main, early).answered)
