"""Model packs: a folder with ``model.onnx`` and ``manifest.json`` (plus optional extras).

A pack is trusted only after its signature (``SIGNATURE``, see :mod:`inference.signing`)
by a trusted key matches its seal (``SHA256SUMS``, see :mod:`inference.seal`), every sealed
file matches, its manifest validates and every file it names matches the sha256 recorded
there. A broken pack is refused with a message naming it; the others load.

What runs is what was verified: the manifest is parsed from the bytes whose hash was
checked, and the model and guard statistics are read once into memory, checked against
the signed hashes and handed over as bytes (:meth:`ModelPack.read_verified`), so a file
swapped after discovery is refused rather than run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import manifest as manifest_mod
from .errors import ManifestError, PackError, PackIntegrityError, PackNotFoundError
from .manifest import Manifest
from .resources import model_dirs
from .seal import digest_file, read_seal_bytes, read_verified, verify_seal
from .signing import Signer
from .signing import check_signature as _check_signature

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ModelPack:
    """A verified pack on disk."""

    manifest: Manifest
    directory: Path
    # Who signed it; None when loaded without checking (``verify=False``, training tools).
    signer: Signer | None = None
    # The seal's entries as verified: (relative name, sha256) pairs.
    sealed: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        return self.manifest.pack_version

    def onnx_path(self, variant: str | None = None) -> Path:
        """Path of the base model (``fp32``), or of a named variant (e.g. ``int8``); None: the
        default variant's."""
        name = variant or self.manifest.onnx.default_variant
        if name in (self.manifest.onnx.base_variant, self.manifest.onnx.file):
            return self.directory / self.manifest.onnx.file
        for v in self.manifest.onnx.variants:
            if v.name == name:
                return self.directory / v.file
        raise PackError(f"pack {self.id}: has no model variant {name!r}")

    def model_sha256(self, variant: str | None = None) -> str:
        name = variant or self.manifest.onnx.default_variant
        for v in self.manifest.onnx.variants:
            if v.name == name:
                return v.sha256
        return self.manifest.onnx.sha256

    def read_verified(self, name: str, sha256: str | None = None) -> bytes:
        """A pack file's bytes, read once and checked against ``sha256`` (else the seal's
        entry); use these bytes, never the file again."""
        expected = sha256 or dict(self.sealed).get(name)
        if expected is None:
            raise PackIntegrityError(f"pack {self.id}: {name} is not covered by the pack's seal")
        return read_verified(self.directory / name, expected, self.id)

    def model_bytes(self, variant: str | None = None) -> bytes:
        """The ONNX model (default or named variant) exactly as its signed hash says."""
        path = self.onnx_path(variant)
        return self.read_verified(path.relative_to(self.directory).as_posix(),
                                  self.model_sha256(variant))

    @property
    def ood_path(self) -> Path | None:
        return None if self.manifest.ood is None else self.directory / self.manifest.ood.file

    @property
    def early_ood_path(self) -> Path | None:
        ood = self.manifest.ood
        return None if ood is None or ood.early is None else self.directory / ood.early.file


@dataclass(frozen=True)
class PackProblem:
    """A pack that was found but refused, and why."""

    directory: Path
    code: str
    message: str


@dataclass(frozen=True)
class PackCatalog:
    packs: tuple[ModelPack, ...]
    problems: tuple[PackProblem, ...]

    def get(self, pack_id: str) -> ModelPack:
        for pack in self.packs:
            if pack.id == pack_id:
                return pack
        refused = [p for p in self.problems if p.directory.name == pack_id]
        if refused:
            raise PackError(refused[0].message, code=refused[0].code)
        known = ", ".join(p.id for p in self.packs) or "none"
        raise PackNotFoundError(f"no model pack {pack_id!r} is installed (installed: {known})")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.packs)


def _check_hash(pack_id: str, path: Path, expected: str) -> None:
    if not path.is_file():
        raise PackIntegrityError(f"pack {pack_id}: file {path.name} is missing")
    actual = digest_file(path)
    if actual != expected:
        raise PackIntegrityError(
            f"pack {pack_id}: {path.name} has been modified or damaged "
            f"(sha256 {actual[:12]}... does not match the manifest's {expected[:12]}...); "
            "reinstall the pack"
        )


