"""The public portal in a real browser: a visitor's journey, Georgian rendering, small screens.

Screenshots of every visited page, at desktop and mobile width, are saved to the artifacts
folder ($MUSQAT_ARTIFACTS, by default artifacts/browser/).
"""

import http.server
import re
import threading
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 360, "height": 740}

# The pages of the desktop journey, as (screenshot name, path), revisited on a phone.
JOURNEY = [
    ("1-ka-home", "/ka/"),
    ("2-ka-municipality-telavi", "/ka/municipalities/telavi/"),
    ("3-ka-scorecard-2021-telavi", "/ka/scorecards/2021/telavi/"),
    ("4-ka-compare", "/ka/compare/?cycle=2021&m=sighnaghi&m=telavi"),
    ("5-en-compare", "/en/compare/?cycle=2021&m=sighnaghi&m=telavi"),
    ("6-en-methodology", "/en/methodology/"),
]

# What a Georgian page must get right. Mtavruli (U+1C90–U+1CBF) is what uppercasing
# Georgian produces; U+FFFD is a character lost on the way.
GEORGIAN_PAGE = """async () => {
    await document.fonts.ready;
    const text = document.body.innerText;
    const describe = (el) => {
        const id = el.id ? "#" + el.id : "";
        const cls = typeof el.className === "string" && el.className.trim()
            ? "." + el.className.trim().split(/\\s+/).join(".") : "";
        const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
            .map((n) => n.textContent).join("").trim().slice(0, 40);
        return `${el.tagName.toLowerCase()}${id}${cls} "${own}"`;
    };
    const uppercased = [];
    for (const el of document.body.querySelectorAll("*")) {
        const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
            .map((n) => n.textContent).join("");
        if (/[\\u10A0-\\u10FF]/.test(own) && getComputedStyle(el).textTransform === "uppercase") {
            uppercased.push(describe(el));
        }
    }
    return {
        mtavruli: [...new Set(text.match(/[\\u1C90-\\u1CBF]/g) || [])],
        replacement: (text.match(/\\uFFFD/g) || []).length,
        uppercased: uppercased,
        // check() is also true when no web font of that name exists at all, so the face
        // covering Georgian must be among the page's fonts, and loaded.
        fontLoaded: document.fonts.check('16px "Noto Sans Georgian"', "ქართული")
            && [...document.fonts].some((f) => f.status === "loaded"
                && f.family.replace(/"/g, "") === "Noto Sans Georgian"
                && /U\\+10A0-10FF/i.test(f.unicodeRange)),
        faces: [...document.fonts].map((f) => `${f.family} ${f.weight} ${f.status}`),
    };
}"""

# Elements sticking out to the right of the viewport, outside a .table-responsive scroller.
OVERFLOW = """() => {
    const width = window.innerWidth;
    const culprits = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (el.closest(".table-responsive")) continue;
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 1) {
            const cls = typeof el.className === "string" ? el.className.trim() : "";
            culprits.push(`${el.tagName.toLowerCase()}.${cls.split(/\\s+/).join(".")}`
                + ` right=${Math.round(box.right)}`);
        }
    }
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: width,
        culprits: culprits.slice(0, 10),
    };
}"""


