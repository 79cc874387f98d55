"""Offline evaluation of the personal feed against global hot ranking, on held-out behaviour.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hs_recs_large .venv/bin/python manage.py recs_evaluate
    ... recs_evaluate --weights topic=2,hot=0.1      # the blend with other weights (the rest as in WEIGHTS)
    ... recs_evaluate --tune                         # search the weights (below), then report with the best

Replays the time-ordered log of likes, collects and comments: everything before the cut (by default the
80th percentile of the log's times) trains the model and builds each reader's profile; what each reader
engaged with after the cut, among notes that existed at the cut, is what the feed should have shown.
Every source and the blend (``recs.ranking``, the same functions the site runs) produce a top 20 per
reader, hot produces its top 20 by the hot score as it stood at the cut; each list leaves out what the
reader already engaged with. The blend's top 20 is a page (``ranking.page_pick``: exploration's quarter,
the writer and topic caps), as the feed serves it; "topic page" is the topic source through the same rules
(the other sources at 0), the blend's like-for-like yardstick. Figures: recall@20 (hits / min(20, held-out notes)),
NDCG@20, catalogue coverage, and the share of the lists' impressions going to notes under 48 hours old
and to writers with fewer than 100 followers (at the cut). Training on the whole log is timed separately,
with the peak memory.

``--tune``: coordinate ascent over ``WEIGHTS``. Starting from ``--weights`` (default: the module's), each
source's weight in turn is set to each value of ``TUNE_VALUES`` and kept where recall@20 + NDCG@20 of the
blend is highest, under two constraints: at least ``MIN_FRESH_SHARE`` of the blend's impressions on notes
under 48 hours old, and no lower share of impressions to writers with fewer than 100 followers than the
starting weights give; rounds repeat until one changes nothing (at most ``TUNE_ROUNDS``). The sources'
lists are built once; only the blend and the page are redone per trial. Tune on one generated community
(``generate_community.py --seed``) and report on another: the weights should not fit one draw's noise.
"""

from __future__ import annotations

import math
import random
import resource
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.segment import index_tokens
from recs import ranking
from recs.selectors.candidates import CANDIDATES_KEPT
from recs.services.training import interactions_load, model_fit

K = 20
KIND_OF_WEIGHT = {v: k for k, v in ranking.EVENT_WEIGHTS.items() if k in ("like", "collect", "comment")}
#: No zero: a source at 0 would leave the readers it alone serves (hot: a new reader's whole page) in id
#: order, which the held-out readers, who all have a history, cannot show.
TUNE_VALUES = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
TUNE_ROUNDS = 3
MIN_FRESH_SHARE = 0.20
EXPLORE_BUDGET = 50


def _ndcg(ranked: list[int], relevant: set[int]) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, n in enumerate(ranked[:K]) if n in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return dcg / ideal if ideal else 0.0


def weights_parse(text: str | None) -> dict[str, float]:
    """``topic=2,hot=0.1`` over ``ranking.WEIGHTS``; a bad name or number is a CommandError."""
    weights = dict(ranking.WEIGHTS)
    for part in filter(None, (text or "").split(",")):
        name, _sep, value = part.partition("=")
        name = name.strip()
        if name not in weights:
            raise CommandError(f"--weights: unknown source {name!r} (sources: {', '.join(weights)})")
        try:
            weights[name] = float(value)
        except ValueError:
            raise CommandError(f"--weights: {part!r} is not source=number") from None
        if not math.isfinite(weights[name]) or weights[name] < 0:
            raise CommandError(f"--weights: {name} must be a number >= 0")
    return weights


@dataclass
class Reader:
    lists: dict[str, list[ranking.Candidate]]  # every source but exploration, which depends on the tally
    profile: ranking.Profile
    engaged: set[int]
    relevant: set[int]


