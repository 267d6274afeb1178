"""The admin page's section on organisations: every tenant with its people, outside people, the outside outbox."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from m365_sandbox.core.directory import Directory
from m365_sandbox.core.html_view import esc, local_time, parse_stamp
from m365_sandbox.core.tenant import Tenant


def _tenant(tenant: Tenant, home: bool, directory: Directory) -> str:
    badge = ' <span class="badge near">koti (home)</span>' if home else ""
    shares = ", ".join(
        t.display_name for t in directory.tenants if t.tenant_id.lower() in tenant.shares_calendar_availability_with
    )
    consented = ", ".join(sorted(tenant.consented_apps)) or "–"
    people = "".join(
        f"<tr><td>{esc(box.display_name)}</td><td>{esc(box.job_title or '')}</td><td><code>{esc(box.mail)}</code>"
        "</td></tr>"
        for box in (*tenant.users, *tenant.rooms)
    )
    return (
        f"<h3>{esc(tenant.display_name)}{badge}</h3>"
        f'<p class="hint">{esc(tenant.domain)} · id <code>{esc(tenant.tenant_id)}</code> · '
        f"vapaa/varattu näkyy (shares free/busy with): {esc(shares or '–')} · "
        f"sovellukset (consented apps): {esc(consented)}</p>"
        "<table><tr><th>Nimi (name)</th><th>Tehtävä (job title)</th><th>Sähköposti (mail)</th></tr>"
        f"{people}</table>"
    )


def _outbox(mails: tuple[dict[str, Any], ...], zone: tzinfo) -> str:
    if not mails:
        return "<p>Ei viestejä (no mail).</p>"
    rows = []
    for mail in reversed(mails[-50:]):
        stamp = parse_stamp(str(mail.get("sentDateTime", "")))
        when = local_time(stamp, zone) if stamp is not None else ""
        body = str(mail.get("body", ""))
        rows.append(
            f"<tr><td>{esc(when)}</td><td><code>{esc(mail.get('from', ''))}</code></td>"
            f"<td><code>{esc(', '.join(str(t) for t in mail.get('to', [])))}</code></td>"
            f"<td>{esc(mail.get('subject', ''))}</td><td><small>{esc(body[:300])}</small></td></tr>"
        )
    return (
        "<table><tr><th>Lähetetty (sent)</th><th>Lähettäjä (from)</th><th>Vastaanottaja (to)</th>"
        "<th>Aihe (subject)</th><th>Sisältö (body)</th></tr>" + "".join(rows) + "</table>"
    )


def tenants_section(directory: Directory | None, outside_mail: tuple[dict[str, Any], ...], zone: tzinfo) -> str:
    """Organisations (only when the data file has more than the home tenant or outside people) and the outbox."""
    if directory is None or (not directory.others and not directory.outside and not outside_mail):
        return ""
    parts = ['<h2 id="organisaatiot">Organisaatiot <small>(tenants)</small></h2>']
    parts += [_tenant(t, t is directory.home, directory) for t in directory.tenants]
    if directory.outside:
        people = "".join(
            f"<tr><td>{esc(p.display_name)}</td><td><code>{esc(p.mail)}</code></td></tr>" for p in directory.outside
        )
        parts.append(
            "<h3>Ulkopuoliset (outside people, no tenant)</h3>"
            f"<table><tr><th>Nimi (name)</th><th>Sähköposti (mail)</th></tr>{people}</table>"
        )
    parts.append('<h3 id="ulkoposti">Ulkopuolinen posti <small>(outside outbox, newest first)</small></h3>')
    parts.append(_outbox(outside_mail, zone))
    return "\n".join(parts)
