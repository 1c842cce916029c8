"""The demo cases: loaded with the demo data set at a small scale, then checked as the people
who work with them would see them."""

import datetime as dt
import io
import random
from collections import Counter
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.cases import deadlines, lifecycle
from linli.cases.access import visible_cases
from linli.cases.models import (
    FINAL,
    Case,
    Channel,
    Event,
    Mediation,
    MediationParty,
    Revisit,
    RoutingRule,
    Status,
    Support,
)
from linli.demo.activities import clear_activities
from linli.demo.case_plans import MIN_CASES
from linli.demo.cases import clear_cases, load_cases
from linli.demo.names import SEED_NAMES
from linli.demo.reach import clear_reach
from linli.people.models import LeaderAssignment, Organisation, Person, PropertyServicePeriod

from .test_demo import FAST_HASHERS, SCALE, _clear

K = Organisation.Kind


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """load_demo's report, and the moment it loaded (held still, so the load can be repeated)."""
    now = timezone.now()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        mock.patch.object(timezone, "now", return_value=now),
    ):
        out = io.StringIO()
        call_command("load_demo", scale=SCALE, seed=2021, stdout=out)
    yield out.getvalue(), now
    with django_db_blocker.unblock():
        _clear()


@pytest.fixture
def users(demo, db):
    return {u.username: u for u in User.objects.select_related("person")}


def _transitions(case):
    return list(case.events.filter(type=Event.Type.TRANSITION).order_by("at", "pk"))


def test_every_state_appears_even_at_a_small_scale(demo, db):
    report, _now = demo
    assert Case.objects.count() == MIN_CASES
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert f"  {Case._meta.verbose_name_plural}: {MIN_CASES}\n" in report


def test_cases_spread_over_the_compounds_channels_and_the_last_120_days(demo, db):
    compounds = Counter(Case.objects.values_list("compound__name", flat=True))
    assert {"富丰新城", "颐景园", "滨江一号"} <= set(compounds)
    channels = set(Case.objects.values_list("channel", flat=True))
    assert {Channel.MOBILE, Channel.POSTER} <= channels
    assert len(channels) >= 4
    oldest = Case.objects.order_by("submitted_at").first().submitted_at
    assert timezone.now() - dt.timedelta(days=121) < oldest < timezone.now() - dt.timedelta(days=20)
    # Titles and descriptions are filled in: no placeholder is left.
    for title, description in Case.objects.values_list("title", "description"):
        assert "{" not in title + description


