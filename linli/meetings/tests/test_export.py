"""A meeting's invitations as Excel: who is invited, the reply and attendance as on the replies
page (its reply filter kept, names outside the organiser's reach masked), for organisers only."""

from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.lib.tests.xlsx_support import last_export, rows
from linli.meetings import services
from linli.meetings.models import Invitation

from .test_pages import en, meeting, url, venue  # noqa: F401 (fixtures)


def test_the_invitations_export_holds_the_replies_page_masked_as_on_it(world, meeting, en):  # noqa: F811
    services.invite(meeting=meeting, people=[world.p_alice, world.p_neighbour])
    services.reply(meeting=meeting, user=world.alice, answer=Invitation.Reply.YES)
    services.mark_attended(meeting=meeting, person=world.p_alice, user=world.carol)
    client = en(world.carol)
    page = client.get(url(meeting, "people/")).content.decode()
    assert f'href="/meetings/{meeting.code}/people.xlsx"' in page
    lines = rows(client.get(url(meeting, "people.xlsx")))
    assert lines[0] == ("Name", "Invited as", "Reply", "Present")
    assert lines[1:] == [
        ("物**", "the property company", "no reply yet", None),  # outside carol's reach: masked, as on the page
        ("李爱丽", None, "will come", "marked by the organiser"),
        ("王邻", None, "no reply yet", None),
    ]
    assert "物**" in page and "物业戊" not in page
    entry = last_export("meeting_invitations")
    assert entry.actor == world.carol and entry.additional_data["filters"] == {"meeting": meeting.code}

    coming = rows(client.get(url(meeting, "people.xlsx"), {"reply": "yes"}))
    assert [line[0] for line in coming[1:]] == ["李爱丽"]
    assert last_export("meeting_invitations").additional_data["filters"] == {"reply": "yes", "meeting": meeting.code}


def test_no_invitations_file_for_those_who_do_not_organise_the_meeting(world, meeting, en):  # noqa: F811
    for user in (world.dave, world.alice, world.olga):
        assert en(user).get(url(meeting, "people.xlsx")).status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_invitations_export_costs_the_same_queries_for_many_invited(world, meeting, en):  # noqa: F811
    client = en(world.carol)
    with CaptureQueriesContext(connection) as few:
        assert len(rows(client.get(url(meeting, "people.xlsx")))) == 2
    services.invite(meeting=meeting, roles=["residents", "leaders", "association"])
    services.mark_attended(meeting=meeting, person=world.p_alice, user=world.carol)
    with CaptureQueriesContext(connection) as many:
        assert len(rows(client.get(url(meeting, "people.xlsx")))) == 7
    assert len(many) <= len(few)
