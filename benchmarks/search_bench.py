"""Search latency at 1k, 20k and 200k notes in one run, through the site's own selector.

    .venv/bin/python benchmarks/search_bench.py                # generates missing datasets first
    .venv/bin/python benchmarks/search_bench.py --sizes 1000,20000 --repeat 10

Each size lives in its own database (hs_bench_1k, hs_bench_20k, hs_bench_200k on the PostgreSQL of
BENCH_SERVER_URL, default postgres://postgres@127.0.0.1:5432/postgres), made by generate_notes.py with
the same seed and vocabulary, so a word is in the same share of notes at every size: 200 times more
notes means 200 times more matches. For every query kind (two-character Chinese words, English words,
several words) and sort, it times ``community.selectors.search.notes.notes_search`` (first page, and the
second page through its cursor) ``--repeat`` times after a warm-up, and reports p50/p95 and the
200k/1k ratio. It also checks that the generated vectors are what the site's indexer would write, and
records EXPLAIN (ANALYZE, BUFFERS) of the two-character query at the largest size. Results go to
benchmarks/results/search.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate_notes  # noqa: E402

QUERIES = [
    ("2-char Chinese", "面霜"),
    ("2-char Chinese", "防晒"),
    ("2-char Chinese", "好用"),
    ("2-char Chinese", "火锅"),
    ("2-char Chinese, rare", "牙膏"),
    ("2-char Chinese, rare", "头皮"),
    ("English", "cerave"),
    ("English", "sunscreen"),
    ("English", "coffee"),
    ("multi-word", "敏感肌 面霜"),
    ("multi-word", "学生党 防晒 平替"),
    ("multi-word", "cerave moisturizer"),
]
SUGGEST_QUERIES = ["面", "防晒", "cera", "学生党 口"]
EXPLAIN_QUERIES = ["面霜", "牙膏"]
PAGE_SIZE = 20


def label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def database_name(size: int) -> str:
    return f"hs_bench_{label(size)}"


def note_count(name: str) -> int | None:
    import psycopg2

    try:
        conn = generate_notes._connect(generate_notes.database_url(name))
    except psycopg2.OperationalError:
        return None
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM community_note")
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return None
    finally:
        conn.close()


def ensure_dataset(size: int, *, regenerate: bool) -> str | None:
    """Generate the dataset unless it is there with the right size; returns the generator's report."""
    name = database_name(size)
    if not regenerate and note_count(name) == size:
        generate_notes.database_prepare(name, recreate=False)  # applies any newer migration
        conn = generate_notes._connect(generate_notes.database_url(name))
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("ANALYZE community_note")  # a migration may have changed its statistics
        conn.close()
        return None
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate_notes.py"), "--database", name,
         "--notes", str(size), "--recreate"],
        check=True, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    print(result.stdout, end="")
    return result.stdout


def use_database(name: str) -> None:
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = name


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def check_vectors(sample: int = 30) -> int:
    """The generated vectors equal what note_search_index writes for the same notes (rolled back)."""
    from django.db import transaction

    from community.models import Note
    from community.services.search import note_search_index

    ids = list(Note.objects.order_by("?").values_list("id", flat=True)[:sample])
    before = dict(Note.objects.filter(id__in=ids).values_list("id", "search_vector"))
    with transaction.atomic():
        for note_id in ids:
            note_search_index(note_id=note_id)
        after = dict(Note.objects.filter(id__in=ids).values_list("id", "search_vector"))
        transaction.set_rollback(True)
    different = [i for i in ids if before[i] != after[i]]
    if different:
        raise SystemExit(f"generated vectors differ from the indexer's for notes {different[:5]}")
    return len(ids)


def match_counts() -> dict[str, int]:
    from community.selectors.search.notes import note_query, public_matches

    return {query: public_matches(note_query(query)).count() for _kind, query in QUERIES}


def time_call(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def measure(*, repeat: int, sorts: list[str]) -> dict:
    """{(sort, kind): {"page1": [ms], "page2": [ms]}} plus suggestions and uncapped relevance."""
    from community.selectors.search import notes as search
    from community.selectors.search.suggestions import search_suggest

    results: dict[tuple[str, str], dict[str, list[float]]] = {}
    for sort in sorts:
        for kind, query in QUERIES:
            bucket = results.setdefault((sort, kind), {"page1": [], "page2": []})
            cursor = search.notes_search(query=query, sort=sort, page_size=PAGE_SIZE).next_cursor
            for _ in range(repeat):
                bucket["page1"].append(
                    time_call(
                        lambda q=query, s=sort: search.notes_search(query=q, sort=s, page_size=PAGE_SIZE)
                    )
                )
                if cursor:
                    bucket["page2"].append(
                        time_call(lambda q=query, s=sort, k=cursor: search.notes_search(
                            query=q, sort=s, page_size=PAGE_SIZE, cursor=k))
                    )  # fmt: skip
    suggest = {"page1": [], "page2": []}
    for query in SUGGEST_QUERIES:
        search_suggest(query=query)
        for _ in range(repeat):
            suggest["page1"].append(time_call(lambda q=query: search_suggest(query=q)))
    results[("suggestions", "while typing")] = suggest
    return results


def explain(query: str) -> dict[str, str]:
    from community.selectors.search import notes as search

    plans = {}
    note_query = search.note_query(query)
    _notes, _cursor, ranked = search.relevance_page(
        note_query, cursor=None, size=PAGE_SIZE, block=search.RELEVANCE_BLOCK
    )
    plans["relevance (first block)"] = ranked.order_by("-rank", "-id")[: PAGE_SIZE + 1].explain(
        analyze=True, buffers=True
    )
    for sort in ("newest", "liked"):
        queryset, keys = search.notes_search_queryset(query=query, sort=sort)
        plans[sort] = queryset.order_by(*keys)[: PAGE_SIZE + 1].explain(analyze=True, buffers=True)
    plans["count of matches"] = (
        search.public_matches(search.note_query(query)).values("id").explain(analyze=True, buffers=True)
    )
    return plans


def gin_used(query_plans: dict[str, str]) -> list[str]:
    """The plans in which a Bitmap Index Scan on note_search actually ran."""
    return [
        name
        for name, plan in query_plans.items()
        if any(
            "Bitmap Index Scan on note_search" in line and "never executed" not in line
            for line in plan.splitlines()
        )
    ]


def server_facts() -> dict[str, str]:
    from django.db import connection

    facts = {}
    with connection.cursor() as cursor:
        for setting in ("server_version", "shared_buffers", "work_mem", "effective_cache_size", "jit"):
            cursor.execute(f"SHOW {setting}")
            facts[setting] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_relation_size('note_search')), "
            "pg_size_pretty(pg_total_relation_size('community_note'))"
        )
        facts["GIN index"], facts["notes table (with TOAST and indexes)"] = cursor.fetchone()
    return facts


