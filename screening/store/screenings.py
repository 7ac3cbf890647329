"""The screenings table: one row per screened image, with its small JPEGs, the pack that ran
and, for a batch, the item it finished (in the same transaction)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

from inference.manifest import Manifest
from inference.results import ScreenResult, Timings

from ..errors import InvalidInputError, NotFoundError
from .audit import write_audit
from .base import _escape_like, now_iso
from .patients import PatientsTable
from .records import ScreeningImages, ScreeningRecord

SCREENING_COLUMNS = """
    s.id, s.patient_id, COALESCE(p.patient_code, '') AS patient_code,
    COALESCE(p.name, '') AS patient_name, s.image_path, s.image_sha256, s.status, s.message,
    s.pack_id, s.pack_version, s.pack_name, s.pack_accuracy, s.model_sha256, s.probabilities,
    s.top_class, s.top_probability, s.refer, s.ood_score, s.heatmap_path, s.operator,
    s.created_at, s.batch_item_id, s.timings, s.thumbnail IS NOT NULL AS has_thumbnail,
    s.overlay IS NOT NULL AS has_overlay
"""


def screening_from_row(row: sqlite3.Row) -> ScreeningRecord:
    probs: dict[str, float] = json.loads(row["probabilities"] or "{}")
    timings = json.loads(row["timings"] or "{}")
    return ScreeningRecord(
        id=row["id"],
        patient_id=row["patient_id"],
        patient_code=row["patient_code"],
        patient_name=row["patient_name"],
        image_path=row["image_path"],
        image_sha256=row["image_sha256"],
        status=row["status"],
        message=row["message"],
        pack_id=row["pack_id"],
        pack_version=row["pack_version"],
        pack_name=row["pack_name"],
        pack_accuracy=row["pack_accuracy"],
        model_sha256=row["model_sha256"],
        class_ids=tuple(probs),
        probabilities=tuple(float(v) for v in probs.values()),
        top_class=row["top_class"],
        top_probability=row["top_probability"],
        refer=bool(row["refer"]),
        ood_score=row["ood_score"],
        heatmap_path=row["heatmap_path"],
        operator=row["operator"],
        created_at=row["created_at"],
        batch_item_id=row["batch_item_id"],
        timings=Timings(
            **{k: float(v) for k, v in timings.items() if k in Timings.__annotations__}
        ),
        has_thumbnail=bool(row["has_thumbnail"]),
        has_overlay=bool(row["has_overlay"]),
    )


class ScreeningsTable(PatientsTable):
    """Screening methods of :class:`screening.store.Store`."""

    def record_screening(
        self,
        result: ScreenResult,
        *,
        patient_id: int | None = None,
        operator: str = "",
        manifest: Manifest | None = None,
        image_path: str | None = None,
        thumbnail: bytes | None = None,
        overlay: bytes | None = None,
        heatmap_path: str | Path | None = None,
        batch_item_id: int | None = None,
    ) -> ScreeningRecord:
        """Store one screening. With ``batch_item_id`` the batch item is marked done in the
        same transaction, so a crash leaves it either pending or done with one screening."""
        with self.transaction() as conn:
            sid = self._insert_screening(
                conn,
                result,
                patient_id,
                operator,
                manifest,
                image_path,
                thumbnail,
                overlay,
                heatmap_path,
                batch_item_id,
            )
        return self.get_screening(sid)

    def _insert_screening(
        self,
        conn: sqlite3.Connection,
        result: ScreenResult,
        patient_id: int | None,
        operator: str,
        manifest: Manifest | None,
        image_path: str | None,
        thumbnail: bytes | None,
        overlay: bytes | None,
        heatmap_path: str | Path | None,
        batch_item_id: int | None,
    ) -> int:
        pred = result.prediction
        if pred is None and manifest is None:
            raise InvalidInputError("a screening needs a prediction or the pack it was run with")
        probs = dict(zip(pred.class_ids, pred.probabilities, strict=True)) if pred else {}
        t = result.timings
        cur = conn.execute(
            "INSERT INTO screenings (patient_id, image_path, image_sha256, pack_id, pack_version,"
            " model_sha256, probabilities, top_class, status, message, heatmap_path, operator,"
            " created_at, pack_name, pack_accuracy, top_probability, refer, ood_score, timings,"
            " thumbnail, overlay, batch_item_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                patient_id,
                image_path if image_path is not None else result.source,
                result.image_sha256,
                pred.pack_id if pred else manifest.id,  # type: ignore[union-attr]
                pred.pack_version if pred else manifest.pack_version,  # type: ignore[union-attr]
                pred.model_sha256 if pred else manifest.onnx.sha256,  # type: ignore[union-attr]
                json.dumps(probs),
                pred.top_class if pred else "",
                result.status.value,
                result.message,
                str(heatmap_path or ""),
                operator,
                now_iso(),
                manifest.display_name.get() if manifest else "",
                manifest.metrics.accuracy if manifest else None,
                pred.top_probability if pred else None,
                int(bool(pred and pred.refer)),
                result.ood_score,
                json.dumps(
                    {
                        "decode_ms": t.decode_ms,
                        "preprocess_ms": t.preprocess_ms,
                        "inference_ms": t.inference_ms,
                        "heatmap_ms": t.heatmap_ms,
                        "overlay_ms": t.overlay_ms,
                    }
                ),
                thumbnail,
                overlay,
                batch_item_id,
            ),
        )
        sid = int(cur.lastrowid)
        if batch_item_id is not None:
            conn.execute(
                "UPDATE batch_items SET state='done', status=?, error=?, image_sha256=?,"
                " screening_id=?, attempts=attempts+1, updated_at=? WHERE id=?",
                (
                    result.status.value,
                    "" if result.status.value == "ok" else result.message,
                    result.image_sha256,
                    sid,
                    now_iso(),
                    batch_item_id,
                ),
            )
        write_audit(
            conn,
            "screening.record",
            operator,
            patient_id,
            sid,
            f"{Path(result.source).name} status={result.status.value}",
        )
        return sid

    def list_screenings(
        self,
        patient_id: int | None = None,
        query: str | None = None,
        *,
        limit: int = 500,
        job_id: int | None = None,
    ) -> list[ScreeningRecord]:
        """Screenings, newest first. ``query`` matches the clinic patient ID, patient name
        or image file name (case-insensitive)."""
        where, params = ["1=1"], []
        if patient_id is not None:
            where.append("s.patient_id = ?")
            params.append(patient_id)
        if query:
            like = f"%{_escape_like(query.strip().casefold())}%"
            where.append(
                "(casefold(p.patient_code) LIKE ? ESCAPE '\\' OR casefold(p.name) LIKE ? ESCAPE"
                " '\\' OR casefold(s.image_path) LIKE ? ESCAPE '\\')"
            )
            params += [like, like, like]
        if job_id is not None:
            where.append("s.batch_item_id IN (SELECT id FROM batch_items WHERE job_id = ?)")
            params.append(job_id)
        rows = self._rows(
            f"SELECT {SCREENING_COLUMNS} FROM screenings s"
            " LEFT JOIN patients p ON p.id = s.patient_id"
            f" WHERE {' AND '.join(where)} ORDER BY s.created_at DESC, s.id DESC LIMIT ?",
            (*params, int(limit)),
        )
        return [screening_from_row(row) for row in rows]

    def get_screening(self, screening_id: int) -> ScreeningRecord:
        rows = self._rows(
            f"SELECT {SCREENING_COLUMNS} FROM screenings s"
            " LEFT JOIN patients p ON p.id = s.patient_id WHERE s.id = ?",
            (screening_id,),
        )
        if not rows:
            raise NotFoundError(f"Screening {screening_id} is not in this database.")
        return screening_from_row(rows[0])

    def screening_images(self, screening_id: int) -> ScreeningImages:
        rows = self._rows("SELECT thumbnail, overlay FROM screenings WHERE id=?", (screening_id,))
        if not rows:
            raise NotFoundError(f"Screening {screening_id} is not in this database.")
        return ScreeningImages(rows[0]["thumbnail"], rows[0]["overlay"])

    def delete_screening(self, screening_id: int, *, operator: str = "") -> None:
        """Delete one screening with its stored images and heatmap file; audited."""
        rec = self.get_screening(screening_id)
        with self.transaction() as conn:
            conn.execute("DELETE FROM screenings WHERE id=?", (screening_id,))
            write_audit(
                conn,
                "screening.delete",
                operator,
                rec.patient_id,
                screening_id,
                Path(rec.image_path).name,
            )
        if rec.heatmap_path:
            with contextlib.suppress(OSError):
                Path(rec.heatmap_path).unlink(missing_ok=True)

    def assign_screening(
        self, screening_id: int, patient_id: int | None, *, operator: str = "", detail: str = ""
    ) -> ScreeningRecord:
        """Attach a screening to a patient (or detach it); audited (``detail``: from, to and
        why, written by ``screening.records``)."""
        self.get_screening(screening_id)
        if patient_id is not None:
            self.get_patient(patient_id)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE screenings SET patient_id=? WHERE id=?", (patient_id, screening_id)
            )
            write_audit(conn, "screening.assign", operator, patient_id, screening_id, detail)
        return self.get_screening(screening_id)
