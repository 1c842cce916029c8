"""The mediation section of a case's staff page: `{% mediation_for case as med %}` gives what
this user may see of it, or None (he may not mediate, or the case is no dispute)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def mediation_for(context, case):
    from linli.cases.mediation_views import section

    request = context.get("request")
    return section(request, case) if request is not None else None
