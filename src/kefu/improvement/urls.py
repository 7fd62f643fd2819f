from django.urls import path

from kefu.improvement import views

app_name = "improvement"
urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("new/", views.cycle_new, name="new"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/analysis/", views.analysis, name="analysis"),
    path("<int:pk>/analysis/cases/", views.analysis_cases, name="cases"),
    path("<int:pk>/plan/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/print/", views.plan_print, name="print"),
    path("plans/<int:pk>/items/<int:item_pk>/progress/", views.progress, name="progress"),
    path("plans/<int:pk>/<slug:action>/", views.plan_action, name="plan_action"),
]
