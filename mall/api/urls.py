"""The mall's API routes.

``urlpatterns`` is mounted under /api/mall/. The payment endpoints keep their own prefix and namespace,
/api/payments/ and "payments_api" (a provider is given the webhook's URL), so they are a second list,
``payment_urlpatterns`` (patterns, namespace), that config/urls.py mounts there.
"""

from django.urls import path, re_path

from mall.api import cart, catalog, orders, payments

urlpatterns = [
    path("products/", catalog.ProductListApi.as_view(), name="api-mall-products"),
    path("products/<slug:slug>/", catalog.ProductDetailApi.as_view(), name="api-mall-product"),
    path("categories/", catalog.CategoryListApi.as_view(), name="api-mall-categories"),
    path("brands/", catalog.BrandListApi.as_view(), name="api-mall-brands"),
    path("cart/", cart.CartApi.as_view(), name="api-mall-cart"),
    path("cart/lines/<int:line_id>/", cart.CartLineApi.as_view(), name="api-mall-cart-line"),
    path("checkout/", orders.CheckoutApi.as_view(), name="api-mall-checkout"),
    path("orders/", orders.OrderListApi.as_view(), name="api-mall-orders"),
    path("orders/<str:number>/", orders.OrderDetailApi.as_view(), name="api-mall-order"),
    re_path(
        r"^orders/(?P<number>[^/]+)/(?P<action>cancel|confirm-delivery|return)/$",
        orders.OrderActionApi.as_view(),
        name="api-mall-order-action",
    ),
]

payment_urlpatterns = (
    [
        path("webhook/sandbox/", payments.SandboxWebhookApi.as_view(), name="webhook_sandbox"),
        path("orders/<str:number>/pay/", payments.PaymentStartApi.as_view(), name="api_start"),
        path("<str:reference>/", payments.PaymentDetailApi.as_view(), name="api_detail"),
    ],
    "payments_api",
)
