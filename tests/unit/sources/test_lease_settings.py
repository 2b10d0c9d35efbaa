"""The source lease settings: defaults, the bucket's name, a renewal that fits the TTL twice."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from veille.settings import Settings


def test_defaults_name_the_bucket_after_the_stream() -> None:
    settings = Settings(nats_stream="PROD")
    assert (settings.lease_bucket, settings.source_lease_ttl_s, settings.source_lease_renew_s) == (
        "PROD_source_leases",
        15.0,
        5.0,
    )
    assert Settings(source_lease_bucket="leases-eu").lease_bucket == "leases-eu"


def test_a_renewal_longer_than_half_the_ttl_is_refused_naming_both_keys() -> None:
    with pytest.raises(
        ValidationError, match=r"source_lease_renew_s[\s\S]*half of source_lease_ttl_s \(4 s\)"
    ):
        Settings(source_lease_ttl_s=4, source_lease_renew_s=3)


def test_a_bucket_name_nats_cannot_take_is_refused() -> None:
    with pytest.raises(ValidationError, match="source_lease_bucket"):
        Settings(source_lease_bucket="my leases.eu")
