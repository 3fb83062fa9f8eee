"""The rules engine: properties that must hold for every input, and named scenarios."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minga.decisions.consensus import Base, Code, Member, Position, Rule, Stance, decide
from minga.demo import data as demo

FICSH = Member("fed", "Federación Shuar", "indigenous")
NAE = Member("nae", "Nacionalidad Achuar", "indigenous")
PREFECTURA = Member("gpms", "Prefectura", "government")
MAATE = Member("maate", "MAATE", "government")
NGO = Member("ngo", demo.NGO, "civil_society")
UNI = Member("uni", "Universidad del Upano", "civil_society")
BANK = Member("bid", "BID", "other")
TABLE = [FICSH, NAE, PREFECTURA, MAATE, NGO, UNI, BANK]

CONSENT = Rule(Base.CONSENT)
CONSENSUS = Rule(Base.FULL_CONSENSUS)


def p(member, stance, reason=""):
    return Position(member.id, Stance(stance), reason)


# --- properties -----------------------------------------------------------------------------

rules = st.builds(
    Rule,
    base=st.sampled_from(Base),
    sector_quorum=st.booleans(),
    fallback_after=st.just(None),
    fallback_percent=st.just(None),
) | st.builds(
    Rule,
    base=st.sampled_from(Base),
    sector_quorum=st.booleans(),
    fallback_after=st.integers(1, 3),
    fallback_percent=st.integers(51, 100),
)


@st.composite
def rounds(draw):
    chosen = draw(st.lists(st.sampled_from(TABLE), unique=True))
    positions = []
    for member in chosen:
        stance = draw(st.sampled_from(Stance))
        reason = (
            draw(st.text(min_size=1, max_size=20).filter(str.strip))
            if stance is Stance.BLOCK
            else ""
        )
        positions.append(Position(member.id, stance, reason))
    present = draw(st.none() | st.sets(st.sampled_from([m.id for m in TABLE])))
    blocked_before = draw(st.integers(0, 4))
    return positions, present, blocked_before


@given(rounds(), st.sampled_from(TABLE), st.text(min_size=1, max_size=10).filter(str.strip))
def test_it_never_passes_consent_over_a_block(case, blocker, reason):
    positions, present, _ = case
    positions = [q for q in positions if q.member != blocker.id] + [p(blocker, "block", reason)]
    for rule in (CONSENT, Rule(Base.CONSENT, sector_quorum=True), CONSENSUS):
        assert not decide(rule, TABLE, positions, present=present).passed


@given(rules, rounds(), st.sampled_from(TABLE))
def test_it_never_turns_a_pass_into_a_fail_by_adding_an_agree(rule, case, newcomer):
    positions, present, blocked_before = case
    positions = [q for q in positions if q.member != newcomer.id]
    before = decide(rule, TABLE, positions, present=present, blocked_rounds_before=blocked_before)
    after = decide(
        rule,
        TABLE,
        [*positions, p(newcomer, "agree")],
        present=present,
        blocked_rounds_before=blocked_before,
    )
    if before.passed:
        assert after.passed


@given(rules, rounds(), st.sampled_from(["indigenous", "government", "civil_society"]))
def test_it_never_meets_a_sector_quorum_with_a_sector_missing(rule, case, absent_group):
    positions, present, blocked_before = case
    rule = Rule(rule.base, True, rule.fallback_after, rule.fallback_percent)
    by_id = {m.id: m for m in TABLE}
    positions = [q for q in positions if by_id[q.member].group != absent_group]
    outcome = decide(rule, TABLE, positions, present=present, blocked_rounds_before=blocked_before)
    assert not outcome.passed
    assert outcome.code is Code.NO_SECTOR_QUORUM
    assert absent_group in outcome.missing_groups


@given(rules, rounds())
def test_it_always_explains_itself(rule, case):
    positions, present, blocked_before = case
    outcome = decide(rule, TABLE, positions, present=present, blocked_rounds_before=blocked_before)
    assert outcome.explain()
    assert sum(outcome.tally.values()) == len(positions)


# --- named scenarios ------------------------------------------------------------------------


def test_scenario_01_everyone_agrees_and_it_passes_by_consent():
    outcome = decide(CONSENT, TABLE, [p(m, "agree") for m in TABLE])
    assert outcome.code is Code.PASSED_BY_CONSENT
    assert outcome.tally["agree"] == 7


def test_scenario_02_a_federation_blocks_and_the_explanation_names_it():
    outcome = decide(
        CONSENT,
        TABLE,
        [
            p(PREFECTURA, "agree"),
            p(NGO, "agree"),
            p(FICSH, "block", "No se consultó a las comunidades del Kutukú"),
        ],
    )
    assert outcome.code is Code.BLOCKED
    assert (
        outcome.explain()
        == "Blocked by Federación Shuar: No se consultó a las comunidades del Kutukú."
    )


def test_scenario_03_concerns_are_recorded_and_still_consent():
    outcome = decide(
        CONSENT, TABLE, [p(PREFECTURA, "agree"), p(NGO, "concerns", "Falta presupuesto")]
    )
    assert outcome.passed
    assert outcome.concerns == ((demo.NGO, "Falta presupuesto"),)


def test_scenario_04_only_stand_asides_is_no_support():
    assert decide(CONSENT, TABLE, [p(BANK, "stand_aside")]).code is Code.NO_SUPPORT


def test_scenario_05_no_positions_is_no_support():
    assert decide(CONSENSUS, TABLE, []).code is Code.NO_SUPPORT


def test_scenario_06_full_consensus_waits_for_everyone_present():
    outcome = decide(
        CONSENSUS,
        TABLE,
        [p(FICSH, "agree"), p(PREFECTURA, "agree")],
        present={"fed", "gpms", "ngo"},
    )
    assert outcome.code is Code.INCOMPLETE
    assert outcome.missing_members == (demo.NGO,)


def test_scenario_07_full_consensus_with_agreement_and_stand_asides_passes():
    positions = [p(FICSH, "agree"), p(PREFECTURA, "concerns", "Plazos"), p(NGO, "stand_aside")]
    outcome = decide(CONSENSUS, TABLE, positions, present={"fed", "gpms", "ngo"})
    assert outcome.code is Code.PASSED_BY_CONSENSUS


def test_scenario_08_a_round_in_writing_expects_every_member():
    outcome = decide(CONSENSUS, TABLE, [p(m, "agree") for m in TABLE[:-1]])
    assert outcome.code is Code.INCOMPLETE and outcome.missing_members == ("BID",)


def test_scenario_09_sector_quorum_met():
    rule = Rule(Base.CONSENT, sector_quorum=True)
    outcome = decide(
        rule, TABLE, [p(NAE, "agree"), p(MAATE, "stand_aside"), p(UNI, "concerns", "Datos")]
    )
    assert outcome.passed


def test_scenario_10_sector_quorum_missing_government():
    rule = Rule(Base.CONSENT, sector_quorum=True)
    outcome = decide(rule, TABLE, [p(NAE, "agree"), p(UNI, "agree"), p(BANK, "agree")])
    assert outcome.code is Code.NO_SECTOR_QUORUM
    assert outcome.explain() == "No sector quorum: no position from the government sector."


def test_scenario_11_fallback_majority_after_two_blocked_rounds():
    rule = Rule(Base.CONSENT, fallback_after=2, fallback_percent=75)
    positions = [p(m, "agree") for m in TABLE if m is not NAE] + [p(NAE, "block", "Sin FPIC")]
    assert decide(rule, TABLE, positions, blocked_rounds_before=1).code is Code.BLOCKED
    outcome = decide(rule, TABLE, positions, blocked_rounds_before=2)
    assert outcome.code is Code.PASSED_BY_MAJORITY
    assert round(outcome.support_percent) == 86


def test_scenario_12_fallback_majority_not_reached():
    rule = Rule(Base.CONSENT, fallback_after=1, fallback_percent=80)
    positions = [
        p(FICSH, "agree"),
        p(PREFECTURA, "agree"),
        p(NAE, "block", "Sin FPIC"),
        p(BANK, "stand_aside"),
    ]
    outcome = decide(rule, TABLE, positions, blocked_rounds_before=1)
    assert outcome.code is Code.MAJORITY_NOT_REACHED
    assert round(outcome.support_percent) == 67  # stand-asides are not counted


def test_scenario_13_an_absent_members_earlier_position_counts():
    positions = [p(FICSH, "agree"), p(PREFECTURA, "block", "Sin presupuesto")]
    assert decide(CONSENT, TABLE, positions, present={"fed"}).code is Code.BLOCKED


def test_scenario_14_the_morona_santiago_amendment():
    first = [
        p(PREFECTURA, "agree"),
        p(NGO, "agree"),
        p(FICSH, "block", "Falta el consentimiento previo"),
    ]
    assert decide(CONSENT, TABLE, first).code is Code.BLOCKED
    second = [p(PREFECTURA, "agree"), p(NGO, "agree"), p(FICSH, "agree")]
    assert decide(CONSENT, TABLE, second, blocked_rounds_before=1).code is Code.PASSED_BY_CONSENT


@pytest.mark.parametrize(
    ("positions", "message"),
    [
        ([p(FICSH, "block", "  ")], "a block needs its reason"),
        ([Position("stranger", Stance.AGREE)], "stranger is not a member"),
        ([p(FICSH, "agree"), p(FICSH, "block", "x")], "Federación Shuar has two positions"),
    ],
)
def test_it_refuses_impossible_rounds(positions, message):
    with pytest.raises(ValueError, match=message):
        decide(CONSENT, TABLE, positions)


def test_it_refuses_impossible_rules():
    with pytest.raises(ValueError):
        Rule(Base.CONSENT, fallback_after=2)
    with pytest.raises(ValueError):
        Rule(Base.CONSENT, fallback_after=2, fallback_percent=50)
