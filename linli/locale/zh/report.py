# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the monthly report (linli/results/report.py, models.py, the link on /results/)."""

ZH = {
    "Monthly report (PDF, Chinese)": "月度报告（PDF，中文）",
    "closing text": "结束语",
    "default": "默认",
    "heading of the chart": "图表标题",
    "heading of the comparison": "对比部分标题",
    "heading of the indicators": "指标部分标题",
    "heading of the notable cases": "重点诉求部分标题",
    "introduction": "开头语",
    "monthly report template": "月报模板",
    "monthly report templates": "月报模板",
    "title": "标题",
    "updated at": "更新时间",
}
