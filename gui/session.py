"""The main window's state as plain Python: packs, the image queue, results, heatmap settings.

Widgets only render this and forward user actions to it, so the logic is testable without
a window. Heavy modules (onnxruntime, numpy) are imported on first use, never at startup.
Methods marked *worker* are called from QThreadPool threads; they touch only immutable
inputs and dict caches (safe under the GIL).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from inference.cam import CamMap
    from inference.dicom import DicomPatient
    from inference.engine import EngineCache
    from inference.images import LoadedImage
    from inference.manifest import Manifest
    from inference.packs import ModelPack, PackCatalog
    from inference.results import ScreenResult
    from inference.screener import Screener
    from screening.settings import ClinicSettings
    from screening.store import ScreeningRecord, Store

DEFAULT_OPACITY = 0.45
DEFAULT_COLORMAP = "jet"  # == inference.overlay.DEFAULT_COLORMAP (not imported: it loads numpy)
DEFAULT_METHOD = "gradcam"


@dataclass(frozen=True)
class HeatmapSettings:
    visible: bool = True
    side_by_side: bool = False
    opacity: float = DEFAULT_OPACITY
    colormap: str = DEFAULT_COLORMAP
    method: str = DEFAULT_METHOD
    class_id: str | None = None  # None: the top class


@dataclass(frozen=True, eq=False)
class Picture:
    """What the viewer shows for one image: the pixels and (when answered) the overlay.
    (Not a DICOM frame: which frame of a multi-frame file is screened is ``dicom_frames``.)"""

    path: str
    pack_id: str
    image: LoadedImage | None
    overlay: np.ndarray | None = None  # RGB uint8, same size as image.pixels
    cam: CamMap | None = None
    result: ScreenResult | None = None  # with heatmap/overlay timings filled in
    error: str = ""


@dataclass(frozen=True)
class DicomDetails:
    """What a DICOM file's header says, for the patient form and the frame choice."""

    path: str
    patient: DicomPatient
    frames: int


def looks_like_dicom(path: str) -> bool:
    """*worker* ``.dcm``/``.dicom``, or the DICM marker of a file without that suffix."""
    p = path.lower()
    if p.endswith((".dcm", ".dicom")):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(132)[128:132] == b"DICM"
    except OSError:
        return False


# First choice on a first start: can say "no tumour", unlike the 2-class glioma/meningioma pack.
PREFERRED_DEFAULT_PACKS = ("brain-mri-tumor",)


def default_pack(catalog: PackCatalog) -> str | None:
    """The screening type selected when the user has not chosen one: a preferred pack, else
    the first that has a class meaning "nothing to refer" (a pack whose every class refers
    cannot say "no finding", so it is a poor default), else the first pack."""
    packs = list(catalog.packs)
    for pack_id in PREFERRED_DEFAULT_PACKS:
        if any(p.id == pack_id for p in packs):
            return pack_id
    for pack in packs:
        if any(not c.refer for c in pack.manifest.classes):
            return pack.id
    return packs[0].id if packs else None


