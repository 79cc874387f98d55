"""The mall's API under /api/mall/."""

from django.urls import path, re_path

from mall import api

urlpatterns = [
    path("products/", api.ProductListApi.as_view(), name="api-mall-products"),
    path("products/<slug:slug>/", api.ProductDetailApi.as_view(), name="api-mall-product"),
    path("categories/", api.CategoryListApi.as_view(), name="api-mall-categories"),
    path("brands/", api.BrandListApi.as_view(), name="api-mall-brands"),
    path("cart/", api.CartApi.as_view(), name="api-mall-cart"),
    path("cart/lines/<int:line_id>/", api.CartLineApi.as_view(), name="api-mall-cart-line"),
    path("checkout/", api.CheckoutApi.as_view(), name="api-mall-checkout"),
    path("orders/", api.OrderListApi.as_view(), name="api-mall-orders"),
    path("orders/<str:number>/", api.OrderDetailApi.as_view(), name="api-mall-order"),
    re_path(
        r"^orders/(?P<number>[^/]+)/(?P<action>cancel|confirm-delivery|return)/$",
        api.OrderActionApi.as_view(),
        name="api-mall-order-action",
    ),
]