@dataclass
class Run:
    """Everything the blend's trials share: the catalogue at the cut, the readers and their sources."""

    catalogue: dict[int, tuple[int, object, tuple[int, ...]]]  # note -> (writer, created, topics)
    followers: dict[int, int]
    fresh_set: set[int]
    explore_pool: list[tuple[int, tuple[int, ...]]]
    hot_ranked: list[int]
    readers: list[Reader] = field(default_factory=list)

    def figures(self, tops: list[list[int]]) -> tuple[float, float, set[int], float, float]:
        """(recall@20, NDCG@20, notes shown, share <48 h, share to writers <100 followers) of one list
        per reader."""
        recall = ndcg = 0.0
        shown: set[int] = set()
        total = fresh = small = 0
        for reader, top in zip(self.readers, tops, strict=True):
            recall += len(set(top) & reader.relevant) / min(K, len(reader.relevant))
            ndcg += _ndcg(top, reader.relevant)
            shown.update(top)
            total += len(top)
            fresh += sum(n in self.fresh_set for n in top)
            small += sum(
                self.followers.get(self.catalogue[n][0], 0) < 100 for n in top if n in self.catalogue
            )
        n = max(len(self.readers), 1)
        return recall / n, ndcg / n, shown, fresh / max(total, 1), small / max(total, 1)

    def pages(self, weights: dict[str, float]) -> tuple[list[list[int]], list[list[int]]]:
        """Each reader's blended page and exploration top 20, the budget's tally carried from reader to
        reader as on the site."""
        tally: dict[int, int] = defaultdict(int)
        pages, explores = [], []
        for reader in self.readers:
            explore = ranking.source_explore(
                pool=self.explore_pool,
                shown=[tally[n] for n, _t in self.explore_pool],
                profile=reader.profile,
                budget=EXPLORE_BUDGET,
            )
            # The page is drawn from the best CANDIDATES_KEPT of the blend, as the site keeps them.
            blended = ranking.blend([*reader.lists.values(), explore], weights)[:CANDIDATES_KEPT]
            facts = {}
            for c in blended:
                author, _created, topics = self.catalogue[c.note_id]
                facts[c.note_id] = ranking.NoteFacts(author_id=author, topic_ids=topics, source=c.source)
            page = ranking.page_pick(
                ranked=[c.note_id for c in blended], facts=facts, size=K, exclude=reader.engaged
            )
            for n in page:
                if facts[n].source == ranking.EXPLORE:
                    tally[n] += 1
            pages.append(page)
            explores.append([c.note_id for c in explore if c.note_id not in reader.engaged][:K])
        return pages, explores


