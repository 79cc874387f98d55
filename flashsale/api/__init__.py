"""The flash-sale API under /api/flash/: list sales, get a buy pass, buy (202 + request id), poll a request.

``urls.py`` routes, ``views.py`` holds the DRF views, ``serializers.py`` their input and output shapes,
``authentication.py`` the buy pass that lets the buy endpoint skip the session lookup."""
