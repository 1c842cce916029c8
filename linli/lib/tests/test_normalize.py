import pytest
from django.utils import translation

from linli.lib.masking import mask_id_number, mask_name, mask_phone
from linli.lib.normalize import halfwidth, normalize_id_number, normalize_phone


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("13812345678.0", "13812345678"),
    ],
)
def test_phone_forms_people_type_are_accepted(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1381234567", "23812345678", "138123456789", "abc", ""])
def test_bad_phones_are_refused_with_the_value_in_the_message(raw):
    with pytest.raises(ValueError, match="11 digits"):
        normalize_phone(raw)


def test_id_number_check_digit_is_verified():
    assert normalize_id_number("440605199001011236") == "440605199001011236"
    assert normalize_id_number("４４０６０５１９９００１０１１２３６") == "440605199001011236"
    with pytest.raises(ValueError, match="check digit"):
        normalize_id_number("440605199001011235")
    with pytest.raises(ValueError, match="18 characters"):
        normalize_id_number("44060519900101")


def test_lowercase_x_check_digit_is_accepted():
    from linli.lib.normalize import id_number_check_digit

    first17 = next(
        f"44060519800101{n:03d}" for n in range(1000) if id_number_check_digit(f"44060519800101{n:03d}") == "X"
    )
    assert normalize_id_number(first17 + "x") == first17 + "X"


def test_halfwidth_keeps_chinese():
    assert halfwidth(" １栋２单元 ") == "1栋2单元"


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("440605199001011236") == "4406**********1236"
    assert mask_name("张三丰") == "张**"
    assert mask_phone("") == ""


def test_messages_are_in_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(ValueError) as excinfo:
        normalize_phone("123")
    assert "手机" in str(excinfo.value)
