from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("arrangements/", views.ArrangementListView.as_view(), name="arrangement-list"),
    path("arrangements/<int:pk>/", views.ArrangementDetailView.as_view(), name="arrangement-detail"),
    path("arrangements/<int:pk>/conditions/", views.ConditionsEditView.as_view(), name="arrangement-conditions"),
    path("arrangements/<int:pk>/documents/new/", views.DocumentUploadView.as_view(), name="document-upload"),
    path("arrangements/<int:pk>/status/", views.TransitionView.as_view(), name="arrangement-transition"),
    path("arrangements/<int:pk>/renew/", views.RenewView.as_view(), name="arrangement-renew"),
    path("arrangements/<int:arrangement_pk>/gap-actions/new/", views.GapActionView.as_view(), name="gap-action-for-arrangement"),
    path("jfos/<int:jfo_pk>/gap-actions/new/", views.GapActionView.as_view(), name="gap-action-for-unit"),
    path("gap-actions/<int:action_pk>/", views.GapActionView.as_view(), name="gap-action-edit"),
    path("reports/coverage/", views.CoverageReportPage.as_view(), name="report-coverage"),
    path("reports/conditions/", views.ConditionsReportPage.as_view(), name="report-conditions"),
    path("reports/expiring/", views.ExpiringReportPage.as_view(), name="report-expiring"),
    path("reports/gaps/", views.GapsReportPage.as_view(), name="report-gaps"),
]
