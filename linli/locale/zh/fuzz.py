# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the API's refusals of input no database stores (linli/lib/api_support.py)."""

ZH = {
    "Text may not contain the NUL character (\\x00).": "文本中不能包含空字符（\\x00）。",
    "A number or text is out of range.": "数字或文本超出允许范围。",
}
