"""Every state change of the mall, one module per area: each outermost write is one durable transaction,
locks rows only through mall.lock_objects, and enqueues tasks by name (core.tasks.enqueue_on_commit)."""
