"""The grid: subdistrict > community > compound > building > stairwell > home.

Villages use the same tree: a compound of kind "village" holds lanes and streets as its
"buildings" (kind lane/street), so scoping and counting need no second path.
"""

import re
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.lib.normalize import halfwidth


def sort_key_for(name: str) -> int:
    """The first number in a name ("12栋", "3单元"), so 2 sorts before 10."""
    match = re.search(r"\d+", halfwidth(name))
    return int(match.group()) if match else 0


class Subdistrict(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.CharField(_("code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(models.Model):
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="communities", verbose_name=_("subdistrict")
    )
    name = models.CharField(_("name"), max_length=50)
    code = models.CharField(_("code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="community_unique_name")]

    def __str__(self):
        return self.name


class Compound(models.Model):
    class Kind(models.TextChoices):
        COMPOUND = "compound", _("residential compound")
        VILLAGE = "village", _("village (lanes and streets)")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=80)
    alias = models.CharField(_("also known as"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPOUND)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name")]

    def __str__(self):
        return self.name


class Building(models.Model):
    class Kind(models.TextChoices):
        BUILDING = "building", _("building")
        LANE = "lane", _("lane")
        STREET = "street", _("street")

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("compound"), db_index=False
    )  # indexed by the unique (compound, name)
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BUILDING)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    sort_key = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="building_unique_name")]

    def __str__(self):
        return f"{self.compound.name} {self.name}"

    def save(self, *args, **kwargs):
        self.sort_key = sort_key_for(self.name)
        super().save(*args, **kwargs)


class Stairwell(models.Model):
    """A unit/stairwell (单元·楼道): the basic unit of governance."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="stairwells", verbose_name=_("building"), db_index=False
    )  # indexed by the unique (building, name)
    name = models.CharField(_("name"), max_length=40)
    sort_key = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("stairwell")
        verbose_name_plural = _("stairwells")
        ordering = ["sort_key", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="stairwell_unique_name")]

    def __str__(self):
        return f"{self.building} {self.name}"

    def save(self, *args, **kwargs):
        self.sort_key = sort_key_for(self.name)
        super().save(*args, **kwargs)


class Home(models.Model):
    class AreaSource(models.TextChoices):
        # SPC interpretation on building ownership, art. 8: register, else survey, else contract.
        REGISTER = "register", _("property register")
        SURVEY = "survey", _("survey report")
        CONTRACT = "contract", _("sales contract")
        UNKNOWN = "unknown", _("not yet known")

    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, related_name="homes", verbose_name=_("stairwell"), db_index=False
    )  # indexed by the unique (stairwell, number)
    number = models.CharField(_("home number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"))
    area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    area_source = models.CharField(
        _("area source"), max_length=10, choices=AreaSource.choices, default=AreaSource.UNKNOWN
    )
    is_vacant = models.BooleanField(_("vacant"), default=False)

    class Meta:
        verbose_name = _("home")
        verbose_name_plural = _("homes")
        ordering = ["stairwell_id", "floor", "number"]
        constraints = [
            models.UniqueConstraint(fields=["stairwell", "number"], name="home_unique_number"),
            models.CheckConstraint(
                condition=models.Q(area__isnull=True) | models.Q(area__gt=0), name="home_area_positive"
            ),
        ]

    def __str__(self):
        return f"{self.stairwell} {self.number}"


class GridCell(models.Model):
    """A grid cell (网格) groups stairwells under one responsible person."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="grid_cells", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=50)
    stairwells = models.ManyToManyField(Stairwell, related_name="grid_cells", verbose_name=_("stairwells"), blank=True)

    class Meta:
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="gridcell_unique_name")]

    def __str__(self):
        return self.name


class Venue(models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="venues", verbose_name=_("compound"))
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="venue_unique_name")]

    def __str__(self):
        return self.name
