"""The offer to switch screening type when a wrong-modality image is dropped.

Why: the shared modality check (inference.modality) already knows what the image looks like
("a chest X-ray" dropped on the brain MRI type), so instead of only refusing, the window
offers the screening type(s) that read it, one click away. The decision is plain Python
(:func:`offer_for`, tested without a window); the bar only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from inference.modality import CHECKED
from inference.packs import PackCatalog
from inference.results import ScreenResult, Status


def _kind(modality: str) -> str:
    """The modality as the user reads it (translated)."""
    names = {
        "brain-mri": QCoreApplication.translate("ModalityOffer", "a brain MRI"),
        "chest-xray": QCoreApplication.translate("ModalityOffer", "a chest X-ray"),
        "palm-photo": QCoreApplication.translate("ModalityOffer", "a photo of a palm"),
        "face-photo": QCoreApplication.translate("ModalityOffer", "a photo of a face"),
    }
    return names.get(modality, modality)


@dataclass(frozen=True)
class Offer:
    """What a refused image looks like and the installed packs that read it."""

    looks_like: str
    choices: tuple[tuple[str, str], ...]  # (pack id, display name), in catalogue order


def offer_for(
    result: ScreenResult | None, catalog: PackCatalog | None, current: str | None, language: str
) -> Offer | None:
    """An offer only for an image refused as another modality the check named."""
    if result is None or catalog is None or result.status is not Status.NOT_MODALITY:
        return None
    if result.looks_like not in CHECKED:
        return None  # "none of these": nothing to switch to
    choices = tuple(
        (p.id, p.manifest.display_name.get(language))
        for p in catalog.packs
        if p.manifest.modality == result.looks_like and p.id != current
    )
    return Offer(result.looks_like, choices)


class ModalityOfferBar(QFrame):
    """ "This image looks like a chest X-ray. [Switch to Chest X-ray: pneumonia]"."""

    switch_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modalityOffer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#modalityOffer { background: #eef4fb; border: 1px solid #9cb8d9; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.buttons = QHBoxLayout()
        layout.addLayout(self.buttons)
        self.offer: Offer | None = None
        self.hide()

    def show_offer(self, offer: Offer | None) -> None:
        self.offer = offer
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if offer is None:
            self.hide()
            return
        kind = _kind(offer.looks_like)
        if offer.choices:
            self.label.setText(self.tr("This image looks like {kind}.").format(kind=kind))
        else:
            self.label.setText(
                self.tr(
                    "This image looks like {kind}. No installed screening type reads it."
                ).format(kind=kind)
            )
        for pack_id, name in offer.choices:
            button = QPushButton(self.tr("Switch to {name}").format(name=name))
            button.setObjectName(f"switch:{pack_id}")
            button.clicked.connect(lambda _=False, p=pack_id: self.switch_requested.emit(p))
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
        self.show()


def _bar(window: Any) -> ModalityOfferBar:
    """The window's bar, created once under the result panel."""
    bar = getattr(window, "modality_offer", None)
    if bar is None:
        bar = ModalityOfferBar()
        layout = window.result_panel.parentWidget().layout()
        layout.insertWidget(layout.indexOf(window.result_panel) + 1, bar)
        bar.switch_requested.connect(lambda pack_id: switch(window, pack_id))
        window.modality_offer = bar
    return bar


def switch(window: Any, pack_id: str) -> None:
    """Select ``pack_id`` as if chosen in the screening-type list; the images are re-screened."""
    combo = window.pack_chooser.combo
    with QSignalBlocker(combo):
        combo.setCurrentIndex(combo.findData(pack_id))
    window.select_pack(pack_id)


def show_offer(window: Any, result: ScreenResult | None) -> None:
    """Show or hide the offer for the image now shown (the one hook in MainWindow)."""
    session = window.session
    offer = offer_for(result, session.catalog, session.pack_id, window.language)
    _bar(window).show_offer(offer)
