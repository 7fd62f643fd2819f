"""E-mail intake: read a raw message into what a case needs, and the SMTP handler that receives it.

Production runs `manage.py mail_intake`, a small aiosmtpd listener behind the company MTA, which
forwards the service mailbox (KEFU_MAIL_INTAKE_ADDRESS) to it (docs/operations.md). Everything the
mail causes happens in one service, `case_receive_email`; this module only parses and answers SMTP.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import html
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any, NamedTuple

from django.db import close_old_connections

from kefu.core.services import DomainError

logger = logging.getLogger(__name__)

MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
_BLOCK_TAGS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title"})


class MailAttachment(NamedTuple):
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedMail:
    """What Kefu reads from one e-mail."""

    sender: str  # the address, lower case; "" when the From header is unreadable
    sender_name: str
    subject: str
    body: str  # the text/plain part, or the HTML part stripped to text
    message_id: str  # with its angle brackets, as replies quote it
    references: tuple[str, ...] = ()  # In-Reply-To first, then References, newest first
    attachments: tuple[MailAttachment, ...] = field(default=())
    automatic: bool = False  # an auto-reply, bounce or bulk mail (never opens a new case)


class _TextFromHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML mail body: tags, scripts and styles dropped, blocks on their own lines."""
    parser = _TextFromHtml()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a malformed header the parser cannot decode
        return ""
    return str(value or "").strip()


def _content(part: Message) -> str:
    try:
        return str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, ValueError, TypeError):  # unknown charset: keep what can be read
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _body(message: EmailMessage) -> tuple[str, Message | None]:
    for preference, convert in (("plain", str), ("html", html_to_text)):
        part = message.get_body(preferencelist=(preference,))
        if part is not None:
            return convert(_content(part)).strip(), part
    return "", None


def _attachments(message: EmailMessage, body_part: Message | None) -> tuple[MailAttachment, ...]:
    found: list[MailAttachment] = []
    for part in message.walk():
        if part.is_multipart() or part is body_part:
            continue
        filename = part.get_filename()
        if part.get_content_disposition() != "attachment" and not filename:
            continue  # an alternative of the body, not a file
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        name = (filename or f"attachment-{len(found) + 1}").replace("/", "_").replace("\\", "_")
        found.append(MailAttachment(name=name, content_type=part.get_content_type(), content=content))
    return tuple(found)


def _is_automatic(message: Message) -> bool:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    return (
        (bool(auto_submitted) and auto_submitted != "no")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or bool(_header(message, "X-Autoreply"))
        or message.get_content_type() == "multipart/report"
    )


def parse_email(raw: bytes) -> ParsedMail:
    """Read sender, subject, text, Message-ID, the ids it replies to and the attached files."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # noqa: S101  (policy.default always builds EmailMessage)
    addresses = getaddresses([_header(message, "From")])
    sender_name, sender = addresses[0] if addresses else ("", "")
    body, body_part = _body(message)
    references: list[str] = []
    for name in ("In-Reply-To", "References"):
        ids = MESSAGE_ID_RE.findall(_header(message, name))
        for message_id in ids if name == "In-Reply-To" else reversed(ids):
            if message_id not in references:
                references.append(message_id)
    message_ids = MESSAGE_ID_RE.findall(_header(message, "Message-ID"))
    return ParsedMail(
        sender=sender.strip().lower() if "@" in sender else "",
        sender_name=sender_name.strip(),
        subject=" ".join(_header(message, "Subject").split()),
        body=body,
        message_id=message_ids[0] if message_ids else "",
        references=tuple(references),
        attachments=_attachments(message, body_part),
        automatic=_is_automatic(message),
    )


class IntakeHandler:
    """aiosmtpd handler: accepts mail for the service mailbox and hands it to `case_receive_email`.

    The database work runs on one worker thread (aiosmtpd's loop must not block, Django's ORM is
    synchronous). A refused mail (nothing usable in it) is answered 550; an unexpected error 451, so the
    forwarding MTA keeps the mail and tries again.
    """

    def __init__(self, addresses: tuple[str, ...] | list[str] = ()) -> None:
        self.addresses = {a.strip().lower() for a in addresses if a.strip()}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kefu-mail-intake")

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.addresses and address.strip().lower() not in self.addresses:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            number, created = await loop.run_in_executor(self._executor, self._receive, raw)
        except DomainError as exc:
            if exc.code == "ignored":
                return "250 OK (not kept: automatic mail)"
            return f"550 5.6.0 {exc.message}".replace("\r", " ").replace("\n", " ")
        except Exception:
            logger.exception("mail intake failed")
            return "451 4.3.0 Local error, try again later"
        return f"250 OK {number} {'created' if created else 'updated'}"

    @staticmethod
    def _receive(raw: bytes) -> tuple[str, bool]:
        from kefu.tickets.services import case_receive_email  # the service imports this module

        close_old_connections()
        try:
            case, created = case_receive_email(raw=raw)
            return case.number, created
        finally:
            close_old_connections()

    def close(self) -> None:
        self._executor.shutdown(wait=True)
