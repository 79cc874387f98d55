"""The topic page reads its notes from the note-topic link table in index order.

The link rows carry a copy of what the topic list sorts and filters on (the note's hot score, whether it
is listed: published and public, and whether it is sponsored), kept by two triggers: one fills a new
link from its note, the other (per statement, one join) follows the notes when any of those change
(every write path, bulk UPDATEs of the hot-score refresh included). ``note_topic_hot`` / ``note_topic_new`` then give a topic's page in
index order, however rare the topic and however large the site (docs/architecture.md, "Topic pages").
"""

from django.db import migrations

FORWARD = """
ALTER TABLE community_note_topics
    ADD COLUMN hot_score double precision NOT NULL DEFAULT 0,
    ADD COLUMN listed boolean NOT NULL DEFAULT false,
    ADD COLUMN sponsored boolean NOT NULL DEFAULT false;

UPDATE community_note_topics AS link
   SET hot_score = note.hot_score,
       listed = (note.status = 'published' AND note.visibility = 'public'),
       sponsored = (note.partnership_id IS NOT NULL)
  FROM community_note AS note
 WHERE note.id = link.note_id;

CREATE INDEX note_topic_hot ON community_note_topics (topic_id, hot_score DESC, note_id DESC) WHERE listed;
CREATE INDEX note_topic_new ON community_note_topics (topic_id, note_id DESC) WHERE listed;

CREATE FUNCTION community_note_topic_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT note.hot_score, note.status = 'published' AND note.visibility = 'public',
           note.partnership_id IS NOT NULL
      INTO NEW.hot_score, NEW.listed, NEW.sponsored
      FROM community_note AS note
     WHERE note.id = NEW.note_id;
    RETURN NEW;
END $$;

CREATE TRIGGER note_topic_fill BEFORE INSERT ON community_note_topics
    FOR EACH ROW EXECUTE FUNCTION community_note_topic_fill();

-- One statement-level trigger with a transition table: a bulk UPDATE of many notes (the hot-score refresh)
-- updates their links in one join, instead of one PL/pgSQL call and UPDATE per note. Only links whose
-- copy differs are written, so an UPDATE of other columns (a like count, a view count) writes nothing.
CREATE FUNCTION community_note_topic_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE community_note_topics AS link
       SET hot_score = note.hot_score,
           listed = (note.status = 'published' AND note.visibility = 'public'),
           sponsored = (note.partnership_id IS NOT NULL)
      FROM changed_notes AS note
     WHERE link.note_id = note.id
       AND (link.hot_score IS DISTINCT FROM note.hot_score
            OR link.listed IS DISTINCT FROM (note.status = 'published' AND note.visibility = 'public')
            OR link.sponsored IS DISTINCT FROM (note.partnership_id IS NOT NULL));
    RETURN NULL;
END $$;

CREATE TRIGGER note_topic_follow AFTER UPDATE ON community_note
    REFERENCING NEW TABLE AS changed_notes
    FOR EACH STATEMENT EXECUTE FUNCTION community_note_topic_follow();
"""

BACKWARD = """
DROP TRIGGER note_topic_follow ON community_note;
DROP FUNCTION community_note_topic_follow();
DROP TRIGGER note_topic_fill ON community_note_topics;
DROP FUNCTION community_note_topic_fill();
DROP INDEX note_topic_new;
DROP INDEX note_topic_hot;
ALTER TABLE community_note_topics DROP COLUMN hot_score, DROP COLUMN listed, DROP COLUMN sponsored;
"""


class Migration(migrations.Migration):
    dependencies = [("community", "0006_notices")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