class Visit:
    """One browser tab at one size that checks and photographs every page it lands on."""

    def __init__(self, browser, site, artifacts, size, prefix):
        self.context = browser.new_context(viewport=size, locale="ka-GE")
        self.page = self.context.new_page()
        self.site = site
        self.artifacts = artifacts
        self.prefix = prefix
        self.count = 0
        self.documents = []  # (status, url) of every page loaded in the main frame
        self.broken = []  # (status, url) of every image, stylesheet, font... that failed
        self.refused = []  # what the Content-Security-Policy blocked (Chromium's console says)
        self.page.on("response", self._response)
        self.page.on("requestfailed", lambda r: self.broken.append(("failed", r.url)))
        self.page.on("console", self._console)

    def _response(self, response):
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self.documents.append((response.status, response.url))
        elif response.status >= 400:
            self.broken.append((response.status, response.url))

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)

    def goto(self, path):
        self.page.goto(self.site + path)

    def path(self):
        return self.page.url.removeprefix(self.site)

    def arrived(self, name, path):
        """Check the page we are on now is `path`, served well, and take its screenshot."""
        page = self.page
        page.wait_for_url(self.site + path)
        page.wait_for_load_state("load")
        status, url = self.documents[-1]
        assert status == 200, f"{url} answered {status}"
        assert url == self.site + path
        assert not self.broken, f"{path}: resources failed to load: {self.broken}"
        assert not self.refused, f"{path}: the Content-Security-Policy refused: {self.refused}"
        language = path.split("/")[1]
        assert page.locator("html").get_attribute("lang") == language, path
        if language == "ka":
            self.check_georgian(path)
        page.evaluate("document.fonts.ready.then(() => true)")
        self.count += 1
        shot = self.artifacts / f"{self.prefix}-{name}.png"
        shot.unlink(missing_ok=True)
        page.screenshot(path=shot, full_page=True)
        assert shot.is_file() and shot.stat().st_size > 0, shot
        return shot

    def check_georgian(self, path):
        found = self.page.evaluate(GEORGIAN_PAGE)
        assert not found["mtavruli"], f"{path}: Mtavruli in the page text: {found['mtavruli']}"
        assert not found["replacement"], f"{path}: {found['replacement']} U+FFFD in the text"
        assert not found["uppercased"], f"{path}: Georgian set uppercase: {found['uppercased']}"
        assert found["fontLoaded"], f"{path}: Noto Sans Georgian not loaded: {found['faces']}"

    def close(self):
        self.context.close()


@pytest.fixture
def desktop(browser, site, artifacts):
    visit = Visit(browser, site, artifacts, DESKTOP, "desktop")
    yield visit
    visit.close()


@pytest.fixture
def mobile(browser, site, artifacts):
    visit = Visit(browser, site, artifacts, MOBILE, "mobile")
    yield visit
    visit.close()


def test_desktop_journey_from_the_map_to_the_english_methodology(desktop):
    page = desktop.page
    desktop.goto("/ka/")
    desktop.arrived(*JOURNEY[0])

    # Beside the map, each municipality is a link to its page.
    telavi = page.locator('ul.map-places a[href="/ka/municipalities/telavi/"]')
    assert telavi.count() == 1
    telavi.click()
    desktop.arrived(*JOURNEY[1])
    assert "თელავი" in page.locator("h1").inner_text()

    # The municipality page leads to its latest published scorecard.
    page.locator('main a[href="/ka/scorecards/2021/telavi/"]').first.click()
    desktop.arrived(*JOURNEY[2])

    # The scorecard's compare link opens a comparison of Telavi with its neighbours in
    # the ranking; the visitor adds Kvareli and compares again.
    page.locator('main a[href^="/ka/compare/?"]').first.click()
    page.wait_for_url(re.compile(r"/ka/compare/\?"))
    assert page.locator("main table.compare-table").is_visible()
    assert page.locator("#m-telavi").is_checked()
    page.locator("#m-kvareli").check()
    page.locator("form.compare-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ka/compare/\?.*m=kvareli"))
    compared = desktop.path()
    chosen = set(parse_qs(urlsplit(compared).query)["m"])
    assert {"telavi", "kvareli"} <= chosen and len(chosen) >= 3
    desktop.arrived("4-ka-compare", compared)
    table = page.locator("main table.compare-table")
    assert table.is_visible()
    assert "თელავი" in table.inner_text() and "ყვარელი" in table.inner_text()

    # The language switch keeps the visitor on the same page, in English.
    switch = page.locator("nav.language-switch").get_by_role("link", name="English", exact=True)
    switch.click()
    desktop.arrived("5-en-compare", "/en/" + compared.removeprefix("/ka/"))
    assert page.locator("html[lang=en]").count() == 1
    assert "Telavi" in page.locator("main table.compare-table").inner_text()

    page.locator('nav.site-nav a[href="/en/methodology/"]').click()
    desktop.arrived(*JOURNEY[5])
    assert desktop.count == len(JOURNEY)


