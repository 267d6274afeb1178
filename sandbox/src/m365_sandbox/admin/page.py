"""The admin page's HTML (Finnish, with short English hints): people, their events and files, faults, clock.

Rendering only: :mod:`m365_sandbox.admin.routes_page` gathers a :class:`PageData` and serves the result.
Every value is escaped with :func:`m365_sandbox.core.html_view.esc`; there is no JavaScript, only plain forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from m365_sandbox.admin.page_tenants import tenants_section
from m365_sandbox.admin.view import BOT_FOLDER, DriveView, EventRow, FileRow, MessageRow
from m365_sandbox.core.directory import Directory
from m365_sandbox.core.html_view import esc, file_size, html_page, local_time, parse_stamp, time_span
from m365_sandbox.core.tenant import Mailbox, Tenant

RESPONSE_LABELS: Mapping[str, str] = MappingProxyType({
    "none": "ei vastannut (no answer)",
    "notResponded": "ei vastannut (no answer)",
    "accepted": "hyväksynyt (accepted)",
    "tentativelyAccepted": "alustavasti (tentative)",
    "declined": "kieltäytynyt (declined)",
    "organizer": "järjestäjä (organizer)",
})
ANSWER_BUTTONS = (
    ("accept", "Hyväksy (accept)"),
    ("tentativelyAccept", "Alustavasti (tentative)"),
    ("decline", "Kieltäydy (decline)"),
)
FAULT_FIELDS = (
    ("latencyMs", "Viive ms (latency)"),
    ("p429", "429-todennäköisyys (p429)"),
    ("p503", "503-todennäköisyys (p503)"),
    ("pDrop", "Katkaisu (pDrop)"),
    ("retryAfterSeconds", "Retry-After s"),
    ("seed", "Siemen (seed)"),
)


@dataclass(frozen=True)
class PageState:
    """Who is chosen and which weeks are shown; carried in the query string and in every form."""

    user: Mailbox
    start_day: date
    weeks: int
    meetings_only: bool

    def params(self) -> dict[str, str]:
        """The state as query parameters."""
        return {
            "user": self.user.mail,
            "from": self.start_day.isoformat(),
            "weeks": str(self.weeks),
            "show": "meetings" if self.meetings_only else "all",
        }

    def query(self, **extra: str) -> str:
        """``?user=…&from=…`` (plus ``extra``), for links and redirects."""
        return "?" + urlencode({**self.params(), **extra})

    def hidden_fields(self) -> str:
        """The state as hidden form inputs, so a form's answer returns to the same view."""
        return "".join(
            f'<input type="hidden" name="{esc(key)}" value="{esc(value)}">' for key, value in self.params().items()
        )


@dataclass(frozen=True)
class PageData:
    """Everything the page shows."""

    tenant: Tenant
    state: PageState
    zone: tzinfo
    now: datetime
    clock_offset_seconds: float
    faults: dict[str, Any]
    events: list[EventRow]
    drive: DriveView
    graph_url: str
    notice: str | None = None
    error: str | None = None
    inbox: tuple[MessageRow, ...] = ()
    directory: Directory | None = None
    outside_mail: tuple[dict[str, Any], ...] = ()


def _label(response: str) -> str:
    return RESPONSE_LABELS.get(response, response)


def _header(data: PageData) -> str:
    tenant = data.tenant
    parts = [
        "<h1>Yhdessä aika – sandbox <small>ylläpito (admin page)</small></h1>",
        f'<p class="hint">{esc(tenant.display_name)} · {esc(tenant.domain)} · Graph: '
        f"<code>{esc(data.graph_url)}</code></p>",
        '<p><a href="#kayttajat">Käyttäjät</a> · <a href="#tapahtumat">Tapahtumat</a> · '
        '<a href="#saapuneet">Saapuneet</a> · <a href="#tiedostot">Tiedostot</a> · '
        '<a href="#viat">Vikasimulaatio</a> · <a href="#kello">Kello</a></p>',
    ]
    if data.notice:
        parts.append(f'<p class="notice">{esc(data.notice)}</p>')
    if data.error:
        parts.append(f'<p class="error">{esc(data.error)}</p>')
    return "\n".join(parts)


