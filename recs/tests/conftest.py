import pytest


@pytest.fixture(autouse=True)
def _recs_model_in_tmp(settings, tmp_path):
    """Each test has its own (absent) model file, and starts with Redis believed up."""
    from recs import redis as recs_redis
    from recs.services.training import model_forget

    settings.RECS_MODEL_PATH = tmp_path / "recs" / "model.npz"
    model_forget()
    recs_redis.reset()
    yield
    model_forget()
    recs_redis.reset()
