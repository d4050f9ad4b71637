"""The Georgian catalogues keep one word per idea.

DESIGN.md's terminology section names the Georgian term for each idea; the Georgian language
review named the variants that crept in beside them. Each variant below is matched as a stem
(Georgian words inflect: არცერთი, არცერთმა, არცერთ…), with lookarounds where a legitimate word
contains the same letters, and each row carries examples that must and must not match, so a
pattern that grows too wide or too narrow fails here rather than in a translator's hands.
"""

import re
from functools import cache
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "ka" / "LC_MESSAGES"
CATALOGUES = ("django.po", "djangojs.po")

# The tool's own name keeps სერვისი (DESIGN.md); everywhere else a service is მომსახურება.
TOOL_NAME = re.compile(r"მუნიციპალური სერვისების ხარისხის შეფასებ")


class Variant:
    def __init__(self, pattern, replacement, reason, *, matches, allows, ignore=None):
        self.pattern = re.compile(pattern)
        self.replacement = replacement
        self.reason = reason
        self.matches = matches
        self.allows = allows
        self.ignore = ignore

    def search(self, text):
        if self.ignore:
            text = self.ignore.sub("", text)
        return self.pattern.search(text)


VARIANTS = {
    "არცერთი": Variant(
        r"არცერთ",
        "არც ერთი",
        "the normative spelling is two words",
        matches=["არცერთი", "არცერთ მუნიციპალიტეტს", "არცერთმა"],
        allows=["არც ერთი", "არც ერთ მათგანს"],
    ),
    "ელ. ფოსტა": Variant(
        r"ელ\.\s?ფოსტ",
        "ელფოსტა",
        "one spelling of e-mail",
        matches=["ელ. ფოსტა", "ელ.ფოსტით", "ელ. ფოსტის ენა"],
        allows=["ელფოსტა", "ელფოსტის მისამართი"],
    ),
    "ქმედება": Variant(
        r"(?<!მო)ქმედებ",
        "მოქმედება",
        "an action (admin actions, plan actions) is მოქმედება",
        matches=["ქმედება:", "ბოლო ქმედებები", "ქმედების დრო"],
        allows=["მოქმედება", "მოქმედებები", "სამოქმედო გეგმა", "მოქმედებს", "ქმედითი"],
    ),
    "მონიტორი": Variant(
        r"მონიტორ(?!ინგ)",
        "სსო-ს დამკვირვებელი / მონიტორინგის …",
        "მონიტორი reads as a screen; the person is a დამკვირვებელი, the work მონიტორინგი",
        matches=["სამოქალაქო ორგანიზაციის მონიტორი", "მონიტორის სამუშაო სივრცე", "მონიტორებს"],
        allows=["მონიტორინგის სამუშაო სივრცე", "მონიტორინგს ახორციელებს"],
    ),
    "შესადარებელი": Variant(
        r"შესადარებელ",
        "შედარებადი",
        "შესადარებელი means 'to be compared'; comparable is შედარებადი",
        matches=["წინა შესადარებელი ციკლიდან", "შესადარებელ ციკლთან"],
        allows=["შედარებადი", "შედარებად ციკლთან", "შესადარებლად აირჩიეთ"],
    ),
    "ათობით ნიშნამდე": Variant(
        r"ათობით\s+ნიშნ",
        "მძიმის შემდეგ N ციფრამდე",
        "'to N decimal places' is a literal calque",
        matches=["2 ათობით ნიშნამდე", "ერთ ათობით ნიშნამდეა"],
        allows=["მძიმის შემდეგ ორ ციფრამდე", "ათობითი რიცხვი", "ათობითი გამყოფის წინ"],
    ),
    "ჩადგა რიგში": Variant(
        r"ჩადგა\s+რიგში",
        "დაემატა რიგს",
        "colloquial",
        matches=["ექსპორტი ჩადგა რიგში", "ხელახლა ჩადგა რიგში"],
        allows=["დაემატა რიგს", "რიგში"],
    ),
    "GEL": Variant(
        r"\bGEL\b",
        "ლარი",
        "an amount is in ლარი (or ₾) on a Georgian page, not in the English code",
        matches=["თანხა (GEL)", "ბიუჯეტი GEL-ში"],
        allows=["თანხა (ლარი)", "5 000 ₾", "GELATI", "ANGEL"],
    ),
    "სერვისი": Variant(
        r"სერვის",
        "მომსახურება",
        "a service is მომსახურება; სერვისი stays only in the tool's own name",
        matches=["სერვისის სტანდარტი", "მუნიციპალური სერვისების ხარისხი კახეთში"],
        allows=[
            "მომსახურების სტანდარტი",
            "MUSQAT – მუნიციპალური სერვისების ხარისხის შეფასების ინსტრუმენტი",
            "მუნიციპალური სერვისების ხარისხის შეფასება",
        ],
        ignore=TOOL_NAME,
    ),
    "საიტი": Variant(
        r"საიტ",
        "ვებგვერდი",
        "a website is a ვებგვერდი",
        matches=["საიტზე ძიება", "ამ საიტისთვის", "ვებსაიტზე"],
        allows=["ვებგვერდზე ძიება", "ვებგვერდის ადმინისტრირება"],
    ),
    "მისაწვდომი": Variant(
        r"(?<!ხელ)მისაწვდომ",
        "ხელმისაწვდომი",
        "available is ხელმისაწვდომი",
        matches=["მისაწვდომი %s", "მისაწვდომი ჩანაწერების"],
        allows=["ხელმისაწვდომი %s", "ხელმისაწვდომობა"],
    ),
    "იდენტიფიკაცია": Variant(
        r"აუთენტიფიკაც|(?<!სა)იდენტიფიკაც",
        "ავთენტიფიკაცია",
        "authentication is ავთენტიფიკაცია",
        matches=["იდენტიფიკაცია და ავტორიზაცია", "აუთენტიფიკაცია"],
        allows=["ავთენტიფიკაცია და ავტორიზაცია", "საიდენტიფიკაციო კოდი"],
    ),
    "(N-დან)": Variant(
        r"(?:%\(\w+\)[sd]|\d+)-დან\)",
        "X / Y",
        "one pattern for 'X of Y': X / Y",
        matches=["დონე 3 (4-დან)", "გვერდი %(number)s (%(count)s-დან)"],
        allows=["დონე 3 / 4", "ქულა 100-დან", "0-დან 100-მდე", "(%(date)s-დან ძალაშია)"],
    ),
}


