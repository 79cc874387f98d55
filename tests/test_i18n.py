"""Simplified Chinese: the catalogue is complete and compiled, and the key pages speak Chinese.

The .po file is read with a small parser below (no polib in the project); the compiled .mo is read with
the standard library's gettext, which is what Django itself uses at run time.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO = LOCALE_DIR / "django.po"
MO = LOCALE_DIR / "django.mo"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

LATIN = re.compile(r"[A-Za-z]")
# Placeholders and markup that must come through a translation unchanged.
PLACEHOLDER = re.compile(r"%%|%\([A-Za-z_0-9]+\)[-+ #0]*[0-9]*[sdrfi]|%[sd]|\{[A-Za-z_0-9]*\}|<[^>]+>")


# --- a small .po reader -----------------------------------------------------------------------------------


class Entry:
    def __init__(self) -> None:
        self.flags: set[str] = set()
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}
        self.line = 0

    @property
    def key(self) -> str:
        # The same key gettext uses in a compiled catalogue.
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (obsolete '#~' ones left out), header included as the entry with msgid ''."""
    entries: list[Entry] = []
    entry: Entry | None = None
    field: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, field
        if entry is not None and (entry.msgstr or entry.msgid):
            entries.append(entry)
        entry, field = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if entry is not None and (entry.msgstr or entry.msgid):
                finish()
            entry = entry or Entry()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:
                finish()
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            keyword, index, literal = match.group(1), match.group(2), match.group(3)
            if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
                finish()
            entry = entry or Entry()
            entry.line = entry.line or number
            value = ast.literal_eval(literal)
            if keyword == "msgctxt":
                entry.msgctxt, field = value, ("msgctxt", None)
            elif keyword == "msgid":
                entry.msgid, field = value, ("msgid", None)
            elif keyword == "msgid_plural":
                entry.msgid_plural, field = value, ("msgid_plural", None)
            else:
                slot = int(index) if index is not None else 0
                entry.msgstr[slot] = value
                field = ("msgstr", slot)
            continue
        if line.startswith('"') and entry is not None and field is not None:
            value = ast.literal_eval(line)
            name, slot = field
            if name == "msgstr":
                entry.msgstr[slot] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
            continue
        raise AssertionError(f"{path}:{number}: cannot read line {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return parse_po(PO)


def _messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid != ""]


# --- (a) the catalogue is complete --------------------------------------------------------------------------


def test_catalogue_has_chinese_plural_forms(po_entries):
    header = next(e for e in po_entries if e.msgid == "")
    assert "fuzzy" not in header.flags
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8" in header.msgstr[0]
    assert len(_messages(po_entries)) > 500


