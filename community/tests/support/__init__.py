"""Plain helpers community tests share (no tests, no fixtures: fixtures are in ``community/tests/conftest.py``).

Test modules import from here, never from each other; what every app shares is in ``tests/support/``.
"""