@cache
def translations():
    """(catalogue, msgid, Georgian text) for every translation, each plural form apart."""
    rows = []
    for name in CATALOGUES:
        for entry in polib.pofile(str(LOCALE / name)):
            if entry.obsolete:
                continue
            texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            rows.extend((name, entry.msgid, text) for text in texts if text)
    return rows


@pytest.mark.parametrize("name", VARIANTS)
def test_each_variant_pattern_matches_the_variant_and_spares_legitimate_words(name):
    variant = VARIANTS[name]
    assert [text for text in variant.matches if not variant.search(text)] == []
    assert [text for text in variant.allows if variant.search(text)] == []


@pytest.mark.parametrize("name", VARIANTS)
def test_no_georgian_translation_uses_a_replaced_variant(name):
    variant = VARIANTS[name]
    found = sorted(
        {
            f"{catalogue}: {msgid!r} says {variant.search(text)[0]!r}"
            for catalogue, msgid, text in translations()
            if variant.search(text)
        }
    )
    assert found == [], f"{name} → {variant.replacement} ({variant.reason}), in:\n" + "\n".join(
        found
    )


# A noun after a number stays singular in Georgian: 5 შეფასება, not 5 შეფასებები. The stems of
# the nouns the catalogue counts most; a plural adds ებ (შეფასებ-ებ-ი, ინდიკატორ-ებ-ის…).
COUNTED_STEMS = (
    "შეფასებ",
    "ინდიკატორ",
    "მუნიციპალიტეტ",
    "კრიტერიუმ",
    "სფერო",
    "ქულ",
    "პასუხ",
    "მოქმედებ",
    "ანგარიშ",
    "განაცხად",
    "გეგმ",
    "ციკლ",
    "ორგანიზაცი",
    "მიგნებ",
    "მტკიცებულებ",
    "ჩანაწერ",
    "სტრიქონ",
    "ფაილ",
    "შედეგ",
    "შეცდომ",
    "ცვლილებ",
    "ვარიანტ",
    "მომხმარებლ",
    "სოფლ",
    "დღე",
)
# Placeholders that hold a number, by their names in the catalogue; %(area)s, %(name)s and
# the like hold words, and a plural after them is no count.
COUNTS = (
    r"\w*count\w*|counter|total\w*|cnt|sel|n|num|number|len|length|max|min\w*|limit\w*"
    r"|days|weeks|months|hours|minutes|seconds|pages|points|shown|done|answered|added|replaced"
    r"|kept|chars|rows|columns|areas|criteria|indicators"
)
NUMBER = rf"(?:%\((?:{COUNTS})\)[sd]|%[sd]|\{{\w*\}}|(?<![\w.,])\d+)"
PLURAL_AFTER_NUMBER = re.compile(
    NUMBER + r"[\s\u00a0]+(?:PDF[\s\u00a0]+)?(?:" + "|".join(COUNTED_STEMS) + r")ებ"
)
# Django's counts put a plural model name right after the number: "5 %(verbose_name_plural)s".
PLURAL_NAME_AFTER_NUMBER = re.compile(
    NUMBER + r"[\s\u00a0]+%\((?:verbose_name_plural|module_name|items|objects_name)\)s"
)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("%(count)s შეფასებები", True),
        ("%(counter)s ინდიკატორები", True),
        ("%(count)d PDF ფაილები", True),
        ("38 მუნიციპალიტეტების", True),
        ("სულ %(total_count)s %(module_name)s", True),
        ("%(count)s შეფასება", False),
        ("%(counter)s ინდიკატორი", False),
        ("%(year)s წლის შედეგები", False),
        ("სულ: %(full_result_count)s", False),
        ("%(count)d ჩანაწერი (%(items)s)", False),
        ("სფერო %(area)s პასუხები", False),
    ],
)
def test_the_plural_after_a_number_pattern(text, wrong):
    found = PLURAL_AFTER_NUMBER.search(text) or PLURAL_NAME_AFTER_NUMBER.search(text)
    assert bool(found) is wrong


def test_a_noun_after_a_number_stays_singular():
    found = sorted(
        f"{catalogue}: {msgid!r} says {match[0]!r}"
        for catalogue, msgid, text in translations()
        for match in (PLURAL_AFTER_NUMBER.search(text), PLURAL_NAME_AFTER_NUMBER.search(text))
        if match
    )
    assert found == [], "a noun after a number stays singular (5 შეფასება):\n" + "\n".join(found)
