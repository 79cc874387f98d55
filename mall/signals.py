"""The domain events the mall tells upper apps about, without importing them. Receivers only enqueue a task.

Each is sent after the transaction that caused it commits, with ``order_id``. Only events somebody
receives are declared here: add one together with its receiver.
"""

from django.dispatch import Signal

# The order gave up the units it held (cancelled, expired, rejected by customs, refunded before shipping).
# flashsale.receivers gives a flash-sale unit back to its sale.
order_stock_released = Signal()
