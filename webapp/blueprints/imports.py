"""Bulk intake from Excel and CSV: the upload page, its result, and the template download."""

from __future__ import annotations

import io

from flask import Blueprint, render_template, request, send_file
from flask_login import login_required

from cases.imports.intake import import_cases
from cases.imports.reader import MAX_ROWS
from cases.imports.template import template_csv, template_xlsx
from webapp.auth import actor, require_capability
from webapp.db import get_session

bp = Blueprint("imports", __name__)

TEMPLATE_NAME = "案件导入模板"


@bp.route("/", methods=["GET", "POST"])
@login_required
@require_capability("case.import")
def upload():
    if request.method == "GET":
        return render_template("imports/upload.html", max_rows=f"{MAX_ROWS:,}")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template(
            "imports/upload.html", max_rows=f"{MAX_ROWS:,}", missing_file=True
        ), 422
    result = import_cases(get_session(), actor(), upload.filename, upload.read())
    # 422 makes webapp.db roll the transaction back: a rejected file changes nothing.
    status = 200 if result.ok else 422
    return render_template("imports/result.html", result=result, filename=upload.filename), status


@bp.route("/template.xlsx")
@login_required
@require_capability("case.import")
def template():
    if request.args.get("format") == "csv":
        return send_file(
            io.BytesIO(template_csv()),
            mimetype="text/csv; charset=utf-8",
            as_attachment=True,
            download_name=f"{TEMPLATE_NAME}.csv",
        )
    return send_file(
        io.BytesIO(template_xlsx()),
        as_attachment=True,
        download_name=f"{TEMPLATE_NAME}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
