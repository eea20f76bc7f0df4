//! Rule 14 (D14): `#[oauth_client]` goes on `pub struct Name;` — a unit struct without
//! generics — and takes no derives: the generated client implements `Clone` and `Debug`
//! itself, and its shared run-time state supports nothing else.
//!
//! A `#[derive]` can stand on either side of the attribute. Below it, the derive is part of the
//! item this macro receives. Above it, rustc expands the derive on the item *as written* (the
//! unit struct) before this macro runs and hands the macro the item without it: the derived
//! `Clone` would then name the unit struct as a value and clash with the generated `Clone`
//! (E0423, E0119). So the macro also reads the attributes written just above its own in the
//! source file, reports each derive there with the same message, and leaves the item as
//! written, which the derives were made for.

use proc_macro2::Span;
use quote::ToTokens;

use crate::diag::{Ctxt, Diag};

/// Records every rule 14 problem of the item in `cx`, including derives written above the
/// attribute; `true` when there is none (the item can become the client).
pub fn check(item: &syn::Item, cx: &mut Ctxt) -> bool {
    let before = cx.len();
    let mut push = |tokens: &dyn ToTokens, message: String| {
        let tokens = tokens.to_token_stream();
        let span = tokens
            .clone()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |t| t.span());
        let end = tokens.into_iter().last().map(|t| t.span());
        cx.push(Diag {
            rule: "D14",
            span,
            end,
            message: format!("{message} [D14]"),
        });
    };
    let syn::Item::Struct(s) = item else {
        push(item, "`#[oauth_client]` goes on a unit struct — write `pub struct MyClient;`; the macro turns it into the client".into());
        return false;
    };
    if !s.generics.params.is_empty() || s.generics.where_clause.is_some() {
        push(
            if s.generics.params.is_empty() {
                &s.generics.where_clause
            } else {
                &s.generics
            },
            format!(
                "the client struct cannot be generic: the flow is fixed at compile time — write `struct {};`",
                s.ident
            ),
        );
    }
    if !matches!(s.fields, syn::Fields::Unit) {
        push(
            &s.fields,
            format!(
                "the client struct must be a unit struct: the macro adds its own fields — write `struct {};` and keep your data beside it",
                s.ident
            ),
        );
    }
    for attr in &s.attrs {
        for path in derived(attr) {
            let message = derive_message(&path_name(&path), "");
            push(&path, message);
        }
    }
    for name in derives_above_attribute() {
        let message = derive_message(&name, " written above `#[oauth_client]`");
        push(
            &proc_macro2::Ident::new("oauth_client", Span::call_site()),
            message,
        );
    }
    cx.len() == before
}

/// What to say about `#[derive(name)]` on the client.
fn derive_message(name: &str, where_written: &str) -> String {
    match name {
        "Clone" => format!(
            "remove `Clone` from the `#[derive]`{where_written}: the generated client implements `Clone` itself (clones share one HTTP client and one token cache)"
        ),
        "Debug" => format!(
            "remove `Debug` from the `#[derive]`{where_written}: the generated client implements `Debug` itself, and it never shows a secret or token"
        ),
        _ => format!(
            "remove `{name}` from the `#[derive]`{where_written}: the client wraps shared run-time state (an HTTP client, a token cache) and only implements `Clone`, `Debug`, `Send` and `Sync`"
        ),
    }
}

/// The paths listed in a `#[derive(...)]` attribute (none for any other attribute).
fn derived(attr: &syn::Attribute) -> Vec<syn::Path> {
    if !attr.path().is_ident("derive") {
        return Vec::new();
    }
    attr.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        .map(|paths| paths.into_iter().collect())
        .unwrap_or_default()
}

