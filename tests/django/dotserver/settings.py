"""Django settings for the test server, built at start because the port and the signing key are
only known then. Nothing here is fit for production: a throw-away database, a fresh signing key
per process, fixed test secrets, a fast password hasher."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import clients

HERE = __file__.rsplit("/", 1)[0]

# Access and ID tokens live an hour (DOT's default is ten).
ACCESS_TOKEN_SECONDS = 3600


def rsa_private_key_pem() -> str:
    """A fresh 2048-bit RSA key for RS256 ID tokens; DOT publishes its public half as the JWKS."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def build(*, issuer: str, base: str, database: str, secret_key: str) -> dict:
    """The settings for `django.conf.settings.configure`."""
    return dict(
        DEBUG=False,
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF="dotserver.urls",
        USE_TZ=True,
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": database,
                # The server is threaded and the tests run in parallel: writers wait for each
                # other instead of failing with "database is locked" (a 500 at /token).
                "OPTIONS": {
                    "timeout": 30,
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL;",
                },
            }
        },
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.staticfiles",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [f"{HERE}/templates"],
                "APP_DIRS": True,
                "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
            }
        ],
        STATIC_URL="/static/",
        LOGIN_URL="/accounts/login/",
        # Django's own advice for tests: PBKDF2 would cost ~0.3 s per login and per client
        # authentication (DOT hashes client secrets too).
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LOGGING={
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"stderr": {"class": "logging.StreamHandler"}},
            "loggers": {
                "django.server": {"handlers": ["stderr"], "level": "INFO"},
                "django.request": {"handlers": ["stderr"], "level": "ERROR"},
                "oauth2_provider": {"handlers": ["stderr"], "level": "WARNING"},
            },
        },
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem(),
            # The issuer is written, not derived from each request's Host header: the same
            # string in discovery, RFC 8414 metadata, ID tokens and the RFC 9207 `iss`.
            "OIDC_ISS_ENDPOINT": issuer,
            "SCOPES": clients.SCOPES,
            "DEFAULT_SCOPES": ["read"],
            "PKCE_REQUIRED": True,
            "ACCESS_TOKEN_EXPIRE_SECONDS": ACCESS_TOKEN_SECONDS,
            "ID_TOKEN_EXPIRE_SECONDS": ACCESS_TOKEN_SECONDS,
            # Refresh tokens: rotated on every use; reusing a rotated one revokes the whole
            # family (RFC 9700 §4.14.2).
            "ROTATE_REFRESH_TOKEN": True,
            "REFRESH_TOKEN_REUSE_PROTECTION": True,
            "OAUTH_DEVICE_VERIFICATION_URI": f"{base}/o/device/",
            # RFC 8628 §3.2 lets the server choose; 1 s keeps the device test short.
            "DEVICE_FLOW_INTERVAL": 1,
            # RFC 9700 gates that keep the flows oauthflow uses: compliant.
            "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
            "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
            "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
            "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
            # Left off on purpose: DOT's implicit gate refuses `response_type=id_token` too (the
            # ID-token-only form oauthflow's `spa` + `access_token = false` uses, which RFC 9700
            # §2.1.2 does not forbid), and the password gate refuses the grant `trusted` tests.
            "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": False,
            "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": False,
        },
    )
