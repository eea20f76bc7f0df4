//! The one error type of this crate.

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while starting the test provider or driving its pages.
///
/// Every variant says what to do about it; none of them carries a secret.
///
/// ```
/// use oauthflow_devserver::DevError;
///
/// let err = DevError::NodeNotFound { program: "node".into() };
/// assert!(err.to_string().contains("install Node.js 20+"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevError {
    /// The `node` executable could not be run.
    #[error(
        "node not found: install Node.js 20+ (tried to run `{program}`; set OAUTHFLOW_NODE to the node executable to use another one)"
    )]
    NodeNotFound {
        /// The program that was tried.
        program: String,
    },
    /// `node --version` reported a version older than 20.
    #[error("Node.js {found} is too old: install Node.js 20+")]
    NodeTooOld {
        /// What `node --version` printed.
        found: String,
    },
    /// `npm` is needed once, to install the provider's pinned packages, and could not be run.
    #[error(
        "npm not found: install npm (it ships with Node.js 20+) so that `npm ci` can install the test provider's packages in {dir} (tried to run `{program}`; set OAUTHFLOW_NPM to override)"
    )]
    NpmNotFound {
        /// The program that was tried.
        program: String,
        /// Where `npm ci` should have run.
        dir: PathBuf,
    },
    /// `npm ci` ran and failed.
    #[error("`npm ci` failed in {dir}: {detail}")]
    NpmInstall {
        /// Where it ran.
        dir: PathBuf,
        /// Its exit status and the end of its output.
        detail: String,
    },
    /// The directory with `server.mjs` and `package-lock.json` was not found.
    #[error(
        "the test provider is missing: {dir} has no server.mjs and package-lock.json (they ship in the oauthflow-devserver crate's provider/ directory; set OAUTHFLOW_PROVIDER_DIR to point elsewhere)"
    )]
    ProviderDirMissing {
        /// The directory that was looked at.
        dir: PathBuf,
    },
    /// The fixed port of [`DevOptions::port`](crate::DevOptions::port) is taken on 127.0.0.1.
    #[error(
        "port {port} on 127.0.0.1 is already in use: stop what listens there, choose another port with DevOptions::port, or leave it unset for an ephemeral port"
    )]
    PortInUse {
        /// The port that was asked for.
        port: u16,
    },
    /// The provider could not listen on the fixed port for another reason (e.g. `EACCES` for
    /// a privileged port).
    #[error(
        "cannot listen on 127.0.0.1:{port} ({code}): choose another port with DevOptions::port"
    )]
    PortUnavailable {
        /// The port that was asked for.
        port: u16,
        /// node's error code.
        code: String,
    },
    /// The issuer given to [`DevBrowser::connect`](crate::DevBrowser::connect) is not an
    /// `http`/`https` URL with a host.
    #[error("invalid issuer {issuer:?} for the login driver: {reason}")]
    InvalidIssuer {
        /// The issuer as given.
        issuer: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The options could not be turned into the provider's configuration.
    #[error("invalid provider options: {0}")]
    Options(String),
    /// Spawning a process or another local I/O operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The provider process ended before it printed its ready line.
    #[error(
        "the test provider exited before it was ready ({status}); its output ended with:\n{log}"
    )]
    Exited {
        /// The exit status.
        status: String,
        /// The last lines it printed.
        log: String,
    },
    /// The provider did not print its ready line in time.
    #[error("the test provider was not ready within {timeout:?}; its output ended with:\n{log}")]
    StartTimeout {
        /// How long it was given.
        timeout: Duration,
        /// The last lines it printed.
        log: String,
    },
    /// An HTTP request to the provider failed at the transport level.
    #[error("HTTP request to the test provider failed: {0}")]
    Http(#[source] reqwest::Error),
    /// The provider rendered its error page (or answered a test route with an error).
    #[error("the provider answered {status} at {url} with error `{error}`: {description}")]
    Provider {
        /// The HTTP status.
        status: u16,
        /// The page's URL, without its query.
        url: String,
        /// The OAuth `error` code shown on the page.
        error: String,
        /// The `error_description` shown on the page.
        description: String,
    },
    /// The login driver met a page or a redirect it does not know how to handle.
    #[error("login driver: {0}")]
    Driver(String),
}

impl DevError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        DevError::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn http(err: reqwest::Error) -> Self {
        DevError::Http(err.without_url())
    }
}
