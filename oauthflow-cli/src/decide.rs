//! `oauthflow decide`: the tree's questions as flags, the decision, and the attribute.

use std::fmt;

use clap::Args;
use oauthflow_core::{Flow, Kind, decide as tree, decision_text};

/// The tree's questions, in order; the first one answered `yes` decides the kind.
#[derive(Debug, Default, Args)]
pub struct Answers {
    /// Is the party that needs access a machine (a service, a job), its own resource owner?
    #[arg(long)]
    pub machine: bool,
    /// Is it a web app executing on a server?
    #[arg(long)]
    pub web_server: bool,
    /// Is the client absolutely trusted with user credentials, and no redirect possible? Give
    /// the reason in writing (it goes into the attribute).
    #[arg(long, value_name = "WHY")]
    pub redirect_unavailable: Option<String>,
    /// Is it a single-page app in a browser?
    #[arg(long)]
    pub spa: bool,
    /// (SPA) Does it only sign the user in, needing no access token?
    #[arg(long, requires = "spa")]
    pub login_only: bool,
    /// Is it a native (desktop or mobile) app?
    #[arg(long)]
    pub native: bool,
    /// Is it an input-constrained device or a CLI without a browser?
    #[arg(long)]
    pub device: bool,
    /// An API (resource server) it calls; repeat for several: one authorization per audience.
    #[arg(long = "audience", value_name = "URI")]
    pub audiences: Vec<String>,
    /// Does it need to act for the user while they are away (refresh tokens)?
    #[arg(long)]
    pub refresh_tokens: bool,
    /// The redirect URI, for the kinds that have one (a placeholder is printed otherwise).
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
}

/// What the tree chose, and the attribute that asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The kind the answers lead to.
    pub kind: Kind,
    /// The grant the tree chooses for it.
    pub flow: Flow,
    /// Why: the generated client's `DECISION` text.
    pub reason: String,
    /// `#[oauth_client(...)]` to paste above `pub struct …;`.
    pub attribute: String,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "kind:     {}", self.kind.as_str())?;
        writeln!(f, "flow:     {}", self.flow.describe())?;
        writeln!(f, "why:      {}", self.reason)?;
        writeln!(f)?;
        writeln!(f, "{}", self.attribute)?;
        write!(f, "pub struct MyClient;")
    }
}

/// Walks the tree with `answers`.
///
/// # Errors
///
/// No question answered `yes`, or an answer the tree (and the compiler) would refuse, with the
/// reason and what to do instead.
pub fn decide(answers: &Answers) -> Result<Decision, String> {
    let kind = if answers.machine {
        Kind::Machine
    } else if answers.web_server {
        Kind::Web
    } else if let Some(why) = &answers.redirect_unavailable {
        if why.trim().is_empty() {
            return Err("the password grant needs the reason in writing: --redirect-unavailable \"<why no browser or second screen can be used>\"".into());
        }
        Kind::Trusted
    } else if answers.spa {
        Kind::Spa
    } else if answers.native {
        Kind::Native
    } else if answers.device {
        Kind::Device
    } else {
        return Err("answer one question with a flag, in the tree's order: --machine, --web-server, --redirect-unavailable <WHY>, --spa [--login-only], --native, --device (see --help)".into());
    };
    let access_token = !answers.login_only;
    let flow = tree(kind, access_token);
    if answers.refresh_tokens && matches!(flow, Flow::ClientCredentials | Flow::ImplicitFormPost) {
        return Err(format!(
            "{} gets no refresh token: {}",
            flow.describe(),
            if flow == Flow::ClientCredentials {
                "a machine client requests a new token itself when the cached one expires — drop --refresh-tokens"
            } else {
                "a login-only app signs the user in again — drop --refresh-tokens, or drop --login-only to get access tokens"
            }
        ));
    }
    if flow == Flow::ImplicitFormPost && !answers.audiences.is_empty() {
        return Err("a login-only app gets no access token, so it calls no API: drop --audience, or drop --login-only".into());
    }
    let reason = decision_text(
        kind,
        flow,
        answers.refresh_tokens,
        answers.redirect_unavailable.as_deref(),
    );
    Ok(Decision {
        kind,
        flow,
        reason,
        attribute: attribute(kind, flow, answers),
    })
}

