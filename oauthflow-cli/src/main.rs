//! `oauthflow`: the decision tree of `#[oauth_client]` from the terminal.
//!
//! ```text
//! oauthflow decide --spa --audience https://api.example.com/orders
//! ```
//!
//! prints the grant the tree chooses, the reason (the generated client's `DECISION`), and the
//! attribute to paste, which compiles as printed (`tests/ui/pass/cli-decide.rs` holds every
//! path's output and is compiled by the UI tests).

mod decide;

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
    /// decides) and prints the grant, why, and the `#[oauth_client(...)]` attribute to paste.
    Decide(decide::Answers),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Decide(answers) => match decide::decide(&answers) {
            Ok(decision) => {
                println!("{decision}");
                ExitCode::SUCCESS
            }
            Err(why) => {
                eprintln!("error: {why}");
                ExitCode::from(2)
            }
        },
    }
}
