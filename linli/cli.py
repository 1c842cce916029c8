"""The `linli` command (pyproject [project.scripts]): Django's management commands without
manage.py, so an installed linli can `linli backup`, `linli restore <archive>`, `linli migrate`."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["linli", *(sys.argv[1:] if argv is None else argv)])
