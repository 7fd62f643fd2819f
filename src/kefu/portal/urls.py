from django.urls import path

from kefu.portal import shipments, views

app_name = "portal"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.lookup, name="lookup"),
    path("shipment/", shipments.shipment_lookup, name="shipment"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/<slug:action>/", views.act, name="act"),
]
