"""Each indicator against the hand-counted data of conftest.py, for November 2026."""

from decimal import Decimal

from linli.results import indicators as ind
from linli.results.period import parse

NOV = parse("2026-11")

# Counted by hand from the list in conftest.py: (富丰新城, 颐景园, 大新社区, 桂城街道).
EXPECTED = {
    "communities": (None, None, None, 2),
    "party_branches": (1, 1, 1, 2),
    "associations": (1, 0, 1, 1),
    "self_governance_groups": (1, 0, 1, 1),  # the one founded in December not yet
    "leader_teams": (0, 1, 0, 1),
    "clubs": (2, 0, 3, 3),  # 大新's community-level club counts for the community, not the compound
    "organisation_members": (3, 1, 4, 5),  # henry, alice (two clubs, once), 王邻; + 钱二单元; + olga
    "building_leaders": (2, 1, 2, 3),  # bob (two buildings, once), frank; olga; 王邻's lane ended
    "party_member_leaders": (1, 0, 1, 1),  # frank
    "compounds_with_leaders": (1, 1, 1, 2),
    "cases_received": (4, 2, 4, 6),  # c1-c4; c7, c8 (c5 in October, c6 merged)
    "cases_replied_on_time": (3, 1, 3, 4),  # c1, c3, c4; c7
    "cases_resolved_on_time": (1, 1, 1, 2),  # c1; c7
    "cases_resolution_rate": (66.7, 50.0, 66.7, 60.0),  # 2 of 3 (c4 rejected); 1 of 2; 3 of 5
    "cases_rating": (4.0, 4.0, 4.0, 4.0),  # (5+3)/2; 4; (5+3+4)/3
    "cases_satisfied": (50.0, 100.0, 50.0, 66.7),
    "cases_overdue": (1, 1, 1, 2),  # c3; c8
    "cases_disputes": (1, 0, 1, 1),
    "disputes_mediated": (1, 0, 1, 1),  # c1's (c5's was in October)
    "cases_hygiene": (1, 0, 1, 1),
    "cases_public_order": (0, 1, 0, 1),  # c6 was merged away
    "cases_repairs": (1, 0, 1, 1),  # c4, rejected but received
    "cases_safety": (0, 1, 0, 1),  # c8 (e-bikes); c5 in October
    "cases_parking": (1, 0, 1, 1),
    "votes_held": (2, 0, 2, 2),
    "votes_passed": (1, 0, 1, 1),
    "elevators_added": (1, 0, 1, 1),
    "volunteer_hours": (Decimal("3.5"), Decimal("0.5"), Decimal("3.5"), Decimal("4.0")),
    "campaign_reach": (50.0, None, 50.0, 50.0),  # 2 of 4; the draft does not count
    "homes": (5, 1, 5, 6),
    "homes_visited": (2, 1, 2, 3),  # 101 (twice), 201; 颐景 101 at 23:30 on Nov 30
    "residents_recorded": (80.0, 100.0, 80.0, 83.3),
}


def test_every_indicator_is_checked():
    assert set(EXPECTED) == {i.key for i in ind.INDICATORS}


def test_value_of_each_indicator(data):
    """One data set for all (building it is the slow part); every mismatch is reported."""
    w = data
    wrong = {}
    for key, expected in EXPECTED.items():
        indicator = ind.get(key)
        got = (
            indicator.value("compound", [w.fufeng.pk], NOV),
            indicator.value("compound", [w.yijing.pk], NOV),
            indicator.value("community", [w.daxin.pk], NOV),
            indicator.value("subdistrict", [w.guicheng.pk], NOV),
        )
        if got != expected:
            wrong[key] = got
    assert not wrong


def test_compute_gives_the_same_figures_per_place(data):
    w = data
    compounds = ind.compute("compound", [w.fufeng.pk, w.yijing.pk], NOV)
    communities = ind.compute("community", [w.daxin.pk, w.cuiyi.pk], NOV)
    subdistrict = ind.compute("subdistrict", [w.guicheng.pk], NOV)
    for key, (fufeng, yijing, daxin, guicheng) in EXPECTED.items():
        assert compounds[w.fufeng.pk][key] == fufeng, key
        assert compounds[w.yijing.pk][key] == yijing, key
        assert communities[w.daxin.pk][key] == daxin, key
        assert subdistrict[w.guicheng.pk][key] == guicheng, key


def test_a_place_without_rows_has_zero_counts_and_no_rates(world):
    figures = ind.compute("compound", [world.yijing.pk], parse("2020-01"))[world.yijing.pk]
    assert figures["cases_received"] == 0
    assert figures["cases_resolution_rate"] is None
    assert figures["cases_rating"] is None
    assert figures["volunteer_hours"] == 0


def test_the_rows_behind_a_figure(data):
    w = data

    def rows(key, level="compound", pk=None):
        return list(ind.get(key).rows(level, [pk or w.fufeng.pk], NOV))

    assert {c.pk for c in rows("cases_received")} == {w.c1.pk, w.c2.pk, w.c3.pk, w.c4.pk}
    assert {c.pk for c in rows("cases_replied_on_time")} == {w.c1.pk, w.c3.pk, w.c4.pk}
    assert [c.pk for c in rows("cases_overdue")] == [w.c3.pk]
    assert {p.pk for p in rows("building_leaders")} == {w.p_bob.pk, w.p_frank.pk}
    assert [p.pk for p in rows("party_member_leaders")] == [w.p_frank.pk]
    assert {p.pk for p in rows("organisation_members", "community", w.daxin.pk)} == {
        w.p_henry.pk,
        w.p_alice.pk,
        w.p_neighbour.pk,
        w.p_s12.pk,
    }
    assert {o.name for o in rows("clubs", "community", w.daxin.pk)} == {"富丰书法社", "富丰太极社", "大新合唱团"}
    assert [c.pk for c in rows("compounds_with_leaders")] == [w.fufeng.pk]
    assert {h.pk for h in rows("homes_visited")} == {w.h101.pk, w.h201.pk}
    assert rows("communities") == []  # not counted at a compound


def test_the_drill_down_columns_mask_phones(data):
    w = data
    indicator = ind.get("building_leaders")
    person = indicator.rows("compound", [w.fufeng.pk], NOV).get(pk=w.p_bob.pk)
    cells = [str(fn(person)) for _label, fn in indicator.row_columns]
    assert "13900000001" not in cells
    assert cells[0] == "沈霞"
