"""The published ballot list and its hash chain.

After closing, every counted ballot is published as one line, in order of its receipt code:

    receipt | owner token | area in hundredths of m² | affected flag | choices as JSON

The owner token is a keyed hash of whom the unit counts as (art. 9), so that anyone can
recount heads without learning who owns what; the flag is "a" for an affected unit, "c" for
one with a compensation agreement, "-" otherwise. Each line's hash covers the one before:

    h0 = sha256("linli-vote:" + vote code),  h_i = sha256(h_{i-1} + "\\n" + line_i)

An owner finds his receipt in the list (so his ballot is counted as he cast it); anyone can
recompute the chain's head and the totals with `verify()` or a few lines of any language.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from . import tally


def token(salt: str, head: str) -> str:
    return hmac.new(salt.encode(), head.encode(), hashlib.sha256).hexdigest()[:16]


def canonical(choices: dict) -> str:
    return json.dumps(choices, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def tokens(salt: str):
    """A function making `token(salt, head)` for many heads: the HMAC-SHA256 of RFC 2104 with
    its two keyed SHA-256 states made once and copied per head (hmac.new and hmac.digest key
    them again on every call: twice the time for 100,000 owners, issue 10)."""
    key = salt.encode()
    if len(key) > 64:  # SHA-256's block
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy

    def make(head: str) -> str:
        i = inner()
        i.update(head.encode())
        o = outer()
        o.update(i.digest())
        return o.hexdigest()[:16]

    return make


def lines(vote, units, ballots: dict, receipts: dict, texts: dict | None = None) -> list[str]:
    """The published lines, sorted. `texts` may give each ballot's `canonical` choices already
    made (services.inputs makes each distinct one once); each owner's token is made once."""
    by_key = {u.key: u for u in units}
    make_token = tokens(vote.salt)
    owners: dict[str, str] = {}
    out = []
    append = out.append
    for key, receipt in receipts.items():
        u = by_key[key]
        head = u.head
        if head in owners:
            owner = owners[head]
        else:
            owner = owners[head] = make_token(head)
        flag = "c" if u.compensation else "a" if u.affected else "-"
        text = texts[key] if texts is not None else canonical(ballots[key])
        append(f"{receipt}|{owner}|{u.area}|{flag}|{text}")
    out.sort()
    return out


def head(code: str, published: list[str]) -> str:
    sha256 = hashlib.sha256
    h = sha256(f"linli-vote:{code}".encode()).hexdigest()
    for line in published:
        h = sha256(f"{h}\n{line}".encode()).hexdigest()
    return h


def recount(rules: dict, matters: list[tally.MatterSpec], published: list[str], electorate: dict) -> dict:
    """The totals from the published lines alone, as an outsider would compute them.

    `electorate` is the published {"area", "heads", "units"}; units that did not vote are
    stood in by placeholders carrying the rest of the area and the rest of the heads. (Consent
    of affected units that did not vote cannot be seen in the lines: the result lists them.)"""
    units, ballots = [], {}
    for i, line in enumerate(published):
        _receipt, owner, area, flag, choices = line.split("|", 4)
        units.append(tally.Unit(key=i, area=int(area), head=owner, affected=flag == "a", compensation=flag == "c"))
        ballots[i] = json.loads(choices)
    voted_heads = {u.head for u in units}
    rest_area = electorate["area"] - sum(u.area for u in units)
    rest_heads = electorate["heads"] - len(voted_heads)
    # Non-voters only matter through the totals: spread the rest over placeholder units.
    for j in range(max(rest_heads, 0)):
        units.append(tally.Unit(key=-1 - j, area=rest_area if j == 0 else 0, head=f"absent:{j}"))
    if rest_heads <= 0 and rest_area > 0:  # unvoted units of owners who voted with another unit
        units.append(tally.Unit(key=-1, area=rest_area, head=units[0].head))
    return tally.compute(rules, matters, units, ballots)
