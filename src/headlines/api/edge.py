"""Where HTTP meets the domain: bearer auth, the per-token limit, errors as JSON, the audit."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.params.models import Query
from ninja.parser import Parser
from ninja.security import HttpBearer

from headlines.api import services
from headlines.api.models import ApiToken
from headlines.core.errors import Conflict, DomainError, InvalidInput, NotFound
from headlines.subscriptions.services import RateLimited as SignupRateLimited

# Every refusal an operation may answer with, documented in the schema with the Error shape.
ERRORS = frozenset({400, 401, 404, 409, 413, 422, 429})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hl_…`: an active token, within its rate limit."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        # ninja splits the header at each space: "Bearer  hl_…" (RFC 9110 allows several)
        # reached us as " hl_…".
        found = services.api_token_authenticate(raw=token.lstrip(" "))
        if found is not None:
            # Known before the limit is checked: a write refused with 429 is audited with it.
            request.api_token = found  # type: ignore[attr-defined]
            services.api_rate_check(token_id=found.pk)
        return found


def field_error(field: str | None, message: str) -> list[dict[str, Any]]:
    return [{"loc": ["body", field] if field else ["body"], "msg": message, "type": "invalid"}]


# A body of 2 MB holds 170,000 unknown fields: listing each made a 16 MB answer. The first
# few say what is wrong; the count says how much more.
MAX_ERRORS = 20

# Every route names its request body `payload`; ninja puts that name in a field's location.
BODY_PARAMETER = "payload"


def _location(loc: Any) -> list[Any]:
    """Where the field is, as a client wrote it: ["body", "email"], not ninja's
    ["body", "payload", "email"] (the same shape as the service's own refusals)."""
    where = list(loc)
    if where[:2] == ["body", BODY_PARAMETER]:
        del where[1]
    return where


def install_handlers(api: NinjaAPI) -> None:
    """Every refusal is JSON `{"detail": …}` with the status a client can act on."""

    def respond(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(InvalidInput)
    def invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        problems = [exc, *exc.also]
        return respond(request, [e for p in problems for e in field_error(p.field, str(p))], 422)

    @api.exception_handler(NotFound)
    def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return respond(request, str(exc), 404)

    @api.exception_handler(Conflict)
    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return respond(request, str(exc), 409)

    @api.exception_handler(services.RateLimited)
    def limited(request: HttpRequest, exc: services.RateLimited) -> HttpResponse:
        response = respond(request, str(exc), 429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(SignupRateLimited)
    def signup_limited(request: HttpRequest, exc: SignupRateLimited) -> HttpResponse:
        return respond(request, str(exc), 429)

    @api.exception_handler(DomainError)
    def refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, str(exc), 400)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, "a valid API token is needed (Authorization: Bearer …)", 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(NinjaValidationError)
    def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "loc": _location(e.get("loc", [])),
                "msg": str(e.get("msg", "")),
                "type": e.get("type"),
            }
            for e in exc.errors[:MAX_ERRORS]
        ]
        if len(exc.errors) > MAX_ERRORS:
            more = len(exc.errors) - MAX_ERRORS
            errors.append({"loc": ["body"], "msg": f"and {more} more", "type": "too_many"})
        return respond(request, errors, 422)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return respond(request, f"the request body is larger than {limit} bytes", 413)

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
        # Django's own 400 for it said only "Bad Request".
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return respond(request, f"the query string has more than {limit} parameters", 400)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # ninja's "Cannot parse request body" named neither JSON nor where it went wrong.
            return respond(
                request, f"the request body is not a JSON document: {exc.__cause__}", 400
            )
        return respond(request, str(exc), exc.status_code)


def audited(action: str, target: Callable[[dict[str, Any]], str] | None = None) -> Callable:
    """A view decorator (ninja's decorate_view) that writes every call to the audit trail,
    refused ones included, with the token that made it and the status it got."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            token = getattr(request, "api_token", None)
            if isinstance(token, ApiToken) or response.status_code != 401:
                services.api_audit_record(
                    token=token if isinstance(token, ApiToken) else None,
                    action=action,
                    method=request.method or "",
                    path=request.path,
                    status=response.status_code,
                    target=str(getattr(request, "audit_target", ""))
                    or (target(kwargs) if target else ""),
                )
            return response

        return run

    return decorate


def declared_parameters_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """An operation decorator (`api.add_decorator`): a query parameter the operation does not
    declare is refused with 422, as an unknown body field is, and so is one it declares given
    twice, and a body sent to an operation that takes none. Ignored, `?day=` for `?date=`
    answered today's stories as if it had filtered, and `POST /digests/1/send {"to": "editor@…"}`
    mailed every reader."""
    parameters = inspect.signature(view).parameters
    declared = [
        p.default.alias or name for name, p in parameters.items() if isinstance(p.default, Query)
    ]
    takes = f"which takes: {', '.join(declared)}" if declared else "which takes none"
    takes_body = BODY_PARAMETER in parameters

    @functools.wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        errors = [
            {
                "loc": ["query", name],
                "msg": f"not a parameter of this operation, {takes}",
                "type": "extra_forbidden",
            }
            for name in request.GET
            if name not in declared
        ]
        # As a key given twice in a body: ?edition=us&edition=uk meant both to its sender and
        # got uk's alone. No operation takes a list in its query (one that does, exempt it).
        errors += [
            {
                "loc": ["query", name],
                "msg": f"given {len(values)} times; this operation takes one",
                "type": "repeated",
            }
            for name, values in request.GET.lists()
            if name in declared and len(values) > 1
        ]
        if not takes_body and not _empty(request.body):
            errors.append(
                {"loc": ["body"], "msg": "this operation takes no body", "type": "extra_forbidden"}
            )
        if errors:
            raise NinjaValidationError(errors)
        return view(request, *args, **kwargs)

    return run


def _empty(body: bytes) -> bool:
    """No body, or one that says nothing (`{}`, `null`: what a client library sends for none)."""
    if not body.strip():
        return True
    try:
        return json.loads(body) in ({}, None)
    except (ValueError, RecursionError):
        return False


def note_target(request: HttpRequest, target: str) -> None:
    """What this write was about, for its audit entry (set by the route once it knows)."""
    request.audit_target = target  # type: ignore[attr-defined]


class StrictJSON(Parser):
    """JSON bodies, where a key given twice is refused (ninja's parser kept the last: a body
    `{"marketing": false, "marketing": true}` meant whatever the sender's library wrote last).

    Python's reader also takes NaN and Infinity, which JSON has not (a weight of NaN was then
    refused as "less than or equal to 100"), and gave up on a deeply nested body with a
    RecursionError that ninja answered "Cannot parse request body"; both are said plainly."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body, object_pairs_hook=_once_each, parse_constant=_not_json)
        except RecursionError:
            # No body here is more than two levels deep; RFC 8259 lets a reader bound it.
            raise ValueError("arrays and objects are nested too deeply to read") from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON (a number is finite)")


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for key, value in pairs:
        if key in made:
            raise ValueError(f"the key {key!r} is given twice")
        made[key] = value
    return made
