# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the lists exported to Excel last (turnout, reach, invitations, shifts, teams,
imports, privacy requests, homes not reached, revisits): their new column headers and lines."""

ZH = {
    "All buildings": "全部楼栋",
    "All homes": "全部住户",
    "Homes voted (%)": "已投票户数占比（%）",
    "On duty": "在岗人数",
    "People on duty": "值班人员",
    "Request": "申请",
}
