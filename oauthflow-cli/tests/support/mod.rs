//! Runs the built `oauthflow` binary and masks what changes from run to run.

#![allow(dead_code)] // each test binary uses a part

use std::process::{Command, Output, Stdio};

/// What one run printed.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// `oauthflow <args>` with `env` added, stdin closed (no terminal: nothing interactive).
pub async fn oauthflow(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oauthflow"));
    command.args(args).stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output: Output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the command thread ends")
        .expect("the oauthflow binary runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Loopback ports, and the numbers that change with the clock or the server's state.
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // 127.0.0.1:<port> → 127.0.0.1:PORT
    while let Some(at) = rest.find("127.0.0.1:") {
        let (head, tail) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(head);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        out.push_str(if digits > 0 { "PORT" } else { "" });
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// [`mask`], and the values that move with the clock and the server: `N s` durations, the
/// device user code.
pub fn mask_try(text: &str) -> String {
    let masked = mask(text);
    let lines: Vec<&str> = masked.lines().collect();
    // A device poll answered `authorization_pending` (HTTP 400) depends on timing: dropped.
    let mut kept = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let pending = lines[i].contains("device_code")
            && lines.get(i + 1) == Some(&"response   HTTP 400 from the token endpoint");
        if pending {
            i += 2;
            continue;
        }
        kept.push(lines[i]);
        i += 1;
    }
    kept.into_iter()
        .map(|line| {
            let mut line = line.to_owned();
            if let Some(at) = line.find("enter the code ") {
                line.truncate(at + "enter the code ".len());
                line.push_str("CODE");
            }
            mask_seconds(&line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `599 s` → `N s`.
fn mask_seconds(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let next_is_s = words.get(i + 1).is_some_and(|w| {
            *w == "s" || w.starts_with("s;") || w.starts_with("s,") || w.starts_with("s)")
        });
        if next_is_s && !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
            out.push("N");
        } else {
            out.push(word);
        }
    }
    out.join(" ")
}
