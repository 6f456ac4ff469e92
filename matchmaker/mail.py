"""One way to send e-mail, used by every feature.

Each message is one template under `templates/emails/` with three blocks
(`subject`, `text`, `html`), rendered in the recipient's language, and queued in the
outbox with the change that causes it; the worker delivers it.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from html import unescape

from flask import current_app
from flask_babel import force_locale
from jinja2_fragments.flask import render_block

from matchmaker.i18n import DEFAULT_LANGUAGE, normalise_language
from matchmaker.logs import current_request_id
from matchmaker.outbox import services as outbox


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
    """Render one message and queue it in the outbox, in the current database transaction:
    it goes out when, and only if, that transaction commits (matchmaker.outbox)."""
    message = build_message(to, template, locale, **context)
    outbox.queue(message, template, request_id=current_request_id())
    return message
