"""Logging failures without their messages: exception text may carry family data."""

from __future__ import annotations

import logging
import secrets
import traceback


def new_reference() -> str:
    """A short id the user can quote to support; the same id is in the log line."""
    return secrets.token_hex(4)


def log_failure(log: logging.Logger, what: str, err: BaseException, reference: str) -> None:
    """Logs the exception type and the code locations only, never ``str(err)``."""
    frames = traceback.extract_tb(err.__traceback__)[-6:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in reversed(frames))
    log.error("%s failed ref=%s type=%s at %s", what, reference, type(err).__name__, where)
