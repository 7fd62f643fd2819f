"""Staff and departments API."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kefu.accounts.models import Department, Role, Team
from kefu.accounts.selectors import departments_with_counts, staff_list
from kefu.accounts.services import department_save, user_create
from kefu.api.pagination import BoundedPageNumberPagination
from kefu.api.schemas import ErrorOut
from kefu.core.services import PermissionDeniedError
from kefu.customers.filters import MAX_ID

router = Router(tags=["staff and departments"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    is_customer_service: bool
    is_active: bool


class DepartmentIn(Schema):
    code: str = Field(..., pattern=r"^[-a-zA-Z0-9_]+$", max_length=30)
    name: str = Field(..., min_length=1, max_length=60)
    is_customer_service: bool = False


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    role: Role
    department_id: int | None
    team_id: int | None
    is_active: bool


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=8)
    role: Role
    display_name: str = ""
    email: str = ""
    department_id: int | None = None
    team_id: int | None = None


@router.get("/users/me", response=UserOut, tags=["staff and departments"])
def me(request: HttpRequest) -> Any:
    return request.user


@router.get("/users", response=list[UserOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_users(
    request: HttpRequest,
    department: int | None = Query(None, ge=1, le=MAX_ID),
    role: Role | None = None,
    q: str = Query("", max_length=100),
) -> Any:
    return staff_list(department=department, role=role, q=q)


@router.post("/users", response={201: UserOut, **ERRORS})
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    if not request.user.has_perm("accounts.manage_users"):
        raise PermissionDeniedError()
    department = Department.objects.filter(pk=payload.department_id).first() if payload.department_id else None
    if payload.department_id and department is None:
        raise Http404("No such department.")
    team = Team.objects.filter(pk=payload.team_id).first() if payload.team_id else None
    if payload.team_id and team is None:
        raise Http404("No such team.")
    user = user_create(
        actor=request.user,
        username=payload.username,
        password=payload.password,
        role=payload.role,
        department=department,
        team=team,
        display_name=payload.display_name,
        email=payload.email,
    )
    return Status(201, user)


@router.get("/departments", response=list[DepartmentOut])
def list_departments(request: HttpRequest) -> Any:
    return departments_with_counts()


@router.post("/departments", response={201: DepartmentOut, **ERRORS})
def create_department(request: HttpRequest, payload: DepartmentIn) -> Any:
    if not request.user.has_perm("accounts.manage_departments"):
        raise PermissionDeniedError()
    return Status(201, department_save(actor=request.user, **payload.dict()))
