from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlashsaleConfig(AppConfig):
    name = "flashsale"
    verbose_name = _("Flash sales")

    def ready(self) -> None:
        from flashsale.receivers import on_order_released
        from flashsale.selectors.offers import flash_offers
        from mall import offers, signals

        signals.order_stock_released.connect(on_order_released, dispatch_uid="flashsale-unit-return")
        offers.register_offer_provider(flash_offers)
