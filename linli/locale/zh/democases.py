"""Chinese for the demo cases (linli/demo/cases.py): the lines load_demo prints about them.
The cases themselves are written in Chinese, as residents and handlers would write them."""

ZH = {
    "logins for case handlers": "诉求处理人员账号",
    "case steps skipped": "未能执行的诉求步骤",
}
