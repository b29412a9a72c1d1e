"""Blueprint registry: one line per area."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from webapp.blueprints import (
        admin,
        api,
        api_calc,  # noqa: F401  (adds its routes to the API table)
        auth,
        board,
        calc,
        casefile,
        cases,
        delivery,
        documents,
        engagements,
        imports,
        ledger,
        packets,
        plans,
        portal,
        recoveries,
        reports,
        runs,
        writeoffs,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(casefile.bp, url_prefix="/cases")
    app.register_blueprint(documents.bp, url_prefix="/cases")
    app.register_blueprint(imports.bp, url_prefix="/imports")
    app.register_blueprint(runs.bp, url_prefix="/documents")
    app.register_blueprint(calc.bp, url_prefix="/calc")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.register_blueprint(engagements.bp)
    app.register_blueprint(recoveries.bp)
    app.register_blueprint(plans.bp)
    app.register_blueprint(board.bp)
    app.register_blueprint(delivery.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(writeoffs.bp)
    app.register_blueprint(packets.bp)
    app.register_blueprint(ledger.bp)
    app.register_blueprint(reports.bp)
