"""REST API v1: one NinjaAPI, routers per domain, errors as 4xx JSON naming the field."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from kefu.api.accounts import router as accounts_router
from kefu.api.auth import AUTH
from kefu.api.customers import router as customers_router
from kefu.api.notifications import router as notifications_router
from kefu.api.operations import router as operations_router
from kefu.api.standards import router as standards_router
from kefu.api.surveys import router as surveys_router
from kefu.api.tickets import router as tickets_router
from kefu.api.visits import router as visits_router
from kefu.api.webhooks import router as webhooks_router
from kefu.core.services import DomainError
from kefu.tickets.services import IntakeBatchRefused

api = NinjaAPI(
    title="Kefu API",
    version="1",
    description="Customer archive, contacts, change requests, staff and departments. "
    "Authenticate with a personal token (Authorization: Bearer ...) or a browser session.",
    auth=AUTH,
    urls_namespace="api-v1",
)
api.add_router("/customers", customers_router)
api.add_router("/cases", tickets_router)
api.add_router("/operations", operations_router)
api.add_router("/visits", visits_router)
api.add_router("/surveys", surveys_router)
api.add_router("/standards", standards_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/notifications", notifications_router)
api.add_router("/", accounts_router)

STATUS_BY_CODE = {"forbidden": 403, "conflict": 409, "not_found": 404}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": exc.message, "field": exc.field, "code": exc.code},
        status=STATUS_BY_CODE.get(exc.code, 400),
    )


@api.exception_handler(IntakeBatchRefused)
def batch_refused(request: HttpRequest, exc: IntakeBatchRefused) -> HttpResponse:
    """Every refused case of a batch, by its position."""
    errors = [{"index": index, "field": error.field, "detail": error.message} for index, error in exc.refused]
    return api.create_response(
        request, {"detail": exc.message, "field": exc.field, "code": exc.code, "errors": errors}, status=400
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    location = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "payload", "filters")]
    return api.create_response(
        request,
        {
            "detail": f"{'.'.join(location)}: {first.get('msg', 'invalid input')}"
            if location
            else first.get("msg", "invalid input"),
            "field": location[-1] if location else None,
            "code": "invalid",
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found.", "code": "not_found"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Authentication required: send a valid API token or log in.", "code": "unauthenticated"},
        status=401,
    )
