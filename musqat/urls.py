from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .health import healthz
from .search import search

admin.site.site_header = _("MUSQAT administration")
admin.site.site_title = _("MUSQAT administration")
admin.site.index_title = _("Platform administration")

# A bad request gets the site's page, in the person's language, not Django's bare one;
# so do refusals, missing pages and errors, in the frame of the admin or workspace they
# happened in (musqat/refusals.py).
handler400 = "musqat.bad_requests.bad_request"
handler403 = "musqat.refusals.permission_denied"
handler404 = "musqat.refusals.page_not_found"
handler500 = "musqat.refusals.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("monitor/grants/", include("grants.apply.urls")),
    path("monitor/", include("assessments.monitor.urls")),
    path("review/", include("grants.review.urls")),
    path("api/v1/grants/", include("grants.api_urls")),
    path("api/v1/", include("assessments.api.urls")),
]

urlpatterns += i18n_patterns(
    path("search/", search, name="search"),
    path("grants/", include("grants.portal.urls")),
    path("", include("assessments.portal.urls")),
    prefix_default_language=True,
)

# No /media/ address, not even in development: PDFs and evidence files are served only by
# views that check what is published and who asks (DESIGN.md, "Trust rules").
