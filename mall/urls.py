"""The mall's pages.

``urlpatterns`` (namespace "mall") is mounted under /mall/. The payment pages keep their own prefix and
namespace, /pay/ and "payments" (templates, flash sales and the payment provider's return address name
them), so they are a second list, ``payment_urlpatterns`` (patterns, namespace), that config/urls.py mounts
there.
"""

from django.urls import path

from mall.views import cart, catalog, checkout, orders, payments

app_name = "mall"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("products/", catalog.product_list, name="products"),
    path("search/", catalog.product_list, name="search"),
    path("categories/<slug:slug>/", catalog.product_list, name="category"),
    path("products/<slug:slug>/", catalog.product_detail, name="product"),
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/select/", cart.cart_select_all, name="cart_select_all"),
    path("cart/lines/<int:line_id>/", cart.cart_line, name="cart_line"),
    path("cart/lines/<int:line_id>/remove/", cart.cart_line_remove, name="cart_line_remove"),
    path("cart/lines/<int:line_id>/variant/", cart.cart_line_variant, name="cart_line_variant"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("orders/", orders.orders, name="orders"),
    path("orders/<str:number>/", orders.order_detail, name="order"),
    path("orders/<str:number>/status/", orders.order_status, name="order_status"),
    path("orders/<str:number>/cancel/", orders.order_cancel, name="order_cancel"),
    path(
        "orders/<str:number>/confirm-delivery/", orders.order_confirm_delivery, name="order_confirm_delivery"
    ),
    path("orders/<str:number>/return/", orders.order_return, name="order_return"),
    path("orders/<str:number>/return/parcel/", orders.order_return_parcel, name="order_return_parcel"),
]

payment_urlpatterns = (
    [
        path("order/<str:number>/", payments.order_pay, name="order_pay"),
        path("sandbox/<str:reference>/", payments.sandbox_pay, name="sandbox_pay"),
    ],
    "payments",
)
