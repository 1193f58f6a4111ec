import os
import re
from pathlib import Path
from typing import Any

import pytest

from headlines import config
from headlines.config import ConfigError
from headlines.database import parse_database_url


def test_defaults_apply_when_environment_is_empty(tmp_path: Path) -> None:
    values = config.load({}, dotenv=tmp_path / "missing.env")
    assert values["HEADLINES_DATA_DIR"] == Path("./var")
    assert values["HEADLINES_BROKER_URL"] is None
    assert values["HEADLINES_SEND_WINDOW_HOURS"] == 3.0


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\nexport HEADLINES_BASE_URL='https://news.example'\nHEADLINES_WORKER_THREADS=4\n"
    )
    values = config.load({"HEADLINES_WORKER_THREADS": "6"}, dotenv=dotenv)
    assert values["HEADLINES_BASE_URL"] == "https://news.example"
    assert values["HEADLINES_WORKER_THREADS"] == 6


def test_a_setting_is_given_by_the_environment_or_the_dotenv_file(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("HEADLINES_BASE_URL=https://news.example\nHEADLINES_DEBUG=\n")
    env = {"HEADLINES_ENV_FILE": str(dotenv), "HEADLINES_WORKER_THREADS": "6"}
    assert config.given("HEADLINES_BASE_URL", env)  # .env
    assert config.given("HEADLINES_WORKER_THREADS", env)  # the environment
    assert not config.given("HEADLINES_DEBUG", env)  # empty: the default
    assert not config.given("HEADLINES_SMTP_URL", env)
    assert not config.given("HEADLINES_BASE_URL", {"HEADLINES_ENV_FILE": os.devnull})
    # An empty environment value wins over .env, as `load` reads it: the default, not given.
    emptied = {**env, "HEADLINES_BASE_URL": ""}
    assert not config.given("HEADLINES_BASE_URL", emptied)
    assert config.load(emptied)["HEADLINES_BASE_URL"] == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("name", "raw"),
    [("HEADLINES_WORKER_THREADS", "many"), ("HEADLINES_DEBUG", "perhaps")],
)
def test_bad_values_name_the_setting(tmp_path: Path, name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        config.load({name: raw}, dotenv=tmp_path / "none")


BOOLEANS = [s.name for s in config.SETTINGS if s.type is bool]


@pytest.mark.parametrize("name", BOOLEANS)
@pytest.mark.parametrize("raw", ["flase", "ture", "Y", "2", "enabled"])
def test_every_boolean_refuses_a_word_that_is_not_true_or_false(
    tmp_path: Path, name: str, raw: str
) -> None:
    # Checked: `HEADLINES_…=flase` was never silently false. Each boolean, from the
    # environment and from .env, is a configuration error that names the variable.
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"{name}={raw}\n")
    for environ, file in (({name: raw}, tmp_path / "none"), ({}, dotenv)):
        with pytest.raises(ConfigError) as refused:
            config.load(environ, dotenv=file)
        assert str(refused.value) == f"{name}: expected true or false, got {raw!r}"


