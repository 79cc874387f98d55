from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecsConfig(AppConfig):
    name = "recs"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from community.search_listeners import register_search_listener
        from recs.services.signals import search_record

        # A reader's search words become their interests (docs/architecture.md, "The personal discovery feed").
        register_search_listener(search_record)
