"""Each flash-sale buy's first answer is counted as an admission or a refusal by reason (/metrics)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from core.errors import DomainError
from flashsale.tests.helpers import buy, live_sale
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db


def _count(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_admissions_and_refusals_are_counted_once_per_request():
    sale = live_sale(quota=1)
    (first, *_), (second, *_) = buyer(), buyer()
    admitted = _count("hongshu_flashsale_admissions_total")
    sold_out = _count("hongshu_flashsale_refusals_total", reason="sold_out")
    invalid = _count("hongshu_flashsale_refusals_total", reason="invalid")

    buy(sale, first, request_id="metrics-req-0001")
    buy(sale, first, request_id="metrics-req-0001")  # the same request again: its first answer repeated
    buy(sale, second)
    with pytest.raises(DomainError):
        buy(sale, second, request_id="bad id")

    assert _count("hongshu_flashsale_admissions_total") == admitted + 1
    assert _count("hongshu_flashsale_refusals_total", reason="sold_out") == sold_out + 1
    assert _count("hongshu_flashsale_refusals_total", reason="invalid") == invalid + 1
