//! The body of a back-channel POST: form-urlencoded parameters plus the client's
//! `Authorization` header, never printed with its values.

use std::borrow::Cow;
use std::fmt;

/// An `application/x-www-form-urlencoded` request body plus an optional `Authorization` header.
/// Never printed: it carries secrets.
#[derive(Clone, Default)]
pub(crate) struct Form {
    params: Vec<(Cow<'static, str>, String)>,
    authorization: Option<String>,
}

impl Form {
    /// Adds a parameter (repeated names are kept, e.g. several `resource`).
    pub(crate) fn param(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        self.params.push((Cow::Borrowed(name), value.into()));
        self
    }

    /// Adds a parameter whose name is only known at run time (a pushed authorization request
    /// forwards the authorization request's parameters, extra ones included).
    pub(crate) fn param_named(&mut self, name: String, value: impl Into<String>) -> &mut Self {
        self.params.push((Cow::Owned(name), value.into()));
        self
    }

    /// Adds `client_id` unless the body already has it (a pushed authorization request carries
    /// it among the authorization request's parameters).
    pub(crate) fn client_id(&mut self, client_id: &str) -> &mut Self {
        if !self.params.iter().any(|(k, _)| k == "client_id") {
            self.param("client_id", client_id);
        }
        self
    }

    /// Sets the `Authorization` header.
    pub(crate) fn authorization(&mut self, value: String) -> &mut Self {
        self.authorization = Some(value);
        self
    }

    /// The encoded body.
    pub(crate) fn encode(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.params.iter().map(|(k, v)| (k.as_ref(), v.as_str())))
            .finish()
    }

    /// The `Authorization` header, if any.
    pub(crate) fn authorization_header(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// The names of the parameters (for tests and tracing; never the values).
    pub(crate) fn names(&self) -> Vec<&str> {
        self.params.iter().map(|(k, _)| k.as_ref()).collect()
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field(
                "params",
                &self
                    .params
                    .iter()
                    .map(|(k, _)| k.as_ref())
                    .collect::<Vec<_>>(),
            )
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_debug_shows_names_only() {
        let mut form = Form::default();
        form.param("client_secret", "s3cret")
            .authorization("Basic abc".into());
        let debug = format!("{form:?}");
        assert!(debug.contains("client_secret"));
        assert!(!debug.contains("s3cret"));
        assert!(!debug.contains("abc"));
        assert_eq!(form.encode(), "client_secret=s3cret");
    }
}
