"""A leader or the publisher marks a home told in person (door to door): it counts as reached,
shown apart from the homes that read it, and only who marked it can undo it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.notices import announcements as ann
from linli.notices.models import HomeToldInPerson

API = "/api/v1/notices"


@pytest.fixture
def posted(cw, committed):
    """carol (community worker) tells all of 富丰新城 about a fire drill."""
    with committed():
        return ann.publish(user=cw.carol, level="compound", place=cw.fufeng, title="消防演练", body="周五消防演练。")


def unreached(reach):
    return {str(row.stairwell): [h.number for h in row.unread_homes] for row in reach.stairwells}


def test_a_home_told_in_person_counts_as_reached_apart_from_those_that_read(cw, posted, login):
    login(cw.alice).get(f"/notices/announcements/{posted.pk}/")  # 1单元 101 reads it
    ann.mark_told(user=cw.bob, announcement=posted, home=cw.h102)
    reach = ann.reach(posted, cw.carol)
    assert (reach.total, reach.read, reach.told, reach.reached, reach.percent) == (5, 1, 1, 2, 40)
    assert unreached(reach) == {
        "富丰新城 1栋 1单元": ["201"],
        "富丰新城 1栋 2单元": ["101"],
        "富丰新城 2栋 1单元": ["101"],
    }
    ((home, mark),) = reach.stairwells[0].told_homes
    assert (home, mark.by_label) == (cw.h102, "沈霞")

    # Someone at 102 reads it later: read, not also told (no home counted twice).
    from linli.conftest import _user

    _user("neighbour", cw.p_neighbour)
    from django.contrib.auth import get_user_model

    login(get_user_model().objects.get(username="neighbour")).get(f"/notices/announcements/{posted.pk}/")
    reach = ann.reach(posted, cw.carol)
    assert (reach.read, reach.told, reach.reached) == (2, 0, 2)


def test_a_leader_marks_only_the_homes_in_his_buildings(cw, posted):
    assert set(ann.markable_homes(cw.bob, posted)) == {cw.h101, cw.h102, cw.h201, cw.h_s12}
    with pytest.raises(PermissionDenied):
        ann.mark_told(user=cw.bob, announcement=posted, home=cw.h_b2)
    with pytest.raises(PermissionDenied):
        ann.mark_told(user=cw.dave, announcement=posted, home=cw.h101)  # may publish there, did not
    ann.mark_told(user=cw.carol, announcement=posted, home=cw.h_b2)  # the publisher: any home of it
    assert HomeToldInPerson.objects.count() == 1


def test_the_leader_sees_his_own_buildings_reach_of_an_announcement_to_the_compound(cw, posted, login):
    assert not ann.may_publish(cw.bob, "compound", cw.fufeng)
    reach = ann.reach(posted, cw.bob)
    assert reach.total == 4 and "富丰新城 2栋 1单元" not in unreached(reach)
    client = login(cw.bob)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(f"/notices/announcements/{posted.pk}/reach/").content.decode()
    assert f'action="/notices/announcements/{posted.pk}/reach/homes/{cw.h102.pk}/told/"' in html


def test_marking_twice_and_undoing_someone_elses_mark_are_refused(cw, posted):
    ann.mark_told(user=cw.bob, announcement=posted, home=cw.h102)
    with pytest.raises(ValidationError) as err:
        ann.mark_told(user=cw.carol, announcement=posted, home=cw.h102)
    assert "沈霞" in err.value.messages[0]
    with pytest.raises(PermissionDenied):
        ann.unmark_told(user=cw.carol, announcement=posted, home=cw.h102)
    ann.unmark_told(user=cw.bob, announcement=posted, home=cw.h102)
    assert not HomeToldInPerson.objects.exists()


def test_marking_and_undoing_on_the_reach_page(cw, posted, login):
    client = login(cw.bob)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    reach_url = f"/notices/announcements/{posted.pk}/reach/"
    response = client.post(f"/notices/announcements/{posted.pk}/reach/homes/{cw.h102.pk}/told/")
    assert response.status_code == 302 and response["Location"] == reach_url
    html = client.get(reach_url).content.decode()
    assert "102: told in person by 沈霞" in html and f"/reach/homes/{cw.h102.pk}/untold/" in html
    carol = login(cw.carol)
    carol.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = carol.get(reach_url).content.decode()
    assert "102: told in person by 沈霞" in html and "/untold/" not in html  # only bob may undo
    carol.post(f"/notices/announcements/{posted.pk}/reach/homes/{cw.h102.pk}/untold/")
    assert HomeToldInPerson.objects.count() == 1
    login(cw.bob).post(f"/notices/announcements/{posted.pk}/reach/homes/{cw.h102.pk}/untold/")
    assert not HomeToldInPerson.objects.exists()


def test_outsiders_cannot_mark(cw, posted, login):
    url = f"/notices/announcements/{posted.pk}/reach/homes/{cw.h102.pk}/told/"
    assert login(cw.alice).post(url).status_code == 404  # a resident: no reach report
    assert login(cw.olga).post(url).status_code == 404
    assert login(cw.bob).post(f"/notices/announcements/{posted.pk}/reach/homes/{cw.h_yj.pk}/told/").status_code == 404
    assert login(cw.bob).get(url).status_code == 405
    assert not HomeToldInPerson.objects.exists()


def test_told_in_person_over_the_api(cw, posted, client):
    from linli.accounts.models import ApiToken

    _, key = ApiToken.issue(user=cw.bob, name="phone")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    url = f"{API}/announcements/{posted.pk}/reach/homes/{cw.h102.pk}/told"
    response = client.post(url)
    assert response.status_code == 201 and response.json()["by"] == "沈霞"
    assert client.post(url).status_code == 422
    reach = client.get(f"{API}/announcements/{posted.pk}/reach").json()
    assert (reach["homes"], reach["read"], reach["told_in_person"], reach["reached"]) == (4, 0, 1, 1)
    assert reach["stairwells"][0]["told_in_person"][0]["home"] == "102"
    assert client.post(f"{API}/announcements/{posted.pk}/reach/homes/{cw.h_b2.pk}/told").status_code == 404
    assert client.delete(url).status_code == 204
    assert not HomeToldInPerson.objects.exists()


def test_the_reach_report_costs_the_same_however_many_homes_were_told(cw, posted, client, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.accounts.models import ApiToken

    _, key = ApiToken.issue(user=cw.bob, name="phone")
    api = f"{API}/announcements/{posted.pk}/reach"
    page = f"/notices/announcements/{posted.pk}/reach/"
    ann.mark_told(user=cw.bob, announcement=posted, home=cw.h101)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(api, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
            login(cw.bob)
            assert client.get(page).status_code == 200
        return len(queries)

    cost()  # warm: the first request fills caches
    few = cost()
    for home in (cw.h102, cw.h201, cw.h_s12):
        ann.mark_told(user=cw.bob, announcement=posted, home=home)
    assert cost() == few