def test_each_history_is_a_chain_of_real_transitions(demo, db):
    for case in Case.objects.all():
        steps = _transitions(case)
        assert steps[0].action == "submit" and steps[0].at == case.submitted_at
        for before, after in zip(steps, steps[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.at >= before.at
        assert steps[-1].to_status == case.status
        assert case.events.filter(at__lt=case.submitted_at).count() == 0


def test_deadlines_are_working_days_from_the_day_of_submission(demo, db):
    """Cases never held nor reopened keep the deadlines submit() computed from their own day."""
    plain = Case.objects.exclude(events__action__in=["hold", "reopen"])
    assert plain.count() > MIN_CASES / 2
    for case in plain:
        assert (case.reply_due, case.resolve_due) == deadlines.dues(case.submitted_at, case.kind)


def test_every_resolved_or_closed_case_has_a_public_reply(demo, db):
    answered = Case.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    assert answered.exists()
    for case in answered:
        assert case.events.filter(type=Event.Type.REPLY, public=True).exists(), case.code
        assert case.first_reply_at is not None and case.resolved_at is not None


def test_closed_cases_are_rated_or_closed_by_the_system(demo, db):
    closed = Case.objects.filter(status=Status.CLOSED)
    ratings = list(closed.exclude(rating=None).values_list("rating", "rating_comment"))
    assert ratings and all(1 <= stars <= 5 for stars, _comment in ratings)
    assert any(stars >= 4 for stars, _comment in ratings)
    assert all(comment for stars, comment in ratings if stars <= 2)  # a low rating says why
    by_system = Event.objects.filter(action="close", actor=None, case__rating=None, case__in=closed)
    assert by_system.exists()


def test_rejected_returned_and_held_cases_say_why(demo, db):
    for action in ("reject", "return", "hold"):
        events = Event.objects.filter(type=Event.Type.TRANSITION, action=action)
        assert events.exists(), action
        assert all(e.note for e in events)


def test_merged_cases_point_to_an_open_original_in_the_same_stairwell(demo, db):
    merged = Case.objects.filter(status=Status.MERGED).select_related("merged_into")
    assert merged.exists()
    for case in merged:
        original = case.merged_into
        assert original.status not in FINAL
        assert (original.compound_id, original.category_id) == (case.compound_id, case.category_id)
        assert original.stairwell_id == case.stairwell_id and original.building_id == case.building_id
        assert original.submitted_at < case.submitted_at
        assert original.events.filter(type=Event.Type.SUPPORT, action="merge").exists()


def test_no_case_goes_to_another_compounds_organisation(demo, db):
    served = set(PropertyServicePeriod.objects.active().values_list("company_id", "compound_id"))
    for case in Case.objects.select_related("organisation"):
        org = case.organisation
        assert org is not None
        if org.kind == K.PROPERTY_COMPANY:
            assert (org.pk, case.compound_id) in served
        elif org.compound_id is not None:
            assert org.compound_id == case.compound_id
        elif org.community_id is not None:
            assert org.community_id == case.community_id
        else:
            assert org.kind == K.DEPARTMENT
    assert RoutingRule.objects.exists()


def test_disputes_are_mediated_between_two_parties(demo, db):
    _report, now = demo
    mediations = Mediation.objects.select_related("case")
    assert mediations.exists()
    for m in mediations:
        assert m.case.category.is_dispute or m.case.kind == "dispute"
        assert {"a", "b"} <= set(m.parties.values_list("side", flat=True))
        assert m.sessions.exists() and m.sessions.earliest("held_at").held_at >= m.case.submitted_at
        assert m.outcome != Mediation.Outcome.AGREED or (m.agreement and m.case.resolved_at)
    # Every step of the mediation is in the case's history at the moment it happened.
    logged = Event.objects.filter(action="mediation")
    assert logged.exists() and all(e.at <= now for e in logged)


def test_overdue_cases_are_escalated_and_revisits_wait_for_workers(demo, db):
    now = timezone.now()
    assert Case.objects.overdue(now).filter(escalation__gte=1).exists()
    assert Event.objects.filter(type=Event.Type.ESCALATE).exists()
    assert Revisit.objects.filter(done_at=None).exists()
    assert Revisit.objects.exclude(done_at=None).exists()
    assert Case.objects.filter(supporters__gt=0).exists()
    assert Case.objects.filter(category__is_dispute=True).exists()


def test_demo_resident_has_two_cases_one_awaiting_his_rating(users):
    mine = Case.objects.filter(reporter=users["resident"].person)
    assert sorted(mine.values_list("status", flat=True)) == [Status.IN_PROGRESS, Status.RESOLVED]
    resolved = mine.get(status=Status.RESOLVED)
    assert resolved.rating is None and resolved.events.filter(type=Event.Type.REPLY).exists()
    assert set(visible_cases(users["resident"])) == set(mine)


def test_demo_clerk_has_new_cases_of_his_company_to_accept(users):
    clerk = users["property"]
    new = visible_cases(clerk).filter(status=Status.SUBMITTED)
    assert new.count() >= 3
    assert set(new.values_list("compound__name", flat=True)) == {"富丰新城"}
    assert all("accept" in lifecycle.available(case, clerk) for case in new)
    companies = set(visible_cases(clerk).values_list("organisation__kind", flat=True))
    assert companies == {K.PROPERTY_COMPANY}


def test_demo_worker_has_overdue_cases_returned_cases_and_revisits(users):
    worker = users["worker"]
    mine = visible_cases(worker)
    assert set(mine.values_list("community__name", flat=True)) == {"大新社区"}
    assert mine.overdue(timezone.now()).count() >= 2
    assert mine.filter(status=Status.RETURNED).exists()
    assert Revisit.objects.filter(done_at=None, case__in=mine).count() >= 2


def test_demo_leader_sees_cases_of_his_building(users):
    leader = users["leader"]
    buildings = set(LeaderAssignment.objects.filter(person=leader.person).values_list("building_id", flat=True))
    mine = visible_cases(leader).filter(building__in=buildings)
    assert mine.count() >= 3
    assert mine.filter(recorded_by=leader, channel=Channel.MEETING).exists()


def test_handlers_get_logins_only_where_none_exists(users):
    handlers = User.objects.filter(username__regex=r"^(clerk|worker|assoc|group|dept|owners)-")
    assert handlers.exists()
    assert all(u.person_id for u in handlers)
    # The demo clerk and worker handle their organisations' cases: no second login for them.
    assert User.objects.filter(person=users["property"].person).count() == 1
    assert Event.objects.filter(actor=users["property"]).exists()
    assert Event.objects.filter(actor=users["worker"]).exists()


def test_people_the_seeds_name_never_report_support_or_quarrel(demo, db):
    named = Person.objects.filter(name__in=SEED_NAMES)
    assert named.exists()
    assert not Case.objects.filter(reporter__in=named).exists()
    assert not Support.objects.filter(person__in=named).exists()
    assert not MediationParty.objects.filter(person__in=named).exists()


def test_same_seed_and_moment_give_the_same_cases(demo, db):
    """The cases load_demo made, made again from the same seed at the same moment."""
    _report, now = demo

    def cases():
        rows = Case.objects.order_by("submitted_at").values_list("code", "title", "status", "reporter_id", "rating")
        events = Event.objects.order_by("at", "pk").values_list("case__code", "action", "at", "note", "actor_label")
        return list(rows), list(events)

    first = cases()
    clear_activities()  # patrol findings and the activities' hours point to cases and handlers
    clear_reach()
    clear_cases()
    counts = load_cases(rng=random.Random(2021), now=now, scale=SCALE)
    assert cases() == first
    assert _("case steps skipped") not in counts
    assert all(at <= now for _code, _action, at, _note, _by in first[1])
