//! [`DevBrowser`]: drives the provider's login, consent and device pages with plain HTTP.

use std::sync::Mutex;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use url::Url;

use crate::cookies::CookieJar;
use crate::html::{self, Form};
use crate::{DevError, users};

const MAX_STEPS: usize = 25;
const MAX_BODY: usize = 1 << 20;

/// A user agent without a browser: its own cookie jar (one provider session), no automatic
/// redirects, and a user to sign in as (default [`users::ALICE`]).
///
/// Get one from [`DevProvider::browser`](crate::DevProvider::browser), or from
/// [`DevBrowser::connect`] for a provider this process did not start (one started by hand
/// with `cargo run -p oauthflow-devserver --example serve`, by another process, or in a
/// container). Each
/// [`DevProvider::login`](crate::DevProvider::login) uses a fresh one; keep a `DevBrowser`
/// to reuse the provider session (single sign-on: a second login with the same browser skips
/// the login form, and `prompt=none` can succeed).
///
/// The driver stops at the first redirect whose origin is not the provider's and returns it
/// without requesting it: the caller decides whether to deliver it (to a loopback listener,
/// a web app's callback handler...) or just to read `code`, `state` and `iss` from it.
///
/// ```no_run
/// # async fn demo() -> Result<(), oauthflow_devserver::DevError> {
/// use oauthflow_devserver::DevProvider;
///
/// let provider = DevProvider::start().await?;
/// let browser = provider.browser().with_user("bob", "anything");
/// # let authorize_url = provider.authorization_endpoint();
/// let callback = browser.login(&authorize_url).await?;   // login + consent
/// let again = browser.login(&authorize_url).await?;      // same session: consent only if asked
/// # let _ = (callback, again);
/// # Ok(()) }
/// ```
pub struct DevBrowser {
    issuer: Url,
    http: reqwest::Client,
    jar: Mutex<CookieJar>,
    login: String,
    password: String,
}

impl std::fmt::Debug for DevBrowser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the password nor the session cookies.
        f.debug_struct("DevBrowser")
            .field("issuer", &self.issuer.as_str())
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

