"""Typed settings from the environment, with overrides for tests and tools."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development"}


@dataclass
class Settings:
    ENV: str = "development"  # development | production | testing
    DATABASE_URL: str = f"sqlite:///{INSTANCE_DIR / 'qingshou.db'}"
    SECRET_KEY: str = ""
    UPLOAD_DIR: str = str(INSTANCE_DIR / "uploads")
    MAX_UPLOAD_MB: int = 20
    RATELIMIT_STORAGE_URI: str = "memory://"
    LOGIN_RATE_LIMIT: str = "10 per minute;50 per hour"
    DEFAULT_LOCALE: str = "zh"
    PAGE_SIZE: int = 50
    LEDGER_EXPORT_SYNC_LIMIT: int = 5000  # a bigger ledger .xlsx is made by the job queue
    QUEUE_URL: str = ""  # "" = embedded SQLite queue; redis://…; memory:// (run tasks inline)
    EMBEDDED_WORKER: int = 1  # the web process runs a worker thread (single-machine set-ups)
    FIRM_SILENT_DAYS: int = 30  # firm scorecards flag a firm with no news for this many days
    # The daily digest (deadlines board): email when SMTP_HOST and SMTP_FROM are set.
    SMTP_HOST: str = ""
    SMTP_PORT: int = 587
    SMTP_USER: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_FROM: str = ""  # e.g. "清收系统 <qingshou@example.cn>"
    SMTP_STARTTLS: int = 1  # upgrade the connection with STARTTLS (port 587)
    SMTP_SSL: int = 0  # TLS from the start (port 465)
    DIGEST_HOUR: int = 7  # hour of the day (Asia/Shanghai) the digest is made, 0–23
    BASE_URL: str = ""  # e.g. "https://qingshou.example.cn": links in the digest email
    # Write-offs above this many yuan need a second, different manager's approval ("none":
    # never); passed to the domain as its ``ApprovalPolicy`` (webapp/blueprints/writeoffs.py).
    WRITEOFF_SECOND_APPROVAL_ABOVE: Decimal | None = Decimal("5000000")
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.WRITEOFF_SECOND_APPROVAL_ABOVE = _yuan_or_none(
            "QS_WRITEOFF_SECOND_APPROVAL_ABOVE", self.WRITEOFF_SECOND_APPROVAL_ABOVE
        )

    @classmethod
    def load(cls, override: dict[str, Any] | None = None) -> Settings:
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            env = os.environ.get(f"QS_{f.name}") or (
                os.environ.get(f.name) if f.name == "DATABASE_URL" else None
            )
            if env is not None:
                values[f.name] = int(env) if f.type in ("int", int) else env
        override = dict(override or {})
        known = {f.name for f in fields(cls)}
        for key in list(override):
            if key in known:
                values[key] = override.pop(key)
        settings = cls(**values, extra=override)
        settings.SECRET_KEY = settings._secret_key()
        return settings

    def _secret_key(self) -> str:
        key = self.SECRET_KEY
        if self.ENV == "production":
            if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise RuntimeError(
                    "QS_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production"
                )
            return key
        if key:
            return key
        if self.ENV == "testing":
            return secrets.token_hex(32)
        # Development: one random key kept under instance/ so logins survive restarts.
        path = INSTANCE_DIR / "secret_key"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()

    def flask_config(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": self.SECRET_KEY,
            "MAX_CONTENT_LENGTH": (self.MAX_UPLOAD_MB + 1) * 1024 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.ENV == "production",
            "REMEMBER_COOKIE_SECURE": self.ENV == "production",
            "RATELIMIT_STORAGE_URI": self.RATELIMIT_STORAGE_URI,
            "RATELIMIT_ENABLED": self.extra.get("RATELIMIT_ENABLED", True),
            "WTF_CSRF_ENABLED": self.extra.get("WTF_CSRF_ENABLED", True),
            "WTF_CSRF_TIME_LIMIT": None,
            "BABEL_DEFAULT_LOCALE": self.DEFAULT_LOCALE,
            "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
            "TESTING": self.ENV == "testing",
            **{k: v for k, v in self.extra.items() if k.isupper()},
        }


def _yuan_or_none(name: str, value: Decimal | str | int | None) -> Decimal | None:
    """An amount of yuan (``5000000``, ``5000000.00``) or none (``none``/``off``)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise RuntimeError(f"{name} must be an amount of yuan (e.g. 5000000) or 'none': {value!r}")
    return amount.quantize(Decimal("0.01"))
