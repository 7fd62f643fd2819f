from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class UserLanguageMiddleware:
    """Serve the language the user chose, else the one in the language cookie, else zh-Hans.

    The browser's Accept-Language is deliberately not used: Kefu's users work in Chinese by
    default whatever their browser was installed with, and choose another language in the UI.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        supported = dict(settings.LANGUAGES)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language not in supported:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
