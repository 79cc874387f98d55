"""How far behind a streaming replica reads (issue 14, item 6): a throwaway primary and its ``pg_basebackup -R``
standby on loopback ports (tests/support/pgcluster.py), one row committed on the primary at a time, the
time until a query on the replica finds it. Compare with ``DATABASE_PIN_SECONDS`` (core/dbrouter.py): a
writer's reads stay on the primary that long.

    .venv/bin/python benchmarks/replica_lag.py --rows 200

Prints p50 / p99 / max in milliseconds, with the load average. Runs as root through ``runuser -u postgres``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    from flashsale.tests.redis_servers import wait_until
    from tests.support.pgcluster import primary_and_replica

    with primary_and_replica() as (primary, replica):
        primary.sql("CREATE TABLE lag_probe (id serial PRIMARY KEY, at timestamptz DEFAULT now())")
        wait_until(lambda: replica.sql("SELECT to_regclass('lag_probe') IS NOT NULL")[0][0], timeout=30)
        writer, reader = primary.connect(), replica.connect()
        lags = []
        load_start = os.getloadavg()
        for _ in range(args.rows):
            with writer.cursor() as cur:
                cur.execute("INSERT INTO lag_probe DEFAULT VALUES RETURNING id")
                (row,) = cur.fetchone()
            started = time.perf_counter()
            with reader.cursor() as cur:
                while True:  # the measurement itself: how long until the replica has the row
                    cur.execute("SELECT 1 FROM lag_probe WHERE id = %s", [row])
                    if cur.fetchone():
                        break
            lags.append((time.perf_counter() - started) * 1000)
        writer.close()
        reader.close()
    lags.sort()
    print(
        json.dumps(
            {
                "rows": len(lags),
                "lag_ms": {
                    "p50": round(lags[len(lags) // 2], 2),
                    "p99": round(lags[int(len(lags) * 0.99) - 1], 2),
                    "max": round(lags[-1], 2),
                },
                "load_average": {"start": load_start, "end": os.getloadavg()},
                "cores": os.cpu_count(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
