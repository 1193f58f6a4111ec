"""Django settings, derived from the declarations in `headlines.config`. Edit those, not this."""

from __future__ import annotations

import os
import secrets
from importlib.util import find_spec
from pathlib import Path

from headlines import config
from headlines.database import parse_database_url

CONFIG = config.load()

DATA_DIR: Path = Path(CONFIG["HEADLINES_DATA_DIR"]).resolve()


def _unusable(exc: OSError) -> config.ConfigError:
    # A file, a folder it may not write, or a place no folder can be made (/proc/…): a
    # configuration error naming the setting, not a traceback from the settings module.
    file = DATA_DIR.exists() and not DATA_DIR.is_dir()
    reason = "it is a file, not a folder" if file else exc.strerror or str(exc)
    return config.ConfigError(f"HEADLINES_DATA_DIR: {DATA_DIR} cannot be the data folder: {reason}")


try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise _unusable(exc) from None


def _secret_key() -> str:
    if CONFIG["HEADLINES_SECRET_KEY"]:
        return str(CONFIG["HEADLINES_SECRET_KEY"])
    key_file = DATA_DIR / "secret_key"
    try:
        if not key_file.exists():
            # Written whole and for its owner alone before it has its name (it was 0644 until a
            # chmod after the write), and never over a key another process made meanwhile.
            partial = key_file.with_name(f".secret_key.{os.getpid()}.partial")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(50))
            try:
                os.link(partial, key_file)
            except FileExistsError:
                pass  # another process made it first: theirs is the key
            finally:
                partial.unlink(missing_ok=True)
        return key_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise _unusable(exc) from None


SECRET_KEY = _secret_key()
DEBUG = bool(CONFIG["HEADLINES_DEBUG"])
ALLOWED_HOSTS = [h.strip() for h in str(CONFIG["HEADLINES_ALLOWED_HOSTS"]).split(",") if h.strip()]
BASE_URL = str(CONFIG["HEADLINES_BASE_URL"]).rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL] if BASE_URL.startswith(("http://", "https://")) else []

INSTALLED_APPS = [
    "headlines.core.apps.AdminConfig",  # django.contrib.admin, its admin.py read when needed
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "headlines.core",
    "headlines.subscriptions",
    "headlines.intake",
    "headlines.stories",
    "headlines.digests",
    "headlines.delivery",
    "headlines.staff",
    "headlines.api",
    "headlines.webhooks",
    "headlines.engagement",
]

# django-ninja ships Swagger UI's files and page template; the API docs page serves those (not a
# CDN a staff machine may not reach). Found by location, not by listing "ninja" as an app:
# loading the app would import ninja and pydantic at every start, API or not (0.1 s a command).
_NINJA = Path(find_spec("ninja").origin or "").parent  # type: ignore[union-attr]

MIDDLEWARE = [
    "headlines.core.middleware.healthz_first",
    "headlines.core.middleware.refuse_nul",
    "headlines.api.middleware.api_refusals_as_json",
    "headlines.api.middleware.api_head_as_get",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "headlines.core.middleware.MethodsBeforeCsrf",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "headlines.core.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "headlines.urls"
WSGI_APPLICATION = "headlines.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates", _NINJA / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        CONFIG["HEADLINES_DATABASE_URL"], DATA_DIR, CONFIG["HEADLINES_SQLITE_SYNCHRONOUS"]
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Rate limits must hold across processes and machines: the database is the shared store.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "headlines_cache",
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [_NINJA / "static"]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Other libraries' lines (trafilatura's "ERROR empty HTML tree"…) only with --verbose.
    "filters": {
        "own_lines": {"()": "headlines.core.logs.OwnLinesOnly"},
        "once_a_minute": {"()": "headlines.core.logs.AtMostEvery", "seconds": 60},
        "host_once_a_minute": {"()": "headlines.core.logs.AtMostEvery", "seconds": 60},
        "without_traceback": {"()": "headlines.core.logs.WithoutTraceback"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["own_lines"],
        }
    },
    "root": {"handlers": ["console"], "level": str(CONFIG["HEADLINES_LOG_LEVEL"]).upper()},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "trafilatura": {"level": "WARNING"},
        # "Task queue depth is N" on every queued request of a burst: one line a minute.
        "waitress.queue": {"filters": ["once_a_minute"]},
        # A Host not in HEADLINES_ALLOWED_HOSTS: a WARNING line a minute, not a traceback each.
        "django.security.DisallowedHost": {"filters": ["without_traceback", "host_once_a_minute"]},
    },
}
