"""A class's display name in the reader's language: one rule for the GUI's result panel and
the PDF reports (an unknown class, or no manifest, shows the class ID as stored)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inference.manifest import Manifest


def class_name(manifest: Manifest | None, class_id: str, language: str = "en") -> str:
    if manifest is None or class_id not in manifest.class_ids:
        return class_id
    return manifest.classes[manifest.class_index(class_id)].name.get(language)
