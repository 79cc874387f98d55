"""Segmentation: what the index stores and what a query asks for must agree, in Chinese and English,
whatever jieba makes of the surrounding text."""

from __future__ import annotations

import pytest
from django.db import connection

from core import segment


def test_domain_words_from_the_dictionary_are_single_tokens():
    tokens = segment.index_tokens("学生党平价好物，敏感肌也能种草")

    assert {"学生党", "好物", "敏感肌", "种草"} <= set(tokens)
    # Search mode also keeps the dictionary sub-words of long words.
    assert {"学生", "敏感"} <= set(tokens)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("这款面霜真的很好用", "好用"),  # jieba cuts 很/好/用 here
        ("超敏感肌肤也不刺激", "肌肤"),  # and 敏感肌/肤 here
        ("油痘肌防晒推荐", "防晒"),
        ("秋冬保湿面霜测评", "面霜"),
    ],
)
def test_every_two_character_chinese_substring_is_a_token(text, word):
    assert word in segment.index_tokens(text)
    assert [t.word for t in segment.query_terms(word)] == [word]


def test_english_is_lower_cased_and_split_from_chinese_and_punctuation():
    tokens = segment.index_tokens("CeraVe适乐肤面霜SPF50+, 真的 Hydrating!")

    assert "cerave" in tokens and "spf50" in tokens and "hydrating" in tokens
    assert "面霜" in tokens
    assert not any(ch in "".join(tokens) for ch in "+,! ")


def test_full_width_letters_and_digits_are_folded():
    assert segment.index_tokens("ＳＰＦ５０ Ａｎｅｓｓａ") == ["spf50", "anessa"]
    assert segment.tsquery("ＳＰＦ５０") == "'spf50'"


def test_a_query_is_the_and_of_its_words():
    assert segment.tsquery("敏感肌 面霜") == "('敏感肌' | '敏感' & '感肌') & '面霜'"
    assert segment.tsquery("cerave 面霜") == "'cerave' & '面霜'"


def test_particles_are_dropped_and_other_single_characters_go_with_a_neighbour():
    assert segment.tsquery("敏感肌的面霜") == "('敏感肌' | '敏感' & '感肌') & '面霜'"
    # 很 and 好 are particles; 用 alone would be noise, 好用 is what was meant.
    assert segment.tsquery("很好用") == "'好用'"


def test_the_last_word_is_a_prefix_while_typing():
    assert segment.tsquery("cera", prefix_last=True) == "'cera':*"
    assert segment.tsquery("面", prefix_last=True) == "'面':*"
    assert segment.tsquery("学生党 面", prefix_last=True, weights="A") == (
        "('学生党':A | '学生':A & '生党':A) & '面':*A"
    )


@pytest.mark.parametrize(
    "query",
    ["", "   ", "&|!():*", "'\"\\", "<>", "!!!", "——。，", "_", "😀🔥"],
)
def test_queries_without_words_ask_for_nothing(query):
    assert segment.query_terms(query) == []
    assert segment.tsquery(query) == ""


def test_a_huge_query_is_cut_to_a_few_words():
    terms = segment.query_terms("面霜 " * 5000 + "x" * 10_000)

    assert 1 <= len(terms) <= segment.QUERY_MAX_TERMS
    assert all(len(t.word) <= segment.TOKEN_MAX for t in terms)


def test_huge_tokens_are_cut_so_postgres_accepts_them():
    assert max(len(t) for t in segment.index_tokens("a" * 5000 + " 面霜")) == segment.TOKEN_MAX


def test_words_added_later_become_tokens():
    assert "珂润润浸" not in segment.index_tokens("珂润润浸保湿面霜")

    segment.words_add(["珂润润浸", "", None])

    assert "珂润润浸" in segment.index_tokens("珂润润浸保湿面霜")
    assert segment.query_terms("珂润润浸")[0].word == "珂润润浸"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "CeraVe适乐肤面霜SPF50+，学生党必备！#平价好物 @小红 don't 1.5ml e-mail a_b ü Ａｎｎｅｓｓａ",
        "超敏感肌肤也不刺激，真的很好用～ 5/5 推荐给油痘肌",
    ],
)
def test_postgres_simple_configuration_keeps_our_tokens_unchanged(text):
    """The 'simple' parser must not split or merge the tokens: the index and the query then agree."""
    tokens = segment.index_tokens(text)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT token, lexemes FROM ts_debug('simple', %s) WHERE alias <> 'blank'",
            [segment.segment(text)],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT to_tsquery('simple', %s)::text", [segment.tsquery(text)])
        query_text = cursor.fetchone()[0]
    assert [token for token, _lexemes in rows] == tokens
    assert all(lexemes == [token] for token, lexemes in rows)
    for term in segment.query_terms(text):
        assert f"'{term.word}'" in query_text
