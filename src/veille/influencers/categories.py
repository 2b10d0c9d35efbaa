"""Who an author is (journalist, blogger, elected representative, media outlet, brand, other), from
what analysts curated, the brand-account registry, a list of well-known news outlets, and keywords of
the profile in several languages.

Order of evidence: the curated list (``veille influencers import``) wins; then a registered brand
account or a post flagged ``is_brand_account``; then a **known news outlet** (:data:`NEWS_HANDLES`
on X, or a handle or profile website on one of :data:`NEWS_DOMAINS`: Bluesky handles are domains,
``lemonde.fr``); then the profile (bio, then display name). Among profile keywords, *elected* is
tried before *journalist*, *blogger* and *media*, because "Député, ancien journaliste" is first of
all an elected representative, and "Journaliste au Monde" a person, not the newspaper; *media* comes
before *brand*, as an outlet's "compte officiel" is still a newspaper's.

Keywords are matched on folded tokens (:func:`veille.text.tokenize`): a *stem* matches inside a
token, so German compounds count ("Technikjournalist", "Bloggerin", "Tageszeitung"); a *word*
matches a whole token ("MP", "maire", "news"); a *phrase* matches consecutive tokens ("member of
parliament", "breaking news").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from veille.text import host_of, tokenize

__all__ = [
    "NEWS_DOMAINS",
    "NEWS_HANDLES",
    "PROFILE_KEYWORDS",
    "Category",
    "classify",
    "known_media",
    "profile_category",
]

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
    "media": (
        ("newspaper", "nachrichten", "zeitung", "quotidien", "hebdomadaire", "periodico", "giornale",
         "quotidiano", "notizie", "noticia", "telediario", "newsroom", "actualite", "magazin", "broadcast"),
        ("news", "media", "medias", "journal", "radio", "tv", "television", "diario", "tagesschau",
         "mediapart", "gazette"),
        ("breaking news", "news agency", "agence de presse", "chaine d information", "site d information",
         "media outlet", "news channel", "ultima hora", "agencia de noticias", "l info en continu"),
    ),
    "brand": (
        ("kundenservice", "kundendienst",),
        ("official", "officiel", "officielle", "oficial", "offiziell", "offizieller"),
        ("service client", "customer service", "customer care", "compte officiel", "official account",
         "cuenta oficial", "atencion al cliente", "support client"),
    ),
}  # fmt: skip
_ORDER = ("elected", "journalist", "blogger", "media", "brand")

# Well-known news outlets' X handles, folded (a handle alone names an account only on its platform).
NEWS_HANDLES: frozenset[str] = frozenset(
    """lemondefr le_figaro libe afpfr afp franceinfo bfmtv france24 rfi le_parisien lesechos 20minutes
    europe1 franceinter mediapart lobs lexpress ouestfrance bbcnews bbcbreaking bbcworld cnn cnnbrk
    nytimes washingtonpost wsj reuters ap guardian ft skynews independent telegraph thetimes
    elpais_espana elmundoes abc_es rtve europapress lavanguardia el_pais spiegelonline derspiegel
    tagesschau zdfheute faznet sz welt zeitonline corriere repubblica ansa_it rainews publico expresso
    rtpnoticias nos nrc volkskrant aljazeera ajenglish dwnews dw_news euronews politico axios business
    theeconomist time npr cbsnews nbcnews abc foxnews usatoday latimes""".split()  # noqa: SIM905 - a table
)
# News sites' domains: a Bluesky handle on one of them, or a profile website there, is the outlet.
NEWS_DOMAINS: frozenset[str] = frozenset(
    """lemonde.fr lefigaro.fr liberation.fr afp.com francetvinfo.fr bfmtv.com france24.com rfi.fr
    leparisien.fr lesechos.fr 20minutes.fr europe1.fr radiofrance.fr mediapart.fr nouvelobs.com
    lexpress.fr ouest-france.fr bbc.co.uk bbc.com cnn.com nytimes.com washingtonpost.com wsj.com
    reuters.com apnews.com theguardian.com ft.com news.sky.com independent.co.uk telegraph.co.uk
    thetimes.co.uk elpais.com elmundo.es abc.es rtve.es europapress.es lavanguardia.com spiegel.de
    tagesschau.de zdf.de faz.net sueddeutsche.de welt.de zeit.de corriere.it repubblica.it ansa.it
    rainews.it publico.pt expresso.pt rtp.pt nos.nl nrc.nl volkskrant.nl aljazeera.com dw.com
    euronews.com politico.com politico.eu axios.com bloomberg.com economist.com time.com npr.org
    cbsnews.com nbcnews.com abcnews.go.com foxnews.com usatoday.com latimes.com""".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class Category:
    """An author's category and where it comes from (``curated``, ``registry``, ``known``, ``profile``
    or ``none``)."""

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


def _on_news_domain(host: str | None) -> bool:
    if not host:
        return False
    parts = host.lower().rstrip(".").removeprefix("www.").split(".")
    return any(".".join(parts[index:]) in NEWS_DOMAINS for index in range(len(parts) - 1))


def known_media(*, source: str, handle: str, website: str | None = None) -> bool:
    """Whether the author is a well-known news outlet: its X handle, or its handle or website on a
    news site's domain (``nytimes.com``, ``lemonde.fr``, ``news.bbc.co.uk``)."""
    if source == "x" and handle in NEWS_HANDLES:
        return True
    if "." in handle and _on_news_domain(handle):
        return True
    return bool(website) and _on_news_domain(host_of(website or ""))


def classify(
    *,
    source: str,
    handle: str,
    bio: str | None,
    name: str | None,
    brand_flag: bool,
    curated: Mapping[tuple[str, str], str],
    registry: frozenset[tuple[str, str]],
    website: str | None = None,
) -> Category:
    """The category of the author ``handle`` (folded) on ``source``.

    ``curated`` maps ``(platform, folded handle)`` to a curated category; ``registry`` holds the
    ``(platform, folded handle)`` of registered brand accounts; ``website`` is the profile's link.
    """
    key = (source, handle)
    chosen = curated.get(key)
    if chosen is not None:
        return Category(chosen, "curated")
    if key in registry or brand_flag:
        return Category("brand", "registry")
    if known_media(source=source, handle=handle, website=website):
        return Category("media", "known")
    found = profile_category(bio, name)
    if found is not None:
        return Category(found, "profile")
    return Category("other", "none")