@pytest.mark.parametrize("name", BOOLEANS)
def test_every_boolean_takes_the_documented_words_in_any_case(tmp_path: Path, name: str) -> None:
    words = {"true": True, "Yes": True, "ON": True, "1": True}
    words |= {"false": False, "No": False, "OFF": False, "0": False}
    for raw, value in words.items():
        assert config.load({name: raw}, dotenv=tmp_path / "none")[name] is value


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("HEADLINES_STORY_SIMILARITY", "nan", "a finite number from 0 to 1"),
        ("HEADLINES_STORY_SIMILARITY", "-1", "from 0 to 1"),
        ("HEADLINES_STORY_SIMILARITY", "1e309", "from 0 to 1"),  # inf
        ("HEADLINES_SUMMARY_MAX_CHARS", "0", "a whole number from 40 to 10000"),
        ("HEADLINES_JOB_BATCH", "-5", "from 1 to 10000"),
        ("HEADLINES_WORKER_NICE", "40", "from -20 to 19"),
        ("HEADLINES_TRUSTED_PROXIES", "-1", "from 0 to 16"),
        ("HEADLINES_INTAKE_MAX_ITEMS", "0", "a whole number from 1 to 100000"),
        # No upper end: these were taken and crashed the first send, sign-up or webhook retry
        # with an OverflowError (a timedelta, or an SQL parameter, too large).
        ("HEADLINES_RETRY_BASE_SECONDS", "1e300", "from 0 to 86400"),
        ("HEADLINES_RETRY_MAX_SECONDS", "1e300", "from 0 to 86400"),
        ("HEADLINES_JOB_LEASE_SECONDS", "99999999999999999999", "from 1 to 86400"),
        ("HEADLINES_DELIVERY_LEASE_SECONDS", "99999999999999999999", "from 1 to 86400"),
        ("HEADLINES_SIGNUP_RATE_PER_IP", "99999999999999999999", "from 1 to 1000000"),
        ("HEADLINES_API_RATE_PER_MINUTE", "99999999999999999999", "from 1 to 1000000"),
        ("HEADLINES_WEBHOOK_RETRY_HOURS", "1e300", "from 0 to 8760"),
        ("HEADLINES_WEBHOOK_RETRY_BASE_SECONDS", "1e300", "from 0 to 3600"),
        ("HEADLINES_STORY_EMBEDDING_WEIGHT", "2", "from 0 to 0.95"),
    ],
)
def test_a_number_out_of_its_range_names_the_setting_and_the_range(
    tmp_path: Path, name: str, raw: str, expected: str
) -> None:
    # Taken as they came, these gave nonsense far from where they were set, or a traceback.
    with pytest.raises(
        ConfigError, match=f"{name}: expected [^,]*{expected}, got '{re.escape(raw)}'"
    ):
        config.load({name: raw}, dotenv=tmp_path / "none")
    assert config.load({name: ""}, dotenv=tmp_path / "none")[name] is not None  # the default


