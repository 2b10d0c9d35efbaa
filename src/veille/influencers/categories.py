"""Who an author is (journalist, blogger, elected representative, brand, other), from what analysts
curated, the brand-account registry, and keywords of the profile in several languages.

Order of evidence: the curated list (``veille influencers import``) wins; then a registered brand
account or a post flagged ``is_brand_account``; then the profile (bio, then display name). Among
profile keywords, *elected* is tried before *journalist* and *blogger*, because "Député, ancien
journaliste" is first of all an elected representative.

Keywords are matched on folded tokens (:func:`veille.text.tokenize`): a *stem* matches inside a
token, so German compounds count ("Technikjournalist", "Bloggerin"); a *word* matches a whole
token ("MP", "maire"); a *phrase* matches consecutive tokens ("member of parliament").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from veille.text import tokenize

__all__ = ["PROFILE_KEYWORDS", "Category", "classify", "profile_category"]

# category -> (stems found inside a token, whole words, phrases); all folded (no accents, lower case).
PROFILE_KEYWORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "elected": (
        ("deput", "diputad", "senator", "senateur", "senatric", "senador", "abgeordnet", "burgermeister",
         "councillor", "councilor", "congressm", "congressw", "parlamentar", "bundestagsabgeordnet"),
        ("mp", "mep", "mdb", "mdl", "maire", "mayor", "alcalde", "alcaldesa", "eurodeputado", "concejal",
         "conseillere", "conseiller", "ministre", "minister", "ministra", "sindaco", "prefet"),
        ("member of parliament", "assemblee nationale", "mitglied des bundestages", "elu local",
         "elue locale", "conseiller municipal", "conseillere municipale", "conseiller regional",
         "state senator", "city council", "congreso de los diputados"),
    ),
    "journalist": (
        ("journalist", "periodist", "reporter", "correspondent", "correspondant", "corresponsal",
         "redakteur", "redacteur", "redactrice", "chroniqueu", "giornalist", "jornalist", "reportera"),
        ("editor", "presse", "prensa", "anchor", "redaccion"),
        ("tech reporter", "news editor", "chef de rubrique", "redactor jefe"),
    ),
    "blogger": (
        ("blog", "youtuber", "influenceu", "influencer", "podcast", "vlog", "streamer", "tiktoker",
         "instagrammer", "creatric", "createur de contenu"),
        ("creator", "reviewer", "influencer"),
        ("content creator", "createur de contenu", "creatrice de contenu", "creador de contenido",
         "i review"),
    ),
    "brand": (
        ("kundenservice", "kundendienst",),
        ("official", "officiel", "officielle", "oficial", "offiziell", "offizieller"),
        ("service client", "customer service", "customer care", "compte officiel", "official account",
         "cuenta oficial", "atencion al cliente", "support client"),
    ),
}  # fmt: skip
_ORDER = ("elected", "journalist", "blogger", "brand")


@dataclass(frozen=True, slots=True)
class Category:
    """An author's category and where it comes from (``curated``, ``registry``, ``profile`` or ``none``)."""

    name: str
    evidence: str


def profile_category(*texts: str | None) -> str | None:
    """The category the profile texts (bio, display name) show, or ``None``."""
    for text in texts:
        if not text:
            continue
        words = [token.folded for token in tokenize(text)]
        joined = f" {' '.join(words)} "
        for category in _ORDER:
            stems, whole, phrases = PROFILE_KEYWORDS[category]
            if (
                any(stem in word for word in words for stem in stems)
                or any(word in whole for word in words)
                or any(f" {phrase} " in joined for phrase in phrases)
            ):
                return category
    return None


def classify(
    *,
    source: str,
    handle: str,
    bio: str | None,
    name: str | None,
    brand_flag: bool,
    curated: Mapping[tuple[str, str], str],
    registry: frozenset[tuple[str, str]],
) -> Category:
    """The category of the author ``handle`` (folded) on ``source``.

    ``curated`` maps ``(platform, folded handle)`` to a curated category; ``registry`` holds the
    ``(platform, folded handle)`` of registered brand accounts.
    """
    key = (source, handle)
    chosen = curated.get(key)
    if chosen is not None:
        return Category(chosen, "curated")
    if key in registry or brand_flag:
        return Category("brand", "registry")
    found = profile_category(bio, name)
    if found is not None:
        return Category(found, "profile")
    return Category("other", "none")
