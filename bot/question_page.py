"""The page where someone whose calendar the bot cannot read answers which proposed times suit them:
``GET /saatavuus/{token}`` (a form of checkboxes) and ``POST /saatavuus/{token}`` (the answer, then thanks).

The link comes in the mail services.availability_questions sends; its token is the only key, works once and
expires. The page is plain HTML: no JavaScript, no outside resources, readable at 320 px, every text escaped,
nothing of the family. A link that is unknown (or forged), expired or used gets one polite page in Finnish
with a Swedish line (404 or 410). The access log shows ``/saatavuus/<redacted>`` (bot.safe_logging).
"""

from __future__ import annotations

import logging
from html import escape
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.paths import QUESTION, QUESTION_PREFIX
from bot.safe_logging import log_failure, new_reference
from i18n.formatting import format_moment, format_short_span
from i18n.messages import t
from services.availability_questions import (
    BAD_CHOICE,
    CHANGED,
    EXPIRED,
    UNKNOWN,
    USED,
    AvailabilityQuestions,
    QuestionView,
    well_formed,
)
from services.errors import ServiceUnavailableError, StaleWriteError, UserFacingError

log = logging.getLogger(__name__)

#: The page's path; the mail's link is ``{public_url}/saatavuus/{token}``.
QUESTION_PATH = QUESTION_PREFIX
#: The longest answer read: ``slot=N`` for every offered time is far less.
MAX_BODY = 2048
MAX_FIELDS = 64
FORM_TYPE = "application/x-www-form-urlencoded"
#: Nothing runs and nothing is fetched; the form posts only back here; the link leaves in no Referer.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
_STATUS = {UNKNOWN: 404, EXPIRED: 410, USED: 410, CHANGED: 410, BAD_CHOICE: 400}
_GONE = frozenset({UNKNOWN, EXPIRED, USED})
# Large targets and text, one column: readable and tappable on a 320 px screen.
_CSS = ("*{box-sizing:border-box}body{margin:0;padding:1rem;font:1.0625rem/1.5 system-ui,sans-serif;"
        "color:#1a1a1a;background:#fff;max-width:36rem}h1{font-size:1.5rem;margin:0 0 1rem}"
        "fieldset{border:0;margin:0 0 1rem;padding:0}legend{font-weight:700;padding:0}"
        ".slot{display:flex;align-items:center;gap:.75rem;padding:.5rem 0;border-bottom:1px solid #ddd}"
        ".slot input{width:1.5rem;height:1.5rem;flex:none;margin:0}.slot label{flex:1;padding:.25rem 0}"
        "button{font:inherit;width:100%;padding:.75rem 1rem;border:0;border-radius:.25rem;"
        "background:#1f4e79;color:#fff}button:focus{outline:3px solid #f5a623;outline-offset:2px}")


def question_routes(questions: AvailabilityQuestions) -> list[web.RouteDef]:
    """``GET`` and ``POST /saatavuus/{token}``."""

    async def show(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not well_formed(token):
            return _refusal(UNKNOWN)
        try:
            view = await questions.question(token)
        except UserFacingError as err:
            return _refusal(err.key)
        except (ServiceUnavailableError, StaleWriteError) as err:
            return _failure(err)
        return _html(200, view.lang, t("question.page.title", view.lang), _form(view))

    async def submit(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not well_formed(token):
            return _refusal(UNKNOWN)
        body = await _body(request)
        if body is None:
            return _refusal(BAD_CHOICE, status=413)
        ticked = _ticked(request, body)
        if ticked is None:
            return _refusal(BAD_CHOICE)
        try:
            view = await questions.answer(token, ticked)
        except UserFacingError as err:
            return _refusal(err.key)
        except (ServiceUnavailableError, StaleWriteError) as err:
            return _failure(err)
        return _html(200, view.lang, t("question.page.thanks_title", view.lang),
                     f"<p>{escape(t('question.page.thanks', view.lang))}</p>")

    return [web.get(QUESTION, show), web.post(QUESTION, submit)]


async def _body(request: web.Request) -> bytes | None:
    """The request body, or None when it is longer than MAX_BODY (read no further)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    body = bytearray()
    while chunk := await request.content.read(MAX_BODY + 1 - len(body)):
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def _ticked(request: web.Request, body: bytes) -> set[int] | None:
    """The ticked indices of ``slot=0&slot=2``; None for anything a browser's form would not send."""
    if request.content_type != FORM_TYPE:
        return None
    try:
        fields = parse_qsl(body.decode("ascii"), max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None
    values = [value for name, value in fields if name == "slot"]
    if not all(value.isascii() and value.isdigit() and len(value) <= 2 for value in values):
        return None
    return {int(value) for value in values}


def _form(view: QuestionView) -> str:
    lang, zone = view.lang, ZoneInfo(view.timezone)
    rows = "".join(
        f'<div class="slot"><input type="checkbox" id="slot-{i}" name="slot" value="{i}">'
        f'<label for="slot-{i}">{escape(format_short_span(s.start.astimezone(zone), s.end.astimezone(zone), lang))}'
        f"</label></div>"
        for i, s in enumerate(view.slots))
    until = format_moment(view.expires.astimezone(zone), lang)
    return (f"<p>{escape(t('question.page.intro', lang, name=view.convener_name))}</p>"
            f'<form method="post"><fieldset aria-describedby="hint">'
            f"<legend>{escape(t('question.page.legend', lang))}</legend>"
            f'<p id="hint">{escape(t("question.page.hint", lang))}</p>{rows}</fieldset>'
            f'<button type="submit">{escape(t("question.page.submit", lang))}</button></form>'
            f"<p>{escape(t('question.page.until', lang, until=until))}</p>")


def _refusal(key: str, *, status: int | None = None) -> web.Response:
    """The polite page for a link that does not work or an answer that cannot be taken: Finnish, then Swedish."""
    title_key = "question.page.gone_title" if key in _GONE else "question.page.title"
    return _bilingual(status or _STATUS.get(key, 400), title_key, key)


def _failure(err: Exception) -> web.Response:
    """The store or Graph failed: the log gets the type and place, the person a polite "try again"."""
    log_failure(log, "availability answer", err, new_reference())
    return _bilingual(503, "question.page.title", "question.page.error")


def _bilingual(status: int, title_key: str, key: str) -> web.Response:
    body = (f"<p>{escape(t(key, 'fi'))}</p>"
            f'<h2 lang="sv">{escape(t(title_key, "sv"))}</h2><p lang="sv">{escape(t(key, "sv"))}</p>')
    return _html(status, "fi", t(title_key, "fi"), body)


def _html(status: int, lang: str, title: str, main: str) -> web.Response:
    page = (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
            f"<body><main><h1>{escape(title)}</h1>{main}</main></body></html>")
    return web.Response(status=status, text=page, content_type="text/html", charset="utf-8", headers=HEADERS)
