//! The user's part, by plain HTTP: a cookie jar, no automatic redirects, and Django's login form,
//! DOT's consent form and DOT's device pages filled in as a person would.

use std::collections::BTreeMap;
use std::sync::Mutex;

use oauthflow::Url;
use reqwest::StatusCode;

use crate::html;
use crate::launcher::clients::PASSWORD;

/// What the user answers on DOT's consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Deny,
}

/// One answer: status, `Location` (absolute) and body.
pub struct Answer {
    pub status: StatusCode,
    pub location: Option<Url>,
    pub body: String,
}

/// A browser for one user session at one server (all cookies of 127.0.0.1:PORT, path `/`).
pub struct Browser {
    user: &'static str,
    http: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl Browser {
    /// A browser in which `user` (one of `clients.py`'s users) will sign in.
    pub fn new(user: &'static str) -> Self {
        Browser {
            user,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .expect("an HTTP client"),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    fn cookie_header(&self) -> String {
        let jar = self.cookies.lock().unwrap_or_else(|e| e.into_inner());
        jar.iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn answer(&self, url: &Url, resp: reqwest::Response) -> Answer {
        let status = resp.status();
        {
            let mut jar = self.cookies.lock().unwrap_or_else(|e| e.into_inner());
            for value in resp.headers().get_all("set-cookie") {
                let Ok(value) = value.to_str() else { continue };
                let pair = value.split(';').next().unwrap_or_default();
                if let Some((name, value)) = pair.split_once('=') {
                    jar.insert(name.trim().to_owned(), value.trim().to_owned());
                }
            }
        }
        let location = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(|l| url.join(l).expect("a valid Location"));
        let body = resp.text().await.expect("a readable body");
        Answer {
            status,
            location,
            body,
        }
    }

    pub async fn get(&self, url: &Url) -> Answer {
        let resp = self
            .http
            .get(url.as_str())
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.answer(url, resp).await
    }

    pub async fn post_form(&self, url: &Url, fields: &[(String, String)]) -> Answer {
        let resp = self
            .http
            .post(url.as_str())
            .header("cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.answer(url, resp).await
    }

    /// GETs `url`; when Django sends the browser to its login page, signs in and
    /// follows the redirect back. Returns the answer of `url` for a signed-in user.
    async fn get_signed_in(&self, url: &Url) -> Answer {
        let first = self.get(url).await;
        let Some(login) = first
            .location
            .clone()
            .filter(|l| l.path() == "/accounts/login/")
        else {
            return first;
        };
        let page = self.get(&login).await;
        assert_eq!(page.status, StatusCode::OK, "Django's login page");
        let mut fields: Vec<(String, String)> = html::inputs(&page.body)
            .into_iter()
            .filter(|(name, _)| name != "username" && name != "password")
            .collect();
        fields.push(("username".into(), self.user.into()));
        fields.push(("password".into(), PASSWORD.into()));
        let signed_in = self.post_form(&login, &fields).await;
        assert_eq!(
            signed_in.status,
            StatusCode::FOUND,
            "signing in as {}: {}",
            self.user,
            signed_in.body
        );
        let back = signed_in.location.expect("a redirect after sign-in");
        assert_eq!(back.path(), url.path(), "sent back to {url}");
        self.get(&back).await
    }

    /// Plays the user on an authorization URL: Django's login, then DOT's consent form,
    /// answered with `consent`. Returns where DOT sends the browser (the redirect URI with
    /// the authorization response), which the test reads instead of following it.
    pub async fn authorize(&self, authorize_url: &Url, consent: Consent) -> Url {
        let page = self.get_signed_in(authorize_url).await;
        if page.status.is_redirection() {
            // No consent page: DOT answered at once (an error sent to the redirect URI).
            return page.location.expect("a redirect with Location");
        }
        assert_eq!(
            page.status,
            StatusCode::OK,
            "DOT's consent page: {}",
            page.body
        );
        let mut fields = html::inputs(&page.body);
        assert!(
            fields.iter().any(|(name, _)| name == "csrfmiddlewaretoken"),
            "a consent form: {}",
            page.body
        );
        if consent == Consent::Allow {
            fields.push(("allow".into(), "Authorize".into()));
        }
        let answered = self.post_form(authorize_url, &fields).await;
        assert_eq!(
            answered.status,
            StatusCode::FOUND,
            "consent answered: {}",
            answered.body
        );
        answered.location.expect("a redirect to the client")
    }

    /// Plays the user of a device flow: opens `verification_uri`, signs in, types `user_code`,
    /// then accepts (or denies) on DOT's confirmation page.
    pub async fn approve_device(&self, verification_uri: &str, user_code: &str, consent: Consent) {
        let uri = Url::parse(verification_uri).expect("an absolute verification_uri");
        let page = self.get_signed_in(&uri).await;
        assert_eq!(page.status, StatusCode::OK, "DOT's user-code page");
        let mut fields: Vec<(String, String)> = html::inputs(&page.body)
            .into_iter()
            .filter(|(name, _)| name != "user_code")
            .collect();
        fields.push(("user_code".into(), user_code.into()));
        let entered = self.post_form(&uri, &fields).await;
        let confirm = entered.location.unwrap_or_else(|| {
            panic!("the user code was refused: {}", entered.body);
        });
        let page = self.get(&confirm).await;
        assert_eq!(page.status, StatusCode::OK, "DOT's accept/deny page");
        let mut fields = html::inputs(&page.body);
        let action = match consent {
            Consent::Allow => "accept",
            Consent::Deny => "deny",
        };
        fields.push(("action".into(), action.into()));
        let done = self.post_form(&confirm, &fields).await;
        assert_eq!(done.status, StatusCode::FOUND, "device {action}ed");
    }
}
