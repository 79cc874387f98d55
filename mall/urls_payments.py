"""Payment URLs: pages under /pay/ (``urlpatterns``) and the API under /api/payments/ (``api_urlpatterns``)."""

from django.urls import path

from mall import api_payments, views_payments

app_name = "payments"

urlpatterns = [
    path("order/<str:number>/", views_payments.order_pay, name="order_pay"),
    path("sandbox/<str:reference>/", views_payments.sandbox_pay, name="sandbox_pay"),
]

api_urlpatterns = [
    path("webhook/sandbox/", api_payments.SandboxWebhookApi.as_view(), name="webhook_sandbox"),
    path("orders/<str:number>/pay/", api_payments.PaymentStartApi.as_view(), name="api_start"),
    path("<str:reference>/", api_payments.PaymentDetailApi.as_view(), name="api_detail"),
]