def test_every_string_is_translated_and_none_is_fuzzy(po_entries):
    untranslated = [e.msgid for e in _messages(po_entries) if not e.msgstr or not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in _messages(po_entries) if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_plural_entries_have_exactly_one_form(po_entries):
    plurals = [e for e in _messages(po_entries) if e.msgid_plural is not None]
    assert plurals
    wrong = [e.msgid for e in plurals if sorted(e.msgstr) != [0]]
    assert not wrong, f"Chinese has one plural form; these have another number: {wrong}"


def test_placeholders_and_markup_survive_translation(po_entries):
    wrong = []
    for e in _messages(po_entries):
        source = e.msgid_plural if e.msgid_plural is not None else e.msgid
        for text in e.msgstr.values():
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((source, text))
    assert not wrong, wrong[:5]


def test_translations_are_chinese(po_entries):
    """Each translation has Chinese in it, unless the source is a name or code kept as is (SKU, Redis)."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    kept = {"SKU", "SKUs"}

    def has_words(msgid: str) -> bool:  # "%(object)s: %(error)s" has nothing to translate
        return bool(LATIN.search(PLACEHOLDER.sub("", msgid)))

    not_chinese = [
        e.msgid
        for e in _messages(po_entries)
        if e.msgid not in kept and has_words(e.msgid) and not cjk.search(e.msgstr.get(0, ""))
    ]
    assert not not_chinese, not_chinese[:10]


def test_msgfmt_check_accepts_the_catalogue():
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt (Debian's gettext) is needed to compile translations"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


# --- (b) the compiled catalogue matches the source ----------------------------------------------------------


def test_compiled_mo_is_up_to_date_with_the_po(po_entries):
    assert MO.exists(), "django.mo is missing: run manage.py compilemessages and commit it"
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    catalog = compiled._catalog  # what gettext serves at run time: {msgid or (msgid, n): msgstr}

    expected: dict[object, str] = {}
    for e in _messages(po_entries):
        if e.msgid_plural is not None:
            for slot, text in e.msgstr.items():
                expected[(e.key, slot)] = text
        else:
            expected[e.key] = e.msgstr[0]
    actual = {k: v for k, v in catalog.items() if k != ""}

    missing = [k for k in expected if k not in actual]
    stale = [k for k in actual if k not in expected]
    different = [k for k in expected if k in actual and actual[k] != expected[k]]
    assert not (missing or stale or different), (
        "django.mo is out of date with django.po: run manage.py compilemessages --ignore=.venv "
        f"(missing {missing[:3]}, stale {stale[:3]}, different {different[:3]})"
    )


# --- (c) pages in Chinese -----------------------------------------------------------------------------------


class _Text(HTMLParser):
    """Visible text of a page, and the labels of its tab bar, with the html lang attribute."""

    SKIP = {"script", "style", "template", "noscript", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.stack: list[str] = []
        self.skip = 0
        self.in_tabbar = 0
        self.text: list[str] = []
        self.tab_text: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "path", "use", "circle"):
            return
        self.stack.append(tag)
        if tag in self.SKIP:
            self.skip += 1
        if tag == "nav" and "tabbar" in (a.get("class") or "").split():
            self.in_tabbar = len(self.stack)

    def handle_endtag(self, tag):
        if tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in self.SKIP:
                self.skip -= 1
            if self.in_tabbar and len(self.stack) < self.in_tabbar:
                self.in_tabbar = 0
            if top == tag:
                break

    def handle_data(self, data):
        if self.skip or not data.strip():
            return
        self.text.append(data.strip())
        if self.in_tabbar:
            self.tab_text.append(data.strip())


def _read(response) -> _Text:
    assert response.status_code == 200, response.status_code
    parser = _Text()
    parser.feed(response.content.decode())
    return parser


def _assert_chinese_shell(page: _Text) -> None:
    assert page.lang.lower() in {"zh-cn", "zh-hans"}, page.lang
    labels = [t for t in page.tab_text if t not in {"99+"} and not t.isdigit()]
    for word in ("首页", "商城", "消息", "我"):
        assert word in labels, f"{word!r} not among tab bar labels {labels}"
    assert not [t for t in labels if LATIN.search(t)], f"Latin letters in the tab bar: {labels}"


def _english_words(page: _Text, allowed: set[str]) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'’]{2,}", " ".join(page.text))
    return [w for w in words if w not in allowed]


# Words that stay as they are in the Chinese site: file formats, the language switch, technical names.
ALLOWED = {"JPEG", "PNG", "WebP", "GIF", "SKU", "Redis", "Sandbox", "Pay"}


@pytest.mark.django_db
def test_home_in_chinese(client):
    page = _read(client.get("/", **ZH))
    _assert_chinese_shell(page)
    text = " ".join(page.text)
    assert "红薯" in text
    assert "发现" in text
    assert "登录" in text  # the anonymous reader is offered to log in
    assert not _english_words(page, ALLOWED), _english_words(page, ALLOWED)


@pytest.mark.django_db
def test_login_page_in_chinese(client):
    page = _read(client.get("/accounts/login/", **ZH))
    _assert_chinese_shell(page)
    text = " ".join(page.text)
    for word in ("登录", "用户名", "密码", "立即注册"):
        assert word in text, word
    assert not _english_words(page, ALLOWED), _english_words(page, ALLOWED)


@pytest.mark.django_db
def test_mall_home_in_chinese(client):
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("mall:home")
    except NoReverseMatch:  # pragma: no cover - the mall is part of the site
        pytest.fail("the mall has no home page")
    page = _read(client.get(url, **ZH))
    _assert_chinese_shell(page)
    text = " ".join(page.text)
    for word in ("购物车", "订单", "搜索商城"):
        assert word in text, word
    assert not _english_words(page, ALLOWED), _english_words(page, ALLOWED)


@pytest.mark.django_db
def test_me_page_in_chinese_for_a_logged_in_user(client):
    user = UserFactory(username="xhsreader", nickname="小红薯")
    client.force_login(user)
    page = _read(client.get("/accounts/me/", **ZH))
    _assert_chinese_shell(page)
    text = " ".join(page.text)
    for word in ("编辑资料", "收货地址", "海关实名认证", "退出登录"):
        assert word in text, word
    assert not _english_words(page, ALLOWED | {"xhsreader"}), _english_words(page, ALLOWED | {"xhsreader"})


@pytest.mark.django_db
def test_set_language_switches_to_chinese_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = _read(client.get("/accounts/login/"))
    assert page.lang.lower() in {"zh-cn", "zh-hans"}, page.lang
    assert "登录" in " ".join(page.text)

    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = _read(client.get("/accounts/login/"))
    assert page.lang.lower() == "en"
    assert "Log in" in " ".join(page.text)


def test_tab_bar_labels_and_plurals_in_chinese():
    from django.utils import translation
    from django.utils.translation import ngettext

    from core.context_processors import NAV

    with translation.override("zh-hans"):
        assert [str(label) for _key, _icon, label, _urls in NAV] == ["首页", "商城", "发布", "消息", "我"]
        assert ngettext("%(n)s note", "%(n)s notes", 1) % {"n": 1} == "1 篇笔记"
        assert ngettext("%(n)s note", "%(n)s notes", 7) % {"n": 7} == "7 篇笔记"
