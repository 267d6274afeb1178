"""Logging without secrets: failures without their messages (exception text may carry family data), aiohttp's
parse errors without the request's bytes, and access lines without capability tokens."""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from urllib.parse import quote

from aiohttp.abc import AbstractAccessLogger
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web import BaseRequest, StreamResponse
from pydantic import ValidationError


def new_reference() -> str:
    """A short id the user can quote to support; the same id is in the log line."""
    return secrets.token_hex(4)


def log_failure(log: logging.Logger, what: str, err: BaseException, reference: str) -> None:
    """Logs the exception type and the code locations only, never ``str(err)``."""
    frames = traceback.extract_tb(err.__traceback__)[-6:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames))
    log.error("%s failed ref=%s type=%s at %s", what, reference, type(err).__name__, where)


#: Libraries that log at INFO what the bot must not write down: the SDK logs activity contents (family
#: text), and the Azure SDK every state blob's request and response (its name and headers; ~1 MB in 6 s
#: under load with ``YA_STATE_BACKEND=blob``). Their warnings and errors are still kept.
CHATTY_LIBRARIES = ("microsoft_agents", "httpx", "azure")


def quiet_chatty_libraries() -> None:
    """Raises the libraries in ``CHATTY_LIBRARIES`` to WARNING, whatever the bot's own log level."""
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


#: SDK loggers that log a refused activity's validation error, whose text echoes the refused values.
SDK_VALIDATION_LOGGERS = ("microsoft_agents.activity.activity", "microsoft_agents.activity",
                          "microsoft_agents.hosting.core.app.adaptive_card.adaptive_card",
                          "microsoft_agents.hosting.core._http_adapter_base", "microsoft_agents.hosting.aiohttp")


class RedactValidationErrors(logging.Filter):
    """Rewrites a record that carries a pydantic ValidationError (in its arguments or exception) to
    the error's type and locations only: pydantic's text repeats the refused input, which may be
    family data. The record is kept (the failure is still seen), its values are not."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record; redacts it when it carries a validation error."""
        errors = [a for a in (record.args if isinstance(record.args, tuple) else ())
                  if isinstance(a, ValidationError)]
        if record.exc_info and isinstance(record.exc_info[1], ValidationError) and record.exc_info[1] not in errors:
            errors.append(record.exc_info[1])
        if not errors:
            return True
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['type']}"
                          for err in errors for e in err.errors(include_input=False, include_url=False))
        record.msg = "%s refused (%s) at %s"
        record.args = (errors[0].title, type(errors[0]).__name__, where)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def install_sdk_redaction(names: tuple[str, ...] = SDK_VALIDATION_LOGGERS) -> None:
    """Adds :class:`RedactValidationErrors` to the SDK loggers (once; called by the composition root)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactValidationErrors) for f in logger.filters):
            logger.addFilter(RedactValidationErrors())


#: aiohttp's server logger: it logs a request its HTTP parser refused with a traceback whose message quotes
#: the start of the offending line (an over-long Authorization header: the caller's token).
SERVER_LOGGER = "aiohttp.server"


class QuietParseErrors(logging.Filter):
    """Rewrites aiohttp's "Error handling request" record for a request its parser refused (answered 400
    by aiohttp before any handler: an over-long header, a malformed request line) to one warning line with
    the error's type and status only: no traceback, none of the request's bytes."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keeps the record; quiets it when it carries an HTTP parse error."""
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, HttpProcessingError):
            return True
        record.msg = "HTTP request refused by the parser: %s (%s)"
        record.args = (type(error).__name__, error.code)
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def install_server_redaction() -> None:
    """Adds :class:`QuietParseErrors` to aiohttp's server logger (once; called when the web app is built)."""
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(f, QuietParseErrors) for f in logger.filters):
        logger.addFilter(QuietParseErrors())


#: The capability token of a media URL (bot/media.py): whoever has the URL has the picture or the CSV.
_MEDIA_TOKEN = re.compile(r"^/media/[^/]*?(\.[A-Za-z0-9]{1,8})?(?=/|$)")
#: The token of an availability question's link (bot/question_page.py): whoever has it may answer.
_QUESTION_TOKEN = re.compile(r"^/saatavuus/[^/]*(?=/|$)")
#: The token of a family's short Teams link (bot/short_links.py): whoever has it has the meeting's join URL.
_SHORT_LINK_TOKEN = re.compile(r"^/t/[^/]*(?=/|$)")


def redacted_path(raw_path: str, path: str) -> str:
    """A request path fit for a log: ``raw_path`` as sent (percent-encoded: one line, printable), or when the
    decoded ``path`` (what aiohttp routes on, so ``/%6Dedia/…`` counts) is a media URL, ``/media/<redacted>``
    with its extension, or an availability question's link, ``/saatavuus/<redacted>``."""
    found = _MEDIA_TOKEN.match(path)
    if found is not None:
        return f"/media/<redacted>{found.group(1) or ''}{quote(path[found.end():])}"
    question = _QUESTION_TOKEN.match(path)
    if question is not None:
        return f"/saatavuus/<redacted>{quote(path[question.end():])}"
    short = _SHORT_LINK_TOKEN.match(path)
    if short is not None:
        return f"/t/<redacted>{quote(path[short.end():])}"
    return raw_path


class RedactedAccessLogger(AbstractAccessLogger):
    """The access log without secrets: remote address, method, path (media and question tokens cut out, no
    query string: Graph's ``validationToken`` is in one), HTTP version, status, size and duration. No Referer
    either (it may be a media URL)."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Writes one access line at INFO."""
        query = "?<redacted>" if request.rel_url.raw_query_string else ""
        self.logger.info('%s "%s %s%s HTTP/%d.%d" %d %d %.3fs', request.remote or "-", request.method,
                         redacted_path(request.rel_url.raw_path, request.path), query, request.version.major,
                         request.version.minor, response.status, response.body_length, time)

    @property
    def enabled(self) -> bool:
        """Only when INFO lines are written (aiohttp skips the formatting otherwise)."""
        return self.logger.isEnabledFor(logging.INFO)
