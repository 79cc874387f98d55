"""What every note card of the API shows of its writer and its cover (feeds, search, a product's notes)."""

from __future__ import annotations

from rest_framework import serializers


def absolute_url(request, field) -> str | None:
    """The file's absolute URL (relative without a request), or None when there is no file (yet)."""
    if not field:
        return None
    return request.build_absolute_uri(field.url) if request else field.url


class FeedAuthorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    nickname = serializers.CharField(source="display_name")
    avatar = serializers.SerializerMethodField()

    def get_avatar(self, user) -> str | None:
        return absolute_url(self.context["request"], user.avatar)


class FeedCoverOutput(serializers.Serializer):
    """The cover's feed rendition and its size (lay the card out before it loads); ``url`` is null while
    the photo is still being prepared."""

    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, image) -> str | None:
        return absolute_url(self.context["request"], image.feed)
