"""The monthly report's editable words (staff change the title, intro, closing and headings of
the PDF in the Django admin, per subdistrict or per community; the figures are never typed),
and the summarised figures of closed periods."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = ("place", "month", "children", "generated")


class ReportTemplate(models.Model):
    """The words of the monthly report. One with neither place is the default; a community's
    own wins over its subdistrict's, which wins over the default. The texts may hold
    {place} {month} {children} {generated}, replaced by plain text (nothing else is evaluated)."""

    subdistrict = models.OneToOneField(
        "places.Subdistrict",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_template",
        verbose_name=_("subdistrict"),
    )
    community = models.OneToOneField(
        "places.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_template",
        verbose_name=_("community"),
    )
    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("introduction"), blank=True)
    closing = models.TextField(_("closing text"), blank=True)
    heading_indicators = models.CharField(_("heading of the indicators"), max_length=80)
    heading_compare = models.CharField(_("heading of the comparison"), max_length=80)
    heading_chart = models.CharField(_("heading of the chart"), max_length=80)
    heading_cases = models.CharField(_("heading of the notable cases"), max_length=80)
    chart_trend = models.BooleanField(
        _("charts of the last twelve months"),
        default=True,
        help_text=_("Cases received and resolved, and volunteer hours, month by month, under the indicators."),
    )
    chart_compare = models.BooleanField(
        _("chart comparing the communities or compounds"),
        default=True,
        help_text=_("Cases received and resolved on time in each, under the comparison table."),
    )
    chart_categories = models.BooleanField(
        _("chart of the cases by category"),
        default=True,
        help_text=_("Without it, its heading is left out too."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly report template")
        verbose_name_plural = _("monthly report templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(subdistrict__isnull=True) | Q(community__isnull=True),
                name="report_template_one_place",
            ),
            models.UniqueConstraint(  # every default row indexes as 0: at most one default
                Coalesce("subdistrict", Value(0)),
                condition=Q(subdistrict__isnull=True, community__isnull=True),
                name="report_template_one_default",
            ),
        ]

    def __str__(self) -> str:
        return str(self.community or self.subdistrict or _("default"))


class Figure(models.Model):
    """A figure of a closed period as `indicators.compute` counted it, kept so that the
    subdistrict's and communities' pages need not read a year of every row
    (`manage.py results_summarise`, docs/results.md "Summaries"). `value` is the figure as
    JSON: an integer, a float (rates, ratings), a decimal as a string (hours), or null."""

    level = models.CharField(_("level"), max_length=12)
    place_id = models.PositiveIntegerField(_("place"))
    period = models.CharField(_("period"), max_length=10)  # a month, quarter or year code
    key = models.CharField(_("indicator"), max_length=40)
    value = models.JSONField(_("value"), null=True, encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("summarised figure")
        verbose_name_plural = _("summarised figures")
        constraints = [
            # Its index also serves the reads: these places (of a level), these periods.
            models.UniqueConstraint(fields=["level", "place_id", "period", "key"], name="results_figure_one"),
        ]

    def __str__(self) -> str:
        return f"{self.level}:{self.place_id} {self.period} {self.key}"
