"""The collaborative models: ALS over the whole interaction matrix (``implicit``, on the CPU) and the
item-to-item co-engagement neighbours, trained together by a periodic task and saved as one file.

The file is written beside its final name and renamed over it (``os.replace``, atomic on one file
system), so a reader loads either the old model or the new one, never half of each. Each process keeps
the model it loaded and looks at the file's modification time at most every ``RELOAD_SECONDS``.
No file yet, or one that does not load, means no model: the feed runs on its other sources.

The matrix: one cell per (reader, note) with the weights of ``ranking.EVENT_WEIGHTS`` summed over the
reader's likes, collects and comments (the community's own rows), before ``before`` when given (the
offline evaluation trains on the past only).
"""

from __future__ import annotations

import logging
import os
import resource
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from recs.ranking import EVENT_WEIGHTS

logger = logging.getLogger(__name__)

FACTORS = 64
ITERATIONS = 15
REGULARIZATION = 0.05
ALPHA = 20.0
NEIGHBOURS = 30
RELOAD_SECONDS = 30.0

_EVENTS_SQL = """
SELECT user_id, note_id, %(like)s, created_at FROM community_like {where}
UNION ALL SELECT user_id, note_id, %(collect)s, created_at FROM community_collect {where}
UNION ALL SELECT author_id, note_id, %(comment)s, created_at FROM community_comment {where}
"""


def model_path() -> Path:
    return Path(getattr(settings, "RECS_MODEL_PATH", Path(settings.BASE_DIR) / "var" / "recs" / "model.npz"))


def interactions_load(*, before=None, after=None) -> list[tuple[int, int, float, object]]:
    """(user id, note id, weight, when) for every like, collect and comment in the window."""
    clauses, params = [], {k: EVENT_WEIGHTS[k] for k in ("like", "collect", "comment")}
    if before is not None:
        clauses.append("created_at < %(before)s")
        params["before"] = before
    if after is not None:
        clauses.append("created_at >= %(after)s")
        params["after"] = after
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    with connection.cursor() as cursor:
        cursor.execute(_EVENTS_SQL.format(where=where), params)
        return cursor.fetchall()


@dataclass
class Model:
    user_ids: np.ndarray  # sorted
    item_ids: np.ndarray  # sorted
    user_factors: np.ndarray
    item_factors: np.ndarray
    nb_indptr: np.ndarray
    nb_items: np.ndarray  # indexes into item_ids
    nb_scores: np.ndarray
    trained_at: float

    def _item_index(self, note_id: int) -> int | None:
        i = int(np.searchsorted(self.item_ids, note_id))
        return i if i < len(self.item_ids) and self.item_ids[i] == note_id else None

    def neighbours(self, note_id: int) -> list[tuple[int, float]]:
        i = self._item_index(note_id)
        if i is None:
            return []
        start, end = self.nb_indptr[i], self.nb_indptr[i + 1]
        return [
            (int(self.item_ids[j]), float(s))
            for j, s in zip(self.nb_items[start:end], self.nb_scores[start:end], strict=True)
        ]

    def user_top(self, user_id: int, *, limit: int = 200, exclude: set[int] = frozenset()):
        u = int(np.searchsorted(self.user_ids, user_id))
        if u >= len(self.user_ids) or self.user_ids[u] != user_id:
            return []
        scores = self.item_factors @ self.user_factors[u]
        take = min(len(scores), limit + len(exclude))
        best = np.argpartition(-scores, take - 1)[:take] if take < len(scores) else np.arange(len(scores))
        best = best[np.argsort(-scores[best])]
        out = [
            (int(self.item_ids[i]), float(scores[i])) for i in best if int(self.item_ids[i]) not in exclude
        ]
        return [(n, s) for n, s in out[:limit] if s > 0]


def matrix_build(events):
    """The (readers x notes) CSR matrix of summed weights, with its sorted row and column ids."""
    from scipy.sparse import csr_matrix

    if not events:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64), None
    users = np.fromiter((e[0] for e in events), dtype=np.int64, count=len(events))
    items = np.fromiter((e[1] for e in events), dtype=np.int64, count=len(events))
    weights = np.fromiter((e[2] for e in events), dtype=np.float32, count=len(events))
    user_ids, rows = np.unique(users, return_inverse=True)
    item_ids, cols = np.unique(items, return_inverse=True)
    matrix = csr_matrix((weights, (rows, cols)), shape=(len(user_ids), len(item_ids)), dtype=np.float32)
    matrix.sum_duplicates()
    return user_ids, item_ids, matrix


