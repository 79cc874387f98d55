"""Posting to the Django admin as an operator does: changelist actions (straight, or through their
intermediate page), change forms read back from the page and posted with changes, the messages shown."""

from __future__ import annotations

from html.parser import HTMLParser

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages


def _ids(objects) -> list[str]:
    return [str(getattr(o, "pk", o)) for o in objects]


def run_action(client, changelist_url: str, action: str, objects, **fields):
    """Choose ``action`` for ``objects`` (rows or their ids) on the changelist, as the action bar does (no
    confirmation page, or the page it answers with)."""
    data = {"action": action, ACTION_CHECKBOX_NAME: _ids(objects), "index": 0, **fields}
    return client.post(changelist_url, data, follow=True)


def apply_action(client, changelist_url: str, action: str, objects, **fields):
    """Submit an action's intermediate page with ``fields`` filled in."""
    data = {"action": action, ACTION_CHECKBOX_NAME: _ids(objects), "apply": "1", **fields}
    return client.post(changelist_url, data, follow=True)


def said(response) -> list[str]:
    """The messages the admin showed after ``response``."""
    return [str(m) for m in get_messages(response.wsgi_request)]


class _FormReader(HTMLParser):
    """What a browser would submit from the form with ``form_id`` (submit buttons left out)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(a["name"], a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "option" and self._select is not None:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a and not self._select_chosen:
                self._select_chosen = True
                self._add(self._select, a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._add(self._textarea, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self._add(self._select, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            value = self.data[self._textarea][-1]
            # Browsers drop the newline that follows <textarea>, as Django's widget writes one.
            self.data[self._textarea][-1] = value[1:] if value.startswith("\n") else value
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.data[self._textarea][-1] += data


def form_data(response, form_id: str) -> dict[str, list[str] | str]:
    """The fields of an admin page's form as a browser would post them, ready to change and post."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.data, f"no form #{form_id} on the page"
    return {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}


def change_form_post(client, change_url: str, form_id: str, **changes):
    """Open a change page, take its form as the browser would submit it, change ``changes`` and post."""
    page = client.get(change_url)
    assert page.status_code == 200, page.status_code
    data = form_data(page, form_id)
    data.update(changes)
    return client.post(change_url, data, follow=True)
