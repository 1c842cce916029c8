# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the results' exports (linli/results/exports.py): Excel files and open data."""

ZH = {
    "Counts of people or of cases from 1 to 4 are withheld; rates and means when fewer than 5 cases, rated cases or assigned homes stand behind them; volunteer hours when fewer than 5 volunteers earned them.": "人数或案件数为1至4时不公开；比率和平均值在其所依据的案件、已评价案件或分配住户少于5个时不公开；志愿服务时长在参与志愿者少于5人时不公开。",
    "Download Excel": "下载 Excel",
    "Indicator": "指标",
    "Section": "类别",
    "Unit": "单位",
    # Every list to Excel (linli/lib/xlsx.py, linli/lib/exports.py).
    "About this export": "导出说明",
    "Audience": "对象",
    "Exported at": "导出时间",
    "Exported by": "导出人",
    "Filters": "筛选条件",
    "List": "列表",
    "Needs care": "需关怀",
    "Relation": "关系",
    "Role": "职务",
    "Rows": "行数",
    "Submitted at": "提交时间",
    "This list has %(count)s rows; an export holds at most %(max)s. Narrow the filters and export again.": "此列表共 %(count)s 行，一次导出最多 %(max)s 行。请缩小筛选范围后再导出。",
    "none (all rows)": "无（全部）",
    "Activity": "活动",
}