def test_a_log_level_is_one_of_loggings_in_any_case(tmp_path: Path) -> None:
    # `LOUD` went through as text and stopped every command with logging's own traceback
    # (exit 3, "crashed") instead of the configuration error the docs promise.
    expected = "HEADLINES_LOG_LEVEL: expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got 'LOUD'"
    with pytest.raises(ConfigError, match=f"^{expected}$"):
        config.load({"HEADLINES_LOG_LEVEL": "LOUD"}, dotenv=tmp_path / "none")
    assert (
        config.load({"HEADLINES_LOG_LEVEL": "debug"}, dotenv=tmp_path / "none")[
            "HEADLINES_LOG_LEVEL"
        ]
        == "DEBUG"
    )


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("HEADLINES_BROKER_URL", "kafka://x", "amqp://… or redis://… .*got kafka://…"),
        ("HEADLINES_BROKER_URL", "amqp://a//;nats://b", "got nats://…"),
        ("HEADLINES_BROKER_URL", "guest:secret@mq", "got no scheme"),
        ("HEADLINES_INTAKE_ALLOW_NETWORKS", "10.0.0.0/8,10.0.0.0/33", "got '10.0.0.0/33'"),
        ("HEADLINES_INTAKE_ALLOW_NETWORKS", "intranet", "networks such as 10.0.0.0/8"),
        # Every link of every email read "news.example.com/confirm/…": no scheme, no link.
        ("HEADLINES_BASE_URL", "news.example.com", "http://… or https://….*got 'news"),
        ("HEADLINES_BASE_URL", "https://", "got 'https://'"),
        # Each was taken, and every link read `https://news.example?x=1/confirm/…`.
        ("HEADLINES_BASE_URL", "https://news.example?x=1", "without \\?query.*got 'https"),
        ("HEADLINES_BASE_URL", "https://news.example/#top", "without \\?query"),
        ("HEADLINES_BASE_URL", "https://news.example/a b", "without spaces"),
        ("HEADLINES_BASE_URL", "https://news.example:99999", "port from 1 to 65535"),
        # urlsplit's ValueError ("Invalid IPv6 URL") stopped every command with a traceback.
        ("HEADLINES_BASE_URL", "https://[::1", "a valid URL \\(a host in \\[ \\] must be an IPv6"),
        ("HEADLINES_BASE_URL", "https://[zz]/", "a valid URL .*got 'https://\\[zz\\]/'"),
        # These were taken at start and failed only when used: `headlines send` built and
        # approved the day's digest, then stopped with "nothing done".
        ("HEADLINES_SMTP_URL", "ftp://relay:25", "smtp://host:port"),
        ("HEADLINES_MAIL_FROM", "not an address", "an address such as"),
        ("HEADLINES_MAIL_FROM", "News <@example.com>", "got 'News <@example.com>'"),
        ("HEADLINES_BOUNCE_LISTEN", "nonsense", "host:port"),
        ("HEADLINES_BOUNCE_LISTEN", "0.0.0.0:70000", "got '0.0.0.0:70000'"),
        # Taken as they came: every digest carried `mailto:unsubscribe+…@not a domain`, and a
        # scheduled build failed job after job on a summariser path with no `:`.
        ("HEADLINES_BOUNCE_DOMAIN", "not a domain", "a domain such as"),
        ("HEADLINES_BOUNCE_DOMAIN", "bounces..news.example", "got 'bounces..news.example'"),
        ("HEADLINES_BOUNCE_DOMAIN", "bounces@news.example", "a domain such as"),
        ("HEADLINES_BOUNCE_DOMAIN", "café.example", "its xn-- form"),
        ("HEADLINES_SUMMARY_MODEL", "my_summariser", "package.module:factory"),
        ("HEADLINES_SUMMARY_MODEL", "my summariser:make", "got 'my summariser:make'"),
        # Went into the header as it came: `;` began another directive of the policy.
        ("HEADLINES_WIDGET_FRAME_ANCESTORS", "'none'; script-src *", "got \"'none';\""),
        ("HEADLINES_WIDGET_FRAME_ANCESTORS", "https://a.example,https://b.example", "spaces"),
        ("HEADLINES_WIDGET_FRAME_ANCESTORS", "'none' https://news.example", "got \"'none'\""),
    ],
)
def test_a_text_not_of_its_form_names_the_setting(
    tmp_path: Path, name: str, raw: str, expected: str
) -> None:
    # Taken as they came, these crashed `headlines worker` and the first fetch with a traceback,
    # or broke every link of every email.
    with pytest.raises(ConfigError, match=f"^{name}: expected .*{expected}") as refused:
        config.load({name: raw}, dotenv=tmp_path / "none")
    assert "secret" not in str(refused.value)  # a broker URL's password is not echoed


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("HEADLINES_BROKER_URL", "amqp://headlines:secret@mq.internal:5672//"),
        ("HEADLINES_BROKER_URL", "redis://mq.internal:6379/0"),
        ("HEADLINES_BROKER_URL", "amqp://a:5672//;amqp://b:5672//"),
        ("HEADLINES_INTAKE_ALLOW_NETWORKS", "10.0.0.0/8, 192.168.1.0/24,fd00::/8"),
        ("HEADLINES_BASE_URL", "https://news.example.com"),
        ("HEADLINES_BASE_URL", "http://127.0.0.1:8000/headlines/"),
        ("HEADLINES_SMTP_URL", "smtp+starttls://user:pass@relay.example.com:587?rate=20"),
        ("HEADLINES_SMTP_URL", "smtps://a:b@one:465,smtp://two:25"),
        ("HEADLINES_MAIL_FROM", "Evening Headlines <headlines@localhost>"),
        ("HEADLINES_MAIL_FROM", "news@example.com"),
        ("HEADLINES_BOUNCE_LISTEN", "[::1]:2525"),
        ("HEADLINES_BOUNCE_DOMAIN", "bounces.news.example.com"),
        ("HEADLINES_BOUNCE_DOMAIN", "xn--caf-dma.example"),
        ("HEADLINES_SUMMARY_MODEL", "my_pkg.summaries:make_model"),
        ("HEADLINES_WIDGET_FRAME_ANCESTORS", "https://news.example https://*.news.example"),
        ("HEADLINES_WIDGET_FRAME_ANCESTORS", "'self' https: news.example:8443"),
        ("HEADLINES_WIDGET_FRAME_ANCESTORS", "'none'"),
    ],
)
def test_the_documented_forms_are_accepted(tmp_path: Path, name: str, raw: str) -> None:
    assert config.load({name: raw}, dotenv=tmp_path / "none")[name] == raw.strip()


