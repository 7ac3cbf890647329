"""``cliniclens records``: list, show, assign, move and void stored screenings from a
terminal (the rules are ``screening.records``; every change is in the audit log).

    cliniclens records list --unassigned
    cliniclens records show 12
    cliniclens records assign 12 P-001 [--create]
    cliniclens records reassign 12 P-002 --reason "wrong patient picked"
    cliniclens records void 12 --reason "image of the wrong eye"
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cli.context import CliContext


def add_parser(sub) -> None:
    """Register ``records`` and its actions on the main parser's subcommands."""
    records = sub.add_parser(
        "records", help="list, assign, move (reassign) or void stored screenings"
    )
    rsub = records.add_subparsers(dest="records_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, default=None, metavar="PATH", help="patient database")
        p.add_argument(
            "--operator",
            default=os.environ.get("CLINICLENS_OPERATOR"),
            help="who makes the change (audited)",
        )
        p.add_argument("--lang", dest="lang", default=None, metavar="LANG")
        return p

    listing = common(rsub.add_parser("list", help="stored screenings, newest first"))
    listing.add_argument("--unassigned", action="store_true", help="only those without a patient")
    listing.add_argument("--patient", default=None, metavar="PATIENT_ID")
    listing.add_argument("--limit", type=int, default=50, metavar="N")
    show = common(rsub.add_parser("show", help="one screening and its audit trail"))
    show.add_argument("screening", type=int, metavar="SCREENING_ID")
    assign = common(rsub.add_parser("assign", help="put a screening without a patient on one"))
    assign.add_argument("screening", type=int, metavar="SCREENING_ID")
    assign.add_argument("patient", metavar="PATIENT_ID")
    assign.add_argument("--create", action="store_true", help="create the patient if new")
    assign.add_argument("--reason", default="", help="why (required to move a screening)")
    move = common(rsub.add_parser("reassign", help="move a screening to another patient"))
    move.add_argument("screening", type=int, metavar="SCREENING_ID")
    move.add_argument("patient", metavar="PATIENT_ID")
    move.add_argument("--create", action="store_true", help="create the patient if new")
    move.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    void = common(rsub.add_parser("void", help="declare a screening invalid (kept, never shown)"))
    void.add_argument("screening", type=int, metavar="SCREENING_ID")
    void.add_argument("--reason", required=True, help="why (kept in the audit trail)")


def _line(rec, void, t) -> str:
    who = rec.patient_code or t("records.no_patient")
    status = rec.top_class if rec.answered else rec.status
    mark = "  " + t("records.void_mark", reason=void.reason) if void is not None else ""
    when = rec.created_at[:16].replace("T", " ")
    return f"#{rec.id}  {when}  {who}  {Path(rec.image_path).name}  {status}{mark}"


def cmd_records(args: argparse.Namespace, ctx: CliContext) -> int:
    from . import records
    from .cli.context import EXIT_OK, CliError, open_store
    from .records import RecordRuleError

    t = ctx.t
    operator = args.operator or ""
    with open_store(args.db) as store:
        try:
            action = args.records_command
            if action == "list":
                patient_id = None
                if args.patient:
                    patient = store.get_patient_by_code(args.patient)
                    if patient is None:
                        raise CliError(t("cli.no_patient", patient=args.patient, db=store.path))
                    patient_id = patient.id
                found = store.list_screenings(patient_id=patient_id, limit=-1)
                if args.unassigned:
                    found = [r for r in found if r.patient_id is None]
                voids = records.voids(store)
                for rec in found[: max(args.limit, 0)]:
                    print(_line(rec, voids.get(rec.id), t))
                if not found:
                    print(t("records.none"))
            elif action == "show":
                rec = store.get_screening(args.screening)
                print(_line(rec, records.void_of(store, rec.id), t))
                for e in records.trail(store, rec.id):
                    print(f"  {e.at}  {e.operator or '-'}  {e.action}  {e.detail}".rstrip())
            elif action in ("assign", "reassign"):
                rec = records.assign(
                    store,
                    args.screening,
                    args.patient,
                    operator=operator,
                    reason=args.reason,
                    create=args.create,
                )
                print(t("records.assigned", id=rec.id, patient=rec.patient_code))
            else:
                void = records.void(store, args.screening, args.reason, operator=operator)
                print(t("records.voided", id=void.screening_id, reason=void.reason))
        except RecordRuleError as exc:
            values = {k: str(v) for k, v in exc.values.items()}
            values.setdefault("id", str(args.screening) if hasattr(args, "screening") else "")
            raise CliError(t(f"records.rule.{exc.rule}", **values)) from None
    return EXIT_OK
