"""Demo votes, after the seeds: 46号楼's elevator consent (it took four years; passed), 平南's
renovation (passed with 99.88% in the seeds), an owners' assembly of 富丰新城 in progress that
the demo resident can vote in, and 颐景园's owners' committee election, announced.

Ballots of the past are written in bulk (they would take minutes one by one); the count is
then made by services.close, exactly as for a real vote."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.places.models import Compound
from linli.votes import defaults, services
from linli.votes.models import ALPHABET, Ballot, BallotRecord, Elector, Item, Matter, RuleSet, Vote


def _code(rng: random.Random, n: int = 10) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def _ballots(vote: Vote, electors, choose, *, rng: random.Random, at: dt.datetime) -> int:
    """Cast `choose(elector)` (a choices dict, or None for no ballot) for each elector, in bulk."""
    ballots, records = [], []
    for i, e in enumerate(electors):
        choices = choose(e)
        if choices is None or e.voter_id is None:
            continue
        receipt = _code(rng)
        cast_at = at + dt.timedelta(minutes=i)
        ballots.append(
            Ballot(
                vote=vote,
                elector=e,
                home_id=e.home_id,
                choices=choices,
                channel=rng.choice(["online"] * 3 + ["paper"]),
                voter_id=e.voter_id,
                receipt=receipt,
                cast_at=cast_at,
            )
        )
        records.append(
            BallotRecord(
                vote=vote,
                elector=e,
                choices=choices,
                channel=ballots[-1].channel,
                voter_id=e.voter_id,
                receipt=receipt,
                cast_at=cast_at,
            )
        )
    Ballot.objects.bulk_create(ballots, batch_size=1000)
    BallotRecord.objects.bulk_create(records, batch_size=1000)
    return len(ballots)


def _new(compound, title, opens, closes, *, worker, kind=RuleSet.Kind.ASSEMBLY, stairwell=None, description=""):
    return services.create_vote(
        user=worker,
        compound=compound,
        building=stairwell.building if stairwell else None,
        stairwell=stairwell,
        title=title,
        description=description,
        opens_at=opens,
        closes_at=closes,
        kind=kind,
    )


def _fill_missing_areas(vote: Vote, *, rng: random.Random, worker, at) -> None:
    """Homes whose area is not yet known get one from the survey, logged as an objection would be."""
    for e in vote.electorate.filter(area__isnull=True):
        area = f"{rng.randint(60, 140)}.{rng.randint(0, 99):02d}"
        services.correct(elector=e, user=worker, field="area", value=area, reason="按测绘报告补录面积", now=at)


def load_votes(*, rng: random.Random, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    defaults.ensure()
    compounds = {c.name: c for c in Compound.objects.all()}
    users = {u.username: u for u in User.objects.filter(username__in=["worker", "resident", "owners"])}
    worker = users.get("worker")
    counts = {"votes": 0, "ballots": 0}
    with disable_auditlog(), transaction.atomic():
        # Votes of the past must not notify anybody now: drop what they queue for after the
        # commit (the vote in progress told its owners when it opened, as far as the demo goes).
        queued = len(transaction.get_connection().run_on_commit)
        building46 = compounds.get("46号楼")
        if building46:
            stairwell = building46.buildings.first().stairwells.first()
            start = now - dt.timedelta(days=420)
            vote = _new(
                building46,
                "46号楼加装电梯业主意见征询",
                start + dt.timedelta(days=16),
                start + dt.timedelta(days=30),
                worker=worker,
                kind=RuleSet.Kind.ELEVATOR,
                stairwell=stairwell,
                description="方案与费用分摊表张贴于单元大堂。一楼两户已签补偿协议。",
            )
            services.add_matter(vote=vote, title="同意在46号楼加装电梯（方案及费用分摊见附件）", item=Item.REBUILD)
            vote = services.announce(vote=vote, user=worker, now=start)
            for e in vote.electorate.filter(affected=True):
                services.correct(
                    elector=e,
                    user=worker,
                    field="compensation_agreed",
                    value=True,
                    reason="一楼补偿协议已签订",
                    now=start,
                )
            _fill_missing_areas(vote, rng=rng, worker=worker, at=vote.announced_at)
            services.open_vote(vote=vote, now=vote.opens_at)
            m = str(vote.matters.get().pk)
            electors = list(vote.electorate.select_related("home").order_by("home__floor", "home__number"))
            counts["ballots"] += _ballots(
                vote,
                electors,
                lambda e: {m: "no" if e.home.floor == 2 and e.home.number.endswith("1") else "yes"},
                rng=rng,
                at=vote.opens_at,
            )
            services.close(vote=vote, now=vote.closes_at)
            services.publish(vote=vote, now=vote.closes_at + dt.timedelta(days=1))
            counts["votes"] += 1

        pingnan = compounds.get("平南村")
        if pingnan:
            start = now - dt.timedelta(days=200)
            vote = _new(
                pingnan,
                "平南村巷道改造提升业主表决",
                start + dt.timedelta(days=16),
                start + dt.timedelta(days=36),
                worker=worker,
                description="巷道路面、排水与照明改造，经费由村集体与专项资金承担。",
            )
            services.add_matter(vote=vote, title="同意实施平南村巷道改造提升方案", item=Item.REBUILD)
            vote = services.announce(vote=vote, user=worker, now=start)
            _fill_missing_areas(vote, rng=rng, worker=worker, at=vote.announced_at)
            services.open_vote(vote=vote, now=vote.opens_at)
            m = str(vote.matters.get().pk)
            electors = list(vote.electorate.order_by("pk"))
            absent = {e.pk for e in rng.sample(electors, max(1, len(electors) // 80))}
            # One owner against, chosen so that the approving area comes out near the seeds' 99.88%.
            voters = [e for e in electors if e.pk not in absent]
            target = sum(e.area for e in voters) * Decimal("0.0012")
            against = min(voters, key=lambda e: (abs(e.area - target), e.pk)).pk
            counts["ballots"] += _ballots(
                vote,
                electors,
                lambda e: None if e.pk in absent else {m: "no" if e.pk == against else "yes"},
                rng=rng,
                at=vote.opens_at,
            )
            services.close(vote=vote, now=vote.closes_at)
            services.publish(vote=vote, now=vote.closes_at + dt.timedelta(days=2))
            counts["votes"] += 1

        fufeng = compounds.get("富丰新城")
        if fufeng:
            start = now - dt.timedelta(days=19)
            vote = _new(
                fufeng,
                "富丰新城2026年第二次业主大会（书面表决）",
                start + dt.timedelta(days=16),
                now + dt.timedelta(days=11),
                worker=users.get("owners") or worker,
                description="由富丰新城第一届业主委员会召集。表决期内可随时更改，以最后一次为准。",
            )
            services.add_matter(vote=vote, title="使用专项维修资金更换1—5栋屋面防水层", item=Item.USE_FUNDS)
            services.add_matter(
                vote=vote, title="在地面停车场东侧划设电动车集中充电区（改变共有部分用途）", item=Item.COMMON_USE
            )
            vote = services.announce(vote=vote, user=worker, now=start)
            resident = users.get("resident")
            if resident and resident.person_id:  # the demo resident votes for his home
                Elector.objects.filter(vote=vote, owners__person_id=resident.person_id).update(voter=resident.person_id)
            _fill_missing_areas(vote, rng=rng, worker=worker, at=vote.announced_at)
            services.open_vote(vote=vote, now=vote.opens_at)
            keys = [str(k) for k in vote.matters.values_list("pk", flat=True)]
            mine = set(
                Elector.objects.filter(vote=vote, owners__person_id=getattr(resident, "person_id", None)).values_list(
                    "pk", flat=True
                )
            )

            def choose(e):
                if e.pk in mine or rng.random() > 0.38:
                    return None
                return {keys[0]: rng.choice(["yes"] * 8 + ["no", "abstain"]), keys[1]: rng.choice(["yes"] * 5 + ["no"])}

            counts["ballots"] += _ballots(vote, list(vote.electorate.all()), choose, rng=rng, at=vote.opens_at)
            counts["votes"] += 1

        yijing = compounds.get("颐景园")
        if yijing:
            vote = _new(
                yijing,
                "颐景园第二届业主委员会选举",
                now + dt.timedelta(days=12),
                now + dt.timedelta(days=26),
                worker=worker,
                description="候选人名单及简介张贴于同心阁。",
            )
            services.add_matter(
                vote=vote,
                title="选举颐景园第二届业主委员会委员（7名）",
                kind=Matter.Kind.ELECTION,
                item=Item.COMMITTEE,
                seats=7,
                term_years=5,
                candidates=["陈志强", "黄丽华", "梁国栋", "李秀英", "何伟明", "周建平", "吴淑贞", "罗家辉", "冯少玲"],
            )
            vote = services.announce(vote=vote, user=worker, now=now - dt.timedelta(days=4))
            counts["votes"] += 1
        del transaction.get_connection().run_on_commit[queued:]
    return {_("votes"): counts["votes"], _("ballots"): counts["ballots"]}


def clear_votes() -> None:
    """Remove the demo votes (tests: raw deletes, children first, no signals)."""
    from linli.votes.models import Candidate, Correction, Document, Owner, PaperEntry, Proxy

    for model in (BallotRecord, Ballot, PaperEntry, Proxy, Correction, Owner, Elector, Candidate, Document, Matter):
        model.objects.all()._raw_delete("default")
    Vote.objects.all()._raw_delete("default")