def test_a_relay_limit_that_is_no_number_stops_start_up_without_the_password(
    tmp_path: Path,
) -> None:
    raw = "smtp://user:secret@relay:25?rate=fast"
    with pytest.raises(ConfigError, match=r"^HEADLINES_SMTP_URL: rate= must be a positive") as no:
        config.load({"HEADLINES_SMTP_URL": raw}, dotenv=tmp_path / "none")
    assert "secret" not in str(no.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("smtp://user:secret@relay:2x5", "expected a port from 1 to 65535 after the host"),
        ("smtps://user:secret@relay:70000", "expected a port from 1 to 65535 after the host"),
        ("smtps://user:secret@[relay]:465", "not a valid URL (a host in [ ] must be an IPv6"),
        # A `#` in a password ends the address there: "user" was taken for the host.
        (
            "smtps://user:se#cret@relay:465",
            "expected a port from 1 to 65535 after the host (percent-encode `#`",
        ),
        # A misspelt limit was dropped without a word: the relay got everything at full speed.
        ("smtp://user:secret@relay:25?rates=50", "unknown option rates= (expected concurrency="),
        ("smtp://user:secret@relay:25?concurrency=inf", "concurrency= must be a positive"),
        ("smtp://user:secret@relay:25?rate=nan", "rate= must be a positive"),
    ],
)
def test_a_relay_url_with_a_bad_port_or_option_stops_start_up(
    tmp_path: Path, raw: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"HEADLINES_SMTP_URL: {expected}")) as no:
        config.load({"HEADLINES_SMTP_URL": raw}, dotenv=tmp_path / "none")
    assert "secret" not in str(no.value)


def test_a_relay_url_takes_its_documented_options(tmp_path: Path) -> None:
    raw = "smtp://relay:25?concurrency=2&rate=50&hourly=100000&verify=0&starttls=1"
    assert (
        config.load({"HEADLINES_SMTP_URL": raw}, dotenv=tmp_path / "none")["HEADLINES_SMTP_URL"]
        == raw
    )


