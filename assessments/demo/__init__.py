"""Demonstration data: real municipalities, a synthetic methodology and synthetic answers."""

from decimal import Decimal
from pathlib import Path

METHODOLOGY_CSV = Path(__file__).with_name("methodology.csv")
PASSWORD = "musqat-demo"

# The formal name, as the facts box shows it: a region of Georgia is a მხარე.
REGION = {"slug": "kakheti", "name_ka": "კახეთის მხარე", "name_en": "Kakheti"}

# 2014 census population; area in km²; coordinates of the administrative centre
# (decimal degrees, WGS 84).
MUNICIPALITIES = [
    # slug, English, Georgian (official), centre ka, centre en, population, area, lat, lon
    ("akhmeta", "Akhmeta", "ახმეტის მუნიციპალიტეტი", "ახმეტა", "Akhmeta",
     31461, "2207.6", "42.03111", "45.20750"),
    ("dedoplistskaro", "Dedoplistskaro", "დედოფლისწყაროს მუნიციპალიტეტი", "დედოფლისწყარო",
     "Dedoplistskaro", 21221, "2529.2", "41.46389", "46.10417"),
    ("gurjaani", "Gurjaani", "გურჯაანის მუნიციპალიტეტი", "გურჯაანი", "Gurjaani",
     54337, "846.0", "41.74278", "45.80139"),
    ("kvareli", "Kvareli", "ყვარლის მუნიციპალიტეტი", "ყვარელი", "Kvareli",
     29827, "1000.8", "41.95278", "45.81667"),
    ("lagodekhi", "Lagodekhi", "ლაგოდეხის მუნიციპალიტეტი", "ლაგოდეხი", "Lagodekhi",
     41678, "890.2", "41.82667", "46.27667"),
    ("sagarejo", "Sagarejo", "საგარეჯოს მუნიციპალიტეტი", "საგარეჯო", "Sagarejo",
     51761, "1491.0", "41.73417", "45.33028"),
    ("sighnaghi", "Sighnaghi", "სიღნაღის მუნიციპალიტეტი", "სიღნაღი", "Sighnaghi",
     29948, "1251.7", "41.62056", "45.92194"),
    ("telavi", "Telavi", "თელავის მუნიციპალიტეტი", "თელავი", "Telavi",
     58350, "1095.0", "41.91972", "45.47306"),
]  # fmt: skip

ORGANIZATION = {
    "slug": "kakheti-civic-monitor",
    "name_ka": "კახეთის სამოქალაქო მონიტორინგის ცენტრი (სადემონსტრაციო)",
    "name_en": "Kakheti Civic Monitoring Centre (demonstration)",
    "description_ka": "სადემონსტრაციო სამოქალაქო ორგანიზაცია, რომელიც მუნიციპალიტეტების "
    "სერვისებს დამოუკიდებლად აფასებს.",
    "description_en": "A demonstration civil society organisation that assesses "
    "municipal services independently.",
}

METHODOLOGY = {
    "code": "2020",
    "name_ka": "MUSQAT-ის მეთოდოლოგია 2020 (სადემონსტრაციო)",
    "name_en": "MUSQAT methodology 2020 (demonstration)",
    "description_ka": "4 თემატური სფერო, 27 კრიტერიუმი და 100 ინდიკატორი. სადემონსტრაციო ვერსია.",
    "description_en": "4 thematic areas, 27 criteria and 100 indicators. A demonstration version.",
}

# year: (open for data entry, kinds published)
CYCLES = {
    2020: (False, ["self", "external"]),
    2021: (False, ["self", "external"]),
    2022: (True, []),
}
OPEN_CYCLE_KINDS = ["self", "external"]
# The open cycle opened this many days before the seeding and closes this many days after.
OPEN_CYCLE_DAYS_SO_FAR = 30
OPEN_CYCLE_DAYS_LEFT = 45

# username, first name, last name (in Georgian script, as their owners write them; pages in
# English show them in Latin letters), role, municipality slug or None
USERS = [
    ("project-staff", "ნინო", "ბერიძე", "project_staff", None),
    ("telavi-staff", "გიორგი", "კაპანაძე", "municipal_staff", "telavi"),
    ("sighnaghi-staff", "თამარ", "ლომიძე", "municipal_staff", "sighnaghi"),
    ("cso-monitor", "ლევან", "მაისურაძე", "cso_monitor", None),
    ("grant-reviewer", "ანა", "ჩხეიძე", "grant_reviewer", None),
]

# How well each municipality does in the synthetic data (0–1), so that the demo
# shows differences worth comparing.
QUALITY = {
    "akhmeta": Decimal("0.52"),
    "dedoplistskaro": Decimal("0.41"),
    "gurjaani": Decimal("0.58"),
    "kvareli": Decimal("0.47"),
    "lagodekhi": Decimal("0.63"),
    "sagarejo": Decimal("0.44"),
    "sighnaghi": Decimal("0.71"),
    "telavi": Decimal("0.76"),
}
