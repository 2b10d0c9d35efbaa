"""The curated influencer list analysts maintain, and who an author is (journalist, blogger, elected
representative, media outlet, brand or other).

- :class:`InfluencerSpec`, :class:`CuratedInfluencer` — what an entry holds;
- :mod:`veille.influencers.service` — create/update/delete/list/get and CSV import (plain functions);
- :func:`classify` — an author's category from the curated list, the brand registry and the profile.
"""

from veille.influencers.categories import PROFILE_KEYWORDS, Category, classify, profile_category
from veille.influencers.models import (
    CATEGORIES,
    CSV_COLUMNS,
    CuratedInfluencer,
    InfluencerRead,
    InfluencerSpec,
)
from veille.influencers.service import (
    InfluencerConflict,
    InfluencerError,
    InfluencerNotFound,
    create_influencer,
    delete_influencer,
    get_influencer,
    import_influencers,
    list_influencers,
    parse_influencers_csv,
    update_influencer,
)

__all__ = [
    "CATEGORIES",
    "CSV_COLUMNS",
    "PROFILE_KEYWORDS",
    "Category",
    "CuratedInfluencer",
    "InfluencerConflict",
    "InfluencerError",
    "InfluencerNotFound",
    "InfluencerRead",
    "InfluencerSpec",
    "classify",
    "create_influencer",
    "delete_influencer",
    "get_influencer",
    "import_influencers",
    "list_influencers",
    "parse_influencers_csv",
    "profile_category",
    "update_influencer",
]
