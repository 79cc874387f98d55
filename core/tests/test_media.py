import pytest


@pytest.fixture
def media(settings, tmp_path):
    (tmp_path / "notes" / "originals" / "2026" / "12").mkdir(parents=True)
    (tmp_path / "notes" / "feed").mkdir(parents=True)
    (tmp_path / "notes" / "originals" / "2026" / "12" / "a.jpg").write_bytes(b"exif with GPS inside")
    (tmp_path / "notes" / "feed" / "a.webp").write_bytes(b"RIFF")
    (tmp_path / "notes" / "feed" / "link.jpg").symlink_to(
        tmp_path / "notes" / "originals" / "2026" / "12" / "a.jpg"
    )
    (tmp_path.parent / "outside.txt").write_bytes(b"secret")
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_renditions_are_served(client, media):
    response = client.get("/media/notes/feed/a.webp")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/media/notes/originals/2026/12/a.jpg",
        "/media//notes/originals/2026/12/a.jpg",
        "/media/notes//originals/2026/12/a.jpg",
        "/media/notes/./originals/2026/12/a.jpg",
        "/media/./notes/originals/2026/12/a.jpg",
        "/media/notes/feed/../originals/2026/12/a.jpg",
        "/media/notes/originals//2026/12/a.jpg",
        "/media/notes/%6Friginals/2026/12/a.jpg",
        "/media/notes%2Foriginals/2026/12/a.jpg",
        "/media/notes/feed/link.jpg",
        "/media/notes/originals/",
        "/media/../outside.txt",
        "/media/notes/%2E%2E/%2E%2E/outside.txt",
    ],
)
def test_an_attacker_never_reaches_an_original_or_a_file_outside_media(client, media, path):
    response = client.get(path)

    assert response.status_code == 404
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"GPS" not in body and b"secret" not in body
