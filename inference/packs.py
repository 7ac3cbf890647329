"""Model packs: a folder with ``model.onnx`` and ``manifest.json`` (plus optional extras).

A pack is trusted only after its seal (``SHA256SUMS``, see :mod:`inference.seal`) matches,
its manifest validates and every file it names matches the sha256 recorded there. A broken
pack is refused with a message naming it; the others load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import manifest as manifest_mod
from .errors import PackError, PackIntegrityError, PackNotFoundError
from .manifest import Manifest
from .resources import model_dirs
from .seal import verify_seal

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ModelPack:
    """A verified pack on disk."""

    manifest: Manifest
    directory: Path

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        return self.manifest.pack_version

    def onnx_path(self, variant: str | None = None) -> Path:
        """Path of the fp32 model, or of a named variant (e.g. ``int8``)."""
        name = variant or self.manifest.onnx.default_variant
        if name in ("fp32", self.manifest.onnx.file):
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


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _check_hash(pack_id: str, path: Path, expected: str) -> None:
    if not path.is_file():
        raise PackIntegrityError(f"pack {pack_id}: file {path.name} is missing")
    actual = file_sha256(path)
    if actual != expected:
        raise PackIntegrityError(
            f"pack {pack_id}: {path.name} has been modified or damaged "
            f"(sha256 {actual[:12]}... does not match the manifest's {expected[:12]}...); "
            "reinstall the pack"
        )


def load_pack(directory: Path | str, *, verify: bool = True) -> ModelPack:
    """Read a pack folder; with ``verify`` the seal (manifest included) and every file the
    manifest names are hash-checked, the seal first so a tampered manifest is never parsed."""
    directory = Path(directory)
    try:
        if verify:
            verify_seal(directory)
        man = manifest_mod.read(directory / MANIFEST_NAME)
        if verify:
            _check_hash(man.id, directory / man.onnx.file, man.onnx.sha256)
            for variant in man.onnx.variants:
                _check_hash(man.id, directory / variant.file, variant.sha256)
            if man.ood is not None:
                _check_hash(man.id, directory / man.ood.file, man.ood.sha256)
                if man.ood.early is not None:
                    _check_hash(man.id, directory / man.ood.early.file, man.ood.early.sha256)
    except OSError as exc:
        # An unreadable file (permissions, I/O error) refuses this pack, not the whole catalogue.
        raise PackError(
            f"pack {directory.name}: a pack file could not be read "
            f"({exc.strerror or exc}: {exc.filename or ''})"
        ) from exc
    return ModelPack(manifest=man, directory=directory)


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
