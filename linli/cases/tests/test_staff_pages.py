"""The work queue: who sees which cases, in which order, filtered how; bulk actions case by case."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from linli.cases.lifecycle import perform
from linli.cases.models import Case, Status

from .conftest import case_page

QUEUE = reverse("cases:queue")


@pytest.fixture
def spread(cw, now_case):
    """One case in each corner of the world, titled for who should see it."""
    return {
        "alice": now_case(title="alice-s11"),
        "s12": now_case(stairwell=cw.s12, reporter=cw.p_s12, title="s12-case"),
        "b2": now_case(stairwell=cw.s21, reporter=cw.p_b2, title="b2-case"),
        "order": now_case(stairwell=cw.s21, reporter=cw.p_b2, category=cw.cat.public_order, title="order-case"),
        "yijing": now_case(compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga, title="yijing-case"),
    }


def shown(client, url=QUEUE, **params):
    return client.get(url, params).content.decode()


def listed(case, html) -> bool:
    """The case is a row of the page (a link to it), not merely its code typed in the search box."""
    return f'href="{case_page(case)}"' in html


@pytest.mark.parametrize(
    "actor, expected",
    [
        ("alice", {"alice"}),
        ("bob", {"alice", "s12"}),
        ("dave", {"alice", "s12", "b2"}),
        ("paul", {"yijing"}),
        ("carol", {"alice", "s12", "b2", "order"}),
        ("erin", {"alice", "s12", "b2", "order", "yijing"}),
    ],
)
def test_queue_shows_each_role_its_cases(cw, login, spread, actor, expected):
    html = shown(login(getattr(cw, actor)), show="all")
    seen = {name for name, case in spread.items() if listed(case, html)}
    assert seen == expected


def test_dave_never_meets_a_case_of_the_other_company(cw, login, spread):
    other = spread["yijing"]
    client = login(cw.dave)
    assert not listed(other, shown(client, show="all", group="all"))
    assert not listed(other, shown(client, q=other.code, group="all"))
    assert listed(spread["alice"], shown(client, q=spread["alice"].code))  # the search does find his own
    assert not listed(other, shown(client, q="yijing", group="all"))
    assert client.get(reverse("cases:case", args=[other.code])).status_code == 404
    assert client.get(reverse("cases:case", args=[other.pk])).status_code == 404
    figures = client.get(reverse("cases:figures")).context
    assert figures["totals"]["received"] == 3
    assert "颐景园" not in {row["name"] for row in figures["by_compound"]}


def test_paul_never_meets_a_case_of_dave_company(cw, login, spread):
    client = login(cw.paul)
    for name in ("alice", "s12", "b2"):
        case = spread[name]
        assert not listed(case, shown(client, q=case.code, group="all"))
        assert client.get(reverse("cases:case", args=[case.code])).status_code == 404
    assert client.get(reverse("cases:figures")).context["totals"]["received"] == 1


def test_by_default_a_handler_sees_what_he_must_act_on_not_what_he_reported(cw, login, now_case):
    mine = now_case(title="dave-acts")
    own = now_case(category=cw.cat.public_order, title="dave-recorded", recorded_by=cw.dave)
    client = login(cw.dave)
    html = shown(client)
    assert listed(mine, html) and not listed(own, html)
    assert listed(own, shown(client, show="all"))


def test_queue_is_sorted_by_urgency(cw, login, now_case):
    now = timezone.now()
    calm = now_case(title="calm")
    soon = now_case(title="soon")
    late_reply = now_case(title="late-reply")
    overdue = now_case(title="overdue")
    Case.objects.filter(pk=calm.pk).update(resolve_due=now + dt.timedelta(days=20))
    Case.objects.filter(pk=soon.pk).update(resolve_due=now + dt.timedelta(days=2))
    Case.objects.filter(pk=late_reply.pk).update(
        reply_due=now - dt.timedelta(hours=2), resolve_due=now + dt.timedelta(days=9)
    )
    Case.objects.filter(pk=overdue.pk).update(
        reply_due=now - dt.timedelta(days=9), resolve_due=now - dt.timedelta(days=1)
    )
    html = shown(login(cw.carol))
    positions = [html.index(c.code) for c in (overdue, late_reply, soon, calm)]
    assert positions == sorted(positions)


def test_overdue_and_soon_due_are_flagged(cw, en, now_case):
    now = timezone.now()
    overdue, soon, calm = now_case(title="overdue"), now_case(title="soon"), now_case(title="calm")
    Case.objects.filter(pk=overdue.pk).update(resolve_due=now - dt.timedelta(days=10))
    Case.objects.filter(pk=soon.pk).update(resolve_due=now + dt.timedelta(hours=20))
    Case.objects.filter(pk=calm.pk).update(resolve_due=now + dt.timedelta(days=20))
    html = shown(en(cw.carol))
    rows = {c.title: html[html.index(f'value="{c.code}:') :][:2500].split("</tr>")[0] for c in (overdue, soon, calm)}
    assert "due-overdue" in rows["overdue"] and "working days overdue" in rows["overdue"]
    assert "due-soon" in rows["soon"]
    assert "due-ok" in rows["calm"] and "working days left" in rows["calm"]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"open1", "open2"}),
        ({"group": "resolved"}, {"resolved"}),
        ({"group": "closed"}, {"rejected"}),
        ({"group": "all"}, {"open1", "open2", "resolved", "rejected"}),
        ({"status": "accepted"}, {"open2"}),
        ({"overdue": "on"}, {"open1"}),
        ({"q": "second"}, {"open2"}),
    ],
)
def test_queue_filters(cw, login, now_case, params, expected):
    cases = {
        "open1": now_case(title="first open"),
        "open2": now_case(title="second open"),
        "resolved": now_case(title="done one"),
        "rejected": now_case(title="refused one"),
    }
    perform(cases["open2"], "accept", user=cw.carol)
    done = perform(cases["resolved"], "accept", user=cw.carol)
    done = perform(done, "start", user=cw.carol)
    perform(done, "resolve", user=cw.carol, note="已修好")
    perform(cases["rejected"], "reject", user=cw.carol, note="不属实")
    Case.objects.filter(pk=cases["open1"].pk).update(resolve_due=timezone.now() - dt.timedelta(days=3))
    html = shown(login(cw.carol), **params)
    assert {name for name, case in cases.items() if listed(case, html)} == expected


def test_queue_filters_by_category_compound_organisation_code_and_period(cw, login, spread):
    client = login(cw.erin)
    order, yijing = spread["order"], spread["yijing"]
    html = shown(client, category=cw.cat.public_order.pk)
    assert listed(order, html) and not listed(spread["alice"], html)
    html = shown(client, compound=cw.yijing.pk)
    assert listed(yijing, html) and not listed(order, html)
    html = shown(client, organisation=cw.company2.pk)
    assert listed(yijing, html) and not listed(spread["b2"], html)
    assert listed(order, shown(client, q=order.code[:7].lower()))
    today = timezone.localdate()
    assert listed(order, shown(client, submitted_from=today.isoformat(), submitted_to=today.isoformat()))
    assert not listed(order, shown(client, submitted_to=(today - dt.timedelta(days=1)).isoformat()))


def _choices(html, name) -> set[str]:
    """The labels of a select's options, the empty "all" choice left out."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {label.strip() for value, label in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)<', select) if value}