/// What the pages lead to.
enum Outcome {
    Redirect(Url),
    FormPost(Url, String),
    Done(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Decision {
    Approve,
    Deny,
}

enum Step {
    Get(Url),
    Post(Url, Vec<(String, String)>),
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

fn parse_url(s: &str) -> Result<Url, DevError> {
    Url::parse(s).map_err(|e| DevError::Driver(format!("invalid URL: {e}")))
}

fn redacted(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

impl DevBrowser {
    /// `http` must not follow redirects.
    pub(crate) fn new(issuer: Url, http: reqwest::Client) -> Self {
        DevBrowser {
            issuer,
            http,
            jar: Mutex::new(CookieJar::default()),
            login: users::ALICE.to_string(),
            password: users::ALICE_PASSWORD.to_string(),
        }
    }

    /// A login driver for the provider at `issuer` (e.g. `http://127.0.0.1:4000`), which this
    /// process need not have started: the driver only speaks HTTP to it. The driver signs in
    /// as [`users::ALICE`] unless [`DevBrowser::with_user`] says otherwise, and has its own
    /// cookie jar (a fresh provider session).
    ///
    /// Fails with [`DevError::InvalidIssuer`] unless `issuer` is an `http` or `https` URL with
    /// a host and without query, fragment or credentials. Nothing is requested yet: an issuer
    /// nobody listens on fails at the first [`DevBrowser::login`] with [`DevError::Http`].
    ///
    /// ```no_run
    /// # async fn demo(authorize_url: url::Url) -> Result<(), oauthflow_devserver::DevError> {
    /// use oauthflow_devserver::DevBrowser;
    ///
    /// // A provider started elsewhere with `--port 4000`; `authorize_url` came from the app
    /// // under test (its `/login` redirect).
    /// let driver = DevBrowser::connect("http://127.0.0.1:4000")?.with_user("bob", "any");
    /// let callback = driver.login(&authorize_url).await?;
    /// # let _ = callback; Ok(()) }
    /// ```
    ///
    /// ```
    /// use oauthflow_devserver::{DevBrowser, DevError};
    /// assert!(matches!(DevBrowser::connect("127.0.0.1:4000"), Err(DevError::InvalidIssuer { .. })));
    /// assert!(DevBrowser::connect("http://127.0.0.1:4000").is_ok());
    /// ```
    pub fn connect(issuer: &str) -> Result<Self, DevError> {
        let invalid = |reason: &str| DevError::InvalidIssuer {
            issuer: issuer.to_string(),
            reason: reason.to_string(),
        };
        let url = Url::parse(issuer).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        if url.host().is_none() {
            return Err(invalid("it has no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("an issuer has no query or fragment (RFC 8414 §2)"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            // Not `invalid`: the message must not repeat the password.
            let mut shown = url.clone();
            let _ = shown.set_username("");
            let _ = shown.set_password(None);
            return Err(DevError::InvalidIssuer {
                issuer: shown.to_string(),
                reason: "an issuer has no user name or password".into(),
            });
        }
        Ok(DevBrowser::new(url, crate::provider::http_client()?))
    }

    /// Signs in as `login` instead of [`users::ALICE`]. The development login page accepts
    /// any login (it becomes the `sub`); only the password grant checks passwords.
    ///
    /// ```no_run
    /// # async fn demo(provider: &oauthflow_devserver::DevProvider) {
    /// let browser = provider.browser().with_user("bob", "builder");
    /// # }
    /// ```
    pub fn with_user(mut self, login: impl Into<String>, password: impl Into<String>) -> Self {
        self.login = login.into();
        self.password = password.into();
        self
    }

    /// Follows an authorization URL through the login and consent pages, approving, and
    /// returns the final redirect to the client's `redirect_uri` (with `code`, `state` and
    /// `iss`, or `error` when the provider refuses), without requesting it.
    ///
    /// Fails with [`DevError::Provider`] when the provider shows its error page instead of
    /// redirecting (unknown client, unregistered `redirect_uri`, ...), and with
    /// [`DevError::Driver`] when the response is an auto-submitting form (use
    /// [`DevBrowser::login_form_post`]).
    ///
    /// ```no_run
    /// # async fn demo(provider: &oauthflow_devserver::DevProvider, authorize_url: url::Url) -> Result<(), oauthflow_devserver::DevError> {
    /// let callback = provider.browser().login(&authorize_url).await?;
    /// assert!(callback.query_pairs().any(|(k, _)| k == "code"));
    /// # Ok(()) }
    /// ```
    pub async fn login(&self, authorize_url: &Url) -> Result<Url, DevError> {
        match self.drive(authorize_url, Decision::Approve, None).await? {
            Outcome::Redirect(url) => Ok(url),
            Outcome::FormPost(action, _) => Err(DevError::Driver(format!(
                "the authorization response is an auto-submitting form to {} (response_mode=form_post): use login_form_post",
                redacted(&action)
            ))),
            Outcome::Done(title) => Err(DevError::Driver(format!(
                "the pages ended at \"{title}\" without a redirect to the client"
            ))),
        }
    }

    /// Like [`DevBrowser::login`], but declines: aborts the interaction at the first login or
    /// consent page. Returns the redirect carrying `error=access_denied`.
    ///
    /// ```no_run
    /// # async fn demo(provider: &oauthflow_devserver::DevProvider, authorize_url: url::Url) -> Result<(), oauthflow_devserver::DevError> {
    /// let callback = provider.browser().deny(&authorize_url).await?;
    /// assert!(callback.query_pairs().any(|(k, v)| k == "error" && v == "access_denied"));
    /// # Ok(()) }
    /// ```
    pub async fn deny(&self, authorize_url: &Url) -> Result<Url, DevError> {
        match self.drive(authorize_url, Decision::Deny, None).await? {
            Outcome::Redirect(url) => Ok(url),
            Outcome::FormPost(action, _) => Err(DevError::Driver(format!(
                "the authorization response is an auto-submitting form to {}",
                redacted(&action)
            ))),
            Outcome::Done(title) => Err(DevError::Driver(format!(
                "the pages ended at \"{title}\" without a redirect to the client"
            ))),
        }
    }

    /// For `response_mode=form_post`: follows the authorization URL through login and
    /// consent and returns the auto-submitting form's action (the client's `redirect_uri`)
    /// and its `application/x-www-form-urlencoded` body (`id_token`, `state`, ... or
    /// `error`), without posting it.
    ///
    /// ```no_run
    /// # async fn demo(provider: &oauthflow_devserver::DevProvider, authorize_url: url::Url) -> Result<(), oauthflow_devserver::DevError> {
    /// let (action, body) = provider.browser().login_form_post(&authorize_url).await?;
    /// assert!(body.contains("id_token="));
    /// # Ok(()) }
    /// ```
    pub async fn login_form_post(&self, authorize_url: &Url) -> Result<(Url, String), DevError> {
        match self.drive(authorize_url, Decision::Approve, None).await? {
            Outcome::FormPost(action, body) => Ok((action, body)),
            Outcome::Redirect(url) => Err(DevError::Driver(format!(
                "expected an auto-submitting form (response_mode=form_post) but got a redirect to {}",
                redacted(&url)
            ))),
            Outcome::Done(title) => Err(DevError::Driver(format!(
                "the pages ended at \"{title}\" without a form to the client"
            ))),
        }
    }

    /// Device flow (RFC 8628), the user's side: opens `verification_uri_complete`, confirms
    /// the code, signs in and consents. Returns once the provider shows its success page; the
    /// device's next poll then gets its tokens.
    ///
    /// ```no_run
    /// # async fn demo(provider: &oauthflow_devserver::DevProvider, verification_uri_complete: &str) -> Result<(), oauthflow_devserver::DevError> {
    /// provider.browser().approve_device(verification_uri_complete).await?;
    /// # Ok(()) }
    /// ```
    pub async fn approve_device(&self, verification_uri_complete: &str) -> Result<(), DevError> {
        let url = parse_url(verification_uri_complete)?;
        self.device(&url, Decision::Approve, None).await
    }

    /// Device flow with the code typed by hand: opens `verification_uri`, enters `user_code`,
    /// confirms, signs in and consents.
    ///
    /// ```no_run
    /// # async fn demo(provider: &oauthflow_devserver::DevProvider) -> Result<(), oauthflow_devserver::DevError> {
    /// provider.browser().approve_device_with_code(&format!("{}/device", provider.issuer()), "BCDF-GHJK").await?;
    /// # Ok(()) }
    /// ```
    pub async fn approve_device_with_code(
        &self,
        verification_uri: &str,
        user_code: &str,
    ) -> Result<(), DevError> {
        let url = parse_url(verification_uri)?;
        self.device(&url, Decision::Approve, Some(user_code)).await
    }

    /// Device flow, declining: opens `verification_uri_complete` and aborts at the
    /// confirmation page. The device's next poll gets `access_denied`.
    ///
    /// ```no_run
    /// # async fn demo(provider: &oauthflow_devserver::DevProvider, verification_uri_complete: &str) -> Result<(), oauthflow_devserver::DevError> {
    /// provider.browser().deny_device(verification_uri_complete).await?;
    /// # Ok(()) }
    /// ```
    pub async fn deny_device(&self, verification_uri_complete: &str) -> Result<(), DevError> {
        let url = parse_url(verification_uri_complete)?;
        self.device(&url, Decision::Deny, None).await
    }

    async fn device(
        &self,
        url: &Url,
        decision: Decision,
        user_code: Option<&str>,
    ) -> Result<(), DevError> {
        match self.drive(url, decision, user_code).await? {
            Outcome::Done(_) => Ok(()),
            Outcome::Redirect(url) => Err(DevError::Driver(format!(
                "the device pages redirected away to {}",
                redacted(&url)
            ))),
            Outcome::FormPost(action, _) => Err(DevError::Driver(format!(
                "the device pages posted away to {}",
                redacted(&action)
            ))),
        }
    }

    async fn send(&self, step: &Step) -> Result<(Url, reqwest::Response), DevError> {
        let (url, builder) = match step {
            Step::Get(url) => (url.clone(), self.http.get(url.clone())),
            Step::Post(url, fields) => {
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish();
                (
                    url.clone(),
                    self.http
                        .post(url.clone())
                        .header(
                            reqwest::header::CONTENT_TYPE,
                            "application/x-www-form-urlencoded",
                        )
                        .body(body),
                )
            }
        };
        let cookie = self
            .jar
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .header(url.path());
        let builder = match cookie {
            Some(c) => builder.header(COOKIE, c),
            None => builder,
        };
        let resp = builder.send().await.map_err(DevError::http)?;
        {
            let mut jar = self.jar.lock().unwrap_or_else(|e| e.into_inner());
            for v in resp.headers().get_all(SET_COOKIE) {
                if let Ok(v) = v.to_str() {
                    jar.store(v, url.path());
                }
            }
        }
        Ok((url, resp))
    }

    async fn drive(
        &self,
        start: &Url,
        decision: Decision,
        user_code: Option<&str>,
    ) -> Result<Outcome, DevError> {
        if !same_origin(start, &self.issuer) {
            return Err(DevError::Driver(format!(
                "{} is not on the provider {}",
                redacted(start),
                self.issuer
            )));
        }
        let mut step = Step::Get(start.clone());
        let mut aborted = false;
        for _ in 0..MAX_STEPS {
            let (url, resp) = self.send(&step).await?;
            let status = resp.status();
            if status.is_redirection() {
                let location = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| {
                        DevError::Driver(format!("{status} without Location at {}", redacted(&url)))
                    })?;
                let next = url.join(location).map_err(|e| {
                    DevError::Driver(format!("bad Location at {}: {e}", redacted(&url)))
                })?;
                if !same_origin(&next, &self.issuer) {
                    return Ok(Outcome::Redirect(next));
                }
                step = Step::Get(next);
                continue;
            }

            let bytes = resp.bytes().await.map_err(DevError::http)?;
            let body = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_BODY)]).into_owned();
            let errors = html::error_page(&body);
            let error = errors.iter().find(|(k, _)| k == "error").map(|(_, v)| v);
            if let Some(error) = error {
                let description = errors
                    .iter()
                    .find(|(k, _)| k == "error_description")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                return Err(DevError::Provider {
                    status: status.as_u16(),
                    url: redacted(&url),
                    error: error.clone(),
                    description,
                });
            }
            if !status.is_success() {
                let excerpt: String = body.chars().take(300).collect();
                return Err(DevError::Driver(format!(
                    "unexpected {status} at {}: {excerpt}",
                    redacted(&url)
                )));
            }

            let title = html::title(&body).unwrap_or_default();
            let Some(mut form) = html::forms(&body).into_iter().next() else {
                return Ok(Outcome::Done(title));
            };
            if aborted && form.has("user_code") {
                // The device flow shows its code input page again after an abort.
                return Ok(Outcome::Done(title));
            }
            let action = match form.action.as_deref() {
                Some(a) if !a.is_empty() => url.join(a).map_err(|e| {
                    DevError::Driver(format!("bad form action at {}: {e}", redacted(&url)))
                })?,
                _ => url.clone(),
            };
            if !same_origin(&action, &self.issuer) {
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&form.fields)
                    .finish();
                return Ok(Outcome::FormPost(action, body));
            }
            step = self.answer(&mut form, action, decision, user_code, &url)?;
            aborted |= match &step {
                Step::Get(u) => u.path().ends_with("/abort"),
                Step::Post(_, fields) => fields.iter().any(|(n, _)| n == "abort"),
            };
        }
        Err(DevError::Driver(format!(
            "gave up after {MAX_STEPS} pages without reaching the client"
        )))
    }

    /// Fills one provider form.
    fn answer(
        &self,
        form: &mut Form,
        action: Url,
        decision: Decision,
        user_code: Option<&str>,
        page: &Url,
    ) -> Result<Step, DevError> {
        let prompt = form.get("prompt").map(str::to_string);
        match prompt.as_deref() {
            Some("login") | Some("consent") if decision == Decision::Deny => {
                // devInteractions: GET {submitUrl}/abort ends the interaction with access_denied.
                let mut abort = action.clone();
                abort.set_query(None);
                let path = format!("{}/abort", abort.path().trim_end_matches('/'));
                abort.set_path(&path);
                return Ok(Step::Get(abort));
            }
            Some("login") => {
                form.set("login", &self.login);
                form.set("password", &self.password);
            }
            Some("consent") => {}
            _ if form.has("xsrf") && form.has("confirm") => {
                if decision == Decision::Deny {
                    form.remove("confirm");
                    form.set("abort", "yes");
                }
            }
            _ if form.has("xsrf") && form.has("user_code") => {
                if form.get("user_code").is_some_and(str::is_empty) {
                    let code = user_code.ok_or_else(|| {
                        DevError::Driver(
                            "the device page asks for a user code: use approve_device_with_code"
                                .into(),
                        )
                    })?;
                    form.set("user_code", code);
                }
            }
            _ => {
                // An auto-submitting form back to the provider (what a browser with
                // JavaScript would post); anything else is unexpected.
                if form.fields.iter().any(|(_, v)| v.is_empty()) {
                    return Err(DevError::Driver(format!(
                        "unknown form with empty fields at {}: {:?}",
                        redacted(page),
                        form.fields.iter().map(|(n, _)| n).collect::<Vec<_>>()
                    )));
                }
            }
        }
        if form.method == "get" {
            let mut next = action;
            next.query_pairs_mut().extend_pairs(&form.fields);
            Ok(Step::Get(next))
        } else {
            Ok(Step::Post(action, std::mem::take(&mut form.fields)))
        }
    }
}
