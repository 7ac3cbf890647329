"""Issue 19 item 10: the first screening type is one that can say "no finding"."""

from __future__ import annotations

from types import SimpleNamespace

from gui.session import Session, default_pack
from inference.packs import discover
from inference.resources import resource_path


def fake(pack_id: str, refers: tuple[bool, ...]):
    classes = tuple(SimpleNamespace(refer=r) for r in refers)
    return SimpleNamespace(id=pack_id, manifest=SimpleNamespace(classes=classes))


def catalog(*packs):
    return SimpleNamespace(packs=packs, ids=tuple(p.id for p in packs))


def test_default_is_not_a_pack_that_cannot_say_no_finding():
    gm = fake("brain-mri-glioma-meningioma", (True, True))
    chest = fake("chest-xray-pneumonia", (False, True))
    assert default_pack(catalog(gm, chest)) == "chest-xray-pneumonia"
    assert default_pack(catalog(gm, chest, fake("brain-mri-tumor", (False, True)))) == (
        "brain-mri-tumor"
    )
    assert default_pack(catalog(gm)) == gm.id  # the only one is still offered
    assert default_pack(catalog()) is None


def test_bundled_packs_start_on_brain_mri_tumor():
    session = Session()
    session.set_catalog(discover([resource_path("models")]))
    assert session.pack_id == "brain-mri-tumor"
