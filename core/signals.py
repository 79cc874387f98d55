"""A notice for one person, from an app that cannot import the app that owns the inbox.

flashsale and community know nothing of each other (docs/architecture.md, "Apps and the direction of
imports"), yet a buyer who asked to be reminded of a sale hears of its opening in the community inbox.
The sender announces ``notice_for_user`` after its transaction commits with ``user_id``, ``kind`` (a
notice kind the inbox knows, such as ``"sale_opened"``), ``params`` (plain JSON values: ids, codes,
titles, never a sentence: the reader's language is not known yet) and ``key`` (what caused it, so a
repeated announcement makes one notice). Nobody listening means nobody is told.
"""

from django.dispatch import Signal

notice_for_user = Signal()
