"""Writes of the flash-sale app, one transaction each: ``admission`` (buying: the Lua script decides),
``materialize`` (admissions become orders; their expiry), ``sales`` (a sale's life: publish, warm,
freeze/resume, give units back, end, reconcile), ``reminders``; ``redis`` holds the connection and the
Lua scripts. Reads live in flashsale/selectors/; tasks are enqueued by name, never imported."""
