"""The demo: people, notes, a mall and flash sales for trying the site, and the pictures they show.

A development app: it depends on every other app and nothing imports it. ``config/settings.py`` installs
it with DEBUG (and in tests) or when ``DEMO_APP=1`` asks; production leaves it out.
"""
