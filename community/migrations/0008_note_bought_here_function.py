"""``community_note_bought_here(note_id, author_id)``: the feed card's "bought here" flag as a PL/pgSQL
function, so its five-table EXISTS is planned once per database session instead of inside every list
query (it was most of the card query's 1-3 ms planning time; execution is a few index probes per card).

It is the same rule as ``community.selectors.purchases.received_lines`` (a tagged product the writer
received: an order line of one of its SKUs in an order delivered, completed or return-requested), still
derived from orders on every read and never stored. ``test_trust_badges`` holds the two to the same
answers, and checks that the states here are ``RECEIVED_STATES``.
"""

from django.db import migrations

RECEIVED = ("delivered", "completed", "return_requested")

FORWARD = f"""
CREATE FUNCTION community_note_bought_here(p_note_id bigint, p_author_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1
          FROM community_noteproduct AS link
          JOIN mall_sku AS sku ON sku.product_id = link.product_id
          JOIN mall_orderline AS line ON line.sku_id = sku.id
          JOIN mall_order AS ord ON ord.id = line.order_id
         WHERE link.note_id = p_note_id
           AND ord.user_id = p_author_id
           AND ord.state IN ({", ".join(f"'{s}'" for s in RECEIVED)})
    );
END $$;
"""

BACKWARD = "DROP FUNCTION community_note_bought_here(bigint, bigint);"


class Migration(migrations.Migration):
    dependencies = [("community", "0007_note_topic_listing"), ("mall", "0008_order_event_message_untranslated")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
