"""The blend and the page rules: every weight of the personal feed is in this module.

Each source gives its candidates a score in 0..1 (its own order, normalised). A note's blended score is
the sum over the sources that proposed it of ``WEIGHTS[source] x score``; the source that contributed most
is the one credited (impressions and engagement per source) and explained ("because you collected
#防晒"). Sponsorship plays no part in any score: a sponsored note is labelled on its card and ranks like
any other note with the same signals.

A page is drawn from the blended list in order, skipping what the reader has seen lately, engaged with
or hidden, with at most ``MAX_PER_WRITER`` notes of one writer and at most ``MAX_TOPIC_SHARE`` of the page
on one topic; ``EXPLORE_SHARE`` of each page is kept for the exploration budget's fresh notes.
When too few unseen notes are left to fill a page, the feed lets the seen ones fill the rest, after them.

Interests decay: an engagement ``age`` seconds old counts ``weight x 0.5 ^ (age / HALF_LIFE)``.
"""

from __future__ import annotations

import functools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.segment import query_terms

TOPIC = "topic"
COENGAGE = "co"
ALS = "als"
FOLLOWED = "follow"
EXPLORE = "explore"
HOT = "hot"
WORDS = "words"
SOURCES = (TOPIC, WORDS, COENGAGE, ALS, FOLLOWED, EXPLORE, HOT)

#: The blend. Personal sources outweigh hot, which is there to fill and to keep a new reader's page full.
#: Tuned offline (``recs_evaluate --tune``, coordinate ascent on the generated community's seed 15, reported
#: on seed 16: README): topic leads; ALS second; co-engagement and followed writers barely count (each
#: scores far below topic on held-out readers) but still break ties; hot fills; exploration keeps its
#: quarter of the page whatever its weight, which decides which fresh notes are credited to it.
WEIGHTS = {TOPIC: 4.0, COENGAGE: 0.05, ALS: 2.0, FOLLOWED: 0.05, EXPLORE: 0.6, HOT: 0.2}
#: Words (the title words a note's topics do not say, and searched words): a narrower, noisier hint than a
#: topic, so well below it; with co-engagement and exploration. Measured offline when titles repeated their
#: topics (recs_evaluate, 1k notes, topic at 2.0): 0.2 -> 0.250 recall@20, 0.6 -> 0.257, 1.2 -> 0.251 (blend
#: without: 0.248); kept at that best ratio to topic (0.3x) under the tuned weights.
WEIGHTS[WORDS] = 1.2

#: What one engagement is worth to a reader's interests, before decay.
EVENT_WEIGHTS = {"like": 1.0, "collect": 2.0, "comment": 1.5, "open": 0.5, "pick": 3.0}
HALF_LIFE_SECONDS = 14 * 24 * 3600
#: Topics of a reader's profile the topic source looks into.
TOP_TOPICS = 8
#: What one searched word is worth to a reader's interests, before decay (a word, not a note: below a like).
SEARCH_WEIGHT = 0.8
#: Words of a reader's profile the words source looks into, and the notes it takes per word.
TOP_WORDS = 8
PER_WORD = 40
#: Words that say nothing about what a reader cares for: the filler of note titles ("攻略", "分享").
GENERIC_WORDS = frozenset([
    "分享", "推荐", "攻略", "合集", "测评", "日记", "心得", "清单", "教程", "好物", "必备", "真的", "一下", "我的", "今天", "超级", "什么",
    "一个", "这个", "没有", "自己", "大家", "可以", "还是", "就是", "终于", "第一次", "记录", "日常", "宝藏", "干货", "小众", "平价", "附上",
    "总结", "指南", "the", "and", "for", "with", "my", "you",
])  # fmt: skip

MAX_PER_WRITER = 2
MAX_TOPIC_SHARE = 0.4
EXPLORE_SHARE = 0.25


@dataclass
class Candidate:
    note_id: int
    score: float
    source: str
    reason: str = ""  # a topic name, a note title: what the explanation names


@dataclass
class NoteFacts:
    """What the page rules need of a note, without reading it from the database again."""

    author_id: int
    topic_ids: tuple[int, ...] = ()
    source: str = HOT
    reason: str = ""
    sponsored: bool = False


