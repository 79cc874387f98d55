"""The few domain events the mall tells upper apps about. Receivers only enqueue a task.

Each is sent after the transaction that caused it commits, with ``order_id``.
"""

from django.dispatch import Signal

order_paid = Signal()
order_cancelled = Signal()
order_delivered = Signal()
order_returned = Signal()
# The order gave up the units it held (cancelled, expired, rejected by customs, refunded before shipping).
order_stock_released = Signal()
