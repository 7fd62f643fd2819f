from django.urls import path

from kefu.audits import views

app_name = "audits"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_new, name="new"),
    path("compare/", views.audit_compare, name="compare"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/<int:pk>/retire/", views.question_retire, name="question_retire"),
    path("<int:pk>/", views.audit_detail, name="detail"),
    path("<int:pk>/print/", views.audit_print, name="print"),
    path("<int:pk>/delete/", views.audit_delete, name="delete"),
    path("evaluations/", views.evaluation_list, name="evaluations"),
    path("evaluations/new/", views.evaluation_new, name="evaluation_new"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/print/", views.evaluation_print, name="evaluation_print"),
    path("evaluations/<int:pk>/<slug:action>/", views.evaluation_action, name="evaluation_action"),
    path("surveys/", views.survey_comparison, name="surveys"),
]
