//! `oauthflow decide` in a terminal: with no flag it asks the tree's questions one by one
//! (driven here through a pseudo-terminal), and prints what the flag form prints.

use std::process::Command;

use rexpect::session::spawn_command;

const TIMEOUT_MS: u64 = 20_000;

fn decide_in_a_terminal() -> rexpect::session::PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oauthflow"));
    command
        .arg("decide")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    spawn_command(command, Some(TIMEOUT_MS)).expect("oauthflow runs in a pseudo-terminal")
}

/// Answers a yes/no question: waits for its text, types the answer and Enter.
fn answer(session: &mut rexpect::session::PtySession, question: &str, reply: &str) {
    session
        .exp_string(question)
        .unwrap_or_else(|e| panic!("the question {question:?} was not asked: {e}"));
    // Typed only once the prompt is drawn (it shows the cursor last): keys sent earlier may be
    // dropped when the terminal switches to raw mode.
    session
        .exp_string("\u{1b}[?25h")
        .unwrap_or_else(|e| panic!("the question {question:?} was not drawn: {e}"));
    session.send(reply).expect("typing");
    session.send("\r").expect("Enter");
    session.flush().expect("sent");
}

#[test]
fn asks_the_tree_in_order_and_prints_the_same_as_the_flags() {
    let mut session = decide_in_a_terminal();
    answer(&mut session, "a machine", "n");
    answer(&mut session, "web app executing on a server", "n");
    answer(&mut session, "absolutely trusted", "n");
    answer(&mut session, "single-page app", "y");
    answer(&mut session, "need an access token", "y");
    answer(
        &mut session,
        "Which APIs does it call?",
        "https://api.example.com/orders",
    );
    answer(&mut session, "refresh tokens", "n");
    let printed = session
        .exp_string("pub struct MyClient;")
        .expect("the decision is printed");
    let printed = printed + "pub struct MyClient;";
    session.exp_eof().expect("the command ends");

    let flags = Command::new(env!("CARGO_BIN_EXE_oauthflow"))
        .args([
            "decide",
            "--spa",
            "--audience",
            "https://api.example.com/orders",
        ])
        .output()
        .expect("oauthflow runs");
    let expected = String::from_utf8(flags.stdout).expect("UTF-8");
    // rexpect hands the bytes over one char each (Latin-1): back to bytes, then UTF-8.
    let bytes: Vec<u8> = printed
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    let printed = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
    let decision_start = printed
        .find("kind:     ")
        .expect("the decision's first line");
    assert_eq!(printed[decision_start..].trim(), expected.trim());
}

#[test]
fn the_trusted_path_asks_for_the_reason() {
    let mut session = decide_in_a_terminal();
    answer(&mut session, "a machine", "n");
    answer(&mut session, "web app executing on a server", "n");
    answer(&mut session, "absolutely trusted", "y");
    answer(
        &mut session,
        "Why can no browser",
        "a kiosk without a browser",
    );
    answer(&mut session, "Which APIs does it call?", "");
    answer(&mut session, "refresh tokens", "n");
    session
        .exp_string("redirect_unavailable = \"a kiosk without a browser\"")
        .expect("the reason is in the attribute");
    session.exp_eof().expect("the command ends");
}