def _users(data: PageData) -> str:
    rows = []
    for box in data.tenant.users:
        link = PageState(box, data.state.start_day, data.state.weeks, data.state.meetings_only).query()
        near = ' <span class="badge near">lähityöntekijä (near worker)</span>' if box.playground else ""
        selected = ' class="selected"' if box.id == data.state.user.id else ""
        rows.append(
            f'<tr{selected}><td><a href="{esc(link)}#tapahtumat">{esc(box.display_name)}</a>{near}</td>'
            f"<td>{esc(box.job_title or '')}</td><td>{esc(box.department or '')}</td>"
            f"<td>{esc(box.office_location or '')}</td><td><code>{esc(box.mail)}</code></td></tr>"
        )
    return (
        '<h2 id="kayttajat">Käyttäjät <small>(users of the tenant; near workers use the bot from Teams)</small></h2>'
        "<table><tr><th>Nimi (name)</th><th>Tehtävä (job title)</th><th>Yksikkö (department)</th>"
        "<th>Toimipaikka (office)</th><th>Sähköposti (mail)</th></tr>" + "".join(rows) + "</table>"
    )


def _window_form(state: PageState) -> str:
    selected_all = "" if state.meetings_only else " selected"
    selected_meetings = " selected" if state.meetings_only else ""
    return (
        '<form method="get" action="./#tapahtumat">'
        f'<input type="hidden" name="user" value="{esc(state.user.mail)}">'
        f'Alkaen (from) <input type="date" name="from" value="{esc(state.start_day.isoformat())}"> '
        f'viikkoja (weeks) <input type="number" name="weeks" min="1" max="26" value="{esc(state.weeks)}"> '
        f'<select name="show"><option value="meetings"{selected_meetings}>kokoukset (meetings)</option>'
        f'<option value="all"{selected_all}>kaikki (all, with busy blocks)</option></select> '
        "<button>Näytä (show)</button></form>"
    )


def _attendee_list(row: EventRow) -> str:
    if not row.attendees:
        return ""
    items = []
    for person in row.attendees:
        kind = {"optional": " · valinnainen (optional)", "resource": " · tila (room)"}.get(person.kind, "")
        items.append(
            f"<li>{esc(person.name)} <small>{esc(person.address)}{esc(kind)}</small> – "
            f'<span class="{esc(person.response)}">{esc(_label(person.response))}</span></li>'
        )
    return '<ul class="plain">' + "".join(items) + "</ul>"


def _answer_cell(row: EventRow, state: PageState) -> str:
    own = f'<span class="{esc(row.own_response)}">{esc(_label(row.own_response))}</span>'
    if row.event_id is None:
        return own + "<br><small>poistettu kalenterista (removed from the calendar)</small>"
    if not row.can_answer:
        return own
    buttons = "".join(
        f'<button name="response" value="{esc(value)}">{esc(text)}</button> ' for value, text in ANSWER_BUTTONS
    )
    return (
        f'{own}<form class="answer" method="post" action="ui/respond">{state.hidden_fields()}'
        f'<input type="hidden" name="eventICalUId" value="{esc(row.ical_uid)}">'
        '<input type="text" name="comment" maxlength="2000" placeholder="Viesti (valinnainen) / message"><br>'
        f"{buttons}</form>"
    )


