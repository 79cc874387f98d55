from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlashsaleConfig(AppConfig):
    name = "flashsale"
    verbose_name = _("Flash sales")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import User
        from flashsale.receivers import on_order_released, on_user_saved
        from flashsale.selectors.offers import flash_offers
        from mall import offers, signals

        signals.order_stock_released.connect(on_order_released, dispatch_uid="flashsale-unit-return")
        post_save.connect(on_user_saved, sender=User, dispatch_uid="flashsale-ban-ends-buying")
        offers.register_offer_provider(flash_offers)
