"""The expertise a family-centre team can bring (the plan template's contact list)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """One kind of expertise, named in the three UI languages."""

    key: str
    names: dict[str, str]

    def name(self, lang: str = "fi") -> str:
        """The role's name in ``lang``, falling back to Finnish."""
        return self.names.get(lang) or self.names["fi"]


#: The 14 kinds of expertise of DOMAIN.md, in the template's order. Teams may
#: configure their own list; these are the defaults.
DEFAULT_ROLES: tuple[Role, ...] = (
    Role("neuvola", {"fi": "Äitiys- ja lastenneuvola", "sv": "Mödra- och barnrådgivning",
                     "en": "Maternity and child health clinic"}),
    Role("vaka_erityisopettaja", {"fi": "Varhaiskasvatuksen erityisopettaja",
                                  "sv": "Speciallärare inom småbarnspedagogik",
                                  "en": "Early childhood special education teacher"}),
    Role("kouluterveydenhuolto", {"fi": "Kouluterveydenhuolto", "sv": "Skolhälsovård",
                                  "en": "School health care"}),
    Role("koulukuraattori", {"fi": "Koulukuraattori", "sv": "Skolkurator", "en": "School social worker"}),
    Role("lasten_kuntoutus", {"fi": "Lasten kuntoutus", "sv": "Rehabilitering för barn",
                              "en": "Child rehabilitation"}),
    Role("toimintaterapeutti", {"fi": "Toimintaterapeutti", "sv": "Ergoterapeut",
                                "en": "Occupational therapist"}),
    Role("perheneuvonta", {"fi": "Kasvatus- ja perheneuvonta", "sv": "Uppfostrings- och familjerådgivning",
                           "en": "Child guidance and family counselling"}),
    Role("etsiva_nuorisotyo", {"fi": "Etsivä nuorisotyö", "sv": "Uppsökande ungdomsarbete",
                               "en": "Outreach youth work"}),
    Role("sosiaalityo", {"fi": "Sosiaalityö", "sv": "Socialt arbete", "en": "Social work"}),
    Role("perhetyo", {"fi": "Kotipalvelu ja perhetyö", "sv": "Hemservice och familjearbete",
                      "en": "Home help and family work"}),
    Role("paihdetyo", {"fi": "Päihdetyö", "sv": "Missbruksarbete", "en": "Substance abuse work"}),
    Role("vakivaltatyo", {"fi": "Väkivaltatyö", "sv": "Arbete mot våld", "en": "Violence work"}),
    Role("eroauttaminen", {"fi": "Eroauttaminen", "sv": "Stöd vid skilsmässa", "en": "Separation support"}),
    Role("mielenterveys", {"fi": "Mielenterveysauttaminen", "sv": "Psykiskt stöd",
                           "en": "Mental health support"}),
)
