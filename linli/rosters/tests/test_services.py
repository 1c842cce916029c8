import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.notices.models import Notification
from linli.rosters import services
from linli.rosters.models import Duty, Shift, SwapStatus
from linli.rosters.services import RosterError

pytestmark = pytest.mark.django_db


def test_overlapping_shifts_for_one_person_refused_and_nothing_changed(world, morning, late_morning):
    services.assign(user=world.carol, shift=morning, person=world.p_grace)
    with pytest.raises(RosterError) as err:
        services.assign(user=world.carol, shift=late_morning, person=world.p_grace)
    assert err.value.status_code == 409
    assert "already on duty then" in err.value.message and "东门岗" in err.value.message
    assert list(Duty.objects.values_list("shift_id", flat=True)) == [morning.pk]


def test_back_to_back_shifts_are_fine(world, post, morning):
    after = services.create_shift(
        user=world.carol, post=post, starts=morning.ends, ends=morning.ends + dt.timedelta(hours=3)
    )
    services.assign(user=world.carol, shift=morning, person=world.p_grace)
    services.assign(user=world.carol, shift=after, person=world.p_grace)
    assert Duty.objects.filter(person=world.p_grace).count() == 2


def test_database_refuses_bad_shift_and_duplicate_duty(world, post, morning, soon):
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(post=post, starts=soon, ends=soon - dt.timedelta(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(post=post, starts=soon + dt.timedelta(days=3), ends=soon + dt.timedelta(days=4), needed=0)
    Duty.objects.create(shift=morning, person=world.p_grace)
    with pytest.raises(IntegrityError), transaction.atomic():
        Duty.objects.create(shift=morning, person=world.p_grace)


def test_bad_shift_times_refused_with_a_message(world, post, soon):
    with pytest.raises(RosterError, match="must end after it starts"):
        services.create_shift(user=world.carol, post=post, starts=soon, ends=soon)
    assert not Shift.objects.exists()


def test_bulk_create_from_daily_pattern(world, post):
    pattern = [(dt.time(7), dt.time(12)), (dt.time(12), dt.time(18)), (dt.time(18), dt.time(22))]
    first = dt.date(2030, 3, 1)
    made = services.bulk_create_shifts(
        user=world.carol, post=post, first=first, last=dt.date(2030, 3, 7), pattern=pattern
    )
    assert len(made) == 21
    again = services.bulk_create_shifts(user=world.carol, post=post, first=first, last=first, pattern=pattern)
    assert again == [] and Shift.objects.filter(post=post).count() == 21
    first_shift = Shift.objects.filter(post=post).first()
    assert timezone.localtime(first_shift.starts).hour == 7 and timezone.localtime(first_shift.ends).hour == 12


def test_swap_approved_moves_the_duty_and_notifies_both(world, morning, django_capture_on_commit_callbacks):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    swap = services.request_swap(user=world.grace, duty=duty, to_person=world.p_frank, reason="家里有事")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_swap(user=world.carol, swap=swap, approve=True)
    duty.refresh_from_db()
    swap.refresh_from_db()
    assert duty.person == world.p_frank and swap.status == SwapStatus.APPROVED
    told = set(Notification.objects.filter(kind="rosters.swap").values_list("user__username", flat=True))
    assert told == {"grace", "frank"}


def test_swap_to_someone_busy_then_is_refused(world, morning, late_morning):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    services.assign(user=world.carol, shift=late_morning, person=world.p_frank)
    swap = services.request_swap(user=world.grace, duty=duty, to_person=world.p_frank)
    with pytest.raises(RosterError, match="already on duty then"):
        services.decide_swap(user=world.carol, swap=swap, approve=True)
    duty.refresh_from_db()
    swap.refresh_from_db()
    assert duty.person == world.p_grace and swap.status == SwapStatus.PENDING


def test_only_organisers_decide_swaps(world, morning):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    swap = services.request_swap(user=world.grace, duty=duty, to_person=world.p_frank)
    with pytest.raises(RosterError) as err:
        services.decide_swap(user=world.grace, swap=swap, approve=True)
    assert err.value.status_code == 403


def test_gaps_listed_and_notified_once(world, morning, post, soon, django_capture_on_commit_callbacks):
    far = services.create_shift(
        user=world.carol, post=post, starts=soon + dt.timedelta(days=5), ends=soon + dt.timedelta(days=5, hours=2)
    )
    assert list(services.gaps(world.fufeng)) == [morning]
    assert far not in services.gaps(world.fufeng)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rosters_tick")
        call_command("rosters_tick")
    told = Notification.objects.filter(kind="rosters.gap")
    assert told.filter(user=world.carol).count() == 1
    assert not told.filter(user=world.grace).exists()
    services.assign(user=world.carol, shift=far, person=world.p_grace)  # unrelated; staffed shift leaves the list
    services.assign(user=world.carol, shift=morning, person=world.p_frank)
    assert list(services.gaps(world.fufeng)) == []


def test_check_in_window_and_once(world, post, morning):
    services.assign(user=world.carol, shift=morning, person=world.p_grace)
    with pytest.raises(RosterError, match="no shift at this post now"):
        services.check_in(user=world.grace, token=post.token, now=morning.starts - dt.timedelta(minutes=16))
    with pytest.raises(RosterError, match="no shift at this post now"):
        services.check_in(user=world.frank, token=post.token, now=morning.starts)
    duty = services.check_in(user=world.grace, token=post.token, now=morning.starts - dt.timedelta(minutes=15))
    assert duty.checked_in_at == morning.starts - dt.timedelta(minutes=15)
    with pytest.raises(RosterError, match="already checked in"):
        services.check_in(user=world.grace, token=post.token, now=morning.starts)
    with pytest.raises(RosterError, match="no shift at this post now"):
        services.check_in(user=world.grace, token=post.token, now=morning.ends)
    with pytest.raises(RosterError, match="not valid"):
        services.check_in(user=world.grace, token="nope", now=morning.starts)


def test_yijing_people_cannot_see_or_run_fufeng_roster(world, post, morning):
    assert post in services.visible_posts(world.carol)
    assert not services.visible_posts(world.olga).exists()
    with pytest.raises(RosterError) as err:
        services.assign(user=world.olga, shift=morning, person=world.p_olga)
    assert err.value.status_code == 403
    with pytest.raises(RosterError):
        services.create_post(user=world.olga, compound=world.fufeng, name="北门岗")


def test_person_outside_the_area_cannot_be_assigned(world, morning):
    with pytest.raises(RosterError) as err:
        services.assign(user=world.carol, shift=morning, person=world.p_olga)
    assert err.value.status_code == 403 and not Duty.objects.exists()
