"""Settings -> Site calibration: fit a pack to the clinic's labelled images, see shipped vs
calibrated by cross-validation, and apply, revert, export or import a profile.

The work is ``screening.site`` (the same code as ``cliniclens calibrate``); this dialog only
collects the inputs, runs it in the thread pool with progress and cancel, and shows the
figures. Apply is enabled only when the run allows it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .site_targets import TargetsEditor
from .tasks import TaskRunner


def _language() -> str:
    """The clinic's interface language (class names and numbers in the target boxes)."""
    try:
        from screening.settings import load_settings

        return load_settings().resolved_language
    except Exception:  # noqa: BLE001 - settings never stop the wizard
        return "en"


class SiteCalibrationDialog(QDialog):
    def __init__(self, operator: str = "", parent=None, catalog=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        from inference.packs import discover

        self.setWindowTitle(self.tr("Site calibration"))
        self.operator = operator
        self.catalog = catalog or discover()
        self.runner = TaskRunner(self)
        self.task = None
        self.run = None

        self.pack = QComboBox()
        for pack_id in self.catalog.ids:
            man = self.catalog.get(pack_id).manifest
            self.pack.addItem(f"{man.display_name.get()} ({pack_id})", pack_id)
        self.active = QLabel()
        self.active.setWordWrap(True)
        self.sample = QLineEdit()
        self.sample.setPlaceholderText(self.tr("Folder with one sub-folder per class, or a CSV of file,label"))
        self.folder_button = QPushButton(self.tr("Folder…"))
        self.csv_button = QPushButton(self.tr("CSV…"))
        self.targets = TargetsEditor()  # one target sensitivity per referral class

        self.start_button = QPushButton(self.tr("Check on these images"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Measure"), self.tr("Shipped"), self.tr("Calibrated")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)

        self.apply_button = QPushButton(self.tr("Apply"))
        self.apply_button.setEnabled(False)
        self.revert_button = QPushButton(self.tr("Revert to shipped calibration"))
        self.export_button = QPushButton(self.tr("Export…"))
        self.import_button = QPushButton(self.tr("Import…"))
        self.close_button = QPushButton(self.tr("Close"))

        sample_row = QHBoxLayout()
        sample_row.addWidget(self.sample, 1)
        sample_row.addWidget(self.folder_button)
        sample_row.addWidget(self.csv_button)
        form = QFormLayout()
        form.addRow(self.tr("Screening type"), self.pack)
        form.addRow("", self.active)
        form.addRow(self.tr("Labelled images"), sample_row)
        form.addRow(self.tr("Target sensitivity"), self.targets)
        run_row = QHBoxLayout()
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)
        buttons = QHBoxLayout()
        for b in (self.apply_button, self.revert_button, self.export_button, self.import_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(run_row)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.verdict)
        layout.addLayout(buttons)
        self.resize(760, 560)

        self.pack.currentIndexChanged.connect(lambda _: self._pack_changed())
        self.folder_button.clicked.connect(self._choose_folder)
        self.csv_button.clicked.connect(self._choose_csv)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.apply_button.clicked.connect(self.apply)
        self.revert_button.clicked.connect(self.revert)
        self.export_button.clicked.connect(self._export)
        self.import_button.clicked.connect(self._import)
        self.close_button.clicked.connect(self.reject)
        self._pack_changed()

    # -- state ---------------------------------------------------------------------------
    @property
    def pack_obj(self):  # noqa: ANN201
        return self.catalog.get(self.pack.currentData())

    def _pack_changed(self) -> None:
        self.run = None
        self.table.setRowCount(0)
        self.verdict.clear()
        self.apply_button.setEnabled(False)
        if self.pack.currentData() is not None:
            self.targets.set_pack(self.pack_obj.manifest, _language())
        self._refresh_active()

    def _refresh_active(self) -> None:
        """The pack's calibration now: shipped, an active profile, or why a profile is unused."""
        from screening.site import profile as profile_mod

        has_pack = self.pack.currentData() is not None
        self.start_button.setEnabled(has_pack)
        self.import_button.setEnabled(has_pack)
        if not has_pack:
            self.active.setText(self.tr("No screening type is installed."))
            self.revert_button.setEnabled(False)
            self.export_button.setEnabled(False)
            return
        try:
            prof = profile_mod.active_profile(self.pack_obj)
        except profile_mod.ProfileError as exc:
            self.active.setText(str(exc))
            self.revert_button.setEnabled(True)
            self.export_button.setEnabled(False)
            return
        if prof is None:
            self.active.setText(self.tr("Uses the shipped calibration."))
        else:
            self.active.setText(self.tr("Active: {label}").format(label=prof.label))
        self.revert_button.setEnabled(prof is not None)
        self.export_button.setEnabled(prof is not None)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Labelled images"))
        if path:
            self.sample.setText(path)

    def _choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Labelled images"), "", self.tr("CSV (*.csv)"))
        if path:
            self.sample.setText(path)

    # -- running -------------------------------------------------------------------------
    def start(self) -> None:
        from inference.site import FitOptions
        from screening.errors import ScreeningError
        from screening.site.calibrate import calibrate
        from screening.site.labelled import read_labelled

        pack = self.pack_obj
        text = self.sample.text().strip()
        if not text:
            self.status.setText(self.tr("Choose the labelled images first."))
            return
        try:
            sample = read_labelled([Path(text)], pack.manifest.class_ids)
        except ScreeningError as exc:
            self.status.setText(str(exc))
            return
        options = FitOptions(targets=self.targets.targets(pack.manifest), head=True)
        stages = {"screening": self.tr("Screening the sample"), "folds": self.tr("Cross-validating")}

        def work(task):  # noqa: ANN001, ANN202 - runs in the pool
            def progress(stage: str, done: int, total: int) -> bool:
                task.report(done, total, stage)
                return not task.cancelled

            return calibrate(pack, list(sample.paths), list(sample.labels), options=options,
                             progress=progress)

        def on_progress(done: int, total: int, stage: object) -> None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.status.setText(f"{stages.get(str(stage), '')} {done}/{total}")

        self._busy(True)
        self.run = None
        self.table.setRowCount(0)
        self.verdict.clear()
        self.status.setText(self.tr("Screening the sample"))
        self.task = self.runner.start(work, on_done=self.show_run, on_failed=self._failed,
                                      on_progress=on_progress, name="site calibration")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText(self.tr("Cancelling…"))

    def _busy(self, busy: bool) -> None:
        self.start_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.pack.setEnabled(not busy)
        self.apply_button.setEnabled(False)

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.task = None
        cancelled = "cancelled" in message
        self.status.setText(self.tr("Cancelled: nothing was changed.") if cancelled else message)

    def show_run(self, run) -> None:  # noqa: ANN001
        from screening.site.summary import change_text, rows

        self._busy(False)
        self.task = None
        self.run = run
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        counts = ", ".join(f"{c} {n}" for c, n in run.counts.items())
        self.status.setText(self.tr("Sample: {n} labelled images ({counts})").format(
            n=sum(run.counts.values()), counts=counts))
        names = {"accuracy": self.tr("Accuracy (refusals count as misses)"),
                 "answered": self.tr("Answered")}
        table = rows(run)
        self.table.setRowCount(len(table))
        for i, (key, before, after) in enumerate(table):
            kind, _, cls = key.partition(":")
            if kind == "sensitivity":
                name = self.tr("Sensitivity {cls}").format(cls=cls)
            elif kind == "specificity":
                name = self.tr("Specificity {cls}").format(cls=cls)
            else:
                name = names[kind]
            for j, text in enumerate((name, before, after)):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if run.allowed:
            self.verdict.setText(self.tr(
                "By {folds}-fold cross-validation on your images the calibration beats the shipped "
                "pack: accuracy change {change}. Apply makes it the calibration every screening "
                "with this pack uses.").format(folds=run.cv.folds, change=change_text(run)))
        else:
            self.verdict.setText(self.tr("Cannot be applied: {reasons}").format(reasons=" ".join(run.reasons)))
        self.apply_button.setEnabled(run.allowed)

    # -- actions -------------------------------------------------------------------------
    def _store(self):  # noqa: ANN202
        from screening.store import Store

        return Store()

    def apply(self) -> None:
        from screening.site.calibrate import apply
        from screening.store import now_iso

        if self.run is None or not self.run.allowed:
            return
        with self._store() as store:
            prof = apply(self.run, created_by=self.operator, created_at=now_iso(), store=store)
        self.status.setText(self.tr("Applied: {label}").format(label=prof.label))
        self.apply_button.setEnabled(False)  # applied; the figures stay on screen
        self._refresh_active()

    def revert(self) -> None:
        from screening.site import profile as profile_mod

        pack_id = self.pack.currentData()
        if profile_mod.revert(pack_id):
            with self._store() as store:
                store.audit("site_profile.revert", operator=self.operator, detail=pack_id)
        self.status.setText(self.tr("Back to the shipped calibration."))
        self._refresh_active()

    def _export(self) -> None:
        from screening.site import profile as profile_mod

        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export site calibration"), "",
                                              self.tr("Site calibration (*.clsite)"))
        if not path:
            return
        pack_id = self.pack.currentData()
        dest = profile_mod.export_profile(pack_id, Path(path))
        with self._store() as store:
            store.audit("site_profile.export", operator=self.operator, detail=f"{pack_id}: {dest}")
        self.status.setText(self.tr("Written to {path}").format(path=dest))

    def _import(self) -> None:
        from screening.site import profile as profile_mod

        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import site calibration"), "",
                                              self.tr("Site calibration (*.clsite)"))
        if not path:
            return
        try:
            prof = profile_mod.import_profile(Path(path), self.pack_obj)
        except profile_mod.ProfileError as exc:
            QMessageBox.warning(self, self.tr("Site calibration"), str(exc))
            return
        with self._store() as store:
            store.audit("site_profile.apply", operator=self.operator,
                        detail=f"{prof.pack_id}: {prof.id} imported from {path}")
        self.status.setText(self.tr("Applied: {label}").format(label=prof.label))
        self._pack_changed()
