"""Reads of the flash-sale app, shaped for their pages: ``sales`` (listings, units left, the ``access_sale``
helpers that raise the 404), ``figures`` (the books a reconcile checks), ``buy_requests`` (what a buyer
polling after 202 learns), ``reminders`` and ``offers`` (flash prices for the rest of the site). Writes
live in flashsale/services/."""
