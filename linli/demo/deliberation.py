"""Demo meetings, resolutions and conventions after the seeds: a stairwell tea party at 富丰新城
where the property manager faced residents about the elevator's noise (its minutes approved,
its resolutions followed up), a three-party joint meeting coming up, a deliberation hall at
颐景园's 同心阁 that adopted the civilised pet-keeping convention."""

from __future__ import annotations

import datetime as dt

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.conventions import services as conventions
from linli.meetings import services as meetings
from linli.meetings.models import Meeting
from linli.people.models import Organisation
from linli.places.models import Compound, Venue
from linli.resolutions import services as resolutions


def load_deliberation(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    users = {u.username: u for u in User.objects.filter(username__in=["worker", "admin", "property"])}
    worker, admin = users.get("worker"), users.get("admin")
    compounds = {c.name: c for c in Compound.objects.select_related("community")}
    orgs = {o.name: o for o in Organisation.objects.all()}
    counts = {"meetings": 0, "resolutions": 0, "conventions": 0}
    if worker is None or admin is None:
        return {}
    with disable_auditlog(), transaction.atomic():
        # Past meetings must not notify anybody now: drop what they queue for after the commit.
        queued = len(transaction.get_connection().run_on_commit)
        fufeng = compounds.get("富丰新城")
        committee = orgs.get("大新社区居委会")
        company = orgs.get("富丰新城物业服务中心")
        if fufeng and committee and company:
            building = fufeng.buildings.order_by("sort_key").first()
            start = (now - dt.timedelta(days=20)).replace(hour=19, minute=30, second=0, microsecond=0)
            tea = meetings.plan(
                user=worker, kind=Meeting.Kind.TEA_PARTY, title=f"{building.name}楼道茶话会：电梯夜间噪音",
                organiser=committee, building=building, starts=start, ends=start + dt.timedelta(hours=1, minutes=30),
                location=f"{building.name}1单元大堂", description="物业经理与住户面对面，听取意见。",
            )  # fmt: skip
            meetings.invite(meeting=tea, roles=["leaders", "property", "residents"])
            noise = meetings.add_agenda_item(meeting=tea, title="电梯夜间运行噪音")
            clutter = meetings.add_agenda_item(meeting=tea, title="楼道堆放杂物")
            meetings.write_minutes(
                meeting=tea, user=worker, summary="到会住户23人，物业经理1人，楼长2人。",
                items={
                    noise.pk: {
                        "summary": "多户反映夜间电梯运行噪音影响休息。",
                        "positions": "物业：曳引机减震垫老化，同意更换。",
                        "decision": "物业两周内更换减震垫，完工后回访。",
                    },
                    clutter.pk: {
                        "summary": "部分楼层堆放纸箱、旧家具。",
                        "positions": "住户同意自行清理，楼长督促。",
                        "decision": "一周内清理完毕，志愿者协助。",
                    },
                },
            )  # fmt: skip
            meetings.approve_minutes(meeting=tea, user=worker, now=start + dt.timedelta(days=1))
            first = resolutions.create(
                user=worker, meeting=tea, agenda_item=noise, title="更换电梯曳引机减震垫", owner=company,
                due=(now + dt.timedelta(days=4)).date(), now=start,
            )  # fmt: skip
            resolutions.report(resolution=first, user=worker, percent=60, text="减震垫已到货，已更换2台中的1台。",
                               now=now - dt.timedelta(days=3))  # fmt: skip
            second = resolutions.create(
                user=worker, meeting=tea, agenda_item=clutter, title="清理楼道堆放杂物", owner=committee,
                due=(now - dt.timedelta(days=10)).date(), now=start,
            )  # fmt: skip
            resolutions.report(resolution=second, user=worker, percent=100, text="各楼层杂物已清理，志愿者协助搬运。",
                               now=now - dt.timedelta(days=12))  # fmt: skip
            counts["meetings"] += 1
            counts["resolutions"] += 2
            conventions.adopt(
                user=worker, title="富丰新城居民公约", kind="residents", compound=fufeng, meeting=tea,
                text="一、邻里互助，和睦相处。\n二、楼道不堆放杂物。\n三、电动车不进楼道、不入户充电。\n四、文明养宠，遛狗拴绳。",
            )  # fmt: skip
            counts["conventions"] += 1

            soon = (now + dt.timedelta(days=7)).replace(hour=15, minute=0, second=0, microsecond=0)
            joint = meetings.plan(
                user=worker, kind=Meeting.Kind.JOINT, title="三方联席会议：电动车集中充电区", organiser=committee,
                compound=fufeng, starts=soon, ends=soon + dt.timedelta(hours=2), location="大新社区居委会会议室",
            )  # fmt: skip
            meetings.invite(meeting=joint, roles=["property", "owners_committee", "association", "party"])
            meetings.add_agenda_item(meeting=joint, title="地面停车场东侧划设电动车集中充电区")
            counts["meetings"] += 1

        yijing = compounds.get("颐景园")
        hall_venue = Venue.objects.filter(compound=yijing, name="同心阁").first() if yijing else None
        yi_committee = orgs.get("翠颐社区居委会")
        if yijing and hall_venue and yi_committee:
            start = (now - dt.timedelta(days=60)).replace(hour=19, minute=0, second=0, microsecond=0)
            hall = meetings.plan(
                user=admin, kind=Meeting.Kind.HALL, title="居民议事厅：文明养宠", organiser=yi_committee,
                compound=yijing, starts=start, ends=start + dt.timedelta(hours=2), venue=hall_venue,
            )  # fmt: skip
            item = meetings.add_agenda_item(meeting=hall, title="制定颐景园文明养宠公约")
            meetings.write_minutes(
                meeting=hall, user=admin, summary="到会居民31人，养宠志愿队5人。",
                items={
                    item.pk: {
                        "summary": "讨论遛狗拴绳、粪便清理、电梯内抱犬。",
                        "positions": "多数赞成，少数担心执行。",
                        "decision": "通过公约，由文明养宠志愿队宣传劝导。",
                    }
                },
            )  # fmt: skip
            meetings.approve_minutes(meeting=hall, user=admin, now=start + dt.timedelta(days=2))
            conventions.adopt(
                user=admin, title="颐景园文明养宠公约", kind="pets", compound=yijing, meeting=hall,
                text="一、出门遛狗拴绳，主动避让老人和儿童。\n二、及时清理宠物粪便。\n三、乘坐电梯时抱起或收紧牵引绳。\n四、按规定为犬只办证、免疫。",
            )  # fmt: skip
            counts["meetings"] += 1
            counts["conventions"] += 1
        del transaction.get_connection().run_on_commit[queued:]
    return {_("meetings"): counts["meetings"], _("resolutions"): counts["resolutions"],
            _("conventions"): counts["conventions"]}  # fmt: skip


def clear_deliberation() -> None:
    """Remove the demo meetings, resolutions and conventions (tests: raw deletes, children first)."""
    from linli.conventions.models import Convention, Version
    from linli.meetings.models import (
        AgendaItem,
        Attendance,
        Booking,
        Invitation,
        Minutes,
        MinutesItem,
        MinutesVersion,
        OpeningHours,
    )  # fmt: skip
    from linli.resolutions.models import Progress, Resolution

    for model in (Version, Convention, Progress, Resolution, MinutesVersion, MinutesItem, Minutes, Attendance,
                  Invitation, AgendaItem, Meeting, Booking, OpeningHours):  # fmt: skip
        model.objects.all()._raw_delete("default")
