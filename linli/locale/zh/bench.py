# ruff: noqa: E501  (translations read best one per line)
"""Chinese for the scale generator's command (linli/demo/management/commands/bench_data.py)."""

ZH = {
    "bench_data needs PostgreSQL: set DATABASE_URL, e.g. %(url)s.": "bench_data 需要 PostgreSQL：请设置 DATABASE_URL，例如 %(url)s。",
    "bench_data empties the tables it fills: use a database whose name contains “bench”, not %(name)s.": "bench_data 会清空要写入的表：请使用名称含“bench”的数据库，而不是 %(name)s。",
}
