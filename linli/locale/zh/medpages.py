# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the mediation section of the staff case page and the follow-ups on the revisits
page (linli/cases/mediation_views.py, templates cases/staff/_mediation*.html, revisits.html)."""

ZH = {
    # --- the section ---
    "Mediation": "调解",
    "Not in mediation yet. Name both sides and the organisation that mediates.": "尚未进入调解。请填写纠纷双方及负责调解的组织。",
    "No mediation was recorded, and the case is finished.": "此件已办结，没有调解记录。",
    "Mediated by": "调解组织",
    "Outcome": "调解结果",
    "Sessions": "调解会谈",
    "No session recorded yet.": "尚未记录调解会谈。",
    "Recorded by %(who)s": "记录人：%(who)s",
    "No agreement was reached.": "未达成协议。",
    "Follow up on %(day)s": "回访日期：%(day)s",
    "No follow-up date set.": "未定回访日期。",
    # --- opening ---
    "Open a mediation": "启动调解",
    "Open the mediation": "启动调解",
    "Find a resident by name or phone": "按姓名或手机号查找居民",
    "No resident found. Type the name below.": "未找到该居民，请在下方直接填写姓名。",
    "Name %(n)s": "姓名 %(n)s",
    "Resident on file, phone %(phone)s": "已登记居民，手机 %(phone)s",
    "Remove": "移除",
    "At least one name on each side. Names are seen only by those who handle the case.": "甲乙双方至少各填一人。姓名仅承办人员可见。",
    "%(name)s is already named in this dispute.": "%(name)s 已列为本纠纷当事人。",
    "All rows on this side are taken: clear one first.": "这一方已填满，请先清空一行。",
    "Mediation opened.": "已启动调解。",
    # --- sessions ---
    "Record a session": "记录调解会谈",
    "Record the session": "保存会谈记录",
    "Held at": "会谈时间",
    "Session recorded.": "已记录调解会谈。",
    # --- concluding ---
    "Conclude the mediation": "结束调解",
    "Conclude": "结束调解",
    "How did it end?": "调解结果如何？",
    "The agreement (when one was reached)": "协议内容（达成协议时填写）",
    "Follow up on (optional)": "回访日期（可选）",
    "The day to check with both sides that it holds.": "到时向双方了解协议是否履行。",
    "Mediation concluded.": "调解已结束。",
    # --- follow-up ---
    "Record the follow-up": "记录回访",
    "Does the agreement hold? What did the parties say?": "协议是否履行？双方怎么说？",
    "Follow-up recorded.": "已记录回访。",
    # --- revisits page ---
    "Mediation follow-ups due": "待回访的调解",
    "Disputes settled by mediation: check with both sides that the agreement holds, and record what they said.": "经调解的纠纷：向双方了解协议是否履行，并记录他们的说法。",
    "No mediation follow-up due.": "暂无待回访的调解。",
}
