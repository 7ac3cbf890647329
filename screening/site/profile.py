"""Site profiles: a clinic's calibration of one pack, stored beside it in the user data folder.

A profile is ``profile.json`` (what was fitted, by whom, on how many images, with the
cross-validated before/after) and ``profile.npz`` (guard reference and head arrays), sealed by
``SHA256SUMS`` in the pack seal's format. It is tied to the pack's model hash: a new pack
version makes it stale and screening falls back to the shipped calibration with a message
saying so. The shipped pack is never changed. A clinic makes a profile, not the pack's
publisher, so it is hash-sealed but not signed.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference.ood import MahalanobisScorer
from inference.packs import ModelPack
from inference.resources import user_data_dir
from inference.seal import SEAL_NAME
from inference.site import OperatingPoint

from ..errors import ScreeningError

FORMAT = "cliniclens-site-profile"
FORMAT_VERSION = 1
JSON_NAME, NPZ_NAME = "profile.json", "profile.npz"
EXPORT_SUFFIX = ".clsite"
MAX_PROFILE_BYTES = 64 << 20


class ProfileError(ScreeningError):
    """A site profile that cannot be used (damaged, for another pack, or stale)."""


@dataclass(frozen=True)
class SiteProfile:
    """One clinic's calibration of one pack, as read from its sealed files."""

    id: str
    pack_id: str
    pack_version: str
    model_sha256: str
    created_at: str
    created_by: str
    sample_size: int
    info: dict[str, Any]  # counts per class, targets, before/after figures, what was fitted
    temperature: float
    thresholds: tuple[float | None, ...]
    arrays: dict[str, np.ndarray]

    @property
    def label(self) -> str:
        """How results name it: id, date, sample size, who made it."""
        return (f"site {self.id} ({self.created_at[:10]}, {self.sample_size} images, "
                f"by {self.created_by or 'unknown'})")

    def operating_point(self, shipped: OperatingPoint) -> OperatingPoint:
        site = None
        if "site_center" in self.arrays:
            site = MahalanobisScorer.from_arrays(
                {k[5:]: v for k, v in self.arrays.items() if k.startswith("site_")},
                float(self.info["site_guard_threshold"]),
            )
        head = None
        if "head_weight" in self.arrays:
            head = (self.arrays["head_weight"], self.arrays["head_bias"])
        early = None
        if f"{EARLY_PREFIX}center" in self.arrays:
            early = MahalanobisScorer.from_arrays(
                {k[len(EARLY_PREFIX):]: v for k, v in self.arrays.items() if k.startswith(EARLY_PREFIX)},
                float(self.info["site_early_threshold"]),
            )
        return OperatingPoint(self.temperature, self.thresholds, shipped.refer, site, head, early)


EARLY_PREFIX = "early_site_"  # arrays of the early guard's local reference ("site_" is the main's)


def profiles_root() -> Path:
    return user_data_dir() / "site_profiles"


def profile_dir(pack_id: str) -> Path:
    return profiles_root() / pack_id


def _scorer_arrays(g: MahalanobisScorer, prefix: str) -> dict[str, np.ndarray]:
    arrays = {f"{prefix}center": g.center, f"{prefix}projection": g.projection,
              f"{prefix}class_means": g.class_means, f"{prefix}precision": g.precision,
              f"{prefix}l2_normalise": np.array(int(g.l2_normalise), np.int8)}
    if g.residual_var is not None:
        arrays[f"{prefix}residual_var"] = np.array(g.residual_var)
    return arrays


def _arrays_of(op: OperatingPoint) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    if op.site_guard is not None:
        arrays.update(_scorer_arrays(op.site_guard, "site_"))
    if op.site_early is not None:
        arrays.update(_scorer_arrays(op.site_early, EARLY_PREFIX))
    if op.head is not None:
        arrays["head_weight"], arrays["head_bias"] = op.head
    return arrays


def build_files(pack: ModelPack, op: OperatingPoint, created_at: str, created_by: str,
                sample_size: int, info: dict[str, Any]) -> dict[str, bytes]:
    """The profile's files, sealed; its id is the start of the hash of its contents."""
    buf = io.BytesIO()
    np.savez(buf, **_arrays_of(op))
    npz = buf.getvalue()
    info = dict(info)
    if op.site_guard is not None:
        info["site_guard_threshold"] = op.site_guard.threshold
    if op.site_early is not None:
        info["site_early_threshold"] = op.site_early.threshold
    body = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "pack_id": pack.id, "pack_version": pack.version,
        "model_sha256": pack.model_sha256(), "created_at": created_at, "created_by": created_by,
        "sample_size": int(sample_size), "temperature": op.temperature,
        "thresholds": {c.id: t for c, t in zip(pack.manifest.classes, op.thresholds, strict=True)},
        "arrays_sha256": hashlib.sha256(npz).hexdigest(), "info": info,
    }
    body["id"] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:10]
    text = (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()
    seal = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                   for name, data in ((JSON_NAME, text), (NPZ_NAME, npz)))
    return {JSON_NAME: text, NPZ_NAME: npz, SEAL_NAME: seal.encode()}


