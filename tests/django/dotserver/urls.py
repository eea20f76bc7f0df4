"""URL layout: Django's login page, DOT under /o/ (the layout DOT documents, so the issuer is
`http://127.0.0.1:PORT/o`), and DOT's RFC 8414 metadata also at the server root, where RFC 8414
§3.1 puts it for an issuer with a path (`/.well-known/oauth-authorization-server/o`)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from oauth2_provider.urls import metadata_urlpatterns

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls")),
    path("", include((metadata_urlpatterns, "root_metadata"))),
]