def _event_row(row: EventRow, data: PageData) -> str:
    badges = ' <span class="badge cancelled">Peruttu (cancelled)</span>' if row.cancelled else ""
    details = ""
    if row.preview:
        details = f"<details><summary><small>viesti (body)</small></summary>{esc(row.preview)}</details>"
    if row.transaction_id:
        details += f"<small>transactionId: <code>{esc(row.transaction_id)}</code></small>"
    organizer = f"{esc(row.organizer_name)}<br><small>{esc(row.organizer_address)}</small>"
    return (
        f"<tr><td>{esc(time_span(row.start, row.end, data.zone, row.all_day))}</td>"
        f"<td>{esc(row.subject)}{badges}{details}</td><td>{esc(row.location)}</td><td>{organizer}</td>"
        f"<td>{_attendee_list(row)}</td><td>{_answer_cell(row, data.state)}</td></tr>"
    )


def _events(data: PageData) -> str:
    state = data.state
    rows = [row for row in data.events if row.is_meeting or not state.meetings_only]
    table = (
        "<table><tr><th>Aika (time, Europe/Helsinki)</th><th>Aihe (subject)</th><th>Paikka (location)</th>"
        "<th>Järjestäjä (organizer)</th><th>Osallistujat (attendees)</th><th>Vastaus (answer)</th></tr>"
        + "".join(_event_row(row, data) for row in rows)
        + "</table>"
        if rows
        else "<p>Ei tapahtumia näillä viikoilla. <small>(no events in these weeks)</small></p>"
    )
    return (
        f'<h2 id="tapahtumat">Tapahtumat: {esc(state.user.display_name)} <small>(events; answers go through '
        "POST /_admin/respond, so subscribers get change notifications)</small></h2>"
        + _window_form(state)
        + table
    )


def _inbox(data: PageData) -> str:
    heading = (
        f'<h2 id="saapuneet">Saapuneet: {esc(data.state.user.display_name)} <small>(inbox: answers sent to the '
        "organizer, GET /v1.0/users/{id}/messages)</small></h2>"
    )
    if not data.inbox:
        return heading + "<p>Ei viestejä. <small>(no messages)</small></p>"
    lines = []
    for row in data.inbox:
        received = parse_stamp(row.received)
        lines.append(
            f"<tr><td>{esc(local_time(received, data.zone) if received else row.received)}</td>"
            f"<td>{esc(row.sender_name)}<br><code>{esc(row.sender_address)}</code></td><td>{esc(row.subject)}</td>"
            f"<td>{esc(_label(row.response))}</td><td>{esc(row.comment) or '<small>–</small>'}</td></tr>"
        )
    return (
        heading
        + "<table><tr><th>Saapunut (received)</th><th>Lähettäjä (from)</th><th>Aihe (subject)</th>"
        "<th>Vastaus (answer)</th><th>Viesti (comment)</th></tr>"
        + "".join(lines)
        + "</table>"
    )


def _file_table(rows: list[FileRow], data: PageData, with_owner: bool) -> str:
    lines = []
    for row in rows:
        modified = parse_stamp(row.modified)
        indent = "&nbsp;&nbsp;&nbsp;" * row.depth
        owner = f"<td>{esc(row.owner)}</td>" if with_owner else ""
        lines.append(
            f'<tr><td>{indent}<a href="{esc(row.web_url)}">{esc(row.name)}</a>{"/" if row.is_folder else ""}</td>'
            f"{owner}<td>{esc(file_size(row.size))}</td>"
            f"<td>{esc(local_time(modified, data.zone) if modified else row.modified)}</td></tr>"
        )
    owner_head = "<th>Omistaja (owner)</th>" if with_owner else ""
    return (
        f"<table><tr><th>Nimi (name)</th>{owner_head}<th>Koko (size)</th><th>Muokattu (modified)</th></tr>"
        + "".join(lines)
        + "</table>"
    )


