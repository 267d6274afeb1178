"""Small helpers for the sandbox's own HTML pages (the admin page, folder listings): escaping, layout, formats.

Every value that reaches a page goes through :func:`esc`; pages carry no scripts, and the
Content-Security-Policy forbids them, so HTML in event subjects or file names stays text.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, tzinfo

from aiohttp import web

WEEKDAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; max-width: 80rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.hint, small { color: #666; font-weight: normal; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } tr.selected td { background: #eef5ff; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .6rem; font-size: .8rem; background: #e4e4e4; }
.near { background: #d9f0d9; } .cancelled { background: #f6d5d5; } .declined { color: #a00; }
.accepted { color: #070; } .tentativelyAccepted { color: #a60; }
.notice { background: #eef8ee; border: 1px solid #9c9; padding: .5rem; }
.error { background: #fbeaea; border: 1px solid #d99; padding: .5rem; }
form.inline { display: inline; } form.answer { margin-top: .3rem; }
input[type=text] { width: 14rem; } input[type=number], input.short { width: 5rem; }
ul.plain { list-style: none; padding-left: 0; margin: 0; }
"""


def esc(value: object) -> str:
    """``value`` as HTML text (quotes escaped too, so it is safe in attribute values)."""
    return html.escape("" if value is None else str(value), quote=True)


def html_page(title: str, body: str) -> str:
    """A complete HTML document (Finnish) around already escaped ``body`` markup."""
    return (
        '<!DOCTYPE html>\n<html lang="fi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def html_response(markup: str, status: int = 200) -> web.Response:
    """An HTML response that is never cached and may not run scripts."""
    return web.Response(
        text=markup,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": _CSP,
        },
    )


def parse_stamp(stamp: str) -> datetime | None:
    """An ISO 8601 date-time as the sandbox stores it (``…Z`` or with an offset); None if unreadable."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def local_time(moment: datetime, zone: tzinfo) -> str:
    """``ti 11.3.2031 klo 12.00`` in ``zone``."""
    local = moment.astimezone(zone)
    return f"{WEEKDAYS[local.weekday()]} {local.day}.{local.month}.{local.year} klo {local:%H.%M}"


def time_span(start: datetime, end: datetime, zone: tzinfo, all_day: bool) -> str:
    """An event's time as Finnish readers expect it: ``ti 11.3.2031 klo 12.00–13.00``, or whole days."""
    first = start.astimezone(zone)
    if all_day:
        last = (end.astimezone(zone) - timedelta(days=1)).date()
        text = f"{WEEKDAYS[first.weekday()]} {first.day}.{first.month}.{first.year}"
        if last > first.date():
            text += f"–{WEEKDAYS[last.weekday()]} {last.day}.{last.month}.{last.year}"
        return text + " (koko päivä)"
    finish = end.astimezone(zone)
    if finish.date() == first.date():
        return f"{local_time(first, zone)}–{finish:%H.%M}"
    return f"{local_time(first, zone)} – {local_time(finish, zone)}"


def file_size(size: int) -> str:
    """``12 t``, ``3,4 kt``, ``1,2 Mt`` (Finnish units, decimal comma)."""
    value = float(size)
    unit = "t"
    for unit in ("t", "kt", "Mt", "Gt"):
        if value < 1024 or unit == "Gt":
            break
        value /= 1024
    return f"{size} t" if unit == "t" else f"{value:.1f} {unit}".replace(".", ",")
