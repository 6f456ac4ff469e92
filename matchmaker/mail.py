"""One way to send e-mail, used by every feature, and the one place that speaks SMTP.

Each message is one template under `templates/emails/` with three blocks
(`subject`, `text`, `html`), rendered in the recipient's language, and queued in the
outbox with the change that causes it; the worker delivers it (matchmaker.outbox.delivery:
when and how often) over the connection below.
"""

from __future__ import annotations

import email
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from html import unescape

from flask import current_app
from jinja2_fragments.flask import render_block

from matchmaker.extensions import db
from matchmaker.i18n import DEFAULT_LANGUAGE, in_language, normalise_language
from matchmaker.logs import current_request_id
from matchmaker.outbox.models import QUEUED, OutboxMessage

log = logging.getLogger("matchmaker.mail")


def build_message(to: str, template: str, locale: str | None, **context) -> EmailMessage:
    lang = normalise_language(locale) or DEFAULT_LANGUAGE
    name = f"emails/{template}.html"
    with in_language(lang):
        context = {"lang": lang, **context}
        # The subject is plain text: undo the HTML escaping of names like "R&D".
        subject = unescape(" ".join(render_block(name, "subject", **context).split()))
        text = render_block(name, "text", **context).strip() + "\n"
        html = render_block(name, "html", **context)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="matchmaker.example.org")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = lang  # after the body: set_content drops Content-* headers
    return message


def send_mail(to: str, template: str, locale: str | None, **context) -> EmailMessage:
    """Render one message and queue it in the outbox, in the current database transaction:
    it goes out when, and only if, that transaction commits (matchmaker.outbox)."""
    message = build_message(to, template, locale, **context)
    db.session.add(
        OutboxMessage(
            message_id=message["Message-ID"],
            to_address=to,
            subject=str(message["Subject"])[:255],
            template=template,
            content=message.as_string(),
            request_id=current_request_id(),
        )
    )
    db.session.info[QUEUED] = True
    return message


# --- the transport: the only code that speaks SMTP ----------------------------------------


class DeliveryError(Exception):
    """The server did not take a message; `reply` says what it answered."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.reply = reply[:500]


class TemporaryFailure(DeliveryError):
    """Worth trying again later: a 4xx reply, a refused or broken connection, a time-out."""


class PermanentFailure(DeliveryError):
    """A 5xx reply: the address or the message is refused for good."""


class ConnectionLost(TemporaryFailure):
    """The session broke off: the rest of the batch waits for the next run."""


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {text}".strip()


def _classified(code: int, reply: str) -> DeliveryError:
    return PermanentFailure(reply) if 500 <= code < 600 else TemporaryFailure(reply)


@dataclass
class SmtpSettings:
    host: str
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0


class SmtpConnection:
    """One SMTP session for a batch. The server's certificate is checked with TLS."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.use_ssl:
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.use_tls:
                    self.smtp.starttls(context=context)
            if s.username:
                self.smtp.login(s.username, s.password or "")
        except smtplib.SMTPResponseException as error:
            raise _classified(error.smtp_code, _reply(error.smtp_code, error.smtp_error)) from error
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(f"connection failed: {error}") from error
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()

    def send(self, content: str) -> None:
        message = email.message_from_string(content, policy=policy.default)
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _classified(code, _reply(code, text)) from error
        except smtplib.SMTPResponseException as error:
            raise _classified(error.smtp_code, _reply(error.smtp_code, error.smtp_error)) from error
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionLost(f"connection lost: {error}") from error
        if refused:
            code, text = next(iter(refused.values()))
            raise _classified(code, _reply(code, text))


class ConsoleConnection:
    """MAIL_BACKEND=console (development): the message is printed, never sent."""

    def __enter__(self) -> ConsoleConnection:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, content: str) -> None:
        message = email.message_from_string(content, policy=policy.default)
        log.warning("E-mail (console backend, not sent):\n%s", content)
        print(message.get_body(("plain",)).get_content(), flush=True)  # noqa: T201


def connection():
    config = current_app.config
    if config["MAIL_BACKEND"] == "console":
        return ConsoleConnection()
    return SmtpConnection(
        SmtpSettings(
            host=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            use_tls=config["MAIL_USE_TLS"],
            use_ssl=config["MAIL_USE_SSL"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            timeout=config["MAIL_TIMEOUT"],
        )
    )
