"""Which patient the form shows for which image, as plain Python (no Qt), so the rules are
tested without a window.

Why: the form used to keep whatever was typed last, so after saving image 1 to P-001,
Next + Save put image 2 on P-001 without a question. Now every image has its own draft:
an image the user has not typed anything for starts with an empty form (unless something
assigned it, e.g. a batch mapping), and saving a second image of this session to the same
patient needs a confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PatientDraft:
    """What the patient form holds for one image (raw fields, as typed)."""

    patient_id: str = ""
    name: str = ""
    sex: str = ""
    birth_date: str = ""
    age: int = -1
    notes: str = ""
    dicom_code: str = ""  # patient ID filled in from this image's DICOM header
    dicom_unconfirmed: bool = False
    origin: str = "typed"  # typed | batch | dicom

    @property
    def empty(self) -> bool:
        return not (self.patient_id.strip() or self.name.strip() or self.notes.strip())


@dataclass(frozen=True)
class SavedImage:
    key: str  # image key (path and frame)
    label: str  # what the user calls it (file name)
    screening_id: int


@dataclass
class PatientController:
    """Per-image drafts and what was saved to whom in this session."""

    drafts: dict[str, PatientDraft] = field(default_factory=dict)
    saved: dict[str, list[SavedImage]] = field(default_factory=dict)  # patient ID (folded) ->

    @staticmethod
    def image_key(path: str, frame: int = 0) -> str:
        """A multi-frame DICOM file's frames are different images (maybe different days)."""
        return f"{path}#{frame}" if frame else path

    def leave(self, key: str | None, draft: PatientDraft) -> None:
        """Keep what the form holds for the image being left (nothing kept for an empty one)."""
        if key is None:
            return
        if draft.empty:
            self.drafts.pop(key, None)
        else:
            self.drafts[key] = draft

    def enter(self, key: str | None) -> PatientDraft:
        """What the form shows for an image: its own draft, else an empty form."""
        return self.drafts.get(key, PatientDraft()) if key is not None else PatientDraft()

    def assign(self, key: str, patient_id: str, origin: str = "batch") -> None:
        """An image whose patient is known from elsewhere (a batch mapping)."""
        self.drafts[key] = PatientDraft(patient_id=patient_id, origin=origin)

    def record_saved(self, key: str, patient_id: str, label: str, screening_id: int) -> None:
        entries = self.saved.setdefault(patient_id.strip().casefold(), [])
        entries.append(SavedImage(key, label, screening_id))

    def earlier_images(self, patient_id: str, key: str) -> list[SavedImage]:
        """Other images of this session already saved to ``patient_id``: saving one more
        to the same patient must be a conscious choice (the user is asked)."""
        return [s for s in self.saved.get(patient_id.strip().casefold(), []) if s.key != key]

    def clear(self) -> None:
        """The image list was cleared: drafts of images no longer shown go too."""
        self.drafts.clear()
