# Chinese for strings the lead wrote in cases core, menus and panels.
ZH = {
    "Cases": "诉求",
    "Report a problem": "反映问题",
    "Public board of requests": "诉求公示栏",
    "Cases to act on": "待办诉求",
    "%(n)s open case": "%(n)s 件未办结",
    "%(n)s new": "%(n)s 件新提交",
    "%(n)s overdue": "%(n)s 件已超期",
    "%(n)s revisit to make": "%(n)s 件待回访",
    "My requests": "我的诉求",
    "You have not reported anything yet.": "您还没有反映过问题。",
}
