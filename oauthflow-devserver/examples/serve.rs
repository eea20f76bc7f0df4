//! Runs the test provider until Ctrl-C, and prints what a client needs:
//!
//! ```sh
//! cargo run -p oauthflow-devserver --example serve                  # an ephemeral port
//! cargo run -p oauthflow-devserver --example serve -- --port 4000   # http://127.0.0.1:4000
//! cargo run -p oauthflow-devserver --example serve -- --port 4000 --log
//! ```
//!
//! The first line on stdout is `issuer: http://127.0.0.1:PORT`. Ctrl-C (SIGINT) or SIGTERM
//! stops it; the node server also exits when this process ends, however it ends, because it
//! watches the stdin pipe this process holds.

use oauthflow_devserver::{DevError, DevOptions, DevProvider, clients, resources, users};

const USAGE: &str = "usage: serve [--port PORT] [--log]";

/// The command line, parsed.
#[derive(Debug, Default, PartialEq)]
struct Args {
    port: Option<u16>,
    log: bool,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                let port = value
                    .parse::<u16>()
                    .map_err(|_| format!("--port {value:?}: not a port number (0-65535)"))?;
                parsed.port = Some(port);
            }
            "--log" => parsed.log = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("error: {why}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = serve(args).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn serve(args: Args) -> Result<(), DevError> {
    let mut options = DevOptions::new().log(args.log);
    options.port = args.port;
    let started = std::time::Instant::now();
    let provider = DevProvider::start_with(options).await?;
    println!("issuer:    {}", provider.issuer());
    println!("started in {:?}", started.elapsed());
    println!("discovery: {}", provider.discovery_url());
    println!(
        "user:      {} / {} (the login page accepts any login and password)",
        users::ALICE,
        users::ALICE_PASSWORD
    );
    println!("resources: {}", resources::ALL.join(", "));
    for c in clients::ALL {
        println!(
            "client:    {:<24} secret {:<22} {}",
            c.id,
            c.secret.unwrap_or(match c.auth_method {
                "private_key_jwt" => "(private key)",
                _ => "(public)",
            }),
            c.redirect_uri.unwrap_or("")
        );
    }
    println!("press Ctrl-C to stop");
    // Ctrl-C / SIGTERM end this process with their default action; node exits with it when
    // the stdin pipe this process holds closes (and on the SIGINT its process group gets).
    // Nothing to clean up, so no signal handler is needed: wait forever.
    std::future::pending::<()>().await;
    drop(provider);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_port_and_log() {
        assert_eq!(args(&[]), Ok(Args::default()));
        assert_eq!(
            args(&["--port", "4000", "--log"]),
            Ok(Args {
                port: Some(4000),
                log: true
            })
        );
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(args(&["--port"]).is_err());
        assert!(args(&["--port", "70000"]).is_err());
        assert!(args(&["--port", "x"]).is_err());
        assert!(args(&["--bogus"]).is_err());
    }
}