def render(*, sizes, data, counts, plans, facts, generated, repeat, elapsed) -> str:
    small, large = sizes[0], sizes[-1]
    lines = [
        "# Search latency from 1k to 200k notes",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/search_bench.py` in one run "
        f"({elapsed:.0f} s), on {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {facts[large]['server_version']} (shared_buffers {facts[large]['shared_buffers']}, "
        f"work_mem {facts[large]['work_mem']}). Times are milliseconds for one call of "
        f"`notes_search(page_size={PAGE_SIZE})` (segmenting the query, the SQL, building the cards), "
        f"{repeat} calls per query after a warm-up, p50 and p95 over all queries of a kind. "
        "The machine is shared with other work, so single figures are noisy; the ratios are what matters.",
        "",
        "Datasets: " + ", ".join(
            f"{label(s)} = `{database_name(s)}` (GIN index {facts[s]['GIN index']}, "
            f"notes table {facts[s]['notes table (with TOAST and indexes)']})" for s in sizes
        ) + ".",
        "",
        "## Latency",
        "",
        "| sort | query kind | page | " + " | ".join(f"p50 {label(s)}" for s in sizes) + " | "
        + " | ".join(f"p95 {label(s)}" for s in sizes) + f" | p50 ratio {label(large)}/{label(small)} "
        f"| p95 ratio {label(large)}/{label(small)} |",
        "|" + "---|" * (3 + 2 * len(sizes) + 2),
    ]  # fmt: skip
    keys = list(data[small].keys())
    for sort_label, kind in keys:
        for page in ("page1", "page2"):
            series = {s: data[s][(sort_label, kind)][page] for s in sizes}
            if not all(series.values()):
                continue
            p50 = {s: statistics.median(v) for s, v in series.items()}
            p95 = {s: percentile(v, 95) for s, v in series.items()}
            lines.append(
                f"| {sort_label} | {kind} | {page[-1]} | "
                + " | ".join(f"{p50[s]:.1f}" for s in sizes) + " | "
                + " | ".join(f"{p95[s]:.1f}" for s in sizes) + " | "
                + f"{p50[large] / p50[small]:.2f} | {p95[large] / p95[small]:.2f} |"
            )  # fmt: skip
    lines += [
        "",
        "## Matches per query (public notes)",
        "",
        "| query | " + " | ".join(label(s) for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for _kind, query in QUERIES:
        lines.append(f"| {query} | " + " | ".join(str(counts[s][query]) for s in sizes) + " |")
    lines += ["", f"## EXPLAIN (ANALYZE, BUFFERS) at {label(large)}", ""]
    for query, query_plans in plans.items():
        executed = gin_used(query_plans)
        lines += [
            f"### `{query}` ({counts[large][query]} matches): the GIN index note_search "
            + ("is used" if executed else "is not used")
            + f" ({', '.join(executed) or 'no plan'})",
            "",
        ]
        for name, plan in query_plans.items():
            lines += [f"#### {name}", "", "```", plan, "```", ""]
    if generated:
        lines += ["## Dataset generation (this run)", "", "```", *generated, "```", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,20000,200000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sorts", default="relevance,newest,liked,collected,commented")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the datasets even if present")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "search.md"))
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    started = time.perf_counter()

    generated = []
    for size in sizes:
        report = ensure_dataset(size, regenerate=args.regenerate)
        if report:
            generated += report.strip().splitlines()

    generate_notes.setup_django(database_name(sizes[0]))
    data, counts, facts, plans = {}, {}, {}, {}
    for size in sizes:
        use_database(database_name(size))
        checked = check_vectors()
        counts[size] = match_counts()
        facts[size] = server_facts()
        print(f"{label(size)}: vectors of {checked} sampled notes match the indexer; measuring…", flush=True)
        data[size] = measure(repeat=args.repeat, sorts=args.sorts.split(","))
    plans = {query: explain(query) for query in EXPLAIN_QUERIES}
    text = render(
        sizes=sizes, data=data, counts=counts, plans=plans, facts=facts, generated=generated,
        repeat=args.repeat, elapsed=time.perf_counter() - started,
    )  # fmt: skip
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    if not all(gin_used(query_plans) for query_plans in plans.values()):
        raise SystemExit("the GIN index note_search was not used for a two-character query")


if __name__ == "__main__":
    main()
