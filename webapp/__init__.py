"""Qingshou web application: ``create_app`` builds the Flask app for any settings."""

from __future__ import annotations

from typing import Any

from flask import Flask

import cases.models  # noqa: F401  (registers all tables and the audit hook)
from cases.timeline.storage import FileStore
from webapp.config import Settings


def create_app(config_override: dict[str, Any] | None = None) -> Flask:
    settings = Settings.load(config_override)
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(settings.flask_config())
    app.config.update(
        LOGIN_RATE_LIMIT=settings.LOGIN_RATE_LIMIT,
        PAGE_SIZE=settings.PAGE_SIZE,
        MAX_UPLOAD_BYTES=settings.MAX_UPLOAD_MB * 1024 * 1024,
    )
    app.extensions["qingshou_settings"] = settings
    app.extensions["qingshou_files"] = FileStore(settings.UPLOAD_DIR)

    from webapp.db import init_db
    from webapp.extensions import csrf, limiter, login_manager
    from webapp.i18n import init_i18n
    from webapp.templating import init_templating

    init_db(app, settings.DATABASE_URL)
    from webapp import jobs
    from webapp.config import INSTANCE_DIR

    queue_url = settings.QUEUE_URL or ("memory://" if settings.ENV == "testing" else "")
    jobs.init_app(app, queue_url, INSTANCE_DIR, embedded=bool(settings.EMBEDDED_WORKER))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    init_i18n(app)
    init_templating(app)

    from webapp import auth  # noqa: F401  (user loader)
    from webapp.blueprints import register_blueprints
    from webapp.cli import register_cli
    from webapp.errors import register_error_handlers
    from webapp.security import register_security_headers

    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_cli(app)
    return app
