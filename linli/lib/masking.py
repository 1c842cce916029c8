"""Masked forms of private values, as shown unless a reveal is allowed and logged."""


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_name(value: str) -> str:
    """张三丰 -> 张**: for lists shown to people outside the resident's own scope."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_private(value: str) -> str:
    """The audit log's mask for any private field: the same forms the pages show, so that
    the log and the pages together never reveal more than either alone."""
    value = str(value or "")
    if len(value) == 11 and value.isdigit():
        return mask_phone(value)
    if len(value) >= 15:
        return mask_id_number(value)
    return "*" * len(value)