def test_the_scorecards_compare_link_opens_a_comparison(desktop):
    desktop.goto("/ka/scorecards/2021/telavi/")
    desktop.page.locator('main a[href^="/ka/compare/?"]').first.click()
    desktop.page.wait_for_url(re.compile(r"/ka/compare/\?"))
    assert desktop.page.locator("main .alert-danger").count() == 0
    assert desktop.page.locator("main table").count() >= 1


@pytest.mark.parametrize("name, path", JOURNEY, ids=[name for name, _ in JOURNEY])
def test_the_journey_fits_a_phone_screen(mobile, name, path):
    mobile.goto(path)
    mobile.arrived(name, path)
    width = mobile.page.evaluate(OVERFLOW)
    assert width["scrollWidth"] <= width["innerWidth"] + 1, (
        f"{path} scrolls sideways at {MOBILE['width']} px: {width}"
    )


# --- What a new reader does with the portal ------------------------------------------------


@pytest.mark.parametrize("visit", ["desktop", "mobile"])
def test_telavi_s_five_largest_gaps_are_two_clicks_from_the_home_page(request, visit):
    reader = request.getfixturevalue(visit)
    page = reader.page
    reader.goto("/ka/")

    # 1. Telavi in the ranking; 2. "the largest gaps" in the scorecard's contents.
    page.locator('table a[href="/ka/scorecards/2021/telavi/"]').first.click()
    reader.arrived("gaps-1-scorecard", "/ka/scorecards/2021/telavi/")
    if visit == "mobile":
        page.locator("details.jump-menu > summary").click()
    page.locator('a[href="/ka/scorecards/2021/telavi/?show=gaps"]:visible').first.click()
    reader.arrived("gaps-2-largest", "/ka/scorecards/2021/telavi/?show=gaps")

    gaps = page.locator("section.filtered article.indicator")
    assert gaps.count() >= 5
    # Each card gives the gap; the first five are the largest, largest first.
    shown = [
        abs(float(text.split(":")[-1].strip().replace("−", "-").replace(",", ".")))
        for text in page.locator(
            "section.filtered article.indicator > p.small.mb-1"
        ).all_inner_texts()[:5]
    ]
    assert len(shown) == 5 and shown == sorted(shown, reverse=True)


def test_an_indicator_is_found_by_typing_part_of_its_georgian_name_in_the_header(desktop):
    page = desktop.page
    desktop.goto("/ka/")

    page.locator("#site-search-q").fill("წყალმომარაგ")
    page.locator("#site-search-q").press("Enter")
    page.wait_for_load_state("load")

    assert "/ka/search/" in page.url
    hits = page.locator("main a").all_inner_texts()
    assert any("წყალმომარაგ" in hit for hit in hits), hits
    first = page.locator('main a[href*="/methodology/"]').first
    first.click()
    page.wait_for_load_state("load")
    assert "/ka/methodology/" in page.url and "#i-" in page.url


def test_telavi_s_card_shows_inside_a_plain_page_of_another_site(browser, site):
    # Another site: a plain HTML page with the snippet in it, served from another origin.
    snippet = (
        f'<!doctype html><html lang="ka"><title>Telavi</title><iframe src="{site}/ka/embed/telavi/"'
        ' width="320" height="200" title="MUSQAT"></iframe>'
        f'<iframe src="{site}/ka/scorecards/2021/telavi/" title="x"></iframe>'
    ).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(snippet)

        def log_message(self, *args):
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
        card = page.frame_locator("iframe").first.locator("main")

        card.wait_for()
        assert "თელავი" in card.inner_text()
        # The same snippet pointing at the scorecard shows nothing: only the card is framable.
        page.wait_for_timeout(500)
        assert page.frames[2].url == "chrome-error://chromewebdata/"
    finally:
        context.close()
        other.shutdown()