def test_the_filter_offers_the_organisations_and_compounds_of_each_ones_cases(cw, login, spread):
    # 颐景园's case is with dave's company (as when it served there before 颐景物业): dave can
    # still filter by 颐景园, though he no longer serves it.
    Case.objects.filter(pk=spread["yijing"].pk).update(organisation=cw.company)
    dave = shown(login(cw.dave), show="all")
    assert _choices(dave, "organisation") == {cw.company.name}
    assert _choices(dave, "compound") == {cw.fufeng.name, cw.yijing.name}
    assert _choices(shown(login(cw.paul), show="all"), "organisation") == {cw.company2.name}
    carol = _choices(shown(login(cw.carol), show="all"), "organisation")
    assert {cw.company.name, cw.association.name, cw.committee.name} <= carol
    assert cw.company2.name not in carol and cw.team.name not in carol
    assert {cw.company.name, cw.company2.name} <= _choices(shown(login(cw.erin), show="all"), "organisation")


def test_a_leader_cannot_filter_his_way_into_another_compound(cw, login, spread):
    html = shown(login(cw.bob), compound=cw.yijing.pk, show="all", group="all")
    assert not listed(spread["yijing"], html)


def test_filters_stay_in_the_pager_links(cw, login, now_case):
    for i in range(51):
        now_case(title=f"case {i}")
    html = shown(login(cw.carol), category=cw.cat.maintenance.pk)
    assert f"category={cw.cat.maintenance.pk}&amp;page=2" in html


@pytest.mark.parametrize("count", [3, 30])
def test_queue_query_count_does_not_grow_with_cases(cw, login, now_case, django_assert_max_num_queries, count):
    for i in range(count):
        case = now_case(title=f"case {i}", stairwell=cw.s11 if i % 2 else cw.s21)
        if i % 3 == 0:
            perform(case, "accept", user=cw.carol)
    client = login(cw.carol)
    with django_assert_max_num_queries(20):
        response = client.get(QUEUE)
    assert response.content.decode().count('name="case"') == count


