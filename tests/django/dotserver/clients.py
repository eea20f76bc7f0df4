"""The test user and the registered applications. The Rust tests name the same ids and
secrets (tests/second_server/launcher.rs); keep the two in step."""

SCOPES = {
    "openid": "OpenID Connect",
    "profile": "Your name",
    "email": "Your email address",
    # DOT issues refresh tokens without it, but refuses scopes it does not know, and oauthflow
    # asks for `offline_access` when `refresh_tokens = true` (OIDC Core §11).
    "offline_access": "Stay signed in",
    "read": "Read",
    "write": "Write",
}

# One user per test that signs in: DOT writes the user's *latest* sign-in (`last_login`, of any
# session) as `auth_time` in every ID token, refreshes included, so tests that ran in parallel as
# one user would change each other's ID tokens.
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "judy", "ivan"]  # `ivan` last: he owns the applications
PASSWORD = "wonderland"

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

# DOT allows one grant type per application (refresh tokens come with code, password and
# device grants).
APPLICATIONS = [
    dict(client_id="machine-client", client_secret="machine-secret", client_type="confidential",
         authorization_grant_type="client-credentials", redirect_uris=""),
    dict(client_id="web-client", client_secret="web-secret", client_type="confidential",
         authorization_grant_type="authorization-code",
         redirect_uris="http://127.0.0.1:8080/callback"),
    dict(client_id="spa-client", client_type="public",
         authorization_grant_type="authorization-code",
         redirect_uris="http://127.0.0.1:5173/callback"),
    # RFC 8252 §7.3: DOT accepts any port on a registered loopback redirect.
    dict(client_id="native-client", client_type="public",
         authorization_grant_type="authorization-code",
         redirect_uris="http://127.0.0.1/callback"),
    # OIDC Core §3.2.2.1: implicit redirects must be https; nothing listens there.
    dict(client_id="spa-login-client", client_type="public",
         authorization_grant_type="implicit", redirect_uris="https://127.0.0.1/callback"),
    dict(client_id="trusted-client", client_secret="trusted-secret", client_type="confidential",
         authorization_grant_type="password", redirect_uris=""),
    dict(client_id="device-client", client_type="public",
         authorization_grant_type=DEVICE_GRANT, redirect_uris=""),
]


def create_all() -> None:
    """Creates the user and the applications (ID tokens signed with RS256, the JWKS key)."""
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import get_application_model

    users = get_user_model().objects
    for name in USERS:
        user = users.create_user(username=name, password=PASSWORD, email=f"{name}@example.com")
    application = get_application_model()
    for fields in APPLICATIONS:
        application.objects.create(
            name=fields["client_id"], user=user, algorithm=application.RS256_ALGORITHM, **fields
        )
