"""How the mall's admin screens write money, rates, moments and people's names; everything else they are
built from is the shared toolkit (core/admintools.py)."""

from __future__ import annotations

from functools import partial

from django.utils import timezone
from django.utils.formats import date_format

from core.admintools import dash_if_none
from mall.templatetags.mall import percent, yuan

money = partial(dash_if_none, format_value=yuan)
rate = partial(dash_if_none, format_value=percent)


def when(moment) -> str:
    return dash_if_none(moment, lambda m: date_format(timezone.localtime(m), "SHORT_DATETIME_FORMAT"))
