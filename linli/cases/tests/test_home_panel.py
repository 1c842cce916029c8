"""The home page shows a resident his own requests and a handler what waits for him."""

import datetime as dt

from django.urls import reverse
from django.utils import translation

from linli.cases import lifecycle

from .conftest import MONDAY


def test_resident_sees_his_requests_on_his_home_page(cw, new_case, login):
    new_case(title="电梯经常停运")
    new_case(reporter=cw.p_neighbour, title="别人的事")
    with translation.override("en"):
        page = login(cw.alice).get(reverse("accounts:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "电梯经常停运" in page and "别人的事" not in page
    assert "Cases to act on" not in page


def test_clerk_sees_how_many_cases_wait_and_how_many_are_late(cw, new_case, now_case, login):
    now_case()  # new and not yet due: the panel counts against the real clock
    old = MONDAY - dt.timedelta(days=60)
    lifecycle.perform(new_case(title="第二件", now=old), "accept", user=cw.dave, now=old)
    page = login(cw.dave).get(reverse("accounts:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("cases:queue") in page
    assert "2 open cases" in page and "1 new" in page and "1 overdue" in page
    other = login(cw.paul).get(reverse("accounts:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 open cases" in other
