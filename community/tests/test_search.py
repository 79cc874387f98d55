"""Search selectors against real PostgreSQL: Chinese and English matching through the GIN index,
visibility, five sorts with keyset pagination, hostile queries, users, topics, suggestions, query counts."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from community.models import Follow, Like, Note
from community.selectors.search import notes as note_search
from community.selectors.search.notes import SORT_KEYS, Sort, note_query, notes_search
from community.selectors.search.people import topics_search, users_search
from community.selectors.search.suggestions import search_suggest
from community.services.search import note_search_index, notes_search_reindex
from community.tests.factories import TopicFactory, indexed_note
from core.keyset import BadCursor

pytestmark = pytest.mark.django_db


def _ids(page) -> list[int]:
    return [note.id for note in page.items]


def _all_pages(*, page_size: int, **kwargs) -> list[int]:
    """Every id, following next cursors to the end (and failing if it never ends)."""
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        page = notes_search(cursor=cursor, page_size=page_size, **kwargs)
        seen += _ids(page)
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


# --- matching -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "query"),
    [
        ("秋冬用的保湿面霜测评，油皮也不闷痘", "面霜"),
        ("学生党平价防晒喷雾，军训必备", "防晒"),
        ("这款精华真的很好用，回购第三瓶了", "好用"),  # jieba cuts 很/好/用 in this text
        ("超敏感肌肤也不刺激", "肌肤"),  # and 敏感肌/肤 in this one
        ("敏感肌也能用的修护精华", "敏感肌"),
    ],
)
def test_a_chinese_word_finds_notes_that_contain_it_inside_longer_text(body, query):
    note = indexed_note(title="今日分享", body=body)
    indexed_note(title="完全无关", body="今天天气不错，出门散步")

    assert _ids(notes_search(query=query)) == [note.id]


def test_english_words_match_case_insensitively_and_mixed_with_chinese():
    cerave = indexed_note(title="CeraVe面霜", body="The moisturizing cream I repurchase every winter.")
    other = indexed_note(title="La Roche-Posay防晒", body="Light sunscreen, SPF50+, no white cast.")

    assert _ids(notes_search(query="cerave")) == [cerave.id]
    assert _ids(notes_search(query="MOISTURIZING cream")) == [cerave.id]
    assert _ids(notes_search(query="CeraVe 面霜")) == [cerave.id]
    assert _ids(notes_search(query="spf50")) == [other.id]
    assert _ids(notes_search(query="roche posay")) == [other.id]
    # All words must match.
    assert _ids(notes_search(query="cerave sunscreen")) == []


def test_topics_are_searched_with_the_title():
    note = indexed_note(title="冬天的宝藏", body="说不出的好用", topics=("护肤心得",))

    assert _ids(notes_search(query="护肤心得")) == [note.id]
    assert _ids(notes_search(query="心得")) == [note.id]


def test_only_public_published_notes_are_found():
    public = indexed_note(title="面霜推荐")
    author = public.author
    indexed_note(title="面霜 hidden", status=Note.Status.HIDDEN)
    indexed_note(title="面霜 under review", status=Note.Status.UNDER_REVIEW)
    indexed_note(title="面霜 private", visibility=Note.Visibility.PRIVATE, author=author)

    for sort in SORT_KEYS:
        # Not even the author sees their private note in search: search is the public view.
        assert _ids(notes_search(query="面霜", sort=sort, viewer=author)) == [public.id]


def test_an_edited_note_is_found_by_its_new_words_only():
    note = indexed_note(title="旧标题", body="old words")
    Note.objects.filter(pk=note.pk).update(title="新的防晒", body="fresh words")
    note_search_index(note_id=note.pk)

    assert _ids(notes_search(query="防晒")) == [note.id]
    assert _ids(notes_search(query="fresh")) == [note.id]
    assert _ids(notes_search(query="旧标题")) == []
    assert _ids(notes_search(query="old")) == []


def test_reindex_rebuilds_every_vector_in_batches():
    notes = [indexed_note(title=f"面霜 {i}") for i in range(3)]
    Note.objects.update(search_vector=None)

    assert notes_search_reindex(batch_size=2) == 3
    assert set(_ids(notes_search(query="面霜"))) == {n.id for n in notes}


def test_the_gin_index_answers_a_two_character_query():
    for i in range(30):
        indexed_note(title=f"日常 {i}", body="今天分享一下通勤穿搭")
    indexed_note(title="面霜", body="冬天的面霜")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE community_note")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Note.objects.filter(search_vector=note_query("面霜")).values("id").explain()
    assert "note_search" in plan


# --- relevance and sorts ----------------------------------------------------------------------------------


def test_relevance_puts_title_matches_above_body_matches():
    in_body = indexed_note(title="日常分享", body="最近用的面霜还不错")
    in_title = indexed_note(title="面霜红黑榜", body="最近用的几个都还不错")

    assert _ids(notes_search(query="面霜")) == [in_title.id, in_body.id]


@pytest.mark.parametrize(
    ("sort", "field"),
    [(Sort.LIKED, "like_count"), (Sort.COLLECTED, "collect_count"), (Sort.COMMENTED, "comment_count")],
)
def test_counter_sorts_order_by_the_counter_then_newest(sort, field):
    low = indexed_note(title="防晒 low", **{field: 1})
    high = indexed_note(title="防晒 high", **{field: 9})
    tie_old = indexed_note(title="防晒 tie old", **{field: 5})
    tie_new = indexed_note(title="防晒 tie new", **{field: 5})

    assert _ids(notes_search(query="防晒", sort=sort)) == [high.id, tie_new.id, tie_old.id, low.id]


def test_newest_sort_is_by_id_descending():
    notes = [indexed_note(title=f"防晒 {i}") for i in range(3)]

    assert _ids(notes_search(query="防晒", sort=Sort.NEWEST)) == [n.id for n in reversed(notes)]


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_every_sort_pages_through_all_matches_without_repeats(sort):
    # Many ties: equal counters, equal ranks (same text), so the id tiebreak carries the keyset.
    expected = set()
    for i in range(11):
        note = indexed_note(
            title="防晒霜" if i % 2 else "好用的防晒",
            body="防晒 " * (i % 3 + 1),
            like_count=i % 3,
            collect_count=i % 2,
            comment_count=i % 4,
        )
        expected.add(note.id)
    indexed_note(title="不相关")

    for size in (1, 2, 4):
        seen = _all_pages(query="防晒", sort=sort, page_size=size)
        assert len(seen) == len(set(seen)) == 11
        assert set(seen) == expected
    # Paging gives the same order as one big page.
    assert _all_pages(query="防晒", sort=sort, page_size=3) == _ids(
        notes_search(query="防晒", sort=sort, page_size=50)
    )


def test_relevance_ranks_blocks_of_the_newest_matches_and_reaches_them_all():
    # Titles make notes 0 and 3 the most relevant; blocks of 3 rank the newest three (4, 5, 6) first.
    notes = [indexed_note(title="面霜" if i in (0, 3) else "日常", body="面霜") for i in range(7)]

    everything = _all_pages(query="面霜", sort=Sort.RELEVANCE, page_size=2, block=3)

    assert set(everything[:3]) == {n.id for n in notes[4:]}
    # The next block (notes 1 to 3) starts with its title match, then the last block (note 0).
    assert everything[3] == notes[3].id
    assert set(everything[3:6]) == {n.id for n in notes[1:4]}
    assert everything[6:] == [notes[0].id]
    assert len(everything) == len(set(everything)) == 7


def test_relevance_blocks_take_rare_words_from_far_down_the_ladder(monkeypatch):
    monkeypatch.setattr(note_search, "CANDIDATE_WINDOWS", (2, 4))
    old = indexed_note(title="眼霜", body="x")
    for i in range(8):
        indexed_note(title=f"日常 {i}", body="面霜")
    new = indexed_note(title="眼霜 new", body="x")

    assert set(_ids(notes_search(query="眼霜"))) == {old.id, new.id}
    assert len(_ids(notes_search(query="面霜"))) == 8


# --- hostile and empty input ------------------------------------------------------------------------------

# (query, whether it finds the note titled 面霜): what a query means survives the garbage around it, and the
# garbage alone finds nothing.
HOSTILE = [
    ("", False),
    ("   ", False),
    ("'", False),
    ('"面霜"', True),
    ("面霜 & | ! ( ) : *", True),
    ("!!!(((", False),
    ("a:* & b:A", False),
    ("'; DROP TABLE community_note; --", False),
    ("\\", False),
    ("<script>alert(1)</script>", False),
    ("面霜" * 5000, True),
    ("x" * 10_000, False),
    ("防晒 " * 2000, False),
    ("\x00面霜", True),
    ("😀🔥", False),
]


@pytest.mark.parametrize(("query", "finds"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_answer_without_errors(query, finds):
    note = indexed_note(title="面霜", body="x")
    expected = [note.id] if finds else []

    for sort in SORT_KEYS:
        assert _ids(notes_search(query=query, sort=sort)) == expected, sort
    assert users_search(query=query).items == []
    assert topics_search(query=query).items == []
    suggestions = search_suggest(query=query)
    assert suggestions.topics == []
    assert [note_id for note_id, _title in suggestions.notes] == expected


def test_an_empty_query_searches_nothing_and_costs_no_query(django_assert_num_queries):
    indexed_note(title="面霜")

    with django_assert_num_queries(0):
        page = notes_search(query=" &|!():* ")
        suggestions = search_suggest(query="")
    assert page.items == [] and page.searched is False
    assert not suggestions


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "e30", "WyJuZXdlc3QiXQ", "WyJsaWtlZCIsMSwyXQ", "WyJyZWxldmFuY2UiLCJ4IiwxXQ", "!!!"],
)
def test_a_forged_cursor_is_a_clear_error(cursor):
    indexed_note(title="面霜")

    with pytest.raises(BadCursor):
        notes_search(query="面霜", sort=Sort.NEWEST, cursor=cursor)


@pytest.mark.parametrize(("made_for", "used_for"), [(Sort.LIKED, Sort.NEWEST), (Sort.NEWEST, Sort.RELEVANCE)])
def test_a_cursor_is_signed_for_its_sort_and_refused_by_another(made_for, used_for):
    for i in range(3):
        indexed_note(title=f"面霜 {i}")
    cursor = notes_search(query="面霜", sort=made_for, page_size=1).next_cursor
    assert cursor and notes_search(query="面霜", sort=made_for, page_size=1, cursor=cursor).items

    with pytest.raises(BadCursor):
        notes_search(query="面霜", sort=used_for, page_size=1, cursor=cursor)
    with pytest.raises(BadCursor):
        users_search(query="面霜", cursor=cursor)


# --- users and topics -------------------------------------------------------------------------------------


def test_users_are_found_by_nickname_or_username_exact_names_first():
    older = UserFactory(username="lily_2020", nickname="Lily的护肤日记")
    exact = UserFactory(username="lily", nickname="Lily")
    chinese = UserFactory(username="xiaohong", nickname="小红薯酱")
    UserFactory(username="bob", nickname="Bob", is_active=False)
    Follow.objects.create(follower=chinese, followee=exact)
    indexed_note(title="面霜", author=exact)

    page = users_search(query="lily")
    assert [u.id for u in page.items] == [exact.id, older.id]
    assert (page.items[0].follower_count, page.items[0].note_count) == (1, 1)
    assert [u.id for u in users_search(query="红薯").items] == [chinese.id]
    assert users_search(query="bob").items == []


def test_topics_are_found_by_part_of_the_name_exact_first_then_popular():
    popular = TopicFactory(name="平价面霜推荐", note_count=50)
    exact = TopicFactory(name="面霜", note_count=3)
    rare = TopicFactory(name="面霜红黑榜", note_count=10)
    TopicFactory(name="防晒")

    assert [t.id for t in topics_search(query="#面霜").items] == [exact.id, rare.id, popular.id]


def test_users_and_topics_page_without_repeats():
    for i in range(7):
        UserFactory(username=f"mia{i}", nickname=f"Mia {i}")
        TopicFactory(name=f"mia话题{i}", note_count=i % 3)
    for search in (users_search, topics_search):
        seen, cursor = [], None
        while True:
            page = search(query="mia", cursor=cursor, page_size=2)
            seen += [item.id for item in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 7


# --- suggestions ------------------------------------------------------------------------------------------


def test_suggestions_offer_topics_and_titles_with_the_last_word_as_a_prefix():
    TopicFactory(name="cerave测评", note_count=4)
    note = indexed_note(title="CeraVe面霜真实测评", body="")
    indexed_note(title="日常", body="cerave is in the body only")

    suggestions = search_suggest(query="cera")

    assert [t.name for t in suggestions.topics] == ["cerave测评"]
    assert suggestions.notes == [(note.id, "CeraVe面霜真实测评")]
    assert [n for n, _t in search_suggest(query="面").notes] == [note.id]


# --- query counts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_a_page_of_notes_costs_the_same_queries_whatever_its_size(sort, django_assert_num_queries):
    viewer = UserFactory()
    for i in range(8):
        note = indexed_note(title=f"面霜 {i}", images=1)
        Like.objects.create(user=viewer, note=note)
    # Relevance asks for the newest id once on its first page (its candidate windows start there).
    first = 2 if sort == Sort.RELEVANCE else 1
    for size in (2, 6):
        with django_assert_num_queries(first):
            notes_search(query="面霜", sort=sort, page_size=size)
        with django_assert_num_queries(first + 1):
            page = notes_search(query="面霜", sort=sort, page_size=size, viewer=viewer)
        assert len(page.items) == size and page.state.liked == {n.id for n in page.items}
        with django_assert_num_queries(2):
            notes_search(query="面霜", sort=sort, page_size=size, viewer=viewer, cursor=page.next_cursor)


def test_users_topics_and_suggestions_cost_fixed_queries(django_assert_num_queries):
    for i in range(6):
        user = UserFactory(username=f"amy{i}")
        indexed_note(title=f"amy面霜{i}", author=user, topics=(f"amy{i}",))
    for size in (2, 5):
        with django_assert_num_queries(1):
            assert len(users_search(query="amy", page_size=size).items) == size
        with django_assert_num_queries(1):
            assert len(topics_search(query="amy", page_size=size).items) == size
        # topics, the newest id, titles, products
        with django_assert_num_queries(4):
            assert search_suggest(query="amy", size=size).notes