def test_escaped_title_in_the_queue(cw, login, now_case):
    now_case(title="<script>alert(1)</script>")
    html = shown(login(cw.dave))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_check_all_on_this_page(cw, login, now_case):
    now_case()
    now_case()
    html = shown(login(cw.dave), select="all")
    assert html.count('name="case"') == 2 and html.count(" checked aria-label") == 2


@pytest.mark.parametrize("actor", ["alice", "bob"])
def test_residents_and_leaders_follow_cases_without_bulk_actions(cw, login, now_case, actor):
    case = now_case()
    html = shown(login(getattr(cw, actor)))
    assert listed(case, html) and 'name="action"' not in html


# --- bulk actions ------------------------------------------------------------------------------


def bulk(client, cases, action, **extra):
    data = {"action": action, "case": [f"{c.code}:{c.version}" for c in cases], "next": QUEUE, **extra}
    return client.post(reverse("cases:bulk"), data, follow=True)


def test_bulk_accept_reports_what_succeeded_and_what_failed(cw, en, now_case):
    fresh, taken = now_case(title="fresh"), now_case(title="taken")
    taken = perform(taken, "accept", user=cw.carol)
    html = bulk(en(cw.dave), [fresh, taken], "accept").content.decode()
    fresh.refresh_from_db()
    assert fresh.status == Status.ACCEPTED and fresh.first_receiver == cw.dave
    assert f"accept: done for 1 case ({fresh.code})" in html
    assert f"{taken.code} “taken” was not changed: A case that is accepted cannot be given the action" in html


def test_bulk_with_a_stale_row_reports_the_conflict(cw, en, now_case):
    seen = now_case(title="seen")
    perform(seen, "accept", user=cw.carol)
    html = bulk(en(cw.dave), [seen], "accept").content.decode()  # seen.version is the old one
    assert "Someone else changed this case a moment ago" in html
    seen.refresh_from_db()
    assert seen.first_receiver == cw.carol


def test_bulk_hold_needs_a_reason_per_case_and_changes_nothing_without(cw, en, now_case):
    a = perform(now_case(), "accept", user=cw.dave)
    html = bulk(en(cw.dave), [a], "hold").content.decode()
    assert "Please give a reason." in html
    a.refresh_from_db()
    assert a.status == Status.ACCEPTED
    bulk(en(cw.dave), [a], "hold", note="等待配件")
    a.refresh_from_db()
    assert a.status == Status.ON_HOLD


def test_bulk_start_and_dispatch_by_staff(cw, en, now_case):
    a = perform(now_case(), "accept", user=cw.carol)
    b = perform(now_case(), "accept", user=cw.carol)
    html = bulk(en(cw.carol), [a, b], "dispatch", organisation=cw.association.pk, note="邻里协商").content.decode()
    assert "done for 2 cases" in html
    a.refresh_from_db()
    assert a.organisation == cw.association and a.status == Status.DISPATCHED
    a.refresh_from_db()
    bulk(en(cw.carol), [a], "start")
    a.refresh_from_db()
    assert a.status == Status.IN_PROGRESS


def test_bulk_dispatch_to_an_organisation_not_serving_the_compound_fails_for_that_case(cw, en, now_case):
    a = perform(now_case(), "accept", user=cw.erin)
    html = bulk(en(cw.erin), [a], "dispatch", organisation=cw.company2.pk, note="x").content.decode()
    assert "颐景物业 does not serve this compound." in html
    a.refresh_from_db()
    assert a.organisation == cw.company


def test_bulk_cannot_touch_an_invisible_case(cw, en, now_case):
    other = now_case(compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga)
    html = bulk(en(cw.dave), [other], "accept").content.decode()
    assert "No such case among the cases you can see." in html
    other.refresh_from_db()
    assert other.status == Status.SUBMITTED


def test_bulk_without_ticked_cases_says_so(cw, en):
    html = bulk(en(cw.dave), [], "accept").content.decode()
    assert "Tick the cases first." in html


def test_bulk_goes_back_to_the_filtered_queue(cw, login, now_case):
    case = now_case()
    next_url = f"{QUEUE}?category={cw.cat.maintenance.pk}"
    response = login(cw.dave).post(
        reverse("cases:bulk"), {"action": "accept", "case": [f"{case.code}:1"], "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == next_url
    evil = login(cw.dave).post(
        reverse("cases:bulk"), {"action": "accept", "case": [case.code], "next": "https://evil.example/"}
    )
    assert evil["Location"] == QUEUE


@pytest.mark.parametrize("lang, marker", [("en", '<html lang="en">'), ("zh-hans", '<html lang="zh-Hans">')])
@pytest.mark.parametrize("name", ["cases:queue", "cases:figures", "cases:new", "cases:revisits"])
def test_pages_render_in_both_languages(cw, login, now_case, lang, marker, name):
    now_case()
    client = login(cw.carol)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert marker in response.content.decode()


def test_login_required(client):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "login" in response["Location"]
