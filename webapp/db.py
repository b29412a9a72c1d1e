"""One database session and one transaction per request.

Handlers never commit: after a successful response (status < 400) the transaction is
committed once; on an error response or an exception it is rolled back, so a failed
operation changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import make_engine, make_session_factory


@dataclass
class Database:
    engine: Engine
    session_factory: sessionmaker[Session]


def init_db(app: Flask, url: str) -> Database:
    engine = make_engine(url)
    db = Database(engine, make_session_factory(engine))
    app.extensions["qingshou_db"] = db

    @app.after_request
    def _finish(response):
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _cleanup(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()

    return db


def database() -> Database:
    return current_app.extensions["qingshou_db"]


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = database().session_factory()
        g.db_session.info["actor_id"] = None
    return g.db_session
