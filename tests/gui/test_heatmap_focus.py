"""The viewer explains the colour scale and says when a heatmap has no clear focus."""

from __future__ import annotations

import numpy as np

from gui.heatmap_view import HeatmapViewer
from gui.qimage import to_pixmap
from gui.session import HeatmapSettings


def test_scale_always_and_no_focus_warning_only_for_a_spread_map(qtbot):
    viewer = HeatmapViewer()
    qtbot.addWidget(viewer)
    viewer.show()
    px = to_pixmap(np.full((32, 32, 3), 128, np.uint8))
    viewer.set_frame(px, px, HeatmapSettings(), has_evidence=True, has_focus=True)
    assert viewer.scale.isVisible() and "red" in viewer.scale.text()
    assert not viewer.note.isVisible()
    viewer.set_frame(px, px, HeatmapSettings(), has_evidence=True, has_focus=False)
    assert viewer.note.isVisible() and "No clear focus" in viewer.note.text()
    assert viewer.scale.isVisible()
    viewer.set_frame(px, None, HeatmapSettings())  # no heatmap: nothing to explain
    assert not viewer.scale.isVisible() and not viewer.note.isVisible()
