from django import template

register = template.Library()


@register.filter
def get_icon(icons: dict, state: str) -> str:
    return icons.get(state, "")


@register.inclusion_tag("campaigns/_progress_table.html")
def progress_table(rows, kind, campaign):
    return {"rows": rows, "kind": kind, "campaign": campaign}
