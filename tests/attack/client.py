"""A person's browser, as much of one as an attacker needs: real HTTP to the live server.

Each `Browser` keeps its own cookies (the session, the CSRF cookie), sends the language it
reads in, never follows a redirect (so that a refusal by redirect to a login page shows as
one), and sends forms as a browser does, URL-encoded or multipart, with or without the
CSRF token. `Form` reads a page's form the way a browser would send it back.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser


class ServerError(AssertionError):
    """The live server answered with a 5xx: never what any request of the checklist wants."""


@dataclass
class Answer:
    """What the server sent back to one request."""

    method: str
    path: str
    status: int
    headers: object
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "") or ""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "") or ""

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.method} {self.path} → {self.status}>"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser on the live site (`person` None: a citizen, never logged in)."""

    def __init__(self, base: str, *, person: str = "citizen", language: str = "en"):
        self.base = base.rstrip("/")
        self.person = person
        self.language = language
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects
        )

    def __repr__(self):
        return f"<Browser of {self.person}>"

    # --- Requests -------------------------------------------------------------------------

    def open(self, method: str, path: str, body: bytes | None = None, headers=None) -> Answer:
        sent = {"Accept-Language": self.language, **(headers or {})}
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=sent)
        try:
            with self.opener.open(request, timeout=120) as response:
                answer = Answer(method, path, response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            answer = Answer(method, path, error.code, error.headers, error.read())
        if answer.status >= 500:
            raise ServerError(f"{self.person}: {method} {path} answered {answer.status}")
        return answer

    def get(self, path: str, **headers) -> Answer:
        return self.open("GET", path, headers=headers)

    def post(self, path: str, data=(), *, files=(), token: bool = True, **headers) -> Answer:
        """Send a form; `data` a dict or (name, value) pairs (a list value repeats the name),
        `files` (name, file name, content) triples. With token=False the CSRF token is left
        out, as a forged form on another site would."""
        fields = _pairs(data)
        if token:
            fields.append(("csrfmiddlewaretoken", self.csrf_token()))
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), FORM
        return self.open("POST", path, body, {"Content-Type": content_type, **headers})

    def raw(self, method: str, path: str, body: bytes = b"", headers=None) -> Answer:
        """A request exactly as given, path unquoted and unnormalised (urllib would refuse
        some): for addresses no browser would send."""
        host, port = urllib.parse.urlsplit(self.base).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        sent = {"Accept-Language": self.language, "Cookie": self.cookie_header(), **(headers or {})}
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders(body or None)
            response = connection.getresponse()
            answer = Answer(method, path, response.status, response.headers, response.read())
            self.jar.extract_cookies(response, urllib.request.Request(self.base + path))
        finally:
            connection.close()
        if answer.status >= 500:
            raise ServerError(f"{self.person}: {method} {path} answered {answer.status}")
        return answer

    # --- Cookies --------------------------------------------------------------------------

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def csrf_token(self) -> str:
        """The CSRF cookie's secret, which Django takes as the form's token; a citizen who has
        none yet gets one by opening a page with a form, as anyone can."""
        if self.cookie("csrftoken") is None:
            self.get("/monitor/login/")
        return self.cookie("csrftoken")

    # --- Signing in -----------------------------------------------------------------------

    def sign_in(self, login_path: str, username: str, password: str) -> Answer:
        """Sign in through the real login form, with the token it carries."""
        page = self.get(login_path)
        form = Form.of(page, having="username")
        form.fields.update(username=username, password=password)
        answer = self.post(login_path, form.pairs(), token=False)
        assert answer.status == 302, f"{username} could not sign in at {login_path}: {answer}"
        return answer

    @property
    def is_signed_in(self) -> bool:
        return self.cookie("sessionid") is not None


FORM = "application/x-www-form-urlencoded"


def _pairs(data) -> list[tuple[str, str]]:
    items = data.items() if isinstance(data, dict) else data
    pairs = []
    for name, value in items:
        for one in value if isinstance(value, list | tuple) else [value]:
            pairs.append((name, "" if one is None else str(one)))
    return pairs


def multipart(fields, files) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser writes it."""
    boundary = f"----attack{uuid.uuid4().hex}"
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, file_name, content in files:
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# --- Reading a form as a browser sends it back ------------------------------------------------


@dataclass
class Form:
    """The fields of one <form> with the values a browser would send unchanged (radio buttons
    and boxes as checked, a select's chosen option, text areas as written)."""

    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name → value, or a list for repeated names
    files: list = field(default_factory=list)  # names of file inputs

    @classmethod
    def all_of(cls, answer: Answer) -> list[Form]:
        reader = _FormReader()
        reader.feed(answer.text)
        return reader.forms

    @classmethod
    def of(cls, answer: Answer, *, action_contains: str = "", having: str = "") -> Form:
        """The first form whose action contains this text and which has this field."""
        for form in cls.all_of(answer):
            if action_contains in form.action and (not having or having in form.fields):
                return form
        raise AssertionError(f"no form ({action_contains!r}, {having!r}) on {answer}")

    @classmethod
    def main(cls, answer: Answer) -> Form:
        """The page's main form: the one with the most fields (not the language switch or
        the sign-out button in its header)."""
        forms = cls.all_of(answer)
        assert forms, f"no form on {answer}"
        return max(forms, key=lambda form: len(form.fields) + len(form.files))

    def pairs(self) -> list[tuple[str, str]]:
        return [
            (name, one)
            for name, value in self.fields.items()
            for one in (value if isinstance(value, list) else [value])
            if name != "csrfmiddlewaretoken"
        ] + [("csrfmiddlewaretoken", self.fields.get("csrfmiddlewaretoken", ""))]


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea = None
        self._select = None
        self._first_option = None

    def _add(self, name, value):
        form = self.forms[-1]
        if name in form.fields:
            previous = form.fields[name]
            form.fields[name] = (
                [*previous, value] if isinstance(previous, list) else [previous, value]
            )
        else:
            form.fields[name] = value

    def handle_starttag(self, tag, attrs):
        a = {key: ("" if value is None else value) for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
            return
        if not self.forms or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        kind = a.get("type", "text").lower()
        if tag == "input":
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind == "file":
                self.forms[-1].files.append(a["name"])
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            else:
                self._add(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = [a["name"], "multiple" in a, []]
            self._first_option = None

    def _option(self, a):
        name, multiple, chosen = self._select
        value = a.get("value", "")
        if self._first_option is None:
            self._first_option = value
        if "selected" in a:
            chosen.append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # A browser drops the one newline that follows <textarea>.
            self._add(name, text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple, chosen = self._select
            if multiple:
                for value in chosen:
                    self._add(name, value)
            elif chosen or self._first_option is not None:
                self._add(name, chosen[-1] if chosen else self._first_option)
            self._select = None
