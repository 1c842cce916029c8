# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the cases API's photos, mediation, revisits, bulk actions and the resident's
steps without an account (linli/cases/api.py, public_api.py, services.add_photos)."""

ZH = {
    # --- photos (services.add_photos and POST /cases/{code}/photos) ---
    "Your role does not allow you to add photos to this case.": "您的角色无权为该诉求添加照片。",
    "Photos can no longer be added to this case.": "该诉求已不能再添加照片。",
    "Choose at least one photo.": "请至少选择一张照片。",
    "A case can have at most %(n)s photos; this one has %(have)s.": "每件诉求最多 %(n)s 张照片，该诉求已有 %(have)s 张。",
    # --- bulk actions ---
    "Send at least one case code.": "请至少提供一个诉求编号。",
    "At most %(n)s cases at a time.": "一次最多处理 %(n)s 件诉求。",
    # --- mediation ---
    "Only the people handling this case can see or record its mediation.": "只有该诉求的办理人员可以查看或记录调解情况。",
    "This case is not in mediation.": "该诉求尚未进入调解。",
    "There is no such resident within your area.": "您的负责范围内没有这位居民。",
}
