"""Audit-log entries for what an import wrote.

An import writes with bulk_create and bulk_update, which send no signals, so auditlog sees
none of it. These entries are what auditlog would have written one save at a time
({field: [old, new]} as text, "None" for no value), in the importing user's name and naming
the import job, built in memory and saved with one bulk query per batch in the import's
transaction. Phone and ID numbers appear only masked, as on the pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditlog import get_logentry_model
from auditlog.context import auditlog_disabled
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.utils.encoding import smart_str

from linli.lib.masking import mask_id_number, mask_phone
from linli.people.import_rows import PERSON_ATTRS
from linli.people.models import Occupancy

if TYPE_CHECKING:
    from linli.people.importing import _HomePlan, _PersonPlan
    from linli.places.models import Building, Compound, Stairwell

BATCH = 500


def audit_text(name: str, value) -> str:
    """A value as auditlog writes it: text, "None" for no value; phone and ID numbers masked."""
    if value is None:
        return "None"
    if name == "phone":
        return mask_phone(value)
    if name == "id_number":
        return mask_id_number(value)
    return smart_str(value)


class ImportAudit:
    def __init__(self, *, actor, data: dict):
        self.actor, self.data = actor, data
        self.entries: list = []
        self.model = get_logentry_model()
        self._content_types: dict[type, int | None] = {}

    def _content_type(self, model: type) -> int | None:
        """The content type id of a model auditlog is told to log; None for the others."""
        if model not in self._content_types:
            logged = auditlog.contains(model)
            self._content_types[model] = ContentType.objects.get_for_model(model).pk if logged else None
        return self._content_types[model]

    def _add(self, obj, label: str, action: int, changes: dict) -> None:
        content_type = self._content_type(type(obj))
        if content_type is None:
            return
        self.entries.append(
            self.model(
                content_type_id=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=label,
                action=action,
                changes={name: [audit_text(name, old), audit_text(name, new)] for name, (old, new) in changes.items()},
                actor_id=self.actor.pk,
                actor_email=getattr(self.actor, "email", None) or None,
                additional_data=self.data,
            )
        )

    def created(self, obj, label: str, **values) -> None:
        changes = {name: (None, value) for name, value in values.items() if value not in (None, "")}
        self._add(obj, label, self.model.Action.CREATE, changes)

    def updated(self, obj, label: str, changes: dict) -> None:
        self._add(obj, label, self.model.Action.UPDATE, changes)

    def log_places(self, buildings: list[Building], stairwells: list[Stairwell], compounds: dict[int, Compound]):
        # Labels from the compounds at hand: str() would fetch each building's compound.
        for b in buildings:
            self.created(b, f"{compounds[b.compound_id].name} {b.name}", compound=b.compound_id, name=b.name)
        for s in stairwells:
            building = s.building  # the instance it was created with: no query
            label = f"{compounds[building.compound_id].name} {building.name} {s.name}"
            self.created(s, label, building=s.building_id, name=s.name)

    def log_homes(self, homes: list[_HomePlan], created: set[int]) -> None:
        for h in homes:
            if id(h.home) in created:
                values = {name: value for name, (value, _row) in h.values.items()}
                self.created(h.home, h.label, stairwell=h.home.stairwell_id, number=h.number, **values)
            elif h.changed:
                self.updated(h.home, h.label, {name: (old, getattr(h.home, name)) for name, old in h.old.items()})

    def log_people(self, people: list[_PersonPlan], created: set[int]) -> None:
        for p in people:
            if id(p.person) in created:
                values = {PERSON_ATTRS.get(name, name): value for name, (value, _row) in p.values.items()}
                self.created(p.person, p.name, name=p.name, **values)
            elif p.changed:
                self.updated(p.person, p.name, {name: (old, getattr(p.person, name)) for name, old in p.old.items()})

    def log_occupancies(self, created: list, updated: list) -> None:
        """created: (occupancy, person plan, home plan); updated: the same and the old relation."""

        relations = {value: str(label) for value, label in Occupancy.Relation.choices}  # translated once

        def label(plan, home, relation):
            return f"{plan.name} · {home.label} ({relations[relation]})"

        for occupancy, plan, home in created:
            self.created(
                occupancy,
                label(plan, home, occupancy.relation),
                person=occupancy.person_id,
                home=occupancy.home_id,
                relation=occupancy.relation,
            )
        for occupancy, plan, home, old in updated:
            self.updated(occupancy, label(plan, home, occupancy.relation), {"relation": (old, occupancy.relation)})

    def save(self) -> None:
        if not auditlog_disabled.get():
            self.model.objects.bulk_create(self.entries, batch_size=BATCH)
        self.entries = []
