# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the foundation's remaining gaps: cleanup of import uploads (people/importing.py,
manage.py cleanup_imports)."""

ZH = {
    "Not imported: the file waited more than %(days)s days without being imported, so it was deleted. Upload it again to import it.": "未导入：文件超过 %(days)s 天未确认导入，已被删除。如需导入，请重新上传。",
    "--days must be at least 1.": "--days 至少为 1。",
    "Deleted the file of %(count)s finished import.": "已删除 %(count)s 个已结束导入的文件。",
    "Marked %(count)s abandoned import as failed and deleted its file.": "已将 %(count)s 个搁置的导入标记为失败，并删除其文件。",
    "Deleted %(count)s uploaded file that belongs to no import.": "已删除 %(count)s 个不属于任何导入的上传文件。",
    "Nothing to clean up.": "没有需要清理的内容。",
}
