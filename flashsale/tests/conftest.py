import pytest

from flashsale.services import admission
from flashsale.services.redis import reset


@pytest.fixture(autouse=True)
def _fresh_flashsale_state():
    admission._sold_out_until.clear()
    reset()
    yield
    admission._sold_out_until.clear()


@pytest.fixture
def redis_conn():
    """The flash-sale Redis client (decoded strings), on the test Redis database."""
    from flashsale.services.redis import client

    return client()
