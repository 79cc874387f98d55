"""Offline evaluation of the personal feed against global hot ranking, on held-out behaviour.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hs_recs_large .venv/bin/python manage.py recs_evaluate

Replays the time-ordered log of likes, collects and comments: everything before the cut (by default the
80th percentile of the log's times) trains the model and builds each reader's profile; what each reader
engaged with after the cut, among notes that existed at the cut, is what the feed should have shown.
Every source and the blend (``recs.ranking``, the same functions the site runs) produce a top 20 per
reader, hot produces its top 20 by the hot score as it stood at the cut; each list leaves out what the
reader already engaged with. Figures: recall@20 (hits / min(20, held-out notes)), NDCG@20, catalogue
coverage, and the share of the lists' impressions going to notes under 48 hours old and to writers with
fewer than 100 followers. Training on the whole log is timed separately, with the peak memory.
"""

from __future__ import annotations

import math
import random
import resource
import time
from collections import defaultdict
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection

from core.segment import index_tokens
from recs import ranking
from recs.services.training import interactions_load, model_fit

K = 20
KIND_OF_WEIGHT = {v: k for k, v in ranking.EVENT_WEIGHTS.items() if k in ("like", "collect", "comment")}


def _ndcg(ranked: list[int], relevant: set[int]) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, n in enumerate(ranked[:K]) if n in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return dcg / ideal if ideal else 0.0


class Command(BaseCommand):
    help = "Offline evaluation of the personal feed (recall@20, NDCG@20, coverage, freshness) vs hot."

    def add_arguments(self, parser):
        parser.add_argument("--cut", type=float, default=0.8, help="quantile of the log's times to cut at")
        parser.add_argument("--readers", type=int, default=2000, help="held-out readers evaluated (a sample)")
        parser.add_argument("--seed", type=int, default=15)
        parser.add_argument("--skip-full-training", action="store_true")

    def handle(self, *args, **options):
        started = time.perf_counter()
        events = sorted(interactions_load(), key=lambda e: e[3])
        if len(events) < 10:
            self.stderr.write("Too few interactions to evaluate; generate a community first.")
            return
        cut = events[int(len(events) * options["cut"])][3]
        train = [e for e in events if e[3] < cut]
        test = [e for e in events if e[3] >= cut]
        out = self.stdout.write
        out(
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
        followers = defaultdict(int)
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
        fresh = sorted(
            (n for n, (_a, c, _t) in catalogue.items() if c >= cut - timedelta(hours=48)), key=lambda n: -n
        )[:400]
        recent_by_writer: dict[int, list[int]] = defaultdict(list)
        for nid, (author, created, _t) in catalogue.items():
            if created >= cut - timedelta(days=3):
                recent_by_writer[author].append(nid)
        fresh_set = {n for n, (_a, c, _t) in catalogue.items() if c >= cut - timedelta(hours=48)}

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
        readers = sorted(u for u in held if u in history)
        random.Random(options["seed"]).shuffle(readers)
        readers = readers[: options["readers"]]

        names = [*ranking.SOURCES, "blend", "global hot"]
        recall = defaultdict(float)
        ndcg = defaultdict(float)
        shown = defaultdict(set)
        impressions = defaultdict(lambda: [0, 0, 0])  # total, fresh, small writers
        explore_tally: dict[int, int] = defaultdict(int)
        budget = 50
        for user in readers:
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
            lists = {
                ranking.TOPIC: ranking.source_topic(profile=profile, notes_by_topic=by_topic),
                ranking.WORDS: ranking.source_words(profile=profile, notes_by_word=by_word),
                ranking.COENGAGE: ranking.source_coengage(profile=profile, neighbours=model.neighbours),
                ranking.ALS: ranking.source_scored(model.user_top(user, exclude=engaged), source=ranking.ALS),
                ranking.FOLLOWED: ranking.source_scored(
                    [
                        (n, 1.0 / (1 + i))
                        for i, n in enumerate(
                            sorted(
                                (n for w in follows[user] for n in recent_by_writer.get(w, ())),
                                key=lambda n: -n,
                            )
                        )
                    ][:100],
                    source=ranking.FOLLOWED,
                ),
                ranking.HOT: ranking.source_scored(
                    [(n, 1.0 / (1 + i)) for i, n in enumerate(hot_ranked[:300])], source=ranking.HOT
                ),
            }
            explore = []
            for rank, n in enumerate(fresh):
                if explore_tally[n] >= budget:
                    continue
                matches = sum(profile.topics.get(t, 0.0) for t in catalogue[n][2])
                explore.append((n, (1.0 if matches > 0 else 0.2) * (1 - rank / (2 * len(fresh)))))
            lists[ranking.EXPLORE] = ranking.source_scored(explore, source=ranking.EXPLORE)
            facts = {}
            for cands in lists.values():
                for c in cands:
                    if c.note_id in catalogue:
                        author, _created, topics = catalogue[c.note_id]
                        facts[c.note_id] = ranking.NoteFacts(author_id=author, topic_ids=topics)
            blended = ranking.blend(lists.values())
            for c in blended:
                if c.note_id in facts:
                    facts[c.note_id].source = c.source
            page = ranking.page_pick(
                ranked=[c.note_id for c in blended], facts=facts, size=K, exclude=engaged
            )
            for n in page:
                if facts[n].source == ranking.EXPLORE:
                    explore_tally[n] += 1
            tops = {
                name: [c.note_id for c in cands if c.note_id not in engaged][:K]
                for name, cands in lists.items()
            }
            tops["blend"] = page
            tops["global hot"] = [n for n in hot_ranked if n not in engaged][:K]
            relevant = held[user]
            for name, top in tops.items():
                hits = len(set(top) & relevant)
                recall[name] += hits / min(K, len(relevant))
                ndcg[name] += _ndcg(top, relevant)
                shown[name].update(top)
                counts = impressions[name]
                counts[0] += len(top)
                counts[1] += sum(n in fresh_set for n in top)
                counts[2] += sum(followers[catalogue[n][0]] < 100 for n in top if n in catalogue)
        n_readers = max(len(readers), 1)
        out(f"readers evaluated: {len(readers)}; catalogue at the cut: {len(catalogue)} notes; "
            f"training on the {len(train)} interactions before the cut: {train_seconds:.1f} s")  # fmt: skip
        out(f"{'list':<12} {'recall@20':>10} {'NDCG@20':>9} {'coverage':>9} {'<48h':>7} {'<100 fol.':>10}")
        for name in names:
            total, fresh_count, small = impressions[name]
            out(
                f"{name:<12} {recall[name] / n_readers:>10.4f} {ndcg[name] / n_readers:>9.4f} "
                f"{len(shown[name]) / max(len(catalogue), 1):>9.1%} {fresh_count / max(total, 1):>7.1%} "
                f"{small / max(total, 1):>10.1%}"
            )
        hot_recall = recall["global hot"] / n_readers
        blend_recall = recall["blend"] / n_readers
        out(
            f"blend / hot recall@20: {blend_recall / hot_recall:.2f}x" if hot_recall else "hot recall@20 is 0"
        )
        if not options["skip_full_training"]:
            mark = time.perf_counter()
            full = model_fit(events)
            seconds = time.perf_counter() - mark
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out(f"training on the whole log ({len(events)} interactions, {len(full.user_ids)} readers x "
                f"{len(full.item_ids)} notes): {seconds:.1f} s; peak memory of this process {peak:.0f} MB")  # fmt: skip
        out(f"total {time.perf_counter() - started:.1f} s")
