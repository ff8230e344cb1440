"""Searching the trail, exporting it as CSV, and checking the hash chain."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, redirect, render_template, request, stream_with_context, url_for

from engine.audit.actions import AuditAction
from engine.audit.search import AuditFilters
from engine.db.base import MAX_BIG_INTEGER
from webapp.admin.blueprint import admin, parse_day
from webapp.request_input import int_arg
from webapp.security.rules import ADMIN, allow
from webapp.views_support import actor, engine

FILTER_KEYS = ("actor", "case_ref", "action", "process_key", "since", "until")


def _filters() -> tuple[AuditFilters, dict[str, str]]:
    args = {k: request.args.get(k, "").strip() for k in FILTER_KEYS}
    args = {k: v for k, v in args.items() if v}
    until = parse_day(args.get("until"))
    if until is not None:  # "until 3 March" includes the whole of 3 March
        try:
            until += timedelta(days=1)
        except OverflowError:  # until the last day there is: no upper bound
            until = None
    filters = AuditFilters(
        actor=args.get("actor"),
        case_ref=args.get("case_ref"),
        action=args.get("action"),
        process_key=args.get("process_key"),
        since=parse_day(args.get("since")),
        until=until,
    )
    return filters, args


@admin.route("/audit")
@allow(ADMIN)
def audit():
    filters, args = _filters()
    entries, cursor = engine().audit_search(
        filters, actor=actor().username, before_seq=int_arg("before", largest=MAX_BIG_INTEGER)
    )
    return render_template(
        "admin/audit.html",
        entries=entries,
        cursor=cursor,
        args=args,
        actions=[a.value for a in AuditAction],
        pathways=sorted(
            engine().process_names(actor=actor().username).items(), key=lambda kv: kv[1]
        ),
        verification=engine().last_verification(actor=actor().username),
    )


@admin.route("/audit.csv")
@allow(ADMIN)
def audit_csv():
    filters, _ = _filters()
    lines = engine().audit_csv(filters, actor=actor().username)
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response


@admin.route("/audit/verify", methods=["POST"])
@allow(ADMIN)
def verify():
    engine().verify_and_record(actor=actor().username)
    return redirect(url_for("admin.audit"))
