"""The message catalogue: every user-facing sentence, Finnish first, then Swedish and English."""

from __future__ import annotations

from i18n.messages_meeting import MEETING_CATALOG

LANGUAGES = ("fi", "sv", "en")

# key: (fi, sv, en). Parameters use str.format names: {name}.
_CATALOG: dict[str, tuple[str, str, str]] = {
    # Welcome and help
    "welcome.title": ("Yhdessä aika", "Tillsammans-tid", "Together time"),
    "welcome.what": (
        "Kutsun perheen kanssa koolle perhekeskustiimin asiantuntijat Yhdessä ajalle.",
        "Jag sammankallar familjecentrets experter till en Tillsammans-tid med familjen.",
        "I convene the family-centre team's experts to a Together time with the family.",
    ),
    "welcome.how": (
        "Etsin kaikille sopivan ajan kutsukäytännön mukaan ja varaan kokouksen Outlookiin.",
        "Jag hittar en tid som passar alla enligt inbjudningspraxis och bokar mötet i Outlook.",
        "I find a time that suits everyone within the invitation practice and book it in Outlook.",
    ),
    "welcome.commands": ("Komennot", "Kommandon", "Commands"),
    "command.new": ("kutsu koolle uusi Yhdessä aika", "sammankalla en ny Tillsammans-tid",
                    "convene a new Together time"),
    "command.status": ("omat tulevat ja vireillä olevat kutsusi", "dina kommande och pågående kallelser",
                       "your upcoming and pending convenings"),
    "command.help": ("tämä ohje", "den här hjälpen", "this help"),
    "welcome.start": ("Kutsu koolle", "Sammankalla", "Convene"),
    "help.privacy": (
        "Perhe tunnistetaan vain valitsemallasi lyhyellä tunnisteella. Älä kirjoita nimiä, "
        "henkilötunnuksia, sähköposteja tai puhelinnumeroita.",
        "Familjen identifieras endast med en kort beteckning du väljer. Skriv inte namn, "
        "personbeteckningar, e-post eller telefonnummer.",
        "The family is identified only by a short reference you choose. Do not write names, "
        "identity codes, e-mail addresses or phone numbers.",
    ),
    "unknown_command": (
        "En tunnistanut komentoa. Kirjoita uusi, tilanne tai ohje.",
        "Jag kände inte igen kommandot. Skriv ny, status eller hjälp.",
        "I did not recognise that. Type new, status or help.",
    ),
    # Convening form
    "form.title": ("Uusi Yhdessä aika", "Ny Tillsammans-tid", "New Together time"),
    "form.intro": (
        "Täytä yhdessä perheen kanssa sovitut asiat. Etsin ajat, kun painat Etsi aikoja.",
        "Fyll i det du kommit överens om med familjen. Jag söker tider när du trycker Sök tider.",
        "Fill in what you agreed with the family. I search for times when you press Find times.",
    ),
    "form.family_ref": ("Perheen tunniste (2–40 merkkiä, esim. Perhe K.)",
                        "Familjens beteckning (2–40 tecken, t.ex. Familj K.)",
                        "Family reference (2–40 characters, e.g. Family K.)"),
    "form.family_ref_hint": (
        "Ei nimeä, henkilötunnusta, sähköpostia eikä puhelinnumeroa.",
        "Inget namn, ingen personbeteckning, e-post eller telefonnummer.",
        "No name, identity code, e-mail address or phone number.",
    ),
    "form.consent": ("Perhe on antanut suostumuksen koolle kutsumiseen",
                     "Familjen har gett sitt samtycke till sammankallandet",
                     "The family has consented to convening"),
    "form.consent_label": ("Suostumus", "Samtycke", "Consent"),
    "form.existing_client": (
        "Onko perhe näiden asioiden osalta jo varhaisen tai erityisen tuen palvelujen asiakas?",
        "Är familjen redan klient inom tidigt eller särskilt stöd för dessa frågor?",
        "Is the family already a client of early or special support services for these matters?",
    ),
    "form.existing_no": ("Ei – kutsutaan perhekeskustiimistä", "Nej – vi kallar familjecentrets team",
                         "No – invite the family-centre team"),
    "form.existing_yes": ("Kyllä – kutsutaan perheen nykyinen verkosto", "Ja – vi kallar familjens nätverk",
                          "Yes – invite the family's existing network"),
    "form.network_explain": (
        "Jos perhe on jo asiakkaana, Yhdessä ajan sijaan kutsutaan koolle perheen olemassa oleva verkosto "
        "(kunta, järjestöt, seurakunnat). Kirjoita heidän nimensä tai sähköpostiosoitteensa pilkuilla "
        "eroteltuina; osaamisvalinnat ohitetaan silloin.",
        "Om familjen redan är klient sammankallas familjens befintliga nätverk i stället. Skriv deras namn "
        "eller e-postadresser åtskilda med kommatecken; expertisvalen ignoreras då.",
        "If the family is already a client, the family's existing network is convened instead. Write their "
        "names or e-mail addresses separated by commas; the expertise choices are then ignored.",
    ),
    "form.network": ("Perheen nykyinen verkosto (nimet tai sähköpostit)",
                     "Familjens nätverk (namn eller e-post)", "Family's existing network (names or e-mails)"),
    "form.team": ("Perhekeskustiimi", "Familjecentrets team", "Family-centre team"),
    "form.roles": ("Tarvittava osaaminen", "Expertis som behövs", "Expertise needed"),
    "form.venue": ("Missä perhe haluaa tavata?", "Var vill familjen träffas?", "Where does the family want to meet?"),
    "venue.room": ("Tiimin kokoustila", "Teamets mötesrum", "A team meeting room"),
    "venue.family_place": ("Perheen valitsema paikka", "En plats familjen väljer", "A place the family chooses"),
    "venue.remote": ("Etänä (Teams)", "På distans (Teams)", "Remote (Teams)"),
    "venue.hybrid": ("Tila + Teams", "Rum + Teams", "Room + Teams"),
    "venue.teams_place": ("Teams-kokous", "Teams-möte", "Teams meeting"),
    "venue.room_unknown": ("Kokoustila", "Mötesrum", "Meeting room"),
    "form.family_place": ("Perheen valitsema paikka (esim. Kirjaston lastenosasto)",
                          "Plats som familjen valt (t.ex. bibliotekets barnavdelning)",
                          "The family's place (e.g. the library's children's section)"),
    "form.duration": ("Kesto (minuuttia)", "Längd (minuter)", "Duration (minutes)"),
    "form.earliest": ("Aikaisintaan", "Tidigast", "Earliest"),
    "form.latest": ("Viimeistään", "Senast", "Latest"),
    "form.practice": ("Kutsukäytäntö: {practice}", "Inbjudningspraxis: {practice}", "Invitation practice: {practice}"),
    "form.submit": ("Etsi aikoja", "Sök tider", "Find times"),
    # Slots
    "slots.title": ("Ehdotetut ajat", "Föreslagna tider", "Proposed times"),
    "slots.invited": ("Kutsuttavat", "Inbjudna", "Invitees"),
    "slots.venue": ("Paikka", "Plats", "Place"),
    "slots.choose": ("Varaa tämä aika", "Boka den här tiden", "Book this time"),
    "slots.more": ("Näytä lisää", "Visa fler", "Show more"),
    "slots.edit": ("Muuta hakua", "Ändra sökningen", "Change the search"),
    "slots.count": ("Näytetään {shown}/{total} sopivaa aikaa.", "Visar {shown}/{total} lämpliga tider.",
                    "Showing {shown} of {total} suitable times."),
    "slots.none_title": ("Yhteistä aikaa ei löytynyt", "Ingen gemensam tid hittades", "No common time found"),
    "slots.never_free": ("Näillä henkilöillä ei ole vapaata aikaa hakujaksolla: {names}.",
                         "Dessa personer har ingen ledig tid under perioden: {names}.",
                         "These people have no free time in the period: {names}."),
    "slots.room_shortage": ("Kun kaikki olivat vapaina, sopivaa kokoustilaa ei ollut vapaana.",
                            "När alla var lediga fanns inget lämpligt rum ledigt.",
                            "When everyone was free, no suitable room was free."),
    "slots.no_windows": (
        "Hakujaksolle ei osu yhtään kutsukäytännön mukaista aikaa (kutsuaika, pyhäpäivät).",
        "Perioden innehåller ingen tid enligt inbjudningspraxis (inbjudningsfrist, helgdagar).",
        "The period contains no time allowed by the invitation practice (notice, public holidays).",
    ),
    "slots.no_common": ("Kaikki eivät ole yhtä aikaa vapaina hakujaksolla.",
                        "Alla är inte lediga samtidigt under perioden.",
                        "Not everyone is free at the same time in the period."),
    "slots.ways_on": ("Miten jatketaan?", "Hur går vi vidare?", "How to go on?"),
    "slots.widen": ("Laajenna hakujaksoa", "Utvidga perioden", "Widen the dates"),
    "slots.substitute": ("Kutsu toinen saman osaamisen edustaja", "Bjud in en annan med samma expertis",
                         "Invite another member with the same role"),
    "slots.drop": ("Jätä kiireiset pois", "Lämna bort de upptagna", "Leave out the busy ones"),
    "slots.room_line": ("Tila: {room}", "Rum: {room}", "Room: {room}"),
    # Confirmation
    "booked.title": ("Kutsu lähetetty", "Inbjudan skickad", "Invitation sent"),
    "booked.intro": (
        "Outlook-kutsu on lähetetty. Kutsutut vastaavat siihen Outlookissa.",
        "Outlook-inbjudan har skickats. De inbjudna svarar i Outlook.",
        "The Outlook invitation has been sent. Invitees answer it in Outlook.",
    ),
    "booked.time": ("Aika", "Tid", "Time"),
    "booked.place": ("Paikka", "Plats", "Place"),
    "booked.teams": ("Teams-linkki", "Teams-länk", "Teams link"),
    "booked.teams_below": ("Teams-kokous luotu (painike alla)", "Teams-möte skapat (knappen nedan)",
                           "Teams meeting created (button below)"),
    "booked.join": ("Avaa Teams-kokous", "Öppna Teams-mötet", "Open the Teams meeting"),
    "booked.invited": ("Kutsutut", "Inbjudna", "Invited"),
    "booked.family_text": ("Kutsu perheelle (tulosta tai kopioi tekstiviestiin)",
                           "Inbjudan till familjen (skriv ut eller kopiera till ett sms)",
                           "Invitation for the family (print or paste into a text message)"),
    "booked.room_declined": (
        "Huomio: kokoustila {room} hylkäsi varauksen. Varaa tila erikseen tai muuta paikkaa.",
        "Obs: rummet {room} avböjde bokningen. Boka ett rum separat eller ändra platsen.",
        "Note: the room {room} declined the booking. Book a room separately or change the place.",
    ),
    "booked.family": ("Perhe", "Familj", "Family"),
    # Proactive notices
    "notice.starts_title": ("Yhdessä aika alkaa pian", "Tillsammans-tiden börjar snart", "Together time starts soon"),
    "notice.start_meeting": ("Aloita Yhdessä aika", "Börja Tillsammans-tiden", "Start the Together time"),
    "notice.next_contact_title": ("Seuraava yhteydenotto huomenna", "Nästa kontakt i morgon",
                                  "Next contact tomorrow"),
    "notice.next_contact_text": (
        "Sovitte perheen kanssa yhteisessä suunnitelmassa seuraavan yhteydenoton.",
        "Ni kom överens med familjen om nästa kontakt i den gemensamma planen.",
        "You agreed the next contact with the family in the joint plan.",
    ),
    "notice.open_plan": ("Avaa suunnitelma", "Öppna planen", "Open the plan"),
    # Status
    "status.title": ("Omat kutsusi", "Dina kallelser", "Your convenings"),
    "status.none": ("Sinulla ei ole tulevia tai vireillä olevia kutsuja.",
                    "Du har inga kommande eller pågående kallelser.",
                    "You have no upcoming or pending convenings."),
    "status.draft": ("Luonnos", "Utkast", "Draft"),
    "status.proposed": ("Aikoja ehdotettu", "Tider föreslagna", "Times proposed"),
    "status.booking": ("Varataan", "Bokas", "Booking"),
    "status.booked": ("Varattu", "Bokad", "Booked"),
    "status.open": ("Avaa", "Öppna", "Open"),
    # Outlook invitation
    "event.subject": ("Yhdessä aika", "Tillsammans-tid", "Together time"),
    "invitation.intro": (
        "Sinut on kutsuttu Yhdessä aika -tapaamiseen perheen kanssa.",
        "Du har bjudits in till en Tillsammans-tid med en familj.",
        "You are invited to a Together time meeting with a family.",
    ),
    "invitation.time": ("Aika", "Tid", "Time"),
    "invitation.place": ("Paikka", "Plats", "Place"),
    "invitation.duration": ("Varattu aika", "Reserverad tid", "Reserved time"),
    "invitation.minutes": ("{n} min", "{n} min", "{n} min"),
    "invitation.invited": ("Kutsutut", "Inbjudna", "Invited"),
    "invitation.convener_role": ("lähityöntekijä, kutsuja", "närarbetare, sammankallare",
                                 "near worker, convener"),
    "invitation.everyone_matters": (
        "Jokaisen kutsutun osallistuminen on perheelle tärkeää. Vastaa kutsuun Outlookissa.",
        "Allas deltagande är viktigt för familjen. Svara på inbjudan i Outlook.",
        "Everyone's attendance matters to the family. Please answer in Outlook.",
    ),
    "invitation.no_family_data": (
        "Perheen tietoja ei kirjata kutsuun. Lähityöntekijä kertoo tarvittavat tiedot.",
        "Familjens uppgifter skrivs inte i inbjudan. Närarbetaren berättar det som behövs.",
        "The family's details are not written in the invitation; the near worker tells what is needed.",
    ),
    # The family's invitation
    "family.greeting": ("Hei!", "Hej!", "Hello!"),
    "family.intro": ("Teille on varattu Yhdessä aika -tapaaminen.",
                     "En Tillsammans-tid har bokats för er.", "A Together time meeting has been booked for you."),
    "family.invited": ("Paikalle on kutsuttu", "Inbjudna", "Invited"),
    "family.join": ("Liity etänä Teamsilla", "Delta på distans via Teams", "Join remotely on Teams"),
    "family.contact": ("Lisätietoja: {name}", "Mer information: {name}", "More information: {name}"),
    "family.closing": ("Tervetuloa!", "Välkommen!", "Welcome!"),
    # Refusals (polite, actionable; nothing was changed)
    "family_ref.text.empty": ("Kirjoita perheelle lyhyt tunniste, esimerkiksi Perhe K.",
                              "Skriv en kort beteckning för familjen, till exempel Familj K.",
                              "Please give the family a short reference, e.g. Family K."),
    "family_ref.text.too_short": ("Perheen tunnisteessa pitää olla vähintään 2 merkkiä.",
                                  "Familjens beteckning måste ha minst 2 tecken.",
                                  "The family reference needs at least 2 characters."),
    "family_ref.text.too_long": ("Perheen tunniste saa olla enintään 40 merkkiä.",
                                 "Familjens beteckning får vara högst 40 tecken.",
                                 "The family reference may be at most 40 characters."),
    "family_ref.text.identity_code": (
        "Tunniste näyttää henkilötunnukselta. Käytä lyhyttä tunnistetta, esimerkiksi Perhe K.",
        "Beteckningen ser ut som en personbeteckning. Använd en kort beteckning, t.ex. Familj K.",
        "The reference looks like a personal identity code. Use a short label, e.g. Family K.",
    ),
    "family_ref.text.email": ("Tunnisteessa ei saa olla sähköpostiosoitetta. Käytä esimerkiksi Perhe K.",
                              "Beteckningen får inte innehålla en e-postadress.",
                              "The reference must not contain an e-mail address."),
    "family_ref.text.phone": ("Tunnisteessa ei saa olla puhelinnumeroa. Käytä esimerkiksi Perhe K.",
                              "Beteckningen får inte innehålla ett telefonnummer.",
                              "The reference must not contain a phone number."),
    "family_ref.text.control_chars": ("Tunnisteessa on merkkejä, joita ei voi käyttää.",
                                      "Beteckningen innehåller tecken som inte kan användas.",
                                      "The reference contains characters that cannot be used."),
    "family_place.text.empty": ("Kirjoita paikka, jonka perhe valitsi.", "Skriv platsen familjen valde.",
                                "Please write the place the family chose."),
    "family_place.text.too_short": ("Kirjoita paikka, jonka perhe valitsi.", "Skriv platsen familjen valde.",
                                    "Please write the place the family chose."),
    "family_place.text.too_long": ("Paikan kuvaus saa olla enintään 120 merkkiä.",
                                   "Platsbeskrivningen får vara högst 120 tecken.",
                                   "The place may be at most 120 characters."),
    "family_place.text.identity_code": ("Paikan kuvauksessa ei saa olla henkilötunnusta.",
                                        "Platsen får inte innehålla en personbeteckning.",
                                        "The place must not contain an identity code."),
    "family_place.text.email": ("Paikan kuvauksessa ei saa olla sähköpostiosoitetta.",
                                "Platsen får inte innehålla en e-postadress.",
                                "The place must not contain an e-mail address."),
    "family_place.text.phone": ("Paikan kuvauksessa ei saa olla puhelinnumeroa.",
                                "Platsen får inte innehålla ett telefonnummer.",
                                "The place must not contain a phone number."),
    "family_place.text.control_chars": ("Paikan kuvauksessa on merkkejä, joita ei voi käyttää.",
                                        "Platsen innehåller tecken som inte kan användas.",
                                        "The place contains characters that cannot be used."),
    "convening.no_consent": (
        "Ilman perheen suostumusta ei kutsuta koolle. Kysy perheeltä ja rastita suostumus.",
        "Utan familjens samtycke sammankallar vi inte. Fråga familjen och kryssa för samtycket.",
        "Nothing is convened without the family's consent. Ask the family and tick the consent.",
    ),
    "convening.no_roles": ("Valitse vähintään yksi tarvittava osaaminen.", "Välj minst en expertis.",
                           "Please choose at least one kind of expertise."),
    "convening.no_network": (
        "Kirjoita perheen nykyisen verkoston henkilöt (nimi tai sähköposti), kun perhe on jo asiakkaana.",
        "Skriv personerna i familjens nätverk (namn eller e-post) när familjen redan är klient.",
        "Please write the people of the family's existing network (name or e-mail).",
    ),
    "convening.network_not_found": ("En löytänyt hakemistosta henkilöä: {entry}. Tarkista nimi tai sähköposti.",
                                    "Jag hittade ingen person i katalogen: {entry}.",
                                    "I found nobody in the directory for: {entry}."),
    "convening.network_ambiguous": (
        "Hakemistosta löytyi useita henkilöitä: {entry}. Kirjoita sähköpostiosoite.",
        "Flera personer hittades: {entry}. Skriv e-postadressen.",
        "Several people match: {entry}. Please write the e-mail address.",
    ),
    "convening.network_too_many": ("Kutsuttavia voi olla enintään {max}.", "Högst {max} inbjudna.",
                                   "At most {max} invitees."),
    "convening.unknown_role": ("Valittua osaamista ei ole tiimin asetuksissa. Valitse listalta.",
                               "Den valda expertisen finns inte i teamets inställningar.",
                               "That expertise is not configured for the team. Choose from the list."),
    "convening.unknown_team": ("Valittua tiimiä ei löydy. Valitse tiimi listalta.",
                               "Teamet hittades inte. Välj ett team i listan.",
                               "That team was not found. Choose a team from the list."),
    "convening.bad_duration": ("Keston pitää olla {min}–{max} minuuttia.", "Längden ska vara {min}–{max} minuter.",
                               "The duration must be {min}–{max} minutes."),
    "convening.dates_reversed": ("Viimeinen päivä on ennen ensimmäistä. Tarkista päivämäärät.",
                                 "Slutdatumet är före startdatumet.", "The latest date is before the earliest."),
    "convening.dates_too_early": (
        "Kutsukäytännön mukaan näille päiville ei enää ehdi kutsua. Valitse myöhäisempi jakso.",
        "Enligt inbjudningspraxis hinner man inte bjuda in till de dagarna. Välj en senare period.",
        "The invitation practice no longer allows those dates. Choose a later period.",
    ),
    "convening.dates_too_late": ("Hakujakso on liian kaukana. Valitse päivät kutsukäytännön aikarajan sisältä.",
                                 "Perioden är för långt fram.", "The period is too far ahead."),
    "convening.range_too_long": ("Hakujakso voi olla enintään 61 päivää.", "Perioden får vara högst 61 dagar.",
                                 "The period may be at most 61 days."),
    "convening.no_room_big_enough": ("Tiimillä ei ole tilaa {seats} hengelle. Valitse etä- tai perheen paikka.",
                                     "Teamet har inget rum för {seats} personer.",
                                     "The team has no room for {seats} people."),
    "convening.not_found": ("En löytänyt tätä kutsua. Aloita uusi kirjoittamalla uusi.",
                            "Jag hittade inte den här kallelsen. Skriv ny för att börja.",
                            "I could not find this convening. Type new to start again."),
    "convening.not_in_directory": ("En löytänyt sinua organisaation hakemistosta. Ota yhteys pääkäyttäjään.",
                                   "Jag hittade dig inte i katalogen. Kontakta administratören.",
                                   "I could not find you in the directory. Please contact your admin."),
    "convening.already_booked": ("Tämä Yhdessä aika on jo varattu.", "Den här tiden är redan bokad.",
                                 "This Together time is already booked."),
    "convening.not_proposing": ("Tälle kutsulle ei ole ehdotettuja aikoja.", "Inga föreslagna tider.",
                                "There are no proposed times for this convening."),
    "convening.bad_slot": ("Valittua aikaa ei ole enää tarjolla. Hae ajat uudelleen.",
                           "Den valda tiden finns inte längre. Sök igen.",
                           "That time is no longer offered. Please search again."),
    "convening.changed_meanwhile": ("Kutsua muutettiin samaan aikaan toisaalla. Yritä uudelleen.",
                                    "Kallelsen ändrades samtidigt. Försök igen.",
                                    "The convening was changed at the same time. Please try again."),
    "convening.cannot_widen": ("Hakujaksoa ei voi enää laajentaa kutsukäytännön aikarajan yli.",
                               "Perioden kan inte utvidgas längre.", "The period cannot be widened further."),
    "convening.no_substitute": ("Samaa osaamista ei ole muilla tiimin jäsenillä.",
                                "Ingen annan i teamet har samma expertis.",
                                "No other team member has the same expertise."),
    "input.invalid": ("Kortin tiedot olivat puutteelliset. Tarkista kentät ja yritä uudelleen.",
                      "Kortets uppgifter var ofullständiga. Kontrollera fälten och försök igen.",
                      "The card's data was incomplete. Please check the fields and try again."),
    "action.unknown": ("Tätä toimintoa ei tunnistettu. Kirjoita ohje nähdäksesi komennot.",
                       "Den här åtgärden kändes inte igen. Skriv hjälp.",
                       "That action was not recognised. Type help to see the commands."),
    "error.unexpected": (
        "Pahoittelut, jokin meni vikaan. Mitään ei muutettu. Yritä hetken päästä uudelleen. Viite: {ref}",
        "Tyvärr gick något fel. Inget ändrades. Försök igen om en stund. Referens: {ref}",
        "Sorry, something went wrong. Nothing was changed. Please try again shortly. Reference: {ref}",
    ),
    "error.graph_unavailable": (
        "Outlook-kalenteriin ei juuri nyt saatu yhteyttä. Mitään ei varattu. Yritä hetken päästä. Viite: {ref}",
        "Outlook-kalendern gick inte att nå just nu. Inget bokades. Försök igen. Referens: {ref}",
        "Outlook calendars could not be reached right now. Nothing was booked. Try again. Reference: {ref}",
    ),
}


# One catalogue per part of the journey, merged: keys are unique across them.
_ALL = {**_CATALOG, **MEETING_CATALOG}


def t(key: str, lang: str = "fi", **params: str) -> str:
    """The message ``key`` in ``lang`` (Finnish when the language is not supported)."""
    entry = _ALL[key]
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0
    text = entry[index]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    """Whether ``key`` is in the catalogue."""
    return key in _ALL


def keys() -> frozenset[str]:
    """Every message key."""
    return frozenset(_ALL)