/// The attribute, one argument per line, with what each kind requires.
fn attribute(kind: Kind, flow: Flow, answers: &Answers) -> String {
    let quoted = |s: &str| format!("{s:?}");
    let mut args = vec![format!("kind = {}", quoted(kind.as_str()))];
    if flow == Flow::ImplicitFormPost {
        args.push("access_token = false".into());
    }
    let redirect = match kind {
        Kind::Web | Kind::Spa => Some("https://app.example.com/callback"),
        Kind::Native => Some("http://127.0.0.1/callback"),
        _ => None,
    };
    if let Some(placeholder) = redirect {
        let uri = answers.redirect_uri.as_deref().unwrap_or(placeholder);
        args.push(format!("redirect_uri = {}", quoted(uri)));
    }
    if let Some(why) = &answers.redirect_unavailable
        && kind == Kind::Trusted
    {
        args.push(format!("redirect_unavailable = {}", quoted(why.trim())));
    }
    if !answers.audiences.is_empty() {
        let list: Vec<String> = answers.audiences.iter().map(|a| quoted(a)).collect();
        args.push(format!("audiences = [{}]", list.join(", ")));
    }
    if answers.refresh_tokens {
        args.push("refresh_tokens = true".into());
    }
    let body: Vec<String> = args.iter().map(|a| format!("    {a},")).collect();
    format!("#[oauth_client(\n{}\n)]", body.join("\n"))
}

#[cfg(test)]
mod tests;

impl Answers {
    /// Whether no question of the tree was answered (then a terminal asks them).
    pub fn is_unanswered(&self) -> bool {
        !(self.machine
            || self.web_server
            || self.redirect_unavailable.is_some()
            || self.spa
            || self.native
            || self.device)
    }
}

/// Asks the tree's questions in order on the terminal (the first `yes` decides), then what the
/// chosen kind can take: the APIs it calls and, where the grant has them, refresh tokens.
///
/// # Errors
///
/// The prompt was cancelled (Esc, Ctrl-C) or the terminal failed.
pub fn ask() -> Result<Answers, String> {
    use inquire::{Confirm, Text};
    let yes = |question: &str, help: &str| {
        Confirm::new(question)
            .with_default(false)
            .with_help_message(help)
            .prompt()
            .map_err(|e| format!("no answer: {e}"))
    };
    let mut answers = Answers::default();
    if yes(
        "Is the party that needs access a machine (a service, a job), acting for itself?",
        "no user signs in: client credentials",
    )? {
        answers.machine = true;
    } else if yes(
        "Is it a web app executing on a server?",
        "it can keep a secret",
    )? {
        answers.web_server = true;
    } else if yes(
        "Is it absolutely trusted with user credentials, and is no redirect possible?",
        "no browser and no second screen, ever: the password grant",
    )? {
        let why = Text::new("Why can no browser or second screen be used?")
            .with_help_message("written into the attribute and the DECISION text")
            .prompt()
            .map_err(|e| format!("no answer: {e}"))?;
        answers.redirect_unavailable = Some(why);
    } else if yes("Is it a single-page app in a browser?", "a public client")? {
        answers.spa = true;
        answers.login_only = !Confirm::new("Does it need an access token (to call an API)?")
            .with_default(true)
            .with_help_message("no: it only signs the user in")
            .prompt()
            .map_err(|e| format!("no answer: {e}"))?;
    } else if yes(
        "Is it a native (desktop or mobile) app?",
        "it signs in through the system browser",
    )? {
        answers.native = true;
    } else if yes(
        "Is it an input-constrained device, or a CLI without a browser?",
        "the user approves on a second screen",
    )? {
        answers.device = true;
    } else {
        return Err("no question was answered yes: every application fits one of them".into());
    }
    if !answers.login_only {
        let apis =
            Text::new("Which APIs does it call? (audience URIs, space-separated; empty for none)")
                .with_help_message("several APIs: one authorization (and token) per audience")
                .prompt()
                .map_err(|e| format!("no answer: {e}"))?;
        answers.audiences = apis.split_whitespace().map(str::to_owned).collect();
    }
    if !answers.machine && !answers.login_only {
        answers.refresh_tokens = yes(
            "Does it act for the user while they are away (refresh tokens)?",
            "offline_access",
        )?;
    }
    Ok(answers)
}
