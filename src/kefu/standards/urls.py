from django.urls import path

from kefu.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.kpi, name="kpi"),
    path("kpi/recompute/", views.kpi_recompute, name="kpi_recompute"),
    path("kpi/cases/", views.kpi_cases, name="kpi_cases"),
    path("kpi/shipments/", views.kpi_shipments, name="kpi_shipments"),
    path("kpi/trends/", views.kpi_trends, name="kpi_trends"),
    path("versions/", views.standard_list, name="list"),
    path("versions/new/", views.standard_new, name="new"),
    path("versions/<int:pk>/", views.standard_detail, name="detail"),
    path("versions/<int:pk>/print/", views.standard_print, name="print"),
    path("versions/<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("versions/<int:pk>/<slug:action>/", views.standard_action, name="action"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
]
