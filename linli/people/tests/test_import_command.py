"""manage.py import_homes FILE --user USERNAME [--dry-run]"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from linli.people.models import Person
from linli.places.models import Home

from .test_import import row, write_csv

ROWS = [row(number="101", floor="1", area="89.5", name="张三", phone="13812345678", relation="业主")]


def command(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("import_homes", *args, stdout=out)
    return out.getvalue()


def test_command_imports_and_prints_the_summary(world, tmp_path):
    path = write_csv(tmp_path / "r.csv", ROWS)
    out = command(str(path), "--user", "carol")
    assert "Imported: 1 rows" in out and "people created: 1" in out and "homes created: 1" in out
    assert Person.objects.filter(name="张三").exists()
    again = command(str(path), "--user", "carol")
    assert "people created: 0" in again and "people unchanged: 1" in again


def test_dry_run_writes_nothing(world, tmp_path):
    out = command(str(write_csv(tmp_path / "r.csv", ROWS)), "--user", "carol", "--dry-run")
    assert "dry run" in out and "people created: 1" in out
    assert not Person.objects.filter(name="张三").exists()


def test_invalid_file_prints_errors_and_exits_1(world, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [row(number="101", floor="x")])
    out = StringIO()
    with pytest.raises(CommandError) as exc, translation.override("en"):
        call_command("import_homes", str(path), "--user", "carol", stdout=out)
    assert exc.value.returncode == 1
    assert "row 2 · 楼层 · x: The floor must be a whole number." in out.getvalue()
    assert not Home.objects.filter(number="101", stairwell__building__name="3栋").exists()


@pytest.mark.parametrize("username", ["alice", "bob", "nobody"])
def test_command_refuses_users_who_may_not_import(world, tmp_path, username):
    with pytest.raises(CommandError):
        command(str(write_csv(tmp_path / "r.csv", ROWS)), "--user", username)
    assert not Person.objects.filter(name="张三").exists()


def test_command_respects_the_users_scope(world, tmp_path):
    rows = [row(compound="颐景园", building="1座", number="109", floor="1")]
    with pytest.raises(CommandError):
        command(str(write_csv(tmp_path / "r.csv", rows)), "--user", "carol")
    assert command(str(write_csv(tmp_path / "r.csv", rows)), "--user", "erin").count("homes created: 1") == 1


def test_the_documented_sample_file_imports(world):
    sample = Path(__file__).parent / "fixtures" / "import" / "sample.csv"
    out = command(str(sample), "--user", "carol")
    assert "homes created: 3" in out and "people created: 3" in out and "residences created: 3" in out
    wang = Person.objects.get(name="王五")
    assert wang.phone == "13912345678" and wang.occupancies.get().home.floor == 2
