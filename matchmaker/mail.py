"""One way to send e-mail, used by every feature.

Each message is one template under `templates/emails/` with three blocks
(`subject`, `text`, `html`), rendered in the recipient's language.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from html import unescape

from flask import current_app
from flask_babel import force_locale
from jinja2_fragments.flask import render_block

from matchmaker.i18n import DEFAULT_LANGUAGE, normalise_language

log = logging.getLogger("matchmaker.mail")


def build_message(to: str, template: str, locale: str | None, **context) -> EmailMessage:
    lang = normalise_language(locale) or DEFAULT_LANGUAGE
    name = f"emails/{template}.html"
    with force_locale(lang):
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
    """Render and send one message; a delivery failure is logged, never shown to the user."""
    message = build_message(to, template, locale, **context)
    config = current_app.config
    if config["MAIL_BACKEND"] == "console":
        log.warning("E-mail (console backend, not sent):\n%s", message.as_string())
        print(message.get_body(("plain",)).get_content(), flush=True)  # noqa: T201
        return message
    try:
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send e-mail %s to %s", template, to)
    return message
