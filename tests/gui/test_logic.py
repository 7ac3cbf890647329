"""The window's plain-Python parts: folder scans, the session and what the panel says."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from gui.presenter import summarize, timing_parts
from gui.scan import expand
from gui.session import Session
from inference.packs import discover
from inference.results import ScreenResult, Status, Timings
from tests.gui.conftest import write_image


def test_expand_recurses_skips_and_survives_loops(tmp_path):
    write_image(tmp_path / "a" / "x.PNG")
    write_image(tmp_path / "a" / "b" / "y.jpeg", seed=3)
    (tmp_path / "a" / "b" / "z.csv").write_text("1,2")
    (tmp_path / "a" / ".hidden.png").write_bytes(b"")
    os.symlink(tmp_path / "a", tmp_path / "a" / "b" / "back")
    out = expand([tmp_path / "a", tmp_path / "a" / "x.PNG", tmp_path / "nope"])
    assert [os.path.basename(p) for p in out.images] == ["x.PNG", "y.jpeg"]
    assert out.skipped == 1
    assert out.missing == (str(tmp_path / "nope"),)


def test_expand_can_be_cancelled(tmp_path):
    for i in range(3):
        write_image(tmp_path / f"d{i}" / "i.png")
    out = expand([tmp_path], cancelled=lambda: True)
    assert out.cancelled and out.images == ()


def test_session_queue_navigation_and_pack_switch(packs_root):
    s = Session()
    s.set_catalog(discover([packs_root]), preferred="tiny-pack")
    assert s.pack_id == "tiny-pack"
    assert s.add(["a", "b", "a"]) == 2 and s.current_path == "a"
    assert s.add(["b", "c"]) == 1 and s.current_path == "c"
    assert s.go(1) is False and s.go(-2) and s.current_path == "a"
    fake = ScreenResult(source="a", status=Status.UNREADABLE, message="bad")
    assert s.store_result("other-pack", "a", fake) is False  # stale worker result
    assert s.store_result("tiny-pack", "a", fake) and s.pending() == ["b", "c"]
    assert s.select_pack("other-pack") and s.results == {}
    assert s.pending()[0] == "a"


@pytest.fixture(scope="module")
def screened(packs_root, tmp_path_factory):
    from inference.packs import load_pack
    from inference.screener import Screener

    screener = Screener(load_pack(packs_root / "tiny-pack"))
    path = write_image(tmp_path_factory.mktemp("img") / "a.png", seed=4)
    return screener, screener.screen_path(path)


def test_flagged_results_show_no_answer(screened):
    screener, result = screened
    assert result.answered
    ok = summarize(result, screener.manifest)
    assert ok.answered and ok.headline and len(ok.bars) == 3
    assert sum(b.probability for b in ok.bars) == pytest.approx(1.0)
    for status in (Status.OUT_OF_DISTRIBUTION, Status.NOT_MODALITY, Status.POOR_QUALITY):
        flagged = summarize(replace(result, status=status, message="why"), screener.manifest)
        assert not flagged.answered
        assert flagged.headline == "" and flagged.bars == () and flagged.refer is False
        assert flagged.warning == "why"
        in_id = summarize(replace(result, status=status, message="why"), screener.manifest, "id")
        assert in_id.warning.endswith(" (why)") and "gambar" in in_id.warning.lower()


def test_render_caches_the_cam_and_reblends(screened):
    screener, result = screened
    s = Session()
    settings = s.heatmap
    a = s.render(screener, result.source, result, settings)
    b = s.render(screener, result.source, result, replace(settings, opacity=0.9))
    assert a.cam is b.cam  # same map, only the blend changed
    assert a.overlay is not None and (a.overlay != b.overlay).any()
    assert a.result.timings.heatmap_ms > 0 and a.result.timings.overlay_ms > 0
    # the reblend reports the map's first computation, not a zero for the cache hit
    assert b.result.timings.heatmap_ms == a.result.timings.heatmap_ms


def test_timing_parts_skip_empty_stages():
    parts = timing_parts(Timings(decode_ms=2.0, inference_ms=10.0))
    assert parts == [("decode", 2.0), ("model", 10.0)]
    assert timing_parts(None) == []
