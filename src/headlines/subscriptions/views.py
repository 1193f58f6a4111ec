"""Sign-up doors: the landing page, one edition's sign-up page and the embeddable widget.

All three call `services.subscription_request` and show the same thanks whatever the address's
history, so a response never reveals whether an address was known.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from headlines.core.clients import client_ip
from headlines.core.errors import InvalidInput, NotFound
from headlines.core.middleware import allow_methods
from headlines.core.models import Edition
from headlines.core.selectors import edition_list, edition_open
from headlines.subscriptions import formtokens, ratelimit, services, wording
from headlines.subscriptions.addresses import likely_typo
from headlines.subscriptions.models import ConsentEvent

log = logging.getLogger(__name__)

HONEYPOT = "website"
MAX_FIELD = 1000  # longer than any address; anything longer is cut before it reaches a template


# C0 controls but tab, line feed and carriage return, and DEL: not allowed in an HTML page.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class SignupState:
    """What the sign-up form shows: the edition, what was typed, and any error."""

    edition: Edition
    email: str = ""
    marketing: bool = False
    error: str = ""
    done: bool = False
    suggestion: str = ""  # "Did you mean …?" for a likely typo; asked, never enforced
    choices: list[Edition] = field(default_factory=list)  # more than one: the reader picks
    offer: str = field(init=False)

    def __post_init__(self) -> None:
        self.offer = wording.newsletter_offer(self.edition)

    @property
    def shown_email(self) -> str:
        """What was typed, as the page can hold it: a control character (a NUL, an escape) is
        no character HTML may carry, and is shown as the replacement character browsers use."""
        return _CONTROL.sub("\ufffd", self.email)

    @property
    def typed_domain(self) -> str:
        return self.shown_email.strip().rpartition("@")[2]

    @property
    def suggested_domain(self) -> str:
        return self.suggestion.rpartition("@")[2]

    @property
    def offers(self) -> list[tuple[str, str]]:
        return [(e.slug, wording.newsletter_offer(e)) for e in self.choices]

    @property
    def thanks(self) -> str:
        return wording.thanks(self.edition)


def _enabled_edition(slug: str) -> Edition | None:
    return edition_open(slug=slug)


def _submit(request: HttpRequest, edition: Edition, *, source: str) -> tuple[SignupState, int]:
    """Run one sign-up POST; the state to show and the HTTP status."""
    state = SignupState(
        edition=edition,
        email=str(request.POST.get("email", ""))[:MAX_FIELD],
        marketing=request.POST.get("marketing") in {"on", "yes", "1", "true"},
    )
    if request.POST.get(HONEYPOT):
        # A bot filled the field people cannot see: look successful, store and send nothing.
        log.info("honeypot sign-up ignored")
        state.done = True
        return state, 200
    try:
        services.subscription_request(
            email=state.email,
            edition_id=edition.pk,
            edition=edition,  # found open by this request: not looked up a second time
            marketing=state.marketing,
            source=source,
            ip=client_ip(request),
        )
    except InvalidInput as exc:
        state.error = str(exc)
        return state, 400
    except services.RateLimited as exc:
        state.error = str(exc)
        return state, 429
    except NotFound as exc:  # the edition closed between the page and the POST
        state.error = str(exc)
        return state, 404
    state.done = True
    # Only from what was typed, so it says nothing about which addresses are known.
    state.suggestion = likely_typo(state.email.strip()) or ""
    return state, 200


@allow_methods("GET", "HEAD")
def landing(request: HttpRequest) -> HttpResponse:
    states = [SignupState(edition=e) for e in edition_list(enabled_only=True)]
    return render(request, "subscriptions/landing.html", {"states": states, "wording": wording})


@allow_methods("GET", "HEAD", "POST")
def signup(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _enabled_edition(slug)
    if edition is None:
        return problem(request, "This newsletter is not open for sign-up.", status=404)
    state, status = SignupState(edition=edition), 200
    if request.method == "POST":
        state, status = _submit(request, edition, source=ConsentEvent.Source.FORM)
    response = render(
        request, "subscriptions/signup.html", {"state": state, "wording": wording}, status=status
    )
    return retry_after(response)


def _widget_editions(slug: str, wanted: str) -> list[Edition]:
    """The edition in the path, else those named in ?editions=us,uk, else every enabled one."""
    if slug:
        edition = edition_open(slug=slug)
        return [edition] if edition else []
    editions = edition_list(enabled_only=True)
    slugs = [s.strip() for s in wanted.split(",") if s.strip()][:20]
    if not slugs:
        return list(editions)
    # In the publisher's order: the first one named is the one ticked.
    return sorted(editions.filter(slug__in=slugs), key=lambda e: slugs.index(e.slug))


@csrf_exempt  # a third-party frame gets no SameSite=Lax cookie; formtokens guards the POST
@xframe_options_exempt
@allow_methods("GET", "HEAD", "POST")
def widget(request: HttpRequest, slug: str = "") -> HttpResponse:
    editions = _widget_editions(slug, str(request.GET.get("editions", "")))
    if not editions:
        response = HttpResponse("This newsletter is not open for sign-up.", status=404)
        return _frameable(response)
    form_name = "widget:" + ",".join(e.slug for e in editions)
    state, status = SignupState(edition=editions[0], choices=editions), 200
    if request.method == "POST":
        chosen = next((e for e in editions if e.slug == request.POST.get("edition")), None)
        if len(editions) == 1:
            chosen = editions[0]
        try:
            formtokens.form_token_check(request.POST.get("token"), form=form_name)
            if chosen is None:
                raise InvalidInput("Please choose a newsletter.", field="edition")
        except InvalidInput as exc:
            # The form comes back with the reader's own choice ticked: "press the button again"
            # must not sign them up for the first edition instead.
            state = SignupState(edition=chosen or editions[0], choices=editions)
            state.email = str(request.POST.get("email", ""))[:MAX_FIELD]
            state.marketing = request.POST.get("marketing") in {"on", "yes", "1", "true"}
            state.error, status = str(exc), 403 if exc.field == "token" else 400
        else:
            state, status = _submit(request, chosen, source=ConsentEvent.Source.WIDGET)
            state.choices = editions
    action = request.get_full_path()
    if request.method in ("GET", "HEAD"):
        page = _widget_page(state, action, tokens=1)
        token = formtokens.form_token(form=form_name)
        return _frameable(HttpResponse(page.replace(_TOKEN_SLOT, token, 1)))
    if state.done and not state.suggestion:
        # The thanks names the edition only, never the address: the same page for everyone.
        return _frameable(HttpResponse(_widget_page(state, action, tokens=0), status=status))
    token = formtokens.form_token(form=form_name)
    context = {"state": state, "wording": wording, "token": token, "action": action}
    # No request: the widget's templates read none of the context processors' values.
    page = render_to_string("subscriptions/widget.html", context)
    return retry_after(_frameable(HttpResponse(page, status=status)))


def retry_after(response: HttpResponse) -> HttpResponse:
    """A refusal over the sign-up limit says, as HTTP does, when to come back: the limit's
    window (the page says "in an hour" to the reader)."""
    if response.status_code == 429:
        response["Retry-After"] = str(int(ratelimit.WINDOW.total_seconds()))
    return response


# The blank form is the same page for every reader of the same editions at the same address but
# for its token, and the thanks without a "Did you mean" is the same page for every reader of
# the edition: each is rendered once per process for the editions as they are now (every stored
# field is in the key, so an edited edition gets a new page) and the path, and each GET puts a
# fresh token in the form's slot. The slot is random per process, so no path can contain it.
_TOKEN_SLOT = f"token-slot-{secrets.token_hex(16)}"
_PAGES: dict[tuple[object, ...], str] = {}
_PAGES_MAX = 256  # paths carry a query string anyone can vary; the cache stays small


def _widget_page(state: SignupState, action: str, *, tokens: int) -> str:
    """The blank form (`tokens=1`, its token slot to fill) or the plain thanks (`tokens=0`)."""
    editions = [state.edition, *state.choices]
    key = (state.done, action, *(tuple(e.__dict__[f] for f in _EDITION_FIELDS) for e in editions))
    page = _PAGES.get(key)
    if page is None:
        context = {"state": state, "wording": wording, "token": _TOKEN_SLOT, "action": action}
        page = render_to_string("subscriptions/widget.html", context)
        if page.count(_TOKEN_SLOT) != tokens:  # the template changed shape: never cache a guess
            raise RuntimeError(f"the widget's page must hold its token {tokens} time(s)")
        if len(_PAGES) >= _PAGES_MAX:
            _PAGES.clear()
        _PAGES[key] = page
    return page


_EDITION_FIELDS = [f.attname for f in Edition._meta.concrete_fields]


def _frameable(response: HttpResponse) -> HttpResponse:
    ancestors = str(settings.CONFIG["HEADLINES_WIDGET_FRAME_ANCESTORS"]).strip() or "'none'"
    response["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    response["Referrer-Policy"] = "no-referrer"
    return response


@allow_methods("GET", "HEAD")
def privacy(request: HttpRequest) -> HttpResponse:
    """The default privacy notice editions link to until a publisher sets its own URL."""
    return render(request, "subscriptions/privacy.html", {"editions": edition_list()})


def problem(
    request: HttpRequest, message: str, *, status: int, leaving: bool = False
) -> HttpResponse:
    """A page that could not do what was asked; `leaving`: the reader came to unsubscribe, and
    is told how to, not offered a sign-up."""
    context = {"message": message, "leaving": leaving}
    return render(request, "subscriptions/problem.html", context, status=status)
