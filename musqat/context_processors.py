from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info


def site(request):
    """What every page needs: the demo notice and links to this page in each language.

    The language switch links with `url`; the head's hreflang alternates need `absolute_url`,
    because search engines read those only as absolute addresses.
    """
    path = request.get_full_path()
    languages = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(path, code)
        languages.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
            }
        )
    return {"demo_mode": settings.DEMO_MODE, "language_links": languages}
