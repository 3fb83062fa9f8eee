import pytest
from hypothesis import given
from hypothesis import strategies as st

from minga.meetings import ranking
from minga.meetings.quorum import quorum


def test_it_needs_more_than_half():
    assert (
        quorum(
            ["indigenous", "government", "civil_society"],
            members=6,
            percent=50,
            sectors_required=True,
        ).needed
        == 4
    )
    assert quorum(["indigenous"] * 4, members=6, percent=50, sectors_required=False).met
    missing = quorum(["indigenous"] * 4, members=6, percent=50, sectors_required=True)
    assert not missing.met and missing.missing_groups == ("government", "civil_society")


def test_it_counts_dots_and_refuses_a_ballot_over_its_dots():
    assert [
        r.priority for r in ranking.count_dots(["a", "b", "c"], [{"a": 3, "b": 2}, {"b": 4}])
    ] == ["b", "a", "c"]
    with pytest.raises(ranking.BallotError) as caught:
        ranking.check_dots({"a": 4, "b": 2}, allowed={"a", "b"}, dots=5)
    assert caught.value.code == "too_many_dots" and caught.value.params == {"used": 6, "dots": 5}


def test_it_counts_ranked_ballots_with_the_modified_borda_count():
    # Emerson's worked example shape: a full ranking gives n..1, a truncated one k..1.
    results = ranking.count_borda(["a", "b", "c"], [["a", "b", "c"], ["b", "a"], ["c"]])
    assert {r.priority: r.score for r in results} == {"a": 4, "b": 4, "c": 2}
    assert [r.priority for r in results][:2] == ["a", "b"]  # tie broken by ballots, then name


@given(st.lists(st.permutations(["a", "b", "c", "d"]), min_size=1, max_size=20))
def test_it_gives_every_full_ballot_the_same_weight(ballots):
    total = sum(r.score for r in ranking.count_borda(["a", "b", "c", "d"], ballots))
    assert total == 10 * len(ballots)


@given(st.dictionaries(st.sampled_from("abcd"), st.integers(0, 6)), st.integers(1, 10))
def test_it_accepts_exactly_the_ballots_within_the_dots(allocation, dots):
    used = sum(allocation.values())
    try:
        ranking.check_dots(allocation, allowed=set("abcd"), dots=dots)
    except ranking.BallotError as exc:
        assert exc.code in ("too_many_dots", "empty")
        assert used > dots or used == 0
    else:
        assert 0 < used <= dots
