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
