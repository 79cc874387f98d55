"""Log lines as JSON objects (LOG_FORMAT=json, the production default): one object per line with the
time, level, logger, message, request id and whatever ``extra=`` a caller passed, so a log store can
filter by request id or field instead of parsing sentences."""

from __future__ import annotations

import datetime

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter


class JsonFormatter(_JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", False)
        # Django passes the request object along with its "Not Found" lines: its id is already there.
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s", *args, **kwargs)

    def formatTime(self, record, datefmt=None) -> str:  # noqa: N802 - logging's name
        """ISO 8601 in UTC with milliseconds: sortable, and the same in every process and container."""
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