class Command(BaseCommand):
    help = "Offline evaluation of the personal feed (recall@20, NDCG@20, coverage, freshness) vs hot."

    def add_arguments(self, parser):
        parser.add_argument("--cut", type=float, default=0.8, help="quantile of the log's times to cut at")
        parser.add_argument("--readers", type=int, default=2000, help="held-out readers evaluated (a sample)")
        parser.add_argument("--seed", type=int, default=15)
        parser.add_argument("--weights", help="source=weight,... over recs.ranking.WEIGHTS for this run")
        parser.add_argument(
            "--tune", action="store_true", help="search the weights first (see the docstring)"
        )
        parser.add_argument("--skip-full-training", action="store_true")

    def handle(self, *args, **options):
        started = time.perf_counter()
        weights = weights_parse(options["weights"])
        out = self.stdout.write
        run, train_seconds, events = self._prepare(options)
        if run is None:
            self.stderr.write("Too few interactions to evaluate; generate a community first.")
            return
        out(f"readers evaluated: {len(run.readers)}; catalogue at the cut: {len(run.catalogue)} notes; "
            f"training on the interactions before the cut: {train_seconds:.1f} s")  # fmt: skip
        if options["tune"]:
            weights = self._tune(run, weights)
        out("weights: " + ",".join(f"{name}={value:g}" for name, value in weights.items()))

        pages, explores = run.pages(weights)
        tops: dict[str, list[list[int]]] = {
            name: [[c.note_id for c in r.lists[name] if c.note_id not in r.engaged][:K] for r in run.readers]
            for name in ranking.SOURCES
            if name != ranking.EXPLORE
        }
        tops[ranking.EXPLORE] = explores
        tops["blend"] = pages
        # The topic source as the feed would serve it: the same page rules (exploration's quarter, the
        # caps), every other source at 0. The blend's fair yardstick: a source's own top 20 has no rules.
        tops["topic page"], _explores = run.pages(
            dict.fromkeys(weights, 0.0) | {ranking.TOPIC: 1.0, ranking.EXPLORE: weights[ranking.EXPLORE]}
        )
        tops["global hot"] = [[n for n in run.hot_ranked if n not in r.engaged][:K] for r in run.readers]
        out(f"{'list':<12} {'recall@20':>10} {'NDCG@20':>9} {'coverage':>9} {'<48h':>7} {'<100 fol.':>10}")
        recalls = {}
        for name in [*ranking.SOURCES, "topic page", "blend", "global hot"]:
            recall, ndcg, shown, fresh, small = run.figures(tops[name])
            recalls[name] = recall
            out(f"{name:<12} {recall:>10.4f} {ndcg:>9.4f} {len(shown) / max(len(run.catalogue), 1):>9.1%} "
                f"{fresh:>7.1%} {small:>10.1%}")  # fmt: skip
        hot_recall = recalls["global hot"]
        out(
            f"blend / hot recall@20: {recalls['blend'] / hot_recall:.2f}x"
            if hot_recall
            else "hot recall@20 is 0"
        )
        if not options["skip_full_training"]:
            mark = time.perf_counter()
            full = model_fit(events)
            seconds = time.perf_counter() - mark
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out(f"training on the whole log ({len(events)} interactions, {len(full.user_ids)} readers x "
                f"{len(full.item_ids)} notes): {seconds:.1f} s; peak memory of this process {peak:.0f} MB")  # fmt: skip
        out(f"total {time.perf_counter() - started:.1f} s")

    def _tune(self, run: Run, weights: dict[str, float]) -> dict[str, float]:
        def score(trial):
            pages, _explores = run.pages(trial)
            recall, ndcg, _shown, fresh, small = run.figures(pages)
            return recall + ndcg, fresh, small

        mark = time.perf_counter()
        best, fresh, floor = score(weights)
        self.stdout.write(
            f"tuning from recall+NDCG {best:.4f} (<48h {fresh:.1%}, <100 followers {floor:.1%}); "
            f"a trial takes {time.perf_counter() - mark:.1f} s"
        )
        for round_ in range(TUNE_ROUNDS):
            changed = False
            for name in weights:
                for value in TUNE_VALUES:
                    if value == weights[name]:
                        continue
                    trial = {**weights, name: value}
                    objective, fresh, small = score(trial)
                    if objective > best + 1e-6 and fresh >= MIN_FRESH_SHARE and small >= floor:
                        best, weights, changed = objective, trial, True
                        self.stdout.write(
                            f"  round {round_ + 1}: {name}={value:g} -> {best:.4f} "
                            f"(<48h {fresh:.1%}, <100 followers {small:.1%})"
                        )
            if not changed:
                break
        return weights

    def _prepare(self, options) -> tuple[Run | None, float, list]:
        events = sorted(interactions_load(), key=lambda e: e[3])
        if len(events) < 10:
            return None, 0.0, events
        cut = events[int(len(events) * options["cut"])][3]
        train = [e for e in events if e[3] < cut]
        test = [e for e in events if e[3] >= cut]
        self.stdout.write(
            f"log: {len(events)} interactions; cut at {cut:%Y-%m-%d %H:%M} ({len(train)} before, {len(test)} after)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.id, n.author_id, n.created_at, coalesce(array_agg(t.topic_id) FILTER "
                "(WHERE t.topic_id IS NOT NULL), '{}') FROM community_note n LEFT JOIN community_note_topics t "
                "ON t.note_id = n.id WHERE n.status = 'published' AND n.visibility = 'public' AND n.created_at < %s "
                "GROUP BY n.id",
                [cut],
            )
            catalogue = {
                nid: (author, created, tuple(topics)) for nid, author, created, topics in cursor.fetchall()
            }
            cursor.execute(
                "SELECT follower_id, followee_id FROM community_follow WHERE created_at < %s", [cut]
            )
            follows = defaultdict(set)
            for a, b in cursor.fetchall():
                follows[a].add(b)
            cursor.execute("SELECT id, name FROM community_topic")
            topic_names = dict(cursor.fetchall())
            cursor.execute(
                "SELECT id, title, body, location FROM community_note WHERE created_at < %s", [cut]
            )
            texts = {
                nid: (title, f"{title} {body} {location}") for nid, title, body, location in cursor.fetchall()
            }
        followers: dict[int, int] = defaultdict(int)
        for _reader, writers in follows.items():
            for w in writers:
                followers[w] += 1

        # Hot as it stood at the cut, from the engagement before it (the site's formula).
        engagement = defaultdict(float)
        for _u, note_id, weight, _t in train:
            engagement[note_id] += {1.0: 1, 2.0: 2, 1.5: 3}.get(weight, 1)
        hot_at_cut = {
            nid: (engagement[nid] + 1) / (max((cut - created).total_seconds() / 3600, 0) + 2) ** 1.5
            for nid, (_a, created, _t) in catalogue.items()
        }
        hot_ranked = sorted(hot_at_cut, key=lambda n: (-hot_at_cut[n], -n))
        by_topic: dict[int, list[tuple[int, float]]] = defaultdict(list)
        topic_since = cut - timedelta(days=30)
        for nid in hot_ranked:
            _a, created, topics = catalogue[nid]
            if created >= topic_since:
                for t in topics:
                    if len(by_topic[t]) < 60:
                        by_topic[t].append((nid, hot_at_cut[nid]))
        # The words source's lookup, as the search vector answers it: the hottest notes of the window
        # holding each lexeme (title, topics, body, location, cut like the index).
        by_word: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for nid in hot_ranked:
            _a, created, topics = catalogue[nid]
            if created >= topic_since and nid in texts:
                text = " ".join([texts[nid][1], *(topic_names.get(t, "") for t in topics)])
                for token in set(index_tokens(text)):
                    if len(by_word[token]) < ranking.PER_WORD:
                        by_word[token].append((nid, hot_at_cut[nid]))
        fresh_set = {n for n, (_a, c, _t) in catalogue.items() if c >= cut - timedelta(hours=48)}
        explore_pool = [(n, catalogue[n][2]) for n in sorted(fresh_set, key=lambda n: -n)[:400]]
        recent_by_writer: dict[int, list[int]] = defaultdict(list)
        for nid, (author, created, _t) in catalogue.items():
            if created >= cut - timedelta(days=3):
                recent_by_writer[author].append(nid)

        mark = time.perf_counter()
        model = model_fit(train)
        train_seconds = time.perf_counter() - mark

        history = defaultdict(list)
        for user, note_id, weight, when in train:
            history[user].append((note_id, KIND_OF_WEIGHT.get(weight, "like"), (cut - when).total_seconds()))
        held = defaultdict(set)
        for user, note_id, _w, _when in test:
            if note_id in catalogue:
                held[user].add(note_id)
        users = sorted(u for u in held if u in history)
        random.Random(options["seed"]).shuffle(users)

        run = Run(
            catalogue=catalogue,
            followers=followers,
            fresh_set=fresh_set,
            explore_pool=explore_pool,
            hot_ranked=hot_ranked,
        )
        hot = ranking.source_scored(
            [(n, 1.0 / (1 + i)) for i, n in enumerate(hot_ranked[:300])], source=ranking.HOT
        )
        for user in users[: options["readers"]]:
            note_topics = {n: list(catalogue[n][2]) for n, _k, _a in history[user] if n in catalogue}
            note_words = {
                n: ranking.note_words(texts[n][0], [topic_names.get(t, "") for t in catalogue[n][2]])
                for n, _k, _a in history[user]
                if n in texts and n in catalogue
            }
            profile = ranking.profile_build(
                events=history[user], note_topics=note_topics, note_words=note_words
            )
            profile.topic_names = topic_names
            engaged = set(profile.notes)
            followed = sorted(
                (n for w in follows[user] for n in recent_by_writer.get(w, ())), key=lambda n: -n
            )
            lists = {
                ranking.TOPIC: ranking.source_topic(profile=profile, notes_by_topic=by_topic),
                ranking.WORDS: ranking.source_words(profile=profile, notes_by_word=by_word),
                ranking.COENGAGE: ranking.source_coengage(profile=profile, neighbours=model.neighbours),
                ranking.ALS: ranking.source_scored(model.user_top(user, exclude=engaged), source=ranking.ALS),
                ranking.FOLLOWED: ranking.source_scored(
                    [(n, 1.0 / (1 + i)) for i, n in enumerate(followed[:100])], source=ranking.FOLLOWED
                ),
                ranking.HOT: hot,
            }
            # Notes outside the catalogue at the cut (a neighbour published later) cannot be shown.
            lists = {name: [c for c in cands if c.note_id in catalogue] for name, cands in lists.items()}
            run.readers.append(Reader(lists=lists, profile=profile, engaged=engaged, relevant=held[user]))
        return run, train_seconds, events
