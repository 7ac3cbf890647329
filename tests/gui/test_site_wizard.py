"""Settings -> Site calibration: the wizard runs screening.site in the pool, shows shipped vs
calibrated, refuses to apply a too-small sample, applies and reverts a good one (audited)."""

from __future__ import annotations

import numpy as np

from inference.packs import PackCatalog, load_pack
from inference.screener import Screener
from screening.site import profile as profile_mod
from tests.packgen import make_pack
from tests.screening_fixtures import write_image


def _catalog(tmp_path):
    directory = make_pack(tmp_path / "models", "tiny-pack", classes=("normal", "abnormal"))
    pack = load_pack(directory)
    return pack, PackCatalog(packs=(pack,), problems=())


def _sample(pack, root, n):
    """Labelled against the shipped pack's ranking, so calibration clearly helps."""
    screener = Screener(pack)
    paths = [write_image(root / f"i{i:03d}.png", seed=300 + i, size=40) for i in range(n)]
    p = np.array([screener.screen_path(q).prediction.probability("abnormal") for q in paths])
    for q, v in zip(paths, p, strict=True):
        dest = root / ("abnormal" if v < np.median(p) else "normal") / q.name
        dest.parent.mkdir(exist_ok=True)
        q.replace(dest)
    return root


def _run(qtbot, dialog, sample):
    dialog.sample.setText(str(sample))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=120_000)


def test_wizard_refuses_a_small_sample_then_applies_and_reverts(qtbot, tmp_path):
    from gui.site_wizard import SiteCalibrationDialog
    from screening.store import Store

    pack, catalog = _catalog(tmp_path)
    dialog = SiteCalibrationDialog("dr. Sari", catalog=catalog)
    qtbot.addWidget(dialog)
    assert "shipped calibration" in dialog.active.text()

    _run(qtbot, dialog, _sample(pack, tmp_path / "small", 12))
    assert "Cannot be applied" in dialog.verdict.text() and "more" in dialog.verdict.text()
    assert not dialog.apply_button.isEnabled()

    big = _sample(pack, tmp_path / "big", 70)
    _run(qtbot, dialog, big)
    assert dialog.table.rowCount() >= 4 and dialog.apply_button.isEnabled(), dialog.verdict.text()
    assert dialog.table.item(0, 0).text().startswith("Accuracy")
    dialog.apply_button.click()
    prof = profile_mod.active_profile(pack)
    assert prof is not None and prof.created_by == "dr. Sari"
    assert prof.label in dialog.active.text()
    dialog.revert_button.click()
    assert profile_mod.active_profile(pack) is None
    with Store() as store:
        actions = {e.action for e in store.audit_log()}
    assert {"site_profile.make", "site_profile.apply", "site_profile.revert"} <= actions


def test_settings_dialog_opens_the_wizard(qtbot, monkeypatch):
    from gui import site_wizard
    from gui.settings_dialog import SettingsDialog
    from screening.settings import ClinicSettings

    opened = []
    monkeypatch.setattr(site_wizard.SiteCalibrationDialog, "exec", lambda self: opened.append(self))
    dialog = SettingsDialog(ClinicSettings(), ["en", "id"])
    qtbot.addWidget(dialog)
    dialog.operator.setText("nurse Ani")
    dialog.site_button.click()
    assert len(opened) == 1 and opened[0].operator == "nurse Ani"


def test_each_referral_class_has_its_own_target(qtbot):
    """The v2 brain pack needs 95 / 85 / 95 % (one common value was refused): the wizard asks
    per referral class, and a box left at "the pack's own" keeps the validation sensitivity."""
    from gui.site_targets import merge_targets
    from gui.site_wizard import SiteCalibrationDialog
    from inference.site import default_targets
    from tests.test_bundled_packs import MODELS

    pack = load_pack(MODELS / "brain-mri-tumor")
    dialog = SiteCalibrationDialog("dr. Sari", catalog=PackCatalog(packs=(pack,), problems=()))
    qtbot.addWidget(dialog)
    assert set(dialog.targets.boxes) == {"glioma", "meningioma", "pituitary"}  # not notumor
    assert "the pack's own (" in dialog.targets.boxes["glioma"].specialValueText()
    dialog.targets.boxes["meningioma"].setValue(85.0)
    own = default_targets(pack.manifest)
    got = dialog.targets.targets(pack.manifest)
    ids = pack.manifest.class_ids
    assert got[ids.index("meningioma")] == 0.85
    assert got[ids.index("glioma")] == own[ids.index("glioma")]
    assert got[ids.index("notumor")] is None
    assert merge_targets((0.9, None), (None, None)) == (0.9, None)
