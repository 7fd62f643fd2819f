from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from kefu.api.urls import api
from kefu.core import views as core_views
from kefu.customers import views as customer_views

urlpatterns = [
    path("", customer_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("kefu.accounts.urls")),
    path("customers/", include("kefu.customers.urls")),
    path("cases/", include("kefu.tickets.urls")),
    path("notifications/", include("kefu.notify.urls")),
    path("operations/", include("kefu.operations.urls")),
    path("visits/", include("kefu.visits.urls")),
    path("surveys/", include("kefu.surveys.urls")),
    path("standards/", include("kefu.standards.urls")),
    path("audits/", include("kefu.audits.urls")),
    path("improvement/", include("kefu.improvement.urls")),
    path("portal/", include("kefu.portal.urls")),
    path("settings/calendar/", include("kefu.core.urls")),
    path("api/v1/", api.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
