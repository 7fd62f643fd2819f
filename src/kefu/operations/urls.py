from django.urls import path

from kefu.operations import views, views_aftersales

app_name = "operations"
urlpatterns = [
    path("", views.record_list, {"name": "orders"}, name="orders"),
    path("orders.xlsx", views.record_export, {"name": "orders"}, name="orders_export"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/<slug:action>/", views.order_action, name="order_action"),
    path("shipments/", views.record_list, {"name": "shipments"}, name="shipments"),
    path("shipments.xlsx", views.record_export, {"name": "shipments"}, name="shipments_export"),
    path("shipments/<int:pk>/", views.shipment_detail, name="shipment"),
    path("exceptions/<int:pk>/photos/<int:photo_pk>/", views.exception_photo, name="exception_photo"),
    path("shipments/<int:pk>/<slug:action>/", views.shipment_action, name="shipment_action"),
    path("exceptions/", views.record_list, {"name": "exceptions"}, name="exceptions"),
    path("exceptions.xlsx", views.record_export, {"name": "exceptions"}, name="exceptions_export"),
    path("claims/", views.record_list, {"name": "claims"}, name="claims"),
    path("claims.xlsx", views.record_export, {"name": "claims"}, name="claims_export"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/<slug:action>/", views.claim_action, name="claim_action"),
    path("fleet/", views.fleet, name="fleet"),
    path("credit/", views.credit_accounts, name="credit"),
    path("stock/", views.stock, name="stock"),
    path("standards/", views.standards, name="standards"),
    path("standards/<int:pk>/", views.standards, name="standard_edit"),
    path("import/", views.import_page, name="import"),
    path("customer/<int:customer_pk>/<slug:tab>/", views.customer_tab, name="customer_tab"),
    path("orders/<int:pk>/open/<slug:kind>/", views_aftersales.order_aftersales, name="order_aftersales"),
    path("after-sales/statements/new/", views_aftersales.statement_create, name="statement_create"),
    path("after-sales/<slug:name>/", views_aftersales.aftersales_list, name="aftersales"),
    path("after-sales/<slug:name>.xlsx", views_aftersales.aftersales_export, name="aftersales_export"),
    path("after-sales/<slug:name>/<int:pk>/", views_aftersales.aftersales_record, name="aftersales_record"),
    path(
        "after-sales/<slug:name>/<int:pk>/<slug:action>/",
        views_aftersales.aftersales_action,
        name="aftersales_action",
    ),
]
