"""The readiness card validates against Adaptive Card 1.5, stays narrow (no columns), names every organisation
with a ✓ or ✗ per check and the administrator's next step for each ✗, and shows no address."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cards.common import to_json
from cards.readiness_card import readiness_card
from cards.status import notice_card
from domain.organisations import CalendarAccess, Organisation
from i18n.messages import t
from services.readiness import Advice, Check, CheckLine, Mark, OrganisationReadiness, ReadinessReport
from tests.support.card_schema import assert_valid_card

HOME = Organisation("kunta", "Esimerkkilän kunta", CalendarAccess.HOME)
COUNTY = Organisation("hva", "Pohjois-Savon hyvinvointialue", CalendarAccess.SHARED_FREE_BUSY)
PARISH = Organisation("srk", "Kuopion *seurakunta* [x](https://evil.example)", CalendarAccess.PARTNER)
NGO = Organisation("ensikoti", "Ensi- ja turvakoti", CalendarAccess.NO_CALENDAR)
CLUB = Organisation("yhdistys", "Perheyhdistys", CalendarAccess.PARTNER)

REPORT = ReadinessReport((
    OrganisationReadiness(HOME, (CheckLine(Check.FREE_BUSY, Mark.OK), CheckLine(Check.BOOKING, Mark.OK),
                                 CheckLine(Check.DRIVE, Mark.MISSING, Advice.NO_ONEDRIVE))),
    OrganisationReadiness(COUNTY, (CheckLine(Check.FREE_BUSY, Mark.MISSING, Advice.SHARE_FREE_BUSY),
                                   CheckLine(Check.BOOKING, Mark.OTHER_WAY), CheckLine(Check.DRIVE, Mark.OTHER_WAY))),
    OrganisationReadiness(PARISH, (CheckLine(Check.FREE_BUSY, Mark.MISSING, Advice.PARTNER_CONSENT),
                                   CheckLine(Check.BOOKING, Mark.MISSING, Advice.PARTNER_CONSENT),
                                   CheckLine(Check.DRIVE, Mark.MISSING, Advice.PARTNER_CONSENT))),
    OrganisationReadiness(NGO, (CheckLine(Check.FREE_BUSY, Mark.OTHER_WAY), CheckLine(Check.BOOKING, Mark.OTHER_WAY),
                                CheckLine(Check.DRIVE, Mark.OTHER_WAY))),
    OrganisationReadiness(CLUB, (CheckLine(Check.FREE_BUSY, Mark.UNCHECKED), CheckLine(Check.BOOKING, Mark.UNCHECKED),
                                 CheckLine(Check.DRIVE, Mark.UNCHECKED)), probed=False),
))


def _texts(node: Any) -> list[str]:
    """Every TextBlock's text, in order."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "TextBlock" else []
        return own + [text for value in node.values() for text in _texts(value)]
    if isinstance(node, list):
        return [text for item in node for text in _texts(item)]
    return []


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_readiness_card_is_valid_adaptive_card_1_5(lang: str) -> None:
    assert_valid_card(to_json(readiness_card(REPORT, lang)))
    assert_valid_card(to_json(readiness_card(ReadinessReport(()), lang)))
    assert_valid_card(to_json(notice_card(t("readiness.not_coordinator", lang), lang)))


def test_each_organisation_has_its_lines_and_each_cross_the_administrators_next_step() -> None:
    card = to_json(readiness_card(REPORT, "fi"))
    texts = _texts(card["body"])
    shown = "\n".join(texts)

    assert texts[1].startswith("Kunnossa 1/5 organisaatiota"), "only the NGO has nothing missing"
    assert "✓ Vapaa/varattu-tiedot luetaan" in texts
    assert "✓ Seuraava yhteydenotto kirjataan työntekijän kalenteriin" in texts
    assert "✗ OneDriveen ei voi tallentaa" in texts
    assert "Organisaation ylläpitäjä: anna sovellukselle järjestelmänvalvojan hyväksyntä (admin consent)." in texts
    assert shown.count("järjestelmänvalvojan hyväksyntä") == 3
    assert any("jaa kalenterin saatavuustiedot" in x and "tenanttien välisellä käytännöllä" in x for x in texts)
    assert "– Vain kutsut: seuraava yhteydenotto lähtee Outlook-kutsuna" in texts
    assert "– Kutsut vain sähköpostilla" in texts and "– Saatavuus kysytään sähköpostilla" in texts
    assert texts.count("– Suunnitelma tallennetaan lähityöntekijän OneDriveen ja jaetaan osoitteella") == 2
    assert "Ei tarkistettu: tiimitiedostossa ei ole tämän organisaation jäsentä, jolla kokeilla." in texts
    assert "? OneDrive: ei tarkistettu" in texts


def test_the_card_is_narrow_inert_and_sends_only_its_verb() -> None:
    card = to_json(readiness_card(REPORT, "sv"))
    text = json.dumps(card, ensure_ascii=False)
    assert "ColumnSet" not in text and "Input." not in text, "one column, readable at 320 px"
    assert "@" not in text, "no address on the card"
    assert "\\\\*seurakunta\\\\*" in text and "[x](https://" not in text, "an organisation's name is outside text"
    assert all(len(line) <= 200 for line in _texts(card["body"]))
    organisations = [node for node in card["body"] if node.get("type") == "Container"]
    assert len(organisations) == 5 and all(node.get("separator") for node in organisations)
    [again] = card["actions"]
    assert again["verb"] == "readiness.show" and again["data"] == {"verb": "readiness.show"}
    assert again["title"] == "Kontrollera igen"
