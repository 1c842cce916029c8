"""manage.py demo_accounts: the demo logins, one per role, and what each can see."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from linli.demo.accounts import PASSWORD, describe


class Command(BaseCommand):
    help = "List the demo accounts: role, username, phone, password, and what each can see."

    def handle(self, *args, **options):
        rows = describe()
        if not rows:
            self.stdout.write(_("No demo accounts: run manage.py load_demo first."))
            return
        self.stdout.write(
            _("Demo accounts (password for all: %(password)s; log in with the username or the phone):")
            % {"password": PASSWORD}
        )
        header = ("角色 role", "username", "phone", "password", "homes", "people", "可见范围 / can see")
        table = [header]
        for row in rows:
            a = row["account"]
            table.append(
                (
                    f"{a.zh} {a.en}",
                    a.username,
                    row["phone"] or "-",
                    PASSWORD,
                    f"{row['homes']:,}",
                    f"{row['people']:,}",
                    f"{a.sees_zh} / {a.sees_en}",
                )
            )
        widths = [max(_width(r[i]) for r in table) for i in range(len(header) - 1)]
        for r in table:
            cells = [_pad(r[i], widths[i]) for i in range(len(header) - 1)]
            self.stdout.write("  ".join(cells) + "  " + r[-1])


def _width(text: str) -> int:
    """Display width: a Chinese character takes two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
