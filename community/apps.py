from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from community.receivers import on_notice, on_order_event, on_refund, on_return_approved
        from core.signals import notice_for_user
        from mall import signals

        signals.order_event_recorded.connect(on_order_event, dispatch_uid="community-order-notices")
        signals.return_approved.connect(on_return_approved, dispatch_uid="community-return-notices")
        signals.refund_succeeded.connect(on_refund, dispatch_uid="community-refund-notices")
        notice_for_user.connect(on_notice, dispatch_uid="community-notices")
