"""Finer statistics on the search vectors, so the planner knows a rare word from a common one.

With the default target, PostgreSQL keeps the frequencies of only ~1,000 lexemes and guesses every
other one as moderately common: a word in 0.1% of notes was estimated at three times that, and the
planner walked an index in sort order checking 15,000 rows instead of reading the word's 300 matches
from the GIN index (benchmarks/results/search.md). At 1,000 it keeps ~10,000 lexemes.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("community", "0002_search_sort_indexes")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE community_note ALTER COLUMN search_vector SET STATISTICS 1000",
            reverse_sql="ALTER TABLE community_note ALTER COLUMN search_vector SET STATISTICS -1",
        )
    ]
