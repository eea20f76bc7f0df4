//! `oauthflow`: the decision tree of `#[oauth_client]` from the terminal, and a way to try the
//! endpoints of a server before writing the application.
//!
//! ```text
//! oauthflow decide --spa --audience https://api.example.com/orders
//! oauthflow inspect https://tenant.example.com/ --kind web
//! oauthflow try web
//! ```
//!
//! `decide` prints the grant the tree chooses, the reason (the generated client's `DECISION`),
//! and the attribute to paste, which compiles as printed (`tests/ui/pass/cli-decide.rs` holds
//! every path's output and is compiled by the UI tests). `inspect` reports what a server offers
//! per kind; `try` runs the real flow with the library's runtime.

mod decide;
mod explain;
mod inspect;
mod target;
mod tryout;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Which OAuth 2.0 flow fits your application — decided by the same tree as `#[oauth_client]`.
#[derive(Debug, Parser)]
#[command(name = "oauthflow", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answers the decision tree's questions (as flags, in the tree's order: the first `yes`
    /// decides; with no flag on a terminal, they are asked one by one) and prints the grant,
    /// why, and the `#[oauth_client(...)]` attribute to paste.
    Decide(decide::Answers),
    /// Fetches an issuer's metadata with the library's rules and reports, per kind, whether
    /// this server can serve it and what is missing or weak.
    Inspect(inspect::InspectArgs),
    /// Runs the real flow of a kind against a server (the embedded oidc-provider when no
    /// --issuer is given) with the library's runtime, showing each step.
    Try(tryout::TryArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Decide(answers) => {
            let answers = if answers.is_unanswered() && std::io::stdin().is_terminal() {
                match decide::ask() {
                    Ok(answers) => answers,
                    Err(why) => {
                        eprintln!("error: {why}");
                        return ExitCode::from(2);
                    }
                }
            } else {
                answers
            };
            print_decision(&answers)
        }
        Command::Inspect(args) => block_on(run_inspect(args)),
        Command::Try(args) => block_on(run_try(args)),
    }
}

fn print_decision(answers: &decide::Answers) -> ExitCode {
    match decide::decide(answers) {
        Ok(decision) => {
            println!("{decision}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::from(2)
        }
    }
}

/// Runs an async command on a tokio runtime.
fn block_on(command: impl Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(command),
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_inspect(args: inspect::InspectArgs) -> ExitCode {
    match inspect::inspect(&args.issuer, args.kind).await {
        Ok(report) => {
            if args.json {
                println!("{:#}", report.to_json());
            } else {
                print!("{report}");
            }
            if args.kind.is_some() && !report.all_work() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("{}", explain::explain(&e));
            ExitCode::FAILURE
        }
    }
}

async fn run_try(args: tryout::TryArgs) -> ExitCode {
    match tryout::run(args).await {
        Ok(summary) => {
            tryout::show::step("done", summary);
            ExitCode::SUCCESS
        }
        Err(tryout::TryError::Runtime(e)) => {
            eprintln!("{}", explain::explain(&e));
            ExitCode::FAILURE
        }
        Err(tryout::TryError::Usage(what)) => {
            eprintln!("error: missing or refused: {what}");
            ExitCode::from(2)
        }
        Err(tryout::TryError::Other(what)) => {
            eprintln!("error: {what}");
            ExitCode::FAILURE
        }
    }
}
