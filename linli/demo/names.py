"""Made-up but well-formed personal data: Chinese names, mobile numbers, ID numbers.

Everything is drawn from one seeded `random.Random`, so the same seed gives the same people.
Mobile numbers and ID numbers are unique within a generator and have the real formats (an
ID number's check digit is computed), so imports and validation treat them as real.
"""

import datetime
import random

from linli.lib.normalize import id_number_check_digit

# Surnames weighted roughly as in the Pearl River Delta (陈, 李, 黄, 梁 first), plus the
# surnames of the people the seed articles name.
SURNAMES = {
    "陈": 100, "李": 70, "黄": 70, "梁": 55, "张": 50, "林": 40, "刘": 40, "何": 38, "王": 30,
    "吴": 28, "罗": 26, "郑": 25, "杨": 25, "谢": 20, "冯": 20, "邓": 20, "叶": 18, "钟": 18,
    "周": 18, "曾": 17, "潘": 16, "蔡": 15, "麦": 12, "关": 10, "卢": 10, "苏": 10, "朱": 10,
    "徐": 10, "胡": 10, "郭": 10, "马": 8, "赵": 8, "孙": 6, "彭": 8, "袁": 7, "邱": 7,
    "方": 7, "伍": 7, "谭": 8, "莫": 8, "廖": 8, "余": 8, "唐": 7, "区": 6, "岑": 5, "霍": 5,
    "甘": 4, "庞": 4, "龙": 4, "韦": 4, "韩": 4, "沈": 4, "简": 3, "欧阳": 4, "司徒": 3, "伦": 2,
}  # fmt: skip
MALE_CHARS = (
    "伟强军明杰浩志建国文俊华斌海东辉峰平亮永健波勇锋宇翔轩家豪荣兴德林坤鹏智博嘉乐庆成生泽宏振耀根业祖铭桂添启汉"
)
FEMALE_CHARS = "丽芳娟敏静燕霞玲婷秀英慧颖琳雪梅红萍洁欣怡佳雅诗思晓月凤桂兰嘉美妍婉珊倩淑彩爱晴琪蕾咏绮少"
CHILD_MALE_CHARS = "子轩梓浩宇睿晨奕俊熙铭皓航泽锦乐"
CHILD_FEMALE_CHARS = "子涵梓欣诗晨奕若语悦琪彤妍可心"

# fmt: off
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157", "158",
    "159", "166", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199",
)
# fmt: on

# Nanhai district of Foshan: the prefix of people with local hukou.
LOCAL_AREA = "440605"
# County codes of the provinces most non-hukou residents of Foshan come from.
# fmt: off
OTHER_AREAS = (
    "430102", "430521", "431021", "430426", "450102", "450881", "452501", "360121", "362426", "360732",
    "510121", "511321", "420106", "421281", "410102", "411522", "350102", "520102", "530102",
)
# fmt: on


class Faker:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self._surnames = list(SURNAMES)
        self._weights = list(SURNAMES.values())
        self._phones: set[str] = set()
        self._ids: set[str] = set()

    def name(self, gender: str, birth_year: int) -> str:
        rng = self.rng
        surname = rng.choices(self._surnames, self._weights)[0]
        if birth_year >= 2005:
            chars = CHILD_MALE_CHARS if gender == "M" else CHILD_FEMALE_CHARS
        else:
            chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
        length = 1 if rng.random() < 0.3 else 2
        return surname + "".join(rng.choice(chars) for _ in range(length))

    def phone(self) -> str:
        while True:
            value = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if value not in self._phones:
                self._phones.add(value)
                return value

    def id_number(self, *, local: bool, gender: str, birth_year: int) -> str:
        rng = self.rng
        area = LOCAL_AREA if local else rng.choice(OTHER_AREAS)
        while True:
            day = datetime.date(birth_year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            # The 17th digit is odd for men and even for women.
            sequence = rng.randrange(100) * 10 + rng.choice((1, 3, 5, 7, 9) if gender == "M" else (0, 2, 4, 6, 8))
            first17 = f"{area}{day:%Y%m%d}{sequence:03d}"
            value = first17 + id_number_check_digit(first17)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def date(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randrange(max(1, (end - start).days + 1)))
