# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the monthly report's chart switches (linli/results/models.py, admin.py)."""

ZH = {
    "charts of the last twelve months": "近十二个月走势图",
    "Cases received and resolved, and volunteer hours, month by month, under the indicators.": "逐月的受理与办结诉求数、志愿服务时长，显示在主要指标之后。",
    "chart comparing the communities or compounds": "各社区或小区对比图",
    "Cases received and resolved on time in each, under the comparison table.": "各自受理诉求数与按时办结数，显示在对比表之后。",
    "chart of the cases by category": "诉求分类图",
    "Without it, its heading is left out too.": "不显示时，其标题也一并省略。",
    "Charts": "图表",
}
