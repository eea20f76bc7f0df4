//! The runtime's own `tracing` events, printed as the steps of `oauthflow try`: each
//! back-channel request (method, URL without query, parameter names, Basic or not — the
//! runtime never puts a value in them) and each response status.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Prints the runtime's request and response events on stdout, from now on.
pub fn install() {
    let subscriber = Registry::default().with(Steps);
    // Fails only when a subscriber is already set (a second `try` in one process): keep it.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

struct Steps;

#[derive(Default)]
struct Fields {
    message: String,
    endpoint: String,
    method: String,
    url: String,
    params: String,
    basic_auth: bool,
    status: Option<u64>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.record_str(field, &text);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            "endpoint" => self.endpoint = value.trim_matches('"').to_owned(),
            "method" => self.method = value.trim_matches('"').to_owned(),
            "url" => self.url = value.trim_matches('"').to_owned(),
            "params" => self.params = value.trim_matches('"').to_owned(),
            _ => {}
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "basic_auth" {
            self.basic_auth = value;
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "status" {
            self.status = Some(value);
        }
    }
}

impl<S: Subscriber> Layer<S> for Steps {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with("oauthflow_runtime") {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        match fields.message.as_str() {
            "oauthflow: back-channel request" => {
                let mut line = format!("{} {}", fields.method, fields.url);
                if !fields.params.is_empty() {
                    let _ = write!(line, " [{}]", fields.params.replace(',', ", "));
                }
                if fields.basic_auth {
                    line.push_str(" + HTTP Basic client authentication");
                }
                crate::tryout::show::step("request", line);
            }
            "oauthflow: back-channel response" => {
                if let Some(status) = fields.status {
                    crate::tryout::show::step(
                        "response",
                        format!("HTTP {status} from the {} endpoint", fields.endpoint),
                    );
                }
            }
            _ => {}
        }
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        metadata.target().starts_with("oauthflow_runtime")
            && *metadata.level() <= tracing::Level::DEBUG
    }
}
