import pytest


@pytest.mark.django_db
def test_renditions_are_served_but_originals_never(client, settings, tmp_path):
    (tmp_path / "notes" / "originals").mkdir(parents=True)
    (tmp_path / "notes" / "feed").mkdir(parents=True)
    (tmp_path / "notes" / "originals" / "a.bin").write_bytes(b"exif inside")
    (tmp_path / "notes" / "feed" / "a.webp").write_bytes(b"RIFF")
    settings.MEDIA_ROOT = tmp_path
    assert client.get("/media/notes/feed/a.webp").status_code == 200
    assert client.get("/media/notes/originals/a.bin").status_code == 404
    assert client.get("/media//notes/originals/a.bin").status_code == 404
