from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path


from agreements.views import DocumentDownloadView

from .dashboard import DashboardView
from .core.language import switch_language
from .core.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("jfo_registry.api_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/<str:language>/", switch_language, name="switch-language"),
    path("healthz", healthz, name="healthz"),
    path("documents/<int:pk>/", DocumentDownloadView.as_view(), name="arrangement-document-download"),
    path("", DashboardView.as_view(), name="dashboard"),
    path("", include("agreements.urls")),
    path("", include("operations.urls")),
]

handler400 = "jfo_registry.core.errors.bad_request"
handler403 = "jfo_registry.core.errors.permission_denied"
handler404 = "jfo_registry.core.errors.page_not_found"
handler500 = "jfo_registry.core.errors.server_error"
