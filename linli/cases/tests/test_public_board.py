"""The compound's public board: open and recently resolved cases, no names or homes unless the
resident agreed, never phones or internal notes, everything escaped, constant queries."""

import datetime as dt

from django.utils import timezone, translation

from linli.cases import services
from linli.cases.models import Case
from linli.lib.images import clean_photo

from .test_public_pages import _fresh_limits, english, photo_upload, resolve, submit  # noqa: F401


def board(client, cw, query=""):
    response = client.get(f"/r/board/{cw.fufeng.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_lists_open_and_recently_resolved_cases_of_the_compound(cw, client):
    open_case, _ = submit(cw, title="楼道灯坏了")
    done, _ = submit(cw, title="水管漏水")
    resolve(cw, done)
    old, _ = submit(cw, title="去年的事")
    resolve(cw, old)
    Case.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - dt.timedelta(days=31))
    submit(cw, title="不公开的事", on_public_board=False)
    submit(cw, compound=cw.yijing, stairwell=cw.ys, title="别的小区")

    html = board(client, cw)
    assert "楼道灯坏了" in html and "水管漏水" in html
    assert "去年的事" not in html and "不公开的事" not in html and "别的小区" not in html

    assert "水管漏水" not in board(client, cw, "?status=open")
    only_resolved = board(client, cw, "?status=resolved")
    assert "水管漏水" in only_resolved and "楼道灯坏了" not in only_resolved


def test_the_board_filters_by_category(cw, client):
    submit(cw, title="楼道灯坏了")
    submit(cw, title="半夜装修", category=cw.cat.noise)
    html = board(client, cw, "?category=noise")
    assert "半夜装修" in html and "楼道灯坏了" not in html


def test_the_board_shows_the_months_figures(cw, client):
    done, _ = submit(cw)
    resolve(cw, done)
    services.rate(case=done, stars=4, as_reporter=True)
    submit(cw)
    with translation.override("en"):
        html = board(english(client), cw)
    assert "Received this month" in html
    assert "<dd>2</dd>" in html and "<dd>1</dd>" in html and "4.0 / 5" in html


def test_names_homes_and_phones_stay_off_the_board_without_consent(cw, client):
    case, _ = submit(cw, reporter=cw.p_alice, home=cw.h101, reporter_name="", reporter_phone="", location="3楼楼梯口")
    services.reply(case=case, user=cw.dave, text="收到")
    for html in (board(client, cw), client.get(f"/r/board/{cw.fufeng.pk}/{case.code}/").content.decode()):
        assert "李爱丽" not in html
        assert "13800000001" not in html and "0001" not in html
        assert "1单元" not in html and "· 101" not in html and "3楼楼梯口" not in html
        assert "1栋" in html


def test_names_and_homes_are_shown_when_the_resident_agreed(cw, client):
    case, _ = submit(cw, reporter=cw.p_alice, home=cw.h101, reporter_name="", reporter_phone="", public_details=True)
    html = client.get(f"/r/board/{cw.fufeng.pk}/{case.code}/").content.decode()
    assert "李爱丽 · 101" in html and "1单元" in html
    assert "13800000001" not in html  # never the phone
    assert "1栋 1单元" in board(client, cw)


def test_internal_notes_never_reach_the_board(cw, client):
    case, _ = submit(cw)
    services.add_note(case=case, user=cw.dave, text="内部备注：业主难沟通")
    services.reply(case=case, user=cw.dave, text="已安排维修")
    html = client.get(f"/r/board/{cw.fufeng.pk}/{case.code}/").content.decode()
    assert "已安排维修" in html and "内部备注" not in html


def test_scripts_are_escaped_everywhere(cw, client):
    case, _ = submit(cw, title="<script>alert('t')</script>", description="<img src=x onerror=alert(1)>")
    services.reply(case=case, user=cw.dave, text="<script>alert('r')</script>")
    for html in (board(client, cw), client.get(f"/r/board/{cw.fufeng.pk}/{case.code}/").content.decode()):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_a_private_case_is_not_on_the_board_even_by_its_code(cw, client):
    case, _ = submit(cw, on_public_board=False)
    assert client.get(f"/r/board/{cw.fufeng.pk}/{case.code}/").status_code == 404
    public, _ = submit(cw)
    assert client.get(f"/r/board/{cw.yijing.pk}/{public.code}/").status_code == 404  # another compound


def test_reply_photos_are_public_and_the_residents_own_only_with_consent(cw, client):
    case, _ = submit(cw, photos=[clean_photo(photo_upload())])
    services.reply(case=case, user=cw.dave, text="修好了", photos=[clean_photo(photo_upload())])
    own, reply = case.photos.order_by("pk")
    base = f"/r/board/{cw.fufeng.pk}/{case.code}/photo/"
    assert client.get(f"{base}{reply.pk}/").status_code == 200
    assert client.get(f"{base}{own.pk}/").status_code == 404
    html = client.get(f"/r/board/{cw.fufeng.pk}/{case.code}/").content.decode()
    assert f"{base}{reply.pk}/" in html and f"{base}{own.pk}/" not in html
    Case.objects.filter(pk=case.pk).update(public_details=True)
    assert client.get(f"{base}{own.pk}/").status_code == 200


def test_the_board_shows_replies_and_supporters(cw, client):
    case, _ = submit(cw, title="灯坏了")
    services.reply(case=case, user=cw.dave, text="一")
    services.reply(case=case, user=cw.dave, text="二")
    services.support(case=case, person=cw.p_neighbour)
    with translation.override("en"):
        html = board(english(client), cw)
    row = html.split("灯坏了")[1].split("</tr>")[0]
    assert 'data-label="Replies">2</td>' in row and 'data-label="Supporters">1</td>' in row


def test_the_board_pages_by_twenty(cw, client):
    for i in range(21):
        submit(cw, title=f"第{i}号")
    html = board(client, cw)
    assert "第20号" in html and "第0号" not in html and 'rel="next"' in html
    assert "第0号" in board(client, cw, "?page=2")


def _many(cw, n):
    for i in range(n):
        case, _ = submit(
            cw,
            title=f"事{i}",
            category=[cw.cat.maintenance, cw.cat.elevator, cw.cat.parking][i % 3],
            stairwell=[cw.s11, cw.s12, cw.s21][i % 3],
            public_details=bool(i % 2),
        )
        services.reply(case=case, user=cw.dave, text="收到")
        if i % 4 == 0:
            resolve(cw, case)


def test_the_board_costs_the_same_queries_for_3_or_30_cases(cw, client, django_assert_max_num_queries):
    _many(cw, 3)
    with django_assert_max_num_queries(6):
        board(client, cw)
    Case.objects.all().delete()
    _many(cw, 30)
    with django_assert_max_num_queries(6):
        board(client, cw)


def test_a_case_page_on_the_board_costs_the_same_queries_for_few_or_many_events(
    cw, client, django_assert_max_num_queries
):
    case, _ = submit(cw)
    services.reply(case=case, user=cw.dave, text="一", photos=[clean_photo(photo_upload())])
    with django_assert_max_num_queries(5):
        client.get(f"/r/board/{cw.fufeng.pk}/{case.code}/")
    for i in range(15):
        services.reply(case=case, user=cw.dave, text=f"回复{i}", photos=[clean_photo(photo_upload())])
    with django_assert_max_num_queries(5):
        client.get(f"/r/board/{cw.fufeng.pk}/{case.code}/")
