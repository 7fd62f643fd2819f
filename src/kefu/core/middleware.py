from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class RejectNulCharactersMiddleware:
    """Refuse query strings and JSON bodies holding a NUL character with a 400.

    PostgreSQL cannot store or compare text with NUL (0x00), so such input would otherwise
    surface as a 500 deep in a query. Django's form fields already refuse it for forms.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._holds_nul(request):
            message = _("The request contains a NUL character (0x00), which no field accepts.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "field": None, "code": "invalid"}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request: HttpRequest) -> bool:
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.content_type == "application/json":
            body = request.body
            return b"\\u0000" in body or b"\x00" in body
        return False
