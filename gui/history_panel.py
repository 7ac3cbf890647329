"""The History tab: saved screenings, newest first, a batch's screenings grouped under
their job, one click shows a record, a context menu assigns, moves or voids it.

``history_entries`` decides what is listed (plain Python, tested without a window); the
widget only draws it and says which screening the user picked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .plaintext import plain, tooltip

if TYPE_CHECKING:
    from screening.records import Void
    from screening.store import ScreeningRecord

SCREENING_ROLE = Qt.ItemDataRole.UserRole
JOB_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class HistoryEntry:
    """One top-level line: a single screening, or a batch job with its screenings."""

    record: ScreeningRecord | None = None
    job_id: int | None = None
    children: tuple[ScreeningRecord, ...] = ()


def history_entries(
    records: list[ScreeningRecord], job_of_item: dict[int, int]
) -> list[HistoryEntry]:
    """Screenings in the order given (newest first); those from one batch job are gathered
    under the job, placed where the job's newest screening is."""
    entries: list[HistoryEntry] = []
    jobs: dict[int, list[ScreeningRecord]] = {}
    for rec in records:
        job = job_of_item.get(rec.batch_item_id) if rec.batch_item_id is not None else None
        if job is None:
            entries.append(HistoryEntry(record=rec))
            continue
        if job not in jobs:
            jobs[job] = []
            entries.append(HistoryEntry(job_id=job))
        jobs[job].append(rec)
    return [
        HistoryEntry(job_id=e.job_id, children=tuple(jobs[e.job_id])) if e.job_id else e
        for e in entries
    ]


class HistoryList(QWidget):
    """Past screenings from the store, searchable by patient ID, name or file name."""

    search_changed = Signal(str)
    opened = Signal(int)  # screening id
    action_requested = Signal(str, int)  # "assign" | "move" | "void", screening id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search by patient ID, name or file"))
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setStyleSheet(
            "QTreeWidget::item { padding: 4px 2px; border-bottom: 1px solid #d9dee3; }"
        )
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty = QLabel(self.tr("No saved screenings yet."))
        self.empty.setStyleSheet("QLabel { color: #616e7c; }")
        self.empty.setWordWrap(True)
        plain(self.empty)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(lambda: self.search_changed.emit(self.search.text()))
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.tree.itemClicked.connect(self._open)
        self.tree.itemActivated.connect(self._open)
        self.tree.customContextMenuRequested.connect(self._menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)

    # -- what the user picks ---------------------------------------------------------------
    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        sid = item.data(0, SCREENING_ROLE)
        if sid is not None:
            self.opened.emit(int(sid))

    def menu_for(self, item: QTreeWidgetItem | None) -> QMenu | None:
        """The context menu of a screening line (None for a job line or empty space)."""
        sid = item.data(0, SCREENING_ROLE) if item is not None else None
        if sid is None:
            return None
        sid = int(sid)
        assigned, voided = item.data(0, JOB_ROLE + 1) or (False, False)
        menu = QMenu(self)
        menu.addAction(self.tr("Show"), lambda: self.opened.emit(sid))
        menu.addSeparator()
        assign = menu.addAction(
            self.tr("Move to another patient…") if assigned else self.tr("Assign to a patient…"),
            lambda: self.action_requested.emit("move" if assigned else "assign", sid),
        )
        void = menu.addAction(
            self.tr("Void this screening…"), lambda: self.action_requested.emit("void", sid)
        )
        assign.setEnabled(not voided)
        void.setEnabled(not voided)
        return menu

    def _menu(self, pos: QPoint) -> None:
        menu = self.menu_for(self.tree.itemAt(pos))
        if menu is not None:
            menu.exec(self.tree.viewport().mapToGlobal(pos))

    # -- filling -----------------------------------------------------------------------------
    def count(self) -> int:
        """Screenings listed (job lines not counted)."""
        return len(self.screening_items())

    def screening_items(self) -> list[QTreeWidgetItem]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            items = (
                [top] if top.childCount() == 0 else [top.child(j) for j in range(top.childCount())]
            )
            found += [it for it in items if it.data(0, SCREENING_ROLE) is not None]
        return found

    def add_screening(
        self,
        parent: QTreeWidgetItem | None,
        sid: int,
        text: str,
        tip: str,
        *,
        assigned: bool,
        void: Void | None,
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        item.setData(0, SCREENING_ROLE, sid)
        item.setData(0, JOB_ROLE + 1, (assigned, void is not None))
        item.setToolTip(0, tooltip(tip))
        if void is not None:
            font = item.font(0)
            font.setStrikeOut(True)
            item.setFont(0, font)
            item.setForeground(0, QBrush(QColor("#7b8794")))
        if parent is None:
            self.tree.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def add_job(self, job_id: int, text: str, tip: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        item.setData(0, JOB_ROLE, job_id)
        item.setToolTip(0, tooltip(tip))
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setBackground(0, QBrush(QColor("#eef2f6")))
        self.tree.addTopLevelItem(item)
        return item

    def begin(self) -> QSignalBlocker:
        self.tree.clear()
        return QSignalBlocker(self.tree)

    def finish(self) -> None:
        self.empty.setVisible(self.tree.topLevelItemCount() == 0)
