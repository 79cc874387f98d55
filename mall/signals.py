"""The domain events the mall tells upper apps about, without importing them. Receivers only enqueue a task.

Each is sent after the transaction that caused it commits. Only events somebody receives are declared
here: add one together with its receiver.
"""

from django.dispatch import Signal

# The order gave up the units it held (cancelled, expired, rejected by customs, refunded before shipping).
# flashsale.receivers gives a flash-sale unit back to its sale. Sent with ``order_id``.
order_stock_released = Signal()

# An order changed state and its timeline got an OrderEvent. Sent with ``order_event_id`` and
# ``to_state``; community.receivers tells the buyer in their inbox (paid, cleared, shipped, ...).
order_event_recorded = Signal()

# An operator approved a buyer's return request. Sent with ``order_id``; community.receivers tells the buyer.
return_approved = Signal()

# The payment provider confirmed a refund. Sent with ``refund_id``; community.receivers tells the buyer.
refund_succeeded = Signal()
