# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the cases API (linli/cases/api.py, public_api.py, open311.py)."""

ZH = {
    # --- filing a case ---
    "Choose one of the categories.": "请从问题类别中选择一项。",
    "There is no such compound.": "没有这个小区。",
    "There is no such building.": "没有这个楼栋。",
    "There is no such stairwell.": "没有这个单元。",
    "That home is not within your area.": "该房屋不在您的负责范围内。",
    "Your role does not allow you to record cases for others in this compound.": "您的角色无权在该小区代他人登记诉求。",
    "To record a case for someone else, set on_behalf.": "代他人登记诉求时，请设置 on_behalf。",
    "This channel is only for cases recorded on someone's behalf.": "该来源渠道仅用于代他人登记的诉求。",
    "Your account is not linked to a resident. Record the case on someone's behalf.": "您的账号未关联居民信息，请以代登记方式提交诉求。",
    # --- acting on a case ---
    "Unknown status: %(status)s": "未知状态：%(status)s",
    "There is no such organisation within your area.": "您的负责范围内没有这个组织。",
    "Choose someone who handles cases for that organisation.": "请选择负责该组织诉求办理的人员。",
    "There is no case with this code within your area.": "您的负责范围内没有这个编号的诉求。",
    "Only residents can support a case.": "只有居民可以附议诉求。",
    "Your role does not allow you to see the resident's contact details.": "您的角色无权查看居民的联系方式。",
    # --- photos ---
    "At most %(n)s photos.": "最多 %(n)s 张照片。",
    "Photos can no longer be added to this case.": "该诉求已不能再添加照片。",
    "This case already has as many photos as it can hold.": "该诉求的照片已达上限。",
    # --- following a case ---
    "Enter the last four digits of the phone number given with the case.": "请输入登记诉求时所留手机号的后四位。",
    "No case matches this code and these digits.": "没有与该编号和号码后四位相符的诉求。",
    "Too many attempts. Please try again in %(minutes)s minutes.": "尝试次数过多，请 %(minutes)s 分钟后再试。",
    # --- Open311 service groups ---
    "neighbour disputes": "邻里纠纷",
    "requests": "诉求",
}
