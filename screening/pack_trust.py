"""``cliniclens models trust/untrust/keys``: which pack signing keys this computer accepts.

Packs signed by the ClinicLens project run everywhere. A pack from another provider (a
research group, a ministry programme) runs only once somebody at the clinic trusts its key,
by the fingerprint ``models verify`` showed or from the provider's public key file. Every
change is written to the store's audit log, with who made it.

    cliniclens models trust c879-5dd4-... --name "Provincial eye programme"
    cliniclens models trust provider.pub
    cliniclens models untrust c879-5dd4-...
    cliniclens models keys
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from inference.packs import ModelPack, PackProblem, candidate_dirs
from inference.resources import model_dirs
from inference.signing import (
    PROJECT_FINGERPRINT,
    PROJECT_NAME,
    RETIRED_KEYS,
    Signer,
    find_pack_key,
    fingerprint,
    is_project_key,
    load_public_key,
    load_trusted,
    normalise_fingerprint,
    read_signature,
    trust_key,
    untrust_key,
)

from .errors import ScreeningError

Translate = Callable[..., str]


class TrustError(ScreeningError):
    """A key that cannot be trusted or untrusted as asked (exit code 2, plain message)."""

    code = "trust_invalid"


def add_parsers(msub, lang_arg: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register ``trust``, ``untrust`` and ``keys`` under ``cliniclens models``."""

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        lang_arg(p)
        p.add_argument("--db", type=Path, default=None, metavar="PATH", help="patient database")
        p.add_argument(
            "--operator",
            default=os.environ.get("CLINICLENS_OPERATOR"),
            help="who makes the change (audited)",
        )
        return p

    trust = common(msub.add_parser("trust", help="let packs signed by this key run here"))
    trust.add_argument("key", metavar="FINGERPRINT|KEYFILE",
                       help="a fingerprint shown by 'models verify', or a public key file")
    trust.add_argument("--name", default="", help="who the key belongs to (shown with it)")
    untrust = common(msub.add_parser("untrust", help="stop running packs signed by this key"))
    untrust.add_argument("key", metavar="FINGERPRINT")
    lang_arg(msub.add_parser("keys", help="list the keys whose packs run here"))


def signer_text(signer: Signer | None, t: Translate) -> str:
    """Who signed a loaded pack, in the run's language."""
    if signer is None:
        return t("cli.signer_unchecked")
    if signer.kind == "project":
        return t("cli.signer_project", fingerprint=signer.fingerprint)
    if signer.kind == "trusted":
        return t("cli.signer_trusted", fingerprint=signer.fingerprint, name=signer.name or "-")
    return t("cli.signer_unsigned")


def signed_line(pack: ModelPack, t: Translate) -> str:
    return "    " + t("cli.pack_signed_by", signer=signer_text(pack.signer, t))


def problem_hint(problem: PackProblem, t: Translate) -> str:
    """For a pack refused because its key is not trusted: how to trust it (else "")."""
    if problem.code != "pack_untrusted":
        return ""
    try:
        found = read_signature(problem.directory)
    except Exception:  # noqa: BLE001 - the refusal itself already says what is wrong
        return ""
    if found is None:
        return ""
    return "    " + t("cli.untrusted_hint", fingerprint=fingerprint(found[0]))


def _resolve(key: str, t: Translate) -> tuple[bytes, list[str]]:
    """The raw public key named by a fingerprint (from an installed pack) or a key file."""
    path = Path(key)
    if path.is_file():
        raw = load_public_key(path)
        _, packs = find_pack_key(fingerprint(raw), candidate_dirs(model_dirs()))
        return raw, packs
    fp = normalise_fingerprint(key)
    if not fp:
        raise TrustError(t("cli.trust_bad_key", given=key))
    raw, packs = find_pack_key(fp, candidate_dirs(model_dirs()))
    if raw is None:
        raise TrustError(t("cli.trust_no_pack", fingerprint=fp))
    return raw, packs


def cmd_trust(args: argparse.Namespace, t: Translate, open_store) -> int:
    raw, packs = _resolve(args.key, t)
    fp = fingerprint(raw)
    if is_project_key(fp):
        print(t("cli.trust_project", name=PROJECT_NAME))
        return 0
    entry = trust_key(raw, args.name)
    detail = f"{fp} {entry.name}".strip() + (f" (packs: {', '.join(packs)})" if packs else "")
    with open_store(args.db) as store:
        store.audit("pack_key.trust", operator=args.operator or "", detail=detail)
    print(t("cli.trusted_key", fingerprint=fp, packs=", ".join(packs) or t("cli.none")))
    return 0


def cmd_untrust(args: argparse.Namespace, t: Translate, open_store) -> int:
    fp = normalise_fingerprint(args.key)
    if not fp:
        raise TrustError(t("cli.trust_bad_key", given=args.key))
    if is_project_key(fp):
        raise TrustError(t("cli.untrust_project", name=PROJECT_NAME))
    removed = untrust_key(fp)
    if removed is None:
        print(t("cli.untrust_unknown", fingerprint=fp))
        return 0
    with open_store(args.db) as store:
        store.audit(
            "pack_key.untrust", operator=args.operator or "", detail=f"{fp} {removed.name}".strip()
        )
    print(t("cli.untrusted_key", fingerprint=fp))
    return 0


def cmd_keys(_: argparse.Namespace, t: Translate, open_store=None) -> int:
    print(f"{PROJECT_FINGERPRINT}  {PROJECT_NAME}  ({t('cli.key_builtin')})")
    for key in RETIRED_KEYS.values():
        print(f"{key.fingerprint}  {key.name}  ({t('cli.key_builtin')})")
    for key in load_trusted():
        print(f"{key.fingerprint}  {key.name or '-'}  ({t('cli.key_added', added=key.added)})")
    return 0


COMMANDS = {"trust": cmd_trust, "untrust": cmd_untrust, "keys": cmd_keys}
