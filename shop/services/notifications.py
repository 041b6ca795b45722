"""Email to customers, in their language: written to the log by default, SMTP when configured."""
from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale

# Tests and the log read what was sent from here.
outbox: list[EmailMessage] = []


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mimetype: str = "application/pdf"


def send_email(to: str, template: str, lang: str, attachments: Sequence[Attachment] = (), **context) -> EmailMessage:
    """Render templates/email/<template>.txt (first line: subject) in `lang` and send it, with any attachments."""
    with force_locale(lang):
        text = render_template(f"email/{template}.txt", lang=lang, **context)
    subject, _, body = text.strip().partition("\n")
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject.strip()
    message.set_content(body.strip() + "\n")
    for attachment in attachments:
        maintype, _slash, subtype = attachment.mimetype.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        try:
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException):
            # The order is already safe in the database; a lost email must not undo it.
            current_app.logger.exception("Could not send %s email", template)
    else:
        current_app.logger.info("Email (not sent: MAIL_SERVER unset) to %s: %s\n%s%s", to, message["Subject"], body,
                                "".join(f"\n[attached: {a.filename}]" for a in attachments))
    outbox.append(message)
    del outbox[:-100]
    return message
