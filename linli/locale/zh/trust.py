# ruff: noqa: E501  (translations read best one per line)
"""Chinese for trust (issue 11): backups and restores (linli/backup), security pages."""

ZH = {
    # linli backup / linli restore
    "Backups": "备份",
    "Backups support SQLite and PostgreSQL, not %(vendor)s.": "备份只支持 SQLite 和 PostgreSQL，不支持 %(vendor)s。",
    "%(path)s already exists; choose another name.": "%(path)s 已存在，请换一个文件名。",
    "A backup cannot be made inside a transaction.": "不能在数据库事务中进行备份。",
    "%(path)s does not exist.": "%(path)s 不存在。",
    "%(path)s cannot be read as a linli backup (cut short or damaged: %(error)s). Nothing was changed.": "%(path)s 无法作为邻里备份读取（文件不完整或已损坏：%(error)s）。未作任何改动。",
    "%(path)s has no manifest: it is cut short or not a linli backup. Nothing was changed.": "%(path)s 没有清单：文件不完整，或不是邻里备份。未作任何改动。",
    "The manifest of %(path)s is damaged. Nothing was changed.": "%(path)s 的清单已损坏。未作任何改动。",
    "%(path)s is not a linli backup of format %(format)s. Nothing was changed.": "%(path)s 不是第 %(format)s 版格式的邻里备份。未作任何改动。",
    "The backup names a file outside the media folder: %(path)s": "备份中有文件指向上传文件目录之外：%(path)s",
    "The backup lacks %(name)s. Nothing was changed.": "备份中缺少 %(name)s。未作任何改动。",
    "%(name)s in the backup does not match its checksum: the file is damaged. Nothing was changed.": "备份中的 %(name)s 与校验值不符：文件已损坏。未作任何改动。",
    "This backup is of a %(theirs)s database and cannot be restored into %(ours)s.": "这是 %(theirs)s 数据库的备份，不能恢复到 %(ours)s。",
    "This backup was made by a newer linli (migrations %(names)s are unknown here). Upgrade linli first. Nothing was changed.": "这份备份由更新版本的邻里生成（本版本不认识迁移 %(names)s）。请先升级邻里。未作任何改动。",
    "The database already holds data (%(tables)s). Restore into an empty database, or use --force to replace everything in it. Nothing was changed.": "数据库中已有数据（%(tables)s）。请恢复到空数据库，或加 --force 替换其中全部内容。未作任何改动。",
    "The restore finished but these tables do not hold the rows the backup had: %(tables)s": "恢复已完成，但以下数据表的行数与备份不一致：%(tables)s",
    "The backup's phones and ID numbers were encrypted with a key that is not in LINLI_FIELD_KEYS: set the key that was in use when the backup was made, or they cannot be read.": "备份中的手机号和身份证号所用的加密密钥不在 LINLI_FIELD_KEYS 中：请配置备份时使用的密钥，否则无法读取。",
    "%(tool)s is not installed or not on PATH; install the PostgreSQL client (e.g. apt-get install postgresql-client) of the server's version or newer.": "未安装 %(tool)s 或不在 PATH 中；请安装与服务器版本相同或更新的 PostgreSQL 客户端（如 apt-get install postgresql-client）。",
    "%(tool)s failed: %(error)s": "%(tool)s 执行失败：%(error)s",
    "The backup is whole: %(vendor)s database of %(created)s, %(tables)s tables, %(files)s files.": "备份完整：%(created)s 的 %(vendor)s 数据库，%(tables)s 张数据表，%(files)s 个文件。",
    "Restored the backup of %(created)s: %(tables)s tables, each with the rows it had; %(files)s files.": "已恢复 %(created)s 的备份：%(tables)s 张数据表，行数均与备份一致；%(files)s 个文件。",
    "The backup is older than this code: run `linli migrate`.": "备份早于当前代码版本：请运行 `linli migrate`。",
    "%(path)s is cut short: its end is missing. Nothing was changed.": "%(path)s 不完整：缺少结尾部分。未做任何更改。",
}
