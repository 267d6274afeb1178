"""Logging failures without their messages: exception text may carry family data."""

from __future__ import annotations

import logging
import secrets
import traceback

from pydantic import ValidationError


def new_reference() -> str:
    """A short id the user can quote to support; the same id is in the log line."""
    return secrets.token_hex(4)


def log_failure(log: logging.Logger, what: str, err: BaseException, reference: str) -> None:
    """Logs the exception type and the code locations only, never ``str(err)``."""
    frames = traceback.extract_tb(err.__traceback__)[-6:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames))
    log.error("%s failed ref=%s type=%s at %s", what, reference, type(err).__name__, where)


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