fn path_name(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The derives written in the attributes just above `#[oauth_client]`, read from the source
/// file (rustc does not pass them to the macro; see the module docs). Empty outside the
/// compiler, or when the source is not a readable local file (then rustc's own errors remain).
fn derives_above_attribute() -> Vec<String> {
    if !proc_macro::is_available() {
        return Vec::new();
    }
    let call_site = proc_macro::Span::call_site();
    let Some(path) = call_site.local_file() else {
        return Vec::new();
    };
    let Ok(source) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Some(before) = text_before(&source, call_site.line(), call_site.column()) else {
        return Vec::new();
    };
    attributes_above(before)
        .iter()
        .filter_map(|text| syn::parse_str::<AttrOnly>(text).ok())
        .flat_map(|a| derived(&a.0))
        .map(|p| path_name(&p))
        .collect()
}

/// The source text before the 1-based `line` and `column` (a column counts characters).
fn text_before(source: &str, line: usize, column: usize) -> Option<&str> {
    let line_start = if line <= 1 {
        0
    } else {
        source.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let rest = source.get(line_start..)?;
    let offset = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    source.get(..line_start + offset)
}

/// One outer attribute, parsed from its source text.
struct AttrOnly(syn::Attribute);

impl syn::parse::Parse for AttrOnly {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let mut attrs = syn::Attribute::parse_outer(input)?;
        match (attrs.pop(), attrs.is_empty()) {
            (Some(attr), true) => Ok(AttrOnly(attr)),
            _ => Err(input.error("expected one attribute")),
        }
    }
}

/// The source text of the outer attributes that end right before `before` ends (the text in
/// front of the macro's own attribute), nearest first. Line comments between attributes are
/// skipped; anything else ends the list.
fn attributes_above(before: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = before;
    loop {
        // The call site may start at `oauth_client` inside `#[...]`: drop the `#[`.
        let trimmed = rest.trim_end();
        let trimmed = trimmed
            .strip_suffix('[')
            .and_then(|t| t.trim_end().strip_suffix('#'))
            .unwrap_or(trimmed);
        let trimmed = skip_line_comments(trimmed);
        let Some(open) = matching_open(trimmed) else {
            return out;
        };
        out.push(&trimmed[open..]);
        rest = &trimmed[..open];
    }
}

/// Drops trailing `// …` lines (doc comments are attributes, but never derives).
fn skip_line_comments(text: &str) -> &str {
    let mut text = text.trim_end();
    while let Some(line_start) = text.rfind('\n').map(|i| i + 1).or(Some(0)) {
        if text[line_start..].trim_start().starts_with("//") {
            text = text[..line_start].trim_end();
            if line_start == 0 {
                break;
            }
        } else {
            break;
        }
    }
    text
}

/// When `text` ends with an attribute `#[...]`, the byte index of its `#`.
fn matching_open(text: &str) -> Option<usize> {
    if !text.ends_with(']') {
        return None;
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let hash = text[..i].trim_end();
                    return hash.strip_suffix('#').map(str::len);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_attributes_above_the_macro() {
        let src = "use x;\n\n/// Docs.\n#[derive(Debug, Clone)]\n// a note\n#[cfg(test)]\n#[";
        assert_eq!(
            attributes_above(src),
            ["#[cfg(test)]", "#[derive(Debug, Clone)]"]
        );
        assert!(attributes_above("fn main() {}\n").is_empty());
        assert!(attributes_above("").is_empty());
        assert_eq!(attributes_above("#[a(b[1])]\n"), ["#[a(b[1])]"]);
    }

    #[test]
    fn text_before_a_line_and_column() {
        let src = "ab\ncdé\n#[x]";
        assert_eq!(text_before(src, 1, 1), Some(""));
        assert_eq!(text_before(src, 2, 3), Some("ab\ncd"));
        assert_eq!(text_before(src, 2, 4), Some("ab\ncdé"));
        assert_eq!(text_before(src, 3, 1), Some("ab\ncdé\n"));
        assert_eq!(text_before(src, 9, 1), None);
    }

    #[test]
    fn reads_derives_from_attribute_text() {
        let attr = syn::parse_str::<AttrOnly>("#[derive(Debug, serde::Serialize)]").unwrap();
        let names: Vec<String> = derived(&attr.0).iter().map(path_name).collect();
        assert_eq!(names, ["Debug", "Serialize"]);
    }

    #[test]
    fn clone_message_does_not_talk_about_debug() {
        assert!(!derive_message("Clone", "").contains("Debug"));
        assert!(derive_message("Debug", "").contains("never shows a secret"));
    }
}
