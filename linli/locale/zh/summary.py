# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the results' summaries (linli/results/summaries.py, models.Figure, the note on
the results pages) and the indicators' figures "as of the period's end"."""

ZH = {
    "Overdue": "超期",
    "Cases past their resolution deadline and still worked on at the period's end (right now while the period runs).": "截至期末已超过办结期限仍在办理的诉求（期间未结束时按当前计）。",
    "Homes reached ÷ homes assigned, over the campaigns running during the period: reached by its end (their state now while it runs).": "已走访到的住户 ÷ 分配的住户，统计期间内进行的走访活动：以期末前是否走访到为准（期间未结束时按当前状态）。",
    "Closed months as summarised at %(when)s: their figures change only at the next summary run (nightly). The current month is counted live.": "已结束月份的数据为 %(when)s 汇总的结果，要到下一次汇总（每晚）才会更新；本月数据实时统计。",
    "summarised figure": "汇总数据",
    "summarised figures": "汇总数据",
    "level": "层级",
    "period": "期间",
    "indicator": "指标",
    "value": "数值",
    "computed at": "统计时间",
}
