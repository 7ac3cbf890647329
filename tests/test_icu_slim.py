"""The Linux build's slim ICU data: English and Indonesian kept, and Qt still works on it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.icu_slim import keep_item, slim_library, tools_available


def test_keeps_core_data_and_the_apps_languages_only():
    for item in ("root.res", "en.res", "en_GB.res", "id.res", "id_ID.res", "in.res",
                 "coll/root.res", "coll/id.res", "coll/ucadata.icu", "zone/id.res",
                 "pool.res", "res_index.res", "uprops.icu", "nfc.nrm", "cnvalias.icu",
                 "supplementalData.res", "zoneinfo64.res", "brkitr/line.brk"):
        assert keep_item(item), item
    for item in ("ja.res", "zh_Hant_TW.res", "coll/de.res", "curr/fr_CA.res",
                 "ibm-943_P15A-2003.cnv", "brkitr/cjdict.dict", "translit/root.res"):
        assert not keep_item(item), item


def _qt_icu_library() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    return found[0] if found else None


PROBE = """
from PySide6.QtCore import QCollator, QDateTime, QLocale, QTimeZone
c = QCollator(QLocale("id_ID"))
print(sorted(["zeta", "Beta", "alpha"], key=c.sortKey))
tz = QTimeZone(b"Asia/Jakarta")
print(tz.displayName(QDateTime.currentDateTime(), QTimeZone.LongName, QLocale("id_ID")))
print(sum("icu-slim" in line for line in open("/proc/self/maps")) > 0)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ICU is bundled on Linux only")
@pytest.mark.skipif(not tools_available(), reason="icu-devtools (icupkg, genccode) missing")
def test_qt_runs_on_the_slim_library(tmp_path):
    library = _qt_icu_library()
    if library is None:
        pytest.skip("PySide6 brings no ICU here")
    out = tmp_path / "icu-slim" / library.name
    before, after = slim_library(library, out)
    assert after < before / 4
    env = dict(os.environ, LD_PRELOAD=str(out))
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == ["['alpha', 'Beta', 'zeta']", "Waktu Indonesia Barat", "True"]