class Session:
    """State of one main window."""

    def __init__(self, catalog: PackCatalog | None = None, engines: EngineCache | None = None):
        self.catalog = catalog
        self.pack_id: str | None = None
        self.queue: list[str] = []
        self.index = -1
        self.results: dict[str, ScreenResult] = {}
        self.heatmap = HeatmapSettings()
        self._engines = engines
        self._screeners: dict[tuple[str, int], Screener] = {}  # (pack, site profile stamp)
        # why a pack's site calibration was skipped, from screening.site.active (issue 18)
        self._site_warnings: dict[tuple[str, int], str] = {}
        self._maps: dict[tuple[str, str, str, str, str], tuple[Any, Any, float]] = {}
        self.dicom_frames: dict[str, int] = {}  # chosen frame (0-based) of multi-frame DICOM
        self.dicom: dict[str, DicomDetails | None] = {}  # header details, None: not DICOM
        self._lock = threading.Lock()
        # What the window's parts share (gui.image_flow, gui.viewer_flow, gui.batch_flow,
        # gui.patient_flow): they read it here, so none of them imports the window.
        self.store: Store | None = None  # the patient database, opened at startup
        self.store_error = ""  # why the database is not open
        self.clinic: ClinicSettings | None = None  # screening.settings, loaded at startup
        self.language = "en"
        self.languages: list[str] = ["en"]  # screening.i18n.languages(), loaded at startup
        self.record: ScreeningRecord | None = None  # a saved screening being shown
        self.picture: Picture | None = None  # what the viewer shows for the current image
        self.patient_db_id: int | None = None  # the patient form's patient in the store

    # -- packs ---------------------------------------------------------------------------
    def set_catalog(self, catalog: PackCatalog, preferred: str | None = None) -> None:
        self.catalog = catalog
        ids = catalog.ids
        wanted = preferred if preferred in ids else self.pack_id
        self.select_pack(wanted if wanted in ids else default_pack(catalog))

    @property
    def pack(self) -> ModelPack | None:
        if self.catalog is None or self.pack_id is None:
            return None
        return next((p for p in self.catalog.packs if p.id == self.pack_id), None)

    def select_pack(self, pack_id: str | None) -> bool:
        """Switch screening type; results of the old pack no longer apply."""
        if pack_id == self.pack_id:
            return False
        self.pack_id = pack_id
        self.results.clear()
        self.heatmap = replace(self.heatmap, class_id=None)
        return True

    def screener(self, pack: ModelPack | None = None) -> Screener:
        """*worker* The pack's Screener; its ONNX session is created on the first run."""
        pack = pack or self.pack
        if pack is None:
            raise LookupError("no screening type is selected")
        with self._lock:
            from screening.site.active import profile_stamp

            key = (pack.id, profile_stamp(pack.id))
            screener = self._screeners.get(key)
            if screener is None:
                from inference.engine import EngineCache
                from screening.site.active import screener_for

                if self._engines is None:
                    self._engines = EngineCache(threads=min(4, os.cpu_count() or 1))
                # the clinic's site calibration where one applies (screening.site)
                screener, warning = screener_for(pack, self._engines.get(pack))
                self._screeners[key] = screener
                self._site_warnings[key] = warning
            return screener

    def site_warning(self, pack: ModelPack) -> str:
        """*worker* Why the pack's site calibration is not used ("" when there is none or it
        applies): the screener's own reason once it is made, else the profile's check
        (stale or damaged), so the window can say so as soon as the pack is chosen."""
        from screening.site.active import profile_stamp

        key = (pack.id, profile_stamp(pack.id))
        with self._lock:
            if key in self._site_warnings:
                return self._site_warnings[key]
        from screening.site.profile import ProfileError, active_profile

        try:
            active_profile(pack)
        except ProfileError as exc:
            return str(exc)
        return ""

    # -- queue ---------------------------------------------------------------------------
    def add(self, paths: list[str] | tuple[str, ...]) -> int:
        """Append new paths; the first new one becomes current. Returns how many were new."""
        known = set(self.queue)
        new = [p for p in dict.fromkeys(paths) if p not in known]
        if new:
            self.queue.extend(new)
            self.index = len(self.queue) - len(new)
        return len(new)

    def clear(self) -> None:
        self.queue.clear()
        self.results.clear()
        self._maps.clear()
        self.dicom_frames.clear()
        self.dicom.clear()
        self.index = -1

    def go(self, step: int) -> bool:
        target = self.index + step
        if not self.queue or not 0 <= target < len(self.queue):
            return False
        self.index = target
        self.heatmap = replace(self.heatmap, class_id=None)
        return True

    @property
    def current_path(self) -> str | None:
        return self.queue[self.index] if 0 <= self.index < len(self.queue) else None

    @property
    def current_result(self) -> ScreenResult | None:
        path = self.current_path
        return self.results.get(path) if path else None

    def short_name(self, path: str) -> str:
        """The file as the user can tell it apart: its name, with folders when another
        file of the list has the same name (gui.names)."""
        from .names import short_labels

        return short_labels([*self.queue, path]).get(path, Path(path).name)

    def manifest(self, pack_id: str) -> Manifest | None:
        """The installed pack's manifest (None: not installed, e.g. an old saved screening)."""
        if self.catalog is None:
            return None
        pack = next((p for p in self.catalog.packs if p.id == pack_id), None)
        return pack.manifest if pack else None

    def pending(self) -> list[str]:
        """Queue entries without a result for the current pack, current one first."""
        todo = [p for p in self.queue if p not in self.results]
        cur = self.current_path
        if cur in todo:
            todo.remove(cur)
            todo.insert(0, cur)
        return todo

    def store_result(self, pack_id: str, path: str, result: ScreenResult) -> bool:
        """Keep a worker's result unless the user switched pack meanwhile."""
        if pack_id != self.pack_id:
            return False
        self.results[path] = result
        return True

    # -- DICOM ---------------------------------------------------------------------------
    def read_dicom(self, path: str) -> DicomDetails | None:
        """*worker* Patient/study fields and frame count of a DICOM file (header only);
        None for other files or a header that cannot be read (screening says why)."""
        if not looks_like_dicom(path):
            return None
        try:
            from inference.dicom import dicom_frame_count, read_dicom_patient
            from inference.images import read_bytes

            data = read_bytes(Path(path))
            return DicomDetails(path, read_dicom_patient(data), dicom_frame_count(data))
        except Exception:  # noqa: BLE001 - pydicom missing or a broken header
            return None

    def set_frame(self, path: str, frame: int) -> bool:
        """Choose which frame of a multi-frame file is screened; its old result is dropped."""
        if self.dicom_frames.get(path, 0) == frame:
            return False
        self.dicom_frames[path] = frame
        self.results.pop(path, None)
        for key in [k for k in self._maps if k[1] == path]:
            del self._maps[key]
        return True

    def load(self, screener: Screener, path: str) -> LoadedImage:
        """*worker* The image as screened: the chosen frame for multi-frame DICOM."""
        frame = self.dicom_frames.get(path, 0)
        if frame:
            from inference.dicom import decode_dicom
            from inference.images import read_bytes

            return decode_dicom(read_bytes(Path(path)), name=path, frame=frame)
        return screener.load(path)

    def screen(self, screener: Screener, path: str) -> ScreenResult:
        """*worker* Like ``screener.screen_path``, for the chosen frame."""
        import time

        from inference.errors import ImageError
        from inference.screener import failed_result

        t0 = time.perf_counter()
        try:
            image = self.load(screener, path)
        except ImageError as exc:
            return failed_result(path, exc)
        return screener.screen_image(image, (time.perf_counter() - t0) * 1000.0)

    # -- heatmaps ------------------------------------------------------------------------
    def set_heatmap(self, **changes: Any) -> HeatmapSettings:
        self.heatmap = replace(self.heatmap, **changes)
        return self.heatmap

    def render(
        self, screener: Screener, path: str, result: ScreenResult, settings: HeatmapSettings
    ) -> Picture:
        """*worker* Decode the image and, for an answered result, blend the heatmap.

        The CAM at image resolution is cached per (image, class, method), so the opacity
        slider and colormap only re-blend (cheap) instead of recomputing the map, which for
        packs without CAM outputs means 64 extra forward passes (occlusion)."""
        import time

        from inference.errors import InferenceError
        from inference.screener import finish_overlay

        pack_id = screener.pack.id
        try:
            image = self.load(screener, path)
        except InferenceError as exc:
            return Picture(path, pack_id, None, result=result, error=str(exc))
        if not result.answered:
            return Picture(path, pack_id, image, result=result)
        from .presenter import heatmap_class

        # The default map explains the message: the referring class when it is not the top.
        class_id = settings.class_id or heatmap_class(result.prediction)
        key = (pack_id, path, result.image_sha256, class_id, settings.method)
        cached = self._maps.get(key)
        if cached is None:  # the cost reported is the first computation's, cached or not
            t0 = time.perf_counter()
            cam, full = screener.heatmap(image, result, class_id, settings.method)
            cached = (cam, full, (time.perf_counter() - t0) * 1000.0)
            self._maps[key] = cached
        cam, full, heat_ms = cached
        overlay, timed = finish_overlay(  # the blend Screener.overlay does, on the cached map
            image, result, cam, full, heat_ms, opacity=settings.opacity, colormap=settings.colormap
        )
        return Picture(path, pack_id, image, overlay, cam, timed)


class InSession:
    """A window attribute whose value lives in the Session: the window's parts read it
    there (no import of the window), callers and tests keep ``window.store`` etc."""

    def __init__(self, name: str = "") -> None:
        self.name = name  # the Session's name for it, when it differs

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, window: Any, owner: type | None = None) -> Any:
        return self if window is None else getattr(window.session, self.name)

    def __set__(self, window: Any, value: Any) -> None:
        setattr(window.session, self.name, value)
