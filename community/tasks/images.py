"""Image rendition tasks."""

from __future__ import annotations

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def image_renditions_make(image_id: int) -> None:
    from community.services.images import image_renditions_make as make

    make(image_id=image_id)
