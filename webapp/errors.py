"""Error pages and JSON errors. Domain errors become clear messages in the user's language."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from cases.errors import N_, NotFound, PermissionDenied


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(_exc):
        return _http_error(404)

    @app.errorhandler(PermissionDenied)
    def _denied(_exc):
        return _http_error(403)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _http_error(exc.code or 500)


MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Please log in."),
    403: N_("You are not allowed to do this."),
    404: N_("Not found."),
    405: N_("Method not allowed."),
    413: N_("The upload is too large."),
    429: N_("Too many attempts. Please wait a minute and try again."),
    500: N_("Something went wrong on our side."),
}


def _http_error(code: int):
    message = _(MESSAGES.get(code, MESSAGES[500]))
    if wants_json():
        return jsonify({"error": {"code": code, "message": message}}), code
    return render_template("errors/error.html", code=code, message=message), code
