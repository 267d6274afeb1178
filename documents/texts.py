"""The fixed texts of the plan documents and the star picture, Finnish first, then Swedish and English.

Keyed like i18n/messages.py (key: (fi, sv, en), parameters in str.format style) so the
two catalogues can be merged.
"""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType

from i18n.formatting import format_date, format_time

LANGUAGES = ("fi", "sv", "en")

_CATALOG: MappingProxyType[str, tuple[str, str, str]] = MappingProxyType({
    "doc.title": ("Yhteinen suunnitelma", "Gemensam plan", "Joint plan"),
    "doc.subtitle": ("Yhdessä aika", "Tillsammans-tid", "Together time"),
    "doc.memo_note": (
        "Tämä ei ole virallinen asiakirja. Se on perheen muistio Yhdessä ajalla keskustelluista ja sovituista "
        "asioista.",
        "Det här är inte en officiell handling. Det är familjens minnesanteckning om det som diskuterades och "
        "avtalades under Tillsammans-tiden.",
        "This is not an official document. It is the family's memo of what was discussed and agreed at the "
        "Together time.",
    ),
    "doc.date": ("Päivämäärä", "Datum", "Date"),
    "doc.place": ("Paikka", "Plats", "Place"),
    "doc.participants": ("Osallistujat", "Deltagare", "Who took part"),
    "doc.name": ("Nimi", "Namn", "Name"),
    "doc.role": ("Rooli", "Roll", "Role"),
    "doc.family_member": ("perhe", "familjen", "family"),
    "doc.empty": ("–", "–", "–"),
    "doc.page": ("Yhteinen suunnitelma – perheen muistio, ei virallinen asiakirja · sivu {page}",
                 "Gemensam plan – familjens minnesanteckning, inte en officiell handling · sida {page}",
                 "Joint plan – the family's memo, not an official document · page {page}"),
    "doc.footer": ("Yhteinen suunnitelma – perheen muistio, ei virallinen asiakirja",
                   "Gemensam plan – familjens minnesanteckning, inte en officiell handling",
                   "Joint plan – the family's memo, not an official document"),
    "doc.at": ("klo", "kl.", "at"),
    # The template (kirjausrunko), item by item.
    "plan.things_to_change": (
        "1. Konkreettiset asiat lapsen/perheen arjessa, joihin tarvitaan muutoksia/ratkaisuja",
        "1. Konkreta saker i barnets/familjens vardag som behöver förändringar/lösningar",
        "1. Concrete things in the child's/family's everyday life that need change or solutions",
    ),
    "plan.actions": ("2. Toimenpiteet ratkaisujen saavuttamiseksi", "2. Åtgärder för att nå lösningarna",
                     "2. Actions to reach the solutions"),
    "plan.actions.at_home": ("a) kotona", "a) hemma", "a) at home"),
    "plan.actions.everyday_environment": (
        "b) lapsen arjen ympäristössä (esim. varhaiskasvatuksessa tai koulussa)",
        "b) i barnets vardagsmiljö (t.ex. inom småbarnspedagogiken eller i skolan)",
        "b) in the child's everyday environment (e.g. day care or school)",
    ),
    "plan.actions.elsewhere": ("c) muualla, missä?", "c) på annat håll, var?", "c) elsewhere, where?"),
    "plan.actions.where": ("Missä", "Var", "Where"),
    "plan.contact": (
        "3. Yhteydenpito: yhteydenottotapa perheeseen ja miten perhe voi olla yhteydessä työntekijään",
        "3. Kontakten: hur arbetstagarna kontaktar familjen och hur familjen kan kontakta arbetstagaren",
        "3. Keeping in touch: how the workers contact the family and how the family can contact the worker",
    ),
    "plan.contact.workers_reach_family": ("Yhteydenottotapa perheeseen", "Hur arbetstagarna kontaktar familjen",
                                          "How the workers contact the family"),
    "plan.contact.family_reaches_worker": ("Miten perhe voi olla yhteydessä työntekijään",
                                           "Hur familjen kan kontakta arbetstagaren",
                                           "How the family can contact the worker"),
    "plan.responsible": ("4. Vastuutyöntekijä", "4. Ansvarig arbetstagare", "4. Responsible worker"),
    "plan.responsible.pair": ("4. Vastuutyöntekijät", "4. Ansvariga arbetstagare", "4. Responsible workers"),
    "plan.responsible.explain": ("Pitää yhteyttä perheeseen ja mahdolliseen verkostoon.",
                                 "Håller kontakten med familjen och ett eventuellt nätverk.",
                                 "Keeps in touch with the family and any network."),
    "plan.responsible.contact": ("Yhteystiedot", "Kontaktuppgifter", "Contact"),
    "plan.next_contact": ("5. Seuraava yhteydenotto", "5. Nästa kontakt", "5. Next contact"),
    "plan.next_contact.explain": ("Vastuutyöntekijä sopi ajan perheen kanssa.",
                                  "Den ansvariga arbetstagaren kom överens om tiden med familjen.",
                                  "The responsible worker agreed the time with the family."),
    "plan.recipients": ("Suunnitelman saavat perheen luvalla", "Planen får med familjens samtycke",
                        "With the family's consent, the plan goes to"),
    "plan.services": ("6. Palvelujen yhteystiedot", "6. Tjänsternas kontaktuppgifter",
                      "6. Contact list of services"),
    # The star
    "star.point": ("Kohta", "Punkt", "Point"),
    "star.strengths": ("Voimavarat", "Styrkor", "Strengths"),
    "star.to_work_on": ("Kehitettävää", "Att arbeta med", "Things to work on"),
    "star.ratings": ("Arviot", "Bedömningar", "Ratings"),
    "star.view.family": ("Perheen arvio", "Familjens bedömning", "Family's rating"),
    "star.view.child": ("Lapsen oma arvio", "Barnets egen bedömning", "Child's own rating"),
    "star.view.professionals": ("Ammattilaisten arvio", "Yrkespersonernas bedömning", "Professionals' rating"),
    "star.view.family.short": ("Perhe", "Familjen", "Family"),
    "star.view.child.short": ("Lapsi", "Barnet", "Child"),
    "star.view.professionals.short": ("Ammattilaiset", "Yrkespersoner", "Professionals"),
    "star.now": ("Nyt", "Nu", "Now"),
    "star.earlier": ("Aiemmin", "Tidigare", "Earlier"),
    "star.earlier_on": ("Aiemmin {date}", "Tidigare {date}", "Earlier {date}"),
    "star.scale": ("Asteikko {low}–{high}", "Skala {low}–{high}", "Scale {low}–{high}"),
    "star.scale_ends": ("Asteikko {low}–{high}: {low} = {low_label}, {high} = {high_label}",
                        "Skala {low}–{high}: {low} = {low_label}, {high} = {high_label}",
                        "Scale {low}–{high}: {low} = {low_label}, {high} = {high_label}"),
    "star.picture_alt": ("{star}: tähden kuva {points} kohdalla", "{star}: bild av stjärnan med {points} punkter",
                         "{star}: picture of the star with {points} points"),
})


def t(key: str, lang: str = "fi", **params: str) -> str:
    """The text ``key`` in ``lang`` (Finnish when the language is not supported)."""
    entry = _CATALOG[key]
    text = entry[LANGUAGES.index(lang) if lang in LANGUAGES else 0]
    return text.format(**params) if params else text


def keys() -> frozenset[str]:
    """Every text key."""
    return frozenset(_CATALOG)


def day_text(day: date, lang: str = "fi") -> str:
    """"to 3.12.2026" — a date with its weekday, as each language writes it."""
    return format_date(day, lang)


def moment_text(moment: datetime, lang: str = "fi") -> str:
    """"ti 15.12.2026 klo 14.00" — a date and a time of day."""
    return f"{format_date(moment.date(), lang)} {t('doc.at', lang)} {format_time(moment, lang)}"