def _parse_manifest(data: bytes, where: str) -> Manifest:
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{where}: manifest is not readable JSON ({exc})") from exc
    return manifest_mod.parse(raw, where=where)


def load_pack(
    directory: Path | str, *, verify: bool = True, check_signature: bool = True
) -> ModelPack:
    """Read a pack folder; with ``verify`` the signature, the seal (manifest included) and
    every file the manifest names are checked, signature and seal first so a tampered
    manifest is never parsed. ``check_signature=False`` is for tools that build packs
    (training), which check the seal of their own unsigned work."""
    directory = Path(directory)
    signer: Signer | None = None
    sealed: tuple[tuple[str, str], ...] = ()
    try:
        if verify:
            seal = read_seal_bytes(directory)
            if check_signature:
                signer = _check_signature(directory, seal)
            entries = verify_seal(directory, seal=seal)
            sealed = tuple(sorted(entries.items()))
            where = str(directory / MANIFEST_NAME)
            data = read_verified(directory / MANIFEST_NAME, entries[MANIFEST_NAME], directory.name)
            man = _parse_manifest(data, where)
        else:
            man = manifest_mod.read(directory / MANIFEST_NAME)
        if verify:
            _check_hash(man.id, directory / man.onnx.file, man.onnx.sha256)
            for variant in man.onnx.variants:
                _check_hash(man.id, directory / variant.file, variant.sha256)
            for ood in {c.ood for c in man.calibrations if c.ood is not None}:  # every variant's
                _check_hash(man.id, directory / ood.file, ood.sha256)
                if ood.early is not None:
                    _check_hash(man.id, directory / ood.early.file, ood.early.sha256)
    except OSError as exc:
        # An unreadable file (permissions, I/O error) refuses this pack, not the whole catalogue.
        raise PackError(
            f"pack {directory.name}: a pack file could not be read "
            f"({exc.strerror or exc}: {exc.filename or ''})"
        ) from exc
    return ModelPack(manifest=man, directory=directory, signer=signer, sealed=sealed)



def candidate_dirs(roots: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        try:
            children = sorted(root.iterdir()) if root.is_dir() else []
        except OSError:  # an unreadable models folder holds no usable packs
            continue
        for child in children:
            if child.is_dir() and (child / MANIFEST_NAME).exists():
                found.append(child)
    return found


def discover(roots: Iterable[Path] | None = None, *, verify: bool = True) -> PackCatalog:
    """Load every pack under the model folders; the first pack with a given id wins."""
    packs: dict[str, ModelPack] = {}
    problems: list[PackProblem] = []
    for directory in candidate_dirs(model_dirs() if roots is None else roots):
        try:
            pack = load_pack(directory, verify=verify)
        except PackError as exc:
            problems.append(PackProblem(directory, exc.code, str(exc)))
            continue
        packs.setdefault(pack.id, pack)
    return PackCatalog(tuple(packs.values()), tuple(problems))


def _declared_id(directory: Path) -> str | None:
    """The id a pack folder's manifest claims, unverified (only to pick what to verify)."""
    try:
        return str(json.loads((directory / MANIFEST_NAME).read_text("utf-8")).get("id"))
    except (OSError, ValueError, AttributeError):
        return None


def find_pack(pack_id: str, roots: Iterable[Path] | None = None, *, verify: bool = True) -> ModelPack:
    """``discover(roots).get(pack_id)`` without verifying every other installed pack: a batch
    command needs one, and checking the signature and every hash of all of them cost about
    0.14 s of its start. Folders are tried in discovery order, so the same pack wins; where
    none loads, ``discover`` gives the same error as before (naming what is installed)."""
    for directory in candidate_dirs(model_dirs() if roots is None else roots):
        if pack_id not in (_declared_id(directory), directory.name):
            continue
        try:
            pack = load_pack(directory, verify=verify)
        except PackError:
            continue  # discover() skips it too and keeps looking
        if pack.id == pack_id:
            return pack
    return discover(roots, verify=verify).get(pack_id)