def parse_files(files: dict[str, bytes], where: str) -> SiteProfile:
    """Check the seal, then read; any mismatch refuses the whole profile."""
    if SEAL_NAME not in files:
        raise ProfileError(f"{where}: the site calibration has no seal; make or import it again")
    seal = _parse_seal(files[SEAL_NAME])
    for name in (JSON_NAME, NPZ_NAME):
        data = files.get(name)
        if data is None or seal.get(name) != hashlib.sha256(data).hexdigest():
            raise ProfileError(
                f"{where}: the site calibration file {name} is missing or was changed after it "
                "was made; it is not used. Revert to the shipped calibration or import the "
                "clinic's profile file again."
            )
    try:
        body = json.loads(files[JSON_NAME].decode("utf-8"))
        if body.get("format") != FORMAT or int(body.get("format_version", 0)) > FORMAT_VERSION:
            raise ProfileError(f"{where}: not a site calibration this version of ClinicLens reads")
        with np.load(io.BytesIO(files[NPZ_NAME]), allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        thresholds = body["thresholds"]
        return SiteProfile(
            id=str(body["id"]), pack_id=str(body["pack_id"]), pack_version=str(body["pack_version"]),
            model_sha256=str(body["model_sha256"]), created_at=str(body["created_at"]),
            created_by=str(body.get("created_by", "")), sample_size=int(body["sample_size"]),
            info=dict(body.get("info", {})), temperature=float(body["temperature"]),
            thresholds=tuple(None if v is None else float(v) for v in thresholds.values()),
            arrays=arrays,
        )
    except (KeyError, TypeError, ValueError, OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{where}: the site calibration is unreadable ({exc})") from exc


def _parse_seal(data: bytes) -> dict[str, str]:
    """``sha256sum`` lines as {name: sha256}; anything unparsable simply matches nothing."""
    out = {}
    for line in data.decode("utf-8", "replace").splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) == 64 and name:
            out[name.strip()] = digest.lower()
    return out


def check_applies(profile: SiteProfile, pack: ModelPack) -> None:
    """A profile fits the exact model it was made on; anything else is refused, saying why."""
    if profile.pack_id != pack.id:
        raise ProfileError(f"site calibration {profile.id} was made for pack {profile.pack_id}, "
                           f"not {pack.id}")
    if profile.model_sha256 != pack.model_sha256() or len(profile.thresholds) != len(pack.manifest.classes):
        raise ProfileError(
            f"site calibration {profile.id} was made on {profile.created_at[:10]} for "
            f"{pack.id} version {profile.pack_version}; version {pack.version} is installed now, "
            "so it no longer applies and the shipped calibration is used. Make a new site "
            "calibration with your clinic's labelled images."
        )


def _read_dir(directory: Path) -> dict[str, bytes]:
    files = {}
    for name in (JSON_NAME, NPZ_NAME, SEAL_NAME):
        path = directory / name
        if path.is_file() and path.stat().st_size <= MAX_PROFILE_BYTES:
            files[name] = path.read_bytes()
    return files


def write_active(pack_id: str, files: dict[str, bytes]) -> Path:
    """Install files as the pack's active profile (written beside, then swapped in)."""
    target = profile_dir(pack_id)
    tmp = target.with_name(target.name + ".new")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.replace(old)
    tmp.replace(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def active_profile(pack: ModelPack) -> SiteProfile | None:
    """The pack's active profile, or None where there is none. A damaged or stale one raises
    :class:`ProfileError` (callers screen with the shipped calibration and say why)."""
    directory = profile_dir(pack.id)
    if not (directory / JSON_NAME).exists():
        return None
    profile = parse_files(_read_dir(directory), f"site calibration of {pack.id}")
    check_applies(profile, pack)
    return profile


def revert(pack_id: str) -> bool:
    """Back to the shipped calibration; False when there was no profile."""
    directory = profile_dir(pack_id)
    if not directory.exists():
        return False
    shutil.rmtree(directory)
    return True


def export_profile(pack_id: str, dest: Path) -> Path:
    """One file (zip of the sealed profile) to carry to the clinic's other machines."""
    files = _read_dir(profile_dir(pack_id))
    if JSON_NAME not in files:
        raise ProfileError(f"pack {pack_id} has no site calibration to export")
    parse_files(files, f"site calibration of {pack_id}")
    dest = Path(dest)
    if dest.suffix != EXPORT_SUFFIX:
        dest = dest.with_name(dest.name + EXPORT_SUFFIX)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return dest


def read_export(path: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(path) as zf:
            out = {}
            for info in zf.infolist():
                if info.filename in (JSON_NAME, NPZ_NAME, SEAL_NAME) and info.file_size <= MAX_PROFILE_BYTES:
                    out[info.filename] = zf.read(info)
            return out
    except (OSError, zipfile.BadZipFile) as exc:
        raise ProfileError(f"{path}: not a site calibration file ({exc})") from exc


def import_profile(path: Path, pack: ModelPack) -> SiteProfile:
    """Check an exported profile against its seal and the installed pack, then activate it."""
    files = read_export(Path(path))
    profile = parse_files(files, str(path))
    check_applies(profile, pack)
    write_active(pack.id, files)
    return profile