def _files(data: PageData) -> str:
    drive = data.drive
    parts = [f'<h2 id="tiedostot">OneDrive: {esc(BOT_FOLDER)} <small>(files the bot saved)</small></h2>']
    if drive.root_url is None:
        parts.append("<p>OneDrivea ei ole vielä käytetty. <small>(the drive has not been used yet)</small></p>")
    else:
        folder = f' · <a href="{esc(drive.folder_url)}">{esc(BOT_FOLDER)}</a>' if drive.folder_url else ""
        parts.append(f'<p><a href="{esc(drive.root_url)}">Avaa OneDrive (open the drive)</a>{folder}</p>')
        parts.append(
            _file_table(drive.files, data, with_owner=False)
            if drive.files
            else f"<p>Kansiossa {esc(BOT_FOLDER)} ei ole tiedostoja. <small>(no files yet)</small></p>"
        )
    if drive.shared:
        parts.append("<h3>Minulle jaetut <small>(shared with this person)</small></h3>")
        parts.append(_file_table(drive.shared, data, with_owner=True))
    return "\n".join(parts)


def _faults(data: PageData) -> str:
    inputs = []
    for key, label in FAULT_FIELDS:
        value = data.faults.get(key)
        inputs.append(
            f'<label>{esc(label)} <input type="text" name="{esc(key)}" value="{esc("" if value is None else value)}" '
            'class="short"></label> '
        )
    return (
        '<h2 id="viat">Vikasimulaatio <small>(fault injection for /v1.0 and the upload/download URLs)</small></h2>'
        f'<form method="post" action="ui/faults">{data.state.hidden_fields()}{"".join(inputs)}'
        "<button>Tallenna (save)</button></form>"
        '<p class="hint">Todennäköisyydet 0–1 per pyyntö; tyhjä siemen = satunnainen. '
        "(probabilities 0–1 per request; empty seed = random)</p>"
    )


def _clock(data: PageData) -> str:
    hidden = data.state.hidden_fields()
    offset_minutes = round(data.clock_offset_seconds / 60)
    utc = data.now.isoformat(timespec="seconds").replace("+00:00", "Z")
    return (
        '<h2 id="kello">Kello <small>(sandbox clock)</small></h2>'
        f"<p>Nyt (now): <strong>{esc(local_time(data.now, data.zone))}</strong> Europe/Helsinki · "
        f"<code>{esc(utc)}</code> · siirtymä (offset) {esc(offset_minutes)} min</p>"
        f'<form class="inline" method="post" action="ui/clock">{hidden}'
        '<input type="number" name="advanceMinutes" value="60" step="any"> min '
        '<button name="action" value="advance">Siirrä eteenpäin (advance)</button></form> · '
        f'<form class="inline" method="post" action="ui/clock">{hidden}'
        '<input type="datetime-local" name="now"> '
        '<button name="action" value="set">Aseta (set, Helsinki time)</button></form> · '
        f'<form class="inline" method="post" action="ui/clock">{hidden}'
        '<button name="action" value="reset">Oikeaan aikaan (reset)</button></form>'
    )


def _footer(data: PageData) -> str:
    mail = data.state.user.mail
    # The address this page was served from (its port may be any: make demo's SANDBOX_PORT, a test's free port).
    origin = data.graph_url.removesuffix("/v1.0")
    curl = (
        f"curl -X POST {origin}/_admin/respond -H 'content-type: application/json' "
        f"-d '{{\"user\": \"{mail}\", \"transactionId\": \"…\", \"response\": \"decline\", \"comment\": \"…\"}}'"
    )
    links = ("health", "faults", "requests", "clock", "notifications", "tenants", "outside-mail", "transport")
    return (
        "<h2>JSON</h2><p>"
        + " · ".join(f'<a href="{name}">/_admin/{name}</a>' for name in links)
        + ' · <a href="../_sharepoint/">/_sharepoint/</a></p>'
        + f"<p><small>Vastaa komentoriviltä (answer from the command line):</small><br><code>{esc(curl)}</code></p>"
    )


def render_page(data: PageData) -> str:
    """The whole admin page."""
    body = "\n".join(
        (
            _header(data), _users(data), _events(data), _inbox(data), _files(data),
            tenants_section(data.directory, data.outside_mail, data.zone), _faults(data), _clock(data),
            _footer(data),
        )
    )
    return html_page(f"Ylläpito – {data.tenant.display_name}", body)
