"""The admin page for people: ``GET /_admin/`` and its plain HTML forms.

- ``GET /_admin/?user=…&from=YYYY-MM-DD&weeks=4&show=meetings|all``: the tenant's users, the chosen
  user's events (with every attendee's answer; meetings only unless ``show=all``) and OneDrive files,
  the fault settings and the clock.
- ``POST /_admin/ui/respond`` (``user``, ``eventICalUId``, ``response``, ``comment``),
  ``POST /_admin/ui/faults`` (the fault settings), ``POST /_admin/ui/clock`` (``action`` advance, set or
  reset; ``advanceMinutes``; ``now`` as Helsinki wall-clock time): form posts that run the same code as
  ``POST /_admin/respond``, ``PUT /_admin/faults`` and ``PUT /_admin/clock`` (:mod:`m365_sandbox.admin.actions`),
  so an answer given here sends the same change notifications. Then the browser is sent back (303) to
  the same view with a notice; a refused change shows the page again with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from m365_sandbox.admin.actions import AdminActionError, answer_invitation, change_clock, change_faults
from m365_sandbox.admin.page import RESPONSE_LABELS, PageData, PageState, render_page
from m365_sandbox.admin.view import drive_view, event_rows, inbox_rows
from m365_sandbox.calendar.context import CALENDAR
from m365_sandbox.calendar.service import RESPONSES
from m365_sandbox.core.context import CLOCK, DIRECTORY, FAULTS, TENANT, base_url, site_root
from m365_sandbox.core.html_view import html_response, local_time
from m365_sandbox.core.tenant import Tenant
from m365_sandbox.core.timezones import resolve_zone
from m365_sandbox.drive.context import DRIVES, SHARING
from m365_sandbox.mail.context import MAIL
from m365_sandbox.subscriptions.context import SUBSCRIPTIONS

DEFAULT_WEEKS = 4
MAX_WEEKS = 26
_INTEGER_FAULTS = frozenset({"latencyMs", "retryAfterSeconds", "seed"})
_FAULT_KEYS = ("latencyMs", "p429", "p503", "pDrop", "retryAfterSeconds", "seed")


def parse_state(tenant: Tenant, values: Mapping[str, str], today: date) -> tuple[PageState, str | None]:
    """The view asked for (unknown values fall back to defaults) and an error for an unknown user."""
    key = values.get("user", "").strip()
    box = tenant.find(key) if key else None
    error = None
    if key and (box is None or box.is_room):
        error = f"Tuntematon käyttäjä (unknown user): {key}"
        box = None
    try:
        start_day = date.fromisoformat(values.get("from", ""))
    except ValueError:
        start_day = today
    try:
        weeks = min(max(int(values.get("weeks", "")), 1), MAX_WEEKS)
    except ValueError:
        weeks = DEFAULT_WEEKS
    state = PageState(box or tenant.default_user, start_day, weeks, values.get("show", "meetings") != "all")
    return state, error


def _today(request: web.Request) -> date:
    zone = resolve_zone(request.app[TENANT].time_zone)
    return request.app[CLOCK].now().astimezone(zone).date()


def _page(
    request: web.Request, state: PageState, notice: str | None = None, error: str | None = None, status: int = 200
) -> web.Response:
    app = request.app
    zone = resolve_zone(app[TENANT].time_zone)
    start = datetime.combine(state.start_day, time(), tzinfo=zone)
    end = datetime.combine(state.start_day + timedelta(weeks=state.weeks), time(), tzinfo=zone)
    data = PageData(
        tenant=app[TENANT],
        state=state,
        zone=zone,
        now=app[CLOCK].now(),
        clock_offset_seconds=app[CLOCK].offset.total_seconds(),
        faults=app[FAULTS].config.to_json(),
        events=event_rows(app[CALENDAR], state.user, start.astimezone(UTC), end.astimezone(UTC)),
        drive=drive_view(app[DRIVES], app[SHARING], state.user, site_root(request)),
        graph_url=base_url(request),
        notice=notice,
        error=error,
        inbox=tuple(inbox_rows(app[MAIL], state.user)),
        directory=app[DIRECTORY],
        outside_mail=tuple(app[MAIL].outside_mail()),
    )
    return html_response(render_page(data), status)


def _back(state: PageState, notice: str, section: str) -> web.Response:
    """303 to the page (``/_admin/``, relative to ``/_admin/ui/…``) with the same view and a notice."""
    return web.Response(status=303, headers={"Location": f"../{state.query(notice=notice)}#{section}"})


async def _form(request: web.Request) -> dict[str, str]:
    posted = await request.post()
    return {key: value.strip() for key, value in posted.items() if isinstance(value, str)}


async def redirect_to_page(request: web.Request) -> web.Response:
    """GET /_admin: to /_admin/ (the forms' relative addresses need the slash)."""
    return web.Response(status=302, headers={"Location": "/_admin/"})


async def admin_page(request: web.Request) -> web.Response:
    """GET /_admin/: the page (404 with the default user's view for an unknown ``user``)."""
    state, error = parse_state(request.app[TENANT], request.query, _today(request))
    return _page(request, state, request.query.get("notice"), error, 404 if error else 200)


async def respond_form(request: web.Request) -> web.Response:
    """POST /_admin/ui/respond: answer as the chosen user, exactly as POST /_admin/respond does."""
    form = await _form(request)
    state, error = parse_state(request.app[TENANT], form, _today(request))
    if error:
        return _page(request, state, error=error, status=404)
    body: dict[str, Any] = {
        "user": state.user.mail,
        "eventICalUId": form.get("eventICalUId", ""),
        "response": form.get("response", ""),
    }
    if form.get("comment"):
        body["comment"] = form["comment"]
    try:
        result = answer_invitation(request.app[CALENDAR], body)
    except AdminActionError as exc:
        return _page(request, state, error=f"Vastaus ei onnistunut (answer refused): {exc.message}", status=exc.status)
    label = RESPONSE_LABELS[RESPONSES[str(result["response"])]]
    return _back(
        state, f"{state.user.display_name}: {label}. Järjestäjä sai vastauksen viestinä (sent to the organizer).",
        "tapahtumat",
    )


def _fault_changes(form: Mapping[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key in _FAULT_KEYS:
        if key not in form:
            continue
        raw = form[key].replace(",", ".")
        if raw == "":
            if key == "seed":
                changes[key] = None
            continue
        try:
            changes[key] = int(raw) if key in _INTEGER_FAULTS else float(raw)
        except ValueError as exc:
            raise AdminActionError(400, "BadRequest", f"{key}: '{form[key]}' ei ole luku (not a number)") from exc
    return changes


async def faults_form(request: web.Request) -> web.Response:
    """POST /_admin/ui/faults: change the fault settings given in the form."""
    form = await _form(request)
    state, _error = parse_state(request.app[TENANT], form, _today(request))
    try:
        settings = change_faults(request.app[FAULTS], _fault_changes(form))
    except AdminActionError as exc:
        return _page(request, state, error=f"Asetusta ei muutettu (not changed): {exc.message}", status=exc.status)
    summary = ", ".join(f"{key} {'–' if value is None else value}" for key, value in settings.items())
    return _back(state, f"Vikasimulaatio (faults): {summary}", "viat")


def _clock_change(form: Mapping[str, str], tenant: Tenant) -> dict[str, Any]:
    action = form.get("action")
    if action == "reset":
        return {"reset": True}
    if action == "set":
        try:
            local = datetime.fromisoformat(form.get("now", ""))
        except ValueError as exc:
            raise AdminActionError(400, "BadRequest", "Anna aika (give a date and time).") from exc
        moment = local.replace(tzinfo=resolve_zone(tenant.time_zone)) if local.tzinfo is None else local
        return {"now": moment.astimezone(UTC).isoformat().replace("+00:00", "Z")}
    try:
        minutes = float(form.get("advanceMinutes", "").replace(",", "."))
    except ValueError as exc:
        raise AdminActionError(400, "BadRequest", "Anna minuutit numerona (minutes must be a number).") from exc
    return {"advanceMinutes": int(minutes) if minutes.is_integer() else minutes}


async def clock_form(request: web.Request) -> web.Response:
    """POST /_admin/ui/clock: advance, set (Helsinki wall-clock time) or reset the sandbox clock."""
    form = await _form(request)
    tenant = request.app[TENANT]
    state, _error = parse_state(tenant, form, _today(request))
    try:
        result = change_clock(request.app[CLOCK], request.app[SUBSCRIPTIONS], _clock_change(form, tenant))
    except AdminActionError as exc:
        return _page(request, state, error=f"Kelloa ei muutettu (clock not changed): {exc.message}", status=exc.status)
    now = local_time(request.app[CLOCK].now(), resolve_zone(tenant.time_zone))
    expired = len(result["expiredSubscriptions"])
    notice = f"Kello (clock): {now}"
    if expired:
        notice += f"; vanhentuneet tilaukset (expired subscriptions): {expired}"
    # The shown weeks follow the clock's new date.
    return _back(replace(state, start_day=_today(request)), notice, "kello")


def add_routes(app: web.Application) -> None:
    """Register the admin page and its form handlers."""
    app.router.add_get("/_admin", redirect_to_page)
    app.router.add_get("/_admin/", admin_page)
    app.router.add_post("/_admin/ui/respond", respond_form)
    app.router.add_post("/_admin/ui/faults", faults_form)
    app.router.add_post("/_admin/ui/clock", clock_form)
