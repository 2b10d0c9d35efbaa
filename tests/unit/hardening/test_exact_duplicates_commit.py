"""Fault 5 of issue 18: the exact-duplicate memory records a batch only once it is committed."""

from __future__ import annotations

from tests.support.posts import post_json
from veille.contracts import run_stages, stages_committed
from veille.enrich.exact_duplicates import ExactDuplicateStage
from veille.model import Post


def test_uncommitted_batch_is_not_remembered() -> None:
    stage = ExactDuplicateStage()
    batch = [Post.model_validate(post_json(index)) for index in range(3)]
    assert len(run_stages([stage], batch)) == 3  # the write of this batch fails: no commit
    assert len(run_stages([stage], batch)) == 3  # sent again: still new
    stages_committed([stage])
    assert run_stages([stage], batch) == []  # after the commit, a re-delivery is dropped
    assert stage.dropped == 3