def neighbours_build(matrix, *, k: int = NEIGHBOURS):
    """Cosine similarity of the notes' reader sets (binary), the ``k`` best of each note, as CSR arrays."""
    binary = matrix.copy()
    binary.data[:] = 1.0
    counts = np.asarray(binary.sum(axis=0)).ravel()
    co = (binary.T @ binary).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    indptr, items_out, scores_out = [0], [], []
    norms = np.sqrt(np.maximum(counts, 1.0))
    for i in range(co.shape[0]):
        start, end = co.indptr[i], co.indptr[i + 1]
        cols = co.indices[start:end]
        sims = co.data[start:end] / (norms[i] * norms[cols])
        if len(cols) > k:
            best = np.argpartition(-sims, k - 1)[:k]
            cols, sims = cols[best], sims[best]
        order = np.argsort(-sims)
        items_out.append(cols[order])
        scores_out.append(sims[order].astype(np.float32))
        indptr.append(indptr[-1] + len(cols))
    empty_i, empty_f = np.array([], dtype=np.int64), np.array([], dtype=np.float32)
    return (
        np.array(indptr, dtype=np.int64),
        np.concatenate(items_out) if items_out else empty_i,
        np.concatenate(scores_out) if scores_out else empty_f,
    )


def model_fit(events, *, factors: int = FACTORS, iterations: int = ITERATIONS) -> Model | None:
    """Train on ``events`` in memory (no file): ALS factors and co-engagement neighbours."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    user_ids, item_ids, matrix = matrix_build(events)
    if matrix is None:
        return None
    # The machine's BLAS would start a thread per core inside each of implicit's threads.
    with threadpool_limits(limits=1, user_api="blas"):
        als = AlternatingLeastSquares(
            factors=factors,
            regularization=REGULARIZATION,
            alpha=ALPHA,
            iterations=iterations,
            num_threads=int(getattr(settings, "RECS_TRAIN_THREADS", 2)),
            random_state=42,
        )
        als.fit(matrix, show_progress=False)
    indptr, nb_items, nb_scores = neighbours_build(matrix)
    return Model(
        user_ids=user_ids,
        item_ids=item_ids,
        user_factors=np.asarray(als.user_factors, dtype=np.float32),
        item_factors=np.asarray(als.item_factors, dtype=np.float32),
        nb_indptr=indptr,
        nb_items=nb_items,
        nb_scores=nb_scores,
        trained_at=time.time(),
    )


def model_save(model: Model, path: Path | None = None) -> Path:
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial.npz")
    np.savez(partial, **{name: getattr(model, name) for name in Model.__dataclass_fields__ if name != "trained_at"},
             trained_at=np.array([model.trained_at]))  # fmt: skip
    os.replace(partial, path)
    return path


def model_train(*, before=None) -> dict:
    """Train on the whole matrix and swap the saved model atomically. Returns figures for the log."""
    started = time.perf_counter()
    events = interactions_load(before=before)
    model = model_fit(events)
    figures = {
        "interactions": len(events),
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if model is None:
        logger.info("recs model: no interactions, nothing trained")
        return figures
    model_save(model)
    figures.update(readers=len(model.user_ids), notes=len(model.item_ids))
    logger.info("recs model trained: %s", figures)
    return figures


_loaded: dict[str, object] = {"model": None, "mtime": None, "checked": 0.0}
_load_lock = threading.Lock()


def model_current() -> Model | None:
    """The saved model, reloaded when the file changes; None when there is none (or it is unreadable)."""
    now = time.monotonic()
    if now - _loaded["checked"] < RELOAD_SECONDS and _loaded["mtime"] is not None:
        return _loaded["model"]
    with _load_lock:
        _loaded["checked"] = now
        path = model_path()
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            _loaded.update(model=None, mtime=None)
            return None
        if mtime != _loaded["mtime"]:
            try:
                with np.load(path) as data:
                    fields = {name: data[name] for name in Model.__dataclass_fields__ if name != "trained_at"}
                    _loaded["model"] = Model(**fields, trained_at=float(data["trained_at"][0]))
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("recs model at %s not loaded: %s", path, exc)
                _loaded["model"] = None
            _loaded["mtime"] = mtime
        return _loaded["model"]


def model_forget() -> None:
    """Drop the loaded model (tests; a process that wants the file read again now)."""
    _loaded.update(model=None, mtime=None, checked=0.0)
