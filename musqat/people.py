"""People's names as each language writes them.

Names are kept as their owners write them, in Georgian script. Pages in another language
show them in Latin letters, by the national transliteration system of Georgia (2002) in its
everyday form, without the apostrophes that mark ejectives (კ → k, not k'): the form of
Georgian names in passports and the press.
"""

from django.utils import translation

LATIN = str.maketrans(
    {
        "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t",
        "ი": "i", "კ": "k", "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p", "ჟ": "zh",
        "რ": "r", "ს": "s", "ტ": "t", "უ": "u", "ფ": "p", "ქ": "k", "ღ": "gh", "ყ": "q",
        "შ": "sh", "ჩ": "ch", "ც": "ts", "ძ": "dz", "წ": "ts", "ჭ": "ch", "ხ": "kh", "ჯ": "j",
        "ჰ": "h",
    }
)  # fmt: skip


def _is_georgian(char: str) -> bool:
    return "\u10d0" <= char <= "\u10ff"


def latin(text: str) -> str:
    """Georgian letters in Latin ones, each word capitalised as a name is ("ნინო ბერიძე" →
    "Nino Beridze"); text in other scripts is left as it is."""
    out = []
    start = True
    for char in text:
        if _is_georgian(char):
            letters = char.translate(LATIN)
            out.append(letters[0].upper() + letters[1:] if start else letters)
        else:
            out.append(char)
        start = not (char.isalpha() or char in "'’")
    return "".join(out)


def person_name(person) -> str:
    """A user's full name (or, without one, the username), or a name given as text, in the
    script of the current language."""
    if person is None:
        return ""
    name = person if isinstance(person, str) else person.get_full_name() or person.get_username()
    if (translation.get_language() or "ka").split("-")[0] == "ka":
        return name
    return latin(name)
