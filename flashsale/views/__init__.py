"""Buyer pages of the flash sale, routed by flashsale/urls.py: ``sales`` (the sale page, "Remind me") and
``buying`` (buying without JavaScript: a form post, then a status page that refreshes itself until the
order exists). With JavaScript the same buttons talk to the API (flashsale/api/) and poll it."""
