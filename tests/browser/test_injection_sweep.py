"""Injection rendered in a real browser: a corpus of script tags, event handlers, ``javascript:`` URLs, SVG,
iframes, styles and htmx attributes stored in every field a person writes (titles, bodies, topics, comments,
nicknames, bios, board names, addresses, report details, search queries), then every page that shows them
opened in Chromium, as the victim who reads them, as their writer and as an operator in admin.

A payload that ran would call ``__x(n)`` (defined on every page before anything else runs) or leave a live
attribute behind: the sweep checks both, plus the page's CSP violations and dialogs. ``INJECTION_PAGES=all``
is the same sweep (it is already every page that shows these fields); the figures are printed."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.tests.factories import AddressFactory, UserFactory
from community.models import Notification
from community.tests.factories import (
    BoardFactory,
    CommentFactory,
    NoteReportFactory,
    NotificationFactory,
    TopicFactory,
    collect,
    indexed_note,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>__x(1)</script>",
    "<img src=x onerror=__x(2)>",
    "<svg onload=__x(3)>",
    '"><b onclick=__x(4)>x</b>',
    "javascript:__x(5)",
    "<a href=javascript:__x(6)>a",
    "<p hx-get=/?x7 hx-trigger=load>",
    "<i hx-on:click=__x(8)>i</i>",
    "<iframe srcdoc=__x(9)>",
    "<details open ontoggle=__x(10)>",
    "'-__x(11)-'",
    "<style>*{color:red}</style>",
    "{{ 7|add:6 }}{% now 'Y' %}",
]
ALL = " ".join(PAYLOADS)

# Every element attribute that would run or fetch something, and every script or style that carries a
# payload: what a payload left alive on the page.
LIVE_JS = """
() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const n = a.name.toLowerCase(), v = a.value;
      if (!v.includes('__x(') && !v.includes('?x7')) continue;
      if (n.startsWith('on') || n.startsWith('hx-') || n === 'srcdoc'
          || (['href', 'src', 'action', 'formaction'].includes(n) && /^\\s*javascript:/i.test(v)))
        bad.push(`${el.tagName}[${n}=${v}]`);
    }
  }
  for (const s of document.querySelectorAll('script:not([type="application/json"])'))
    if (s.textContent.includes('__x(')) bad.push('SCRIPT ' + s.textContent.slice(0, 40));
  for (const s of document.querySelectorAll('style'))
    if (s.textContent.includes('color:red')) bad.push('STYLE');
  return bad;
}
"""


def _admin(name: str, *args) -> str | None:
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None


@pytest.fixture
def hostile_world():
    victim = UserFactory(username="victim", nickname="Victim")
    attacker = UserFactory(username="attacker", nickname=PAYLOADS[1][:24], bio=ALL[:200])
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    topic = TopicFactory(name=PAYLOADS[2], note_count=1)
    note = indexed_note(
        author=attacker,
        title=PAYLOADS[1][:20],
        body=ALL + " @victim #" + PAYLOADS[2],
        images=1,
        topics=(topic.name,),
    )
    victim_note = indexed_note(author=victim, title="my note", body="hello", images=1)
    comment = CommentFactory(note=victim_note, author=attacker, body=ALL[:500])
    board = BoardFactory(owner=attacker, name=PAYLOADS[2][:30], is_private=False)
    collect(attacker, note, board)
    NotificationFactory(
        recipient=victim, actor=attacker, kind=Notification.Kind.COMMENT, note=victim_note, comment=comment
    )
    NotificationFactory(recipient=victim, actor=attacker, kind=Notification.Kind.MENTION, note=note)
    report = NoteReportFactory(reporter=attacker, note=note, detail=ALL[:300])
    address = AddressFactory(user=attacker, recipient=PAYLOADS[3][:40], detail=ALL[:120])
    search = {"q": PAYLOADS[1]}
    from urllib.parse import urlencode

    query = "?" + urlencode(search)
    as_victim = [
        reverse("home"),
        reverse("community:note", args=[note.pk]),
        reverse("community:note", args=[victim_note.pk]),
        reverse("community:profile", args=[attacker.pk]),
        reverse("community:board", args=[board.pk]),
        reverse("community:topic", args=[topic.name]),
        reverse("community:notifications"),
        reverse("community:search") + query,
        reverse("community:search") + query + "&type=users",
        reverse("community:search") + query + "&type=topics",
        reverse("community:search") + query + "&type=products",
        reverse("community:search") + "?" + urlencode({"q": PAYLOADS[0]}),
        reverse("community:search_suggest") + query,
        reverse("mall:search") + query,
    ]
    as_attacker = [reverse("community:creator_stats"), reverse("accounts:addresses"), reverse("accounts:me")]
    as_operator = [
        _admin("community_note_changelist"),
        _admin("community_note_change", note.pk),
        _admin("accounts_user_changelist"),
        _admin("accounts_user_change", attacker.pk),
        _admin("community_comment_changelist"),
        _admin("community_comment_change", comment.pk),
        _admin("community_report_changelist"),
        _admin("community_report_change", report.pk),
        _admin("community_board_changelist"),
        _admin("community_topic_changelist"),
        _admin("accounts_address_changelist"),
        _admin("accounts_address_change", address.pk),
    ]
    return {
        victim: as_victim,
        attacker: as_attacker,
        operator: [url for url in as_operator if url],
    }


def test_no_stored_or_reflected_payload_runs_on_any_page(browser, live_server, hostile_world, capsys):
    from django.conf import settings
    from django.test import Client

    failures, visited = [], 0
    problems: list[str] = []
    for user, urls in hostile_world.items():
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        context.add_init_script("window.__x = n => (window.__hits = window.__hits || []).push(n);")
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        page = context.new_page()
        page.on("dialog", lambda d: (problems.append(f"dialog {d.message}"), d.dismiss()))
        page.on(
            "console",
            lambda m: (
                problems.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None
            ),
        )
        for url in urls:
            problems.clear()
            response = page.goto(live_server.url + url)
            page.wait_for_timeout(150)  # a load trigger, an onerror or a toggle would have fired by now
            status = response.status if response else 0
            hits = page.evaluate("window.__hits || []")
            live = page.evaluate(LIVE_JS)
            visited += 1
            if status >= 500 or hits or live or problems:
                failures.append(
                    f"{user.username} {url}: status {status}, ran {hits}, live {live}, {problems}"
                )
        context.close()
    with capsys.disabled():
        print(f"\ninjection sweep: {len(PAYLOADS)} payloads x {visited} pages, {len(failures)} failures")
    assert failures == []
