"""Sending email with the standard library (``smtplib``, ``email``): no extra dependency.

``SmtpSettings`` come from the ``QS_SMTP_*`` settings; with no host (or no sender) email is
off and the digest stays in-app only. STARTTLS is on by default (port 587); port 465 servers
want TLS from the start (``ssl=True``).
"""

from __future__ import annotations

import smtplib
import ssl as ssl_lib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    user: str = ""
    password: str = ""
    sender: str = ""  # the From address, e.g. "清收系统 <qingshou@example.cn>"
    starttls: bool = True
    ssl: bool = False
    timeout: float = 30.0

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


def build_message(sender: str, to: str, subject: str, text: str, html: str | None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="qingshou")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver one message to the configured server (raises ``smtplib.SMTPException`` or
    ``OSError`` when it cannot)."""
    context = ssl_lib.create_default_context()
    if settings.ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client as smtp:
        if settings.starttls and not settings.ssl:
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)
