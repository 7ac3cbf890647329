"""The pack information names who signed the pack (issue 20, item 2)."""

from __future__ import annotations

from dataclasses import replace

from inference import signing
from inference.packs import discover, load_pack
from inference.resources import resource_path


def test_pack_information_names_the_project_signer(qapp):
    from gui.packs_panel import pack_html

    catalog = discover([resource_path("models")])
    pack = load_pack(resource_path("models", "palm-anemia"))
    html = pack_html(pack, catalog, "en")
    assert "Signed by:" in html
    assert f"the ClinicLens project (key {signing.PROJECT_FINGERPRINT})" in html


def test_pack_information_names_a_clinic_trusted_key_as_plain_text(qapp, packs_root):
    from gui.packs_panel import pack_html

    catalog = discover([packs_root])
    pack = catalog.get("tiny-pack")
    pack = replace(pack, signer=replace(pack.signer, name="<h1>Partner</h1>"))
    html = pack_html(pack, catalog, "en")
    assert f"a key trusted on this computer: {pack.signer.fingerprint}" in html
    assert "&lt;h1&gt;Partner&lt;/h1&gt;" in html and "<h1>Partner" not in html


def test_an_unsigned_developer_pack_says_so(qapp, packs_root):
    from gui.packs_panel import pack_html

    catalog = discover([packs_root])
    pack = replace(catalog.get("tiny-pack"), signer=signing.Signer("unsigned"))
    assert "unsigned and runs only in developer mode" in pack_html(pack, catalog, "en")