@dataclass
class Profile:
    """A reader's decayed interests: topic id -> weight, and the notes they engaged with (id -> weight)."""

    topics: dict[int, float] = field(default_factory=dict)
    notes: dict[int, float] = field(default_factory=dict)
    topic_names: dict[int, str] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)  # topic id -> "collected" / "liked" ...
    hidden_topics: set[int] = field(default_factory=set)
    hidden_writers: set[int] = field(default_factory=set)
    hidden_notes: set[int] = field(default_factory=set)
    words: dict[str, float] = field(default_factory=dict)  # jieba words of engaged notes and searches
    word_reasons: dict[str, str] = field(default_factory=dict)  # word -> "search" / "collect" ...

    @property
    def empty(self) -> bool:
        return not self.topics and not self.notes and not self.words


@functools.lru_cache(maxsize=50_000)
def interest_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` that can name an interest: ``core.segment``'s query words (jieba, the way
    the search index cuts text, so each one matches the index), two characters or more, not a number,
    not filler. Cached: titles come back at every rebuild."""
    words = []
    for term in query_terms(text):
        word = term.word
        if len(word) >= 2 and not word.isdigit() and word not in GENERIC_WORDS and word not in words:
            words.append(word)
    return tuple(words)


def note_words(title: str, topic_names: Iterable[str]) -> tuple[str, ...]:
    """The words of a note's title that its topics do not already say (a word inside one of its topics'
    names is the topic source's): what the words source adds to topics is what topics cannot name."""
    names = [name.lower() for name in topic_names]
    return tuple(w for w in interest_words(title) if not any(w in name for name in names))


def decay(age_seconds: float) -> float:
    return 0.5 ** (max(age_seconds, 0.0) / HALF_LIFE_SECONDS)


def profile_build(
    *,
    events: Iterable[tuple[int, str, float]],
    note_topics: dict[int, list[int]],
    picked_topics: Iterable[int] = (),
    note_words: dict[int, tuple[str, ...]] | None = None,
    searched: Iterable[tuple[str, float]] = (),
) -> Profile:
    """``events``: (note id, kind, age in seconds). Topic weight = the decayed weights of the events on
    notes of that topic; each topic remembers its strongest kind of engagement for the explanation.
    Word weight likewise, over the words of the notes (``note_words``) and the searched words
    (``searched``: (word, age in seconds), each ``SEARCH_WEIGHT``)."""
    profile = Profile()
    strongest: dict[int, tuple[float, str]] = {}
    strongest_word: dict[str, tuple[float, str]] = {}
    note_words = note_words or {}

    def word_add(word: str, weight: float, kind: str) -> None:
        profile.words[word] = profile.words.get(word, 0.0) + weight
        if weight > strongest_word.get(word, (0.0, ""))[0]:
            strongest_word[word] = (weight, kind)

    for note_id, kind, age in events:
        weight = EVENT_WEIGHTS.get(kind, 0.5) * decay(age)
        profile.notes[note_id] = profile.notes.get(note_id, 0.0) + weight
        for topic_id in note_topics.get(note_id, ()):
            profile.topics[topic_id] = profile.topics.get(topic_id, 0.0) + weight
            if weight > strongest.get(topic_id, (0.0, ""))[0]:
                strongest[topic_id] = (weight, kind)
        for word in note_words.get(note_id, ()):
            word_add(word, weight, kind)
    for word, age in searched:
        word_add(word, SEARCH_WEIGHT * decay(age), "search")
    profile.word_reasons = {word: kind for word, (_w, kind) in strongest_word.items()}
    for topic_id in picked_topics:
        profile.topics[topic_id] = profile.topics.get(topic_id, 0.0) + EVENT_WEIGHTS["pick"]
        strongest.setdefault(topic_id, (EVENT_WEIGHTS["pick"], "pick"))
    profile.reasons = {topic_id: kind for topic_id, (_w, kind) in strongest.items()}
    return profile


def top_topics(profile: Profile, n: int = TOP_TOPICS) -> list[tuple[int, float]]:
    ranked = sorted(
        ((t, w) for t, w in profile.topics.items() if t not in profile.hidden_topics), key=lambda tw: -tw[1]
    )
    return ranked[:n]


def normalised(pairs: Iterable[tuple[int, float]]) -> list[tuple[int, float]]:
    """Scores divided by the best one (0..1), best first."""
    pairs = sorted(pairs, key=lambda p: -p[1])
    if not pairs or pairs[0][1] <= 0:
        return [(note_id, 0.0) for note_id, _s in pairs]
    top = pairs[0][1]
    return [(note_id, score / top) for note_id, score in pairs]


# --- the sources, on plain data (the online builder and the offline evaluation feed them alike) ----------


def source_topic(
    *, profile: Profile, notes_by_topic: dict[int, list[tuple[int, float]]], limit: int = 200
) -> list[Candidate]:
    """Notes of the reader's strongest topics: topic weight x the note's hot rank within the topic."""
    tops = top_topics(profile)
    if not tops:
        return []
    best = tops[0][1]
    scores: dict[int, tuple[float, int]] = {}
    for topic_id, weight in tops:
        ranked = notes_by_topic.get(topic_id, [])
        for rank, (note_id, _hot) in enumerate(ranked):
            score = (weight / best) * (1.0 / (1.0 + rank / 10.0))
            if score > scores.get(note_id, (0.0, 0))[0]:
                scores[note_id] = (score, topic_id)
    ranked_notes = sorted(scores.items(), key=lambda kv: -kv[1][0])[:limit]
    return [
        Candidate(note_id, score, TOPIC, _topic_reason(profile, topic_id))
        for note_id, (score, topic_id) in ranked_notes
    ]


def top_words(profile: Profile, n: int = TOP_WORDS) -> list[tuple[str, float]]:
    return sorted(profile.words.items(), key=lambda ww: (-ww[1], ww[0]))[:n]


def source_words(
    *, profile: Profile, notes_by_word: dict[str, list[tuple[int, float]]], limit: int = 200
) -> list[Candidate]:
    """Notes matching the reader's strongest words: for each word, its weight x the note's hot rank among
    the word's notes, summed over the words a note matches (a note naming two of them beats one naming
    one); explained by the word that gave most."""
    tops = top_words(profile)
    if not tops:
        return []
    best = tops[0][1]
    scores: dict[int, float] = defaultdict(float)
    via: dict[int, tuple[float, str]] = {}
    for word, weight in tops:
        for rank, (note_id, _hot) in enumerate(notes_by_word.get(word, [])):
            if note_id in profile.notes:
                continue
            contribution = (weight / best) * (1.0 / (1.0 + rank / 10.0))
            scores[note_id] += contribution
            if contribution > via.get(note_id, (0.0, ""))[0]:
                via[note_id] = (contribution, word)
    return [
        Candidate(
            note_id, score, WORDS, f"{profile.word_reasons.get(via[note_id][1], 'like')}:{via[note_id][1]}"
        )
        for note_id, score in normalised(scores.items())[:limit]
    ]


def _topic_reason(profile: Profile, topic_id: int) -> str:
    return f"{profile.reasons.get(topic_id, 'like')}:{profile.topic_names.get(topic_id, '')}"


def source_coengage(
    *, profile: Profile, neighbours, titles: dict[int, str] | None = None, limit: int = 200
) -> list[Candidate]:
    """Notes engaged with by readers who engaged with the reader's notes: the similarity of each
    neighbour, weighted by how much the reader cared for the note it neighbours. ``neighbours(note_id)``
    gives [(other id, similarity)]."""
    scores: dict[int, float] = defaultdict(float)
    via: dict[int, tuple[float, int]] = {}
    for note_id, weight in sorted(profile.notes.items(), key=lambda kv: -kv[1])[:30]:
        for other, similarity in neighbours(note_id):
            if other in profile.notes:
                continue
            contribution = weight * similarity
            scores[other] += contribution
            if contribution > via.get(other, (0.0, 0))[0]:
                via[other] = (contribution, note_id)
    titles = titles or {}
    return [
        Candidate(note_id, score, COENGAGE, titles.get(via[note_id][1], ""))
        for note_id, score in normalised(scores.items())[:limit]
    ]


def source_scored(pairs: Iterable[tuple[int, float]], *, source: str, reason: str = "", limit: int = 200):
    """Any source that already ranks its notes (ALS, followed writers, exploration, hot)."""
    return [Candidate(note_id, score, source, reason) for note_id, score in normalised(pairs)[:limit]]


def source_explore(
    *, pool: list[tuple[int, tuple[int, ...]]], shown: list[int], profile: Profile, budget: int
) -> list[Candidate]:
    """Fresh notes under their exploration budget (``pool``: (note id, its topics), youngest first;
    ``shown``: each one's impressions so far). Those of the reader's topics first, the readers of its
    topics being whom the budget is for; the youngest first among equals."""
    out = []
    for rank, ((note_id, topic_ids), count) in enumerate(zip(pool, shown, strict=True)):
        if count >= budget:
            continue
        matches = sum(profile.topics.get(t, 0.0) for t in topic_ids)
        base = 1.0 if matches > 0 else (0.5 if profile.empty else 0.2)
        out.append((note_id, base * (1.0 - rank / (2 * len(pool)))))
    return source_scored(out, source=EXPLORE)


def blend(
    candidate_lists: Iterable[list[Candidate]], weights: dict[str, float] | None = None
) -> list[Candidate]:
    """One list, best first: each note's weighted sum over its sources (``WEIGHTS`` unless the offline
    evaluation tries others), credited to its main source."""
    weights = WEIGHTS if weights is None else weights
    total: dict[int, float] = defaultdict(float)
    main: dict[int, tuple[float, Candidate]] = {}
    for candidates in candidate_lists:
        for candidate in candidates:
            part = weights[candidate.source] * candidate.score
            total[candidate.note_id] += part
            if candidate.note_id not in main or part > main[candidate.note_id][0]:
                main[candidate.note_id] = (part, candidate)
    ranked = sorted(total.items(), key=lambda kv: (-kv[1], -kv[0]))
    return [
        Candidate(note_id, score, main[note_id][1].source, main[note_id][1].reason)
        for note_id, score in ranked
    ]


def page_pick(
    *,
    ranked: list[int],
    facts: Mapping[int, NoteFacts],
    size: int,
    exclude: set[int],
    hidden_topics: set[int] = frozenset(),
    hidden_writers: set[int] = frozenset(),
    explore_ids: list[int] | None = None,
) -> list[int]:
    """The page's note ids in order, by the page rules (see the module's docstring). ``facts`` is read
    only for the notes a page gets to (a stored list decodes them as they are asked for): ``explore_ids``,
    the exploration notes in ``ranked`` order when the caller has them, spares the exploration places a
    walk down the whole list to find them."""
    ranked = [n for n in ranked if n not in exclude]
    per_writer: Counter = Counter()
    per_topic: Counter = Counter()
    topic_cap = max(1, math.floor(size * MAX_TOPIC_SHARE))  # read by allowed(), raised by the second pass
    explore_slots = round(size * EXPLORE_SHARE)
    chosen: list[int] = []
    explore: list[int] = []

    def allowed(note_id: int) -> NoteFacts | None:
        fact = facts.get(note_id)
        if fact is None or note_id in exclude or fact.author_id in hidden_writers:
            return None
        if any(t in hidden_topics for t in fact.topic_ids):
            return None
        if per_writer[fact.author_id] >= MAX_PER_WRITER:
            return None
        if any(per_topic[t] >= topic_cap for t in fact.topic_ids):  # noqa: B023 - the cap of the pass
            return None
        return fact

    def take(note_id: int, fact: NoteFacts, into: list[int]) -> None:
        into.append(note_id)
        per_writer[fact.author_id] += 1
        per_topic.update(fact.topic_ids)

    for note_id in ranked if explore_ids is None else [n for n in explore_ids if n not in exclude]:
        if len(explore) >= explore_slots:
            break
        fact = facts.get(note_id)
        if fact is not None and fact.source == EXPLORE and (fact := allowed(note_id)):
            take(note_id, fact, explore)
    for relaxed in (False, True):
        # A second pass, only when the candidates cannot fill the page otherwise (a catalogue of one topic,
        # or of fresh notes only), lifts the topic cap and lets more fresh notes in; the writer cap holds.
        if relaxed:
            topic_cap = size
        for note_id in ranked:
            if len(chosen) + len(explore) >= size:
                break
            if note_id in explore or note_id in chosen:
                continue
            if not relaxed and facts.get(note_id) is not None and facts[note_id].source == EXPLORE:
                continue  # exploration has its own places; beyond them it only fills what is left
            if fact := allowed(note_id):
                take(note_id, fact, chosen)
    # The exploration notes take every fourth place, so they are seen without leading the page.
    page: list[int] = []
    explore_iter = iter(explore)
    for note_id in chosen:
        if len(page) % 4 == 3:
            page.extend(n for n in [next(explore_iter, None)] if n is not None)
        page.append(note_id)
    page.extend(explore_iter)
    return page[:size]
