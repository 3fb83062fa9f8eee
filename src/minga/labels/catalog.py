"""The Local Contexts label types and notices, as Local Contexts publishes them.

Traditional Knowledge (TK) and Biocultural (BC) Labels are a community's own: it applies them
to say how knowledge that is theirs may be seen and used. Notices are what institutions and
researchers put where a community's interest exists but no label is applied yet. ``label_type``
is the Local Contexts Hub API's value; the names are Local Contexts' own (communities translate
and customise them on the Hub); the meanings here are short summaries in minga's languages.

Two groups bind in minga, whatever a record's sensitivity says:

- ``RESTRICTING``: the record stays with its community. It never enters open data, the public
  API or a public log payload (only the salted commitment of its events).
- ``NON_COMMERCIAL``: the record never enters a credit sale document: an area under it cannot
  be sold from, and registry exports withhold it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TK, BC, NOTICE = "tk", "bc", "notice"
CATEGORIES = (
    (TK, _("Traditional Knowledge Label")),
    (BC, _("Biocultural Label")),
    (NOTICE, _("Notice")),
)
SITE = "https://localcontexts.org"


@dataclass(frozen=True)
class LabelType:
    category: str
    label_type: str
    name: str  # as Local Contexts names it
    abbreviation: str
    meaning: Promise
    slug: str  # localcontexts.org/label/<slug>/ (notices: /notice/<slug>/)

    @property
    def key(self) -> tuple[str, str]:
        return self.category, self.label_type

    @property
    def url(self) -> str:
        return f"{SITE}/{'notice' if self.category == NOTICE else 'label'}/{self.slug}/"


def _tk(label_type: str, name: str, abbreviation: str, meaning: Promise) -> LabelType:
    slug = "tk-" + label_type.replace("_", "-")
    return LabelType(TK, label_type, name, abbreviation, meaning, slug)


def _bc(label_type: str, name: str, abbreviation: str, meaning: Promise) -> LabelType:
    slug = "bc-" + label_type.replace("_", "-")
    return LabelType(BC, label_type, name, abbreviation, meaning, slug)


TYPES: tuple[LabelType, ...] = (
    _tk("attribution", "TK Attribution", "TK A", _("Name correctly the people and the community it comes from, in any use.")),
    _tk("clan", "TK Clan", "TK CL", _("Rules of a clan govern who may see and use it.")),
    _tk("family", "TK Family", "TK F", _("A family's rules govern it: ask the family before any use.")),
    _tk("outreach", "TK Outreach", "TK O", _("It may be used for education and outreach, on the community's terms.")),
    _tk("multiple_communities", "TK Multiple Communities", "TK MC", _("Several communities hold responsibility for it together.")),
    _tk("non_verified", "TK Non-Verified", "TK NV", _("The community has not verified how it is used or shown.")),
    _tk("verified", "TK Verified", "TK V", _("The community has verified that it is used and shown appropriately.")),
    _tk("non_commercial", "TK Non-Commercial", "TK NC", _("Never for commercial use.")),
    _tk("commercial", "TK Open to Commercialization", "TK OC", _("Open to commercial use with the community's consent and a fair share for it.")),
    _tk("culturally_sensitive", "TK Culturally Sensitive", "TK CS", _("Culturally or historically sensitive: handle with care; some uses need the community's permission.")),
    _tk("community_voice", "TK Community Voice", "TK CV", _("What is written here is incomplete: community members are invited to add their knowledge.")),
    _tk("community_use_only", "TK Community Use Only", "TK CO", _("For the community's own use only: never shared outside it.")),
    _tk("seasonal", "TK Seasonal", "TK S", _("Access and use depend on seasons or times the community sets.")),
    _tk("women_general", "TK Women General", "TK WG", _("Knowledge held by women, which anyone may see.")),
    _tk("men_general", "TK Men General", "TK MG", _("Knowledge held by men, which anyone may see.")),
    _tk("men_restricted", "TK Men Restricted", "TK MR", _("Only men may see it, under the community's rules.")),
    _tk("women_restricted", "TK Women Restricted", "TK WR", _("Only women may see it, under the community's rules.")),
    _tk("secret_sacred", "TK Secret / Sacred", "TK SS", _("Secret or sacred: only those the community allows may see it.")),
    _tk("open_to_collaboration", "TK Open to Collaboration", "TK CB", _("The community is open to collaborating on research about it.")),
    _tk("creative", "TK Creative", "TK CR", _("A community member's creative work: their rights and the community's apply.")),
    _bc("provenance", "BC Provenance", "BC P", _("It comes from the community's lands, waters and territory, which keep a right to be named with it.")),
    _bc("multiple_communities", "BC Multiple Communities", "BC MC", _("Several communities hold responsibility for these biocultural data together.")),
    _bc("clan", "BC Clan", "BC CL", _("Rules of a clan govern these biocultural data.")),
    _bc("consent_verified", "BC Consent Verified", "BC CV", _("The community has consent conditions in place for its use.")),
    _bc("consent_non_verified", "BC Consent Non-Verified", "BC CNV", _("No consent of the community has been verified for its use.")),
    _bc("research", "BC Research Use", "BC R", _("It may be used for research the community agrees with.")),
    _bc("collaboration", "BC Open to Collaboration", "BC CB", _("The community is open to collaborating on research with these data.")),
    _bc("commercial", "BC Open to Commercialization", "BC OC", _("Open to commercial use with the community's consent and a fair share for it.")),
    _bc("non_commercial", "BC Non-Commercial", "BC NC", _("Never for commercial use.")),
    _bc("outreach", "BC Outreach", "BC O", _("It may be used for education and outreach, on the community's terms.")),
    LabelType(NOTICE, "traditional_knowledge", "TK Notice", "TK", _("A community has rights and interests in this knowledge, though no label is applied yet."), "tk-notice"),
    LabelType(NOTICE, "biocultural", "BC Notice", "BC", _("A community has rights and interests in these biocultural data, though no label is applied yet."), "bc-notice"),
    LabelType(NOTICE, "attribution_incomplete", "Attribution Incomplete Notice", "AI", _("Who made or holds this is named incompletely or wrongly, and needs correcting."), "attribution-incomplete"),
    LabelType(NOTICE, "open_to_collaboration", "Open to Collaboration Notice", "OC", _("The holder is open to collaborating with the communities concerned."), "open-to-collaboration"),
)  # fmt: skip
BY_KEY = {t.key: t for t in TYPES}

RESTRICTING = frozenset(
    {
        (TK, "secret_sacred"),
        (TK, "community_use_only"),
        (TK, "women_restricted"),
        (TK, "men_restricted"),
    }
)
NON_COMMERCIAL = frozenset({(TK, "non_commercial"), (BC, "non_commercial")})


def known(category: str, label_type: str) -> LabelType | None:
    return BY_KEY.get((category, label_type))