def test_a_dkim_key_file_that_cannot_be_read_stops_start_up(tmp_path: Path) -> None:
    # It was read at the first send: `headlines send` approved the digest, then stopped.
    missing = tmp_path / "dkim.pem"
    with pytest.raises(ConfigError, match=r"^HEADLINES_DKIM_KEY_FILE: expected a readable file"):
        config.load({"HEADLINES_DKIM_KEY_FILE": str(missing)}, dotenv=tmp_path / "none")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"-----BEGIN PRIVATE KEY-----\n", "not a PEM private key"),
        (b"", "not a PEM private key"),
        (b"\x00\xff" * 300, "not a PEM private key"),
        ("public", "not a PEM private key"),
        ("ec", "must be RSA or Ed25519"),
        ("rsa512", "at least 1024 bits"),
    ],
)
def test_a_dkim_key_that_cannot_sign_stops_start_up(
    tmp_path: Path, content: bytes | str, message: str
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    plain = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    none = serialization.NoEncryption()
    if content == "public":
        content = (
            ed25519.Ed25519PrivateKey.generate()
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    elif content == "ec":
        content = ec.generate_private_key(ec.SECP256R1()).private_bytes(*plain, none)
    elif content == "rsa512":  # too short to generate; made of two known primes instead
        first, second, e = 2**255 - 19, 2**256 - 189, 65537
        d = pow(e, -1, (first - 1) * (second - 1))
        numbers = rsa.RSAPrivateNumbers(
            first,
            second,
            d,
            d % (first - 1),
            d % (second - 1),
            pow(second, -1, first),
            rsa.RSAPublicNumbers(e, first * second),
        )
        content = numbers.private_key().private_bytes(*plain, none)
    assert isinstance(content, bytes)
    key = tmp_path / "dkim.pem"
    key.write_bytes(content)
    with pytest.raises(ConfigError, match=rf"^HEADLINES_DKIM_KEY_FILE: .*{message}"):
        config.load({"HEADLINES_DKIM_KEY_FILE": str(key)}, dotenv=tmp_path / "none")
    good = ed25519.Ed25519PrivateKey.generate().private_bytes(*plain, none)
    key.write_bytes(good)
    pair = {"HEADLINES_DKIM_KEY_FILE": str(key), "HEADLINES_DKIM_SELECTOR": "eh2026"}
    loaded = config.load(pair, dotenv=tmp_path / "none")
    assert loaded["HEADLINES_DKIM_KEY_FILE"] == key


def test_every_number_has_both_ends() -> None:
    # A number with no upper end reached a timedelta or an SQL parameter that overflowed.
    numbers = [s for s in config.SETTINGS if s.type in (int, float)]
    assert [s.name for s in numbers if s.minimum is None or s.maximum is None] == []


def test_every_default_is_in_its_own_range() -> None:
    for setting in config.SETTINGS:
        if setting.type in (int, float) and setting.default is not None:
            assert setting.allows(setting.default), setting.name


def test_the_embedding_shares_must_leave_words_a_share(tmp_path: Path) -> None:
    both = {"HEADLINES_STORY_EMBEDDING_WEIGHT": "0.5", "HEADLINES_STORY_STATIC_WEIGHT": "0.5"}
    with pytest.raises(ConfigError, match="must leave a share to words"):
        config.load(both, dotenv=tmp_path / "none")
    both["HEADLINES_STORY_STATIC_WEIGHT"] = "0.4"
    assert config.load(both, dotenv=tmp_path / "none")["HEADLINES_STORY_STATIC_WEIGHT"] == 0.4


def test_malformed_dotenv_line_is_reported_with_its_number(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("HEADLINES_DEBUG=1\nthis is not a setting\n")
    with pytest.raises(ConfigError, match=r"\.env:2"):
        config.load({}, dotenv=dotenv)


def test_a_dotenv_file_written_by_a_windows_editor_is_read(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_bytes("\ufeffHEADLINES_WORKER_THREADS=6\r\nHEADLINES_DEBUG=on\r\n".encode())
    loaded = config.load({}, dotenv=dotenv)
    assert (loaded["HEADLINES_WORKER_THREADS"], loaded["HEADLINES_DEBUG"]) == (6, True)


def test_a_dotenv_file_that_is_not_utf8_or_not_a_file_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    latin = tmp_path / "latin.env"
    latin.write_bytes("HEADLINES_MAIL_FROM=R\xe9daction <news@example.com>\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin\.env: expected UTF-8 text, byte 22 is not"):
        config.load({}, dotenv=latin)
    folder = tmp_path / "settings.env"
    folder.mkdir()
    with pytest.raises(ConfigError, match=r"settings\.env: cannot read .* it is a folder"):
        config.load({"HEADLINES_ENV_FILE": str(folder)})
    assert config.load({"HEADLINES_ENV_FILE": os.devnull})  # empty: defaults


def test_a_settings_file_that_is_named_must_be_there(tmp_path: Path) -> None:
    # A misspelt HEADLINES_ENV_FILE ran every command on the defaults without a word: the
    # relay, the database and the secret key the operator had written down were not read.
    missing = tmp_path / "headlines.emv"
    with pytest.raises(
        ConfigError, match=r"HEADLINES_ENV_FILE names .*headlines\.emv, and there is no such file"
    ):
        config.load({"HEADLINES_ENV_FILE": str(missing)})
    with pytest.raises(ConfigError, match="no such file"):
        config.given("HEADLINES_SMTP_URL", {"HEADLINES_ENV_FILE": str(missing)})
    assert config.load({"HEADLINES_ENV_FILE": ""})  # empty is unset: `.env` when it is there


def test_a_misspelt_setting_in_the_environment_is_named_with_the_likely_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    loaded = config.load(
        {
            "HEADLINES_ENV_FILE": os.devnull,
            "HEADLINES_DATABSE_URL": "postgresql://db/headlines",
            "HEADLINES_TEST_POSTGRES": "1",  # the suite's and benchmarks' own names are no typo
            "HEADLINES_BENCH_ONLY": "segments",
            "HEADLINES_SHARED_DATA": "/srv/data",
            "HEADLINES_DEBUG": "1",
            "PATH": "/usr/bin",
        }
    )
    assert loaded["HEADLINES_DATABASE_URL"] is None  # not read: the default runs
    assert capsys.readouterr().err.splitlines() == [
        "warning: the environment: HEADLINES_DATABSE_URL is no setting and is not read "
        "(did you mean HEADLINES_DATABASE_URL?)"
    ]


def test_sqlite_synchronous_is_normal_unless_full_is_asked_for(tmp_path: Path) -> None:
    def load(env: dict[str, str]) -> object:
        return config.load(env, dotenv=tmp_path / "none")["HEADLINES_SQLITE_SYNCHRONOUS"]

    assert load({}) == "NORMAL"
    assert load({"HEADLINES_SQLITE_SYNCHRONOUS": " full "}) == "FULL"
    assert load({"HEADLINES_SQLITE_SYNCHRONOUS": ""}) == "NORMAL"  # set empty: the default
    for bad in ("off", "EXTRA", "FULL; PRAGMA foreign_keys=OFF"):
        expected = f"HEADLINES_SQLITE_SYNCHRONOUS: expected NORMAL or FULL, got {bad.strip()!r}"
        with pytest.raises(ConfigError, match=re.escape(expected)):
            load({"HEADLINES_SQLITE_SYNCHRONOUS": bad})
    for url in (None, f"sqlite:///{tmp_path}/other.sqlite3"):
        pragmas = parse_database_url(url, tmp_path)["OPTIONS"]["init_command"]
        assert "PRAGMA synchronous=NORMAL;" in pragmas
        pragmas = parse_database_url(url, tmp_path, "FULL")["OPTIONS"]["init_command"]
        assert "PRAGMA synchronous=FULL;" in pragmas and "journal_mode=WAL" in pragmas
    # Only SQLite reads it: a PostgreSQL entry carries no pragma.
    pg = parse_database_url("postgresql://db.internal/news", tmp_path, "FULL")
    assert "init_command" not in pg["OPTIONS"]
    with pytest.raises(ConfigError, match="expected NORMAL or FULL"):
        parse_database_url(None, tmp_path, "OFF")


@pytest.mark.own_database
@pytest.mark.parametrize(("setting", "level"), [("NORMAL", 1), ("FULL", 2)])
def test_sqlite_connections_sync_as_set(
    tmp_path: Path, django_db_blocker: Any, setting: str, level: int
) -> None:
    """A connection made from the entry, as Django makes each one, syncs as the setting says
    (SQLite's `PRAGMA synchronous`: 1 NORMAL, 2 FULL), in WAL."""
    from django.db.utils import ConnectionHandler, load_backend

    own = parse_database_url(None, tmp_path, setting)
    entry = ConnectionHandler({"default": own}).settings["default"]  # Django's defaults added
    connection = load_backend(entry["ENGINE"]).DatabaseWrapper(entry, "own")
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                assert cursor.fetchone() == (level,)
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone() == ("wal",)
        finally:
            connection.close()


def test_database_urls(tmp_path: Path) -> None:
    sqlite = parse_database_url(None, tmp_path)
    assert sqlite["NAME"] == str(tmp_path / "headlines.sqlite3")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    pg = parse_database_url("postgresql://bob:s%40cret@db.internal:6543/news", tmp_path)
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "bob",
        "s@cret",
        "db.internal",
        "6543",
        "news",
    )
    # PostgreSQL on the same machine, over its Unix socket: no host, libpq's `host` option.
    pg = parse_database_url("postgresql://headlines@/news?host=/var/run/postgresql", tmp_path)
    assert (pg["USER"], pg["HOST"], pg["PORT"], pg["NAME"]) == ("headlines", "", "", "news")
    assert pg["OPTIONS"]["host"] == "/var/run/postgresql"
    with pytest.raises(ConfigError, match="unsupported scheme"):
        parse_database_url("mysql://x/y", tmp_path)
    with pytest.raises(ConfigError, match="database name"):
        parse_database_url("postgresql://host/", tmp_path)
    for netloc in ("bob:secret@db:54x2", "bob:secret@db:70000", "bob:se#cret@db:5432"):
        with pytest.raises(ConfigError, match="expected a port from 1 to 65535 after the host"):
            parse_database_url(f"postgresql://{netloc}/news", tmp_path)
    for netloc in ("bob:secret@[::1", "bob:secret@[db]:5432"):  # urlsplit's own ValueError
        with pytest.raises(ConfigError, match=r"URL: not a valid URL \(a host in \[ \]") as no:
            parse_database_url(f"postgresql://{netloc}/news", tmp_path)
        assert "secret" not in str(no.value)


def test_postgresql_statements_are_prepared_unless_the_url_says_otherwise(tmp_path: Path) -> None:
    pg = parse_database_url("postgresql://db.internal/news", tmp_path)
    assert pg["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    # Django turns server-side binding on only for True, psycopg wants a number or None: the
    # URL's text becomes those, and anything else still reaches libpq as written.
    pg = parse_database_url(
        "postgresql://db.internal/news?server_side_binding=false&prepare_threshold=none"
        "&sslmode=require&connect_timeout=5&application_name=",
        tmp_path,
    )
    assert pg["OPTIONS"] == {
        "server_side_binding": False,
        "prepare_threshold": None,
        "sslmode": "require",
        "connect_timeout": "5",
    }
    pg = parse_database_url("postgresql://h/n?server_side_binding=On&prepare_threshold=0", tmp_path)
    assert pg["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 0}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("server_side_binding=maybe", "server_side_binding: expected true or false, got 'maybe'"),
        ("server_side_binding=", "server_side_binding: expected a value, got ''"),
        ("prepare_threshold=-1", "prepare_threshold: expected a count, got '-1'"),
        ("prepare_threshold=5x", "prepare_threshold: expected a whole number, got '5x'"),
        ("prepare_threshold=%C2%B2", "prepare_threshold: expected a whole number, got '²'"),
        ("prepare_threshold=", "prepare_threshold: expected a value, got ''"),
    ],
)
def test_a_postgresql_option_that_is_not_its_type_is_refused(
    tmp_path: Path, query: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_database_url(f"postgresql://h/n?{query}", tmp_path)


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ("HEADLINES_DKIM_SELECTOR", "HEADLINES_DKIM_KEY_FILE"),
        ("HEADLINES_DKIM_KEY_FILE", "HEADLINES_DKIM_SELECTOR"),
    ],
)
def test_half_of_the_dkim_pair_stops_start_up(tmp_path: Path, given: str, missing: str) -> None:
    # Either alone left every message unsigned, without a word.
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = tmp_path / "dkim.pem"
    key.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    values = {"HEADLINES_DKIM_SELECTOR": "eh2026", "HEADLINES_DKIM_KEY_FILE": str(key)}
    with pytest.raises(ConfigError, match=f"^{given} is set but {missing} is not"):
        config.load({given: values[given]}, dotenv=tmp_path / "none")
    both = config.load(values, dotenv=tmp_path / "none")
    assert both["HEADLINES_DKIM_SELECTOR"] == "eh2026" and both["HEADLINES_DKIM_KEY_FILE"] == key


@pytest.mark.parametrize("raw", ["eh 2026", "eh2026;x=y", "-eh", "eh.", "eh..2026", "é2026"])
def test_a_dkim_selector_that_is_no_dns_name_stops_start_up(tmp_path: Path, raw: str) -> None:
    # Checked only at the first send, after `headlines send` had approved the digest.
    with pytest.raises(ConfigError, match=r"^HEADLINES_DKIM_SELECTOR: expected DNS labels"):
        config.load({"HEADLINES_DKIM_SELECTOR": raw}, dotenv=tmp_path / "none")
    for good in ("eh2026", "news.2026", "s_1"):
        with pytest.raises(ConfigError, match="KEY_FILE is not"):  # the selector itself passes
            config.load({"HEADLINES_DKIM_SELECTOR": good}, dotenv=tmp_path / "none")


def test_a_misspelt_setting_in_the_dotenv_file_is_named_with_the_likely_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "HEADLINES_SMPT_URL=smtp://relay.example:25\nHEADLINES_FROBNICATE=1\n"
        "HEADLINES_SHARED_DATA=/srv/data\nOTHER_TOOL_SETTING=1\nHEADLINES_DEBUG=1\n"
    )
    loaded = config.load({}, dotenv=dotenv)
    assert loaded["HEADLINES_SMTP_URL"] is None  # not read: the default runs, as before
    said = capsys.readouterr().err.splitlines()
    assert said == [
        f"warning: {dotenv}: HEADLINES_SMPT_URL is no setting and is not read "
        "(did you mean HEADLINES_SMTP_URL?)",
        f"warning: {dotenv}: HEADLINES_FROBNICATE is no setting and is not read",
    ]
