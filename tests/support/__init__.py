"""What tests across the apps share: concurrency, images, orders, webhook signing, admin posts, tasks.

Import from the submodules (``from tests.support.tasks import enqueued``); test modules never import
fixtures or helpers from other test modules.
"""
