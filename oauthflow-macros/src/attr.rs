//! Reads the attribute's arguments into an [`Input`].
//!
//! A small dispatcher over darling's `NestedMeta` list, with darling's `FromMeta` for each value.
//! It never stops at the first problem: unknown, duplicate and badly shaped arguments become
//! [`Diag`]s, refused keys (secrets, grant knobs) are kept for the policy to explain, and every
//! well-formed argument is recorded, so policy errors show up in the same compile.

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{Expr, Lit, Meta};

use crate::args::{self, ArgSpec, Slot};
use crate::ast::{Arg, AudienceInput, Input, Str};
use crate::diag::{Ctxt, Diag};
use crate::names;
use crate::policy::{GRANT_KEYS, is_secret_key};

/// A string literal value (`key = "..."`).
struct StrValue(Str);

impl FromMeta for StrValue {
    fn from_value(value: &Lit) -> darling::Result<Self> {
        match value {
            Lit::Str(s) => Ok(StrValue(Str::new(s.value(), s.span()))),
            other => Err(darling::Error::unexpected_lit_type(other)),
        }
    }
}

/// A bool value: `key = true`, `key = false`, or the bare word `key` (true).
struct BoolValue(bool, Option<Span>);

impl FromMeta for BoolValue {
    fn from_word() -> darling::Result<Self> {
        Ok(BoolValue(true, None))
    }

    fn from_value(value: &Lit) -> darling::Result<Self> {
        match value {
            Lit::Bool(b) => Ok(BoolValue(b.value, Some(b.span))),
            other => Err(darling::Error::unexpected_lit_type(other)),
        }
    }
}

/// A list of strings: `key = ["a", "b"]` (or `key("a", "b")`).
struct StrList(Vec<Str>);

impl FromMeta for StrList {
    fn from_list(items: &[NestedMeta]) -> darling::Result<Self> {
        items
            .iter()
            .map(|item| match item {
                NestedMeta::Lit(lit) => StrValue::from_value(lit).map(|s| s.0),
                other => Err(darling::Error::unexpected_type("meta").with_span(other)),
            })
            .collect::<darling::Result<_>>()
            .map(StrList)
    }

    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        match expr {
            Expr::Array(array) => array
                .elems
                .iter()
                .map(|e| StrValue::from_expr(e).map(|s| s.0))
                .collect::<darling::Result<_>>()
                .map(StrList),
            Expr::Group(g) => Self::from_expr(&g.expr),
            other => Err(darling::Error::unexpected_expr_type(other)),
        }
    }
}

/// `audiences = ["uri", ...]` or `audiences(Name = "uri", ...)`.
struct AudienceList(Vec<AudienceInput>);

impl FromMeta for AudienceList {
    fn from_list(items: &[NestedMeta]) -> darling::Result<Self> {
        let mut errors = darling::Error::accumulator();
        let mut out = Vec::new();
        for item in items {
            let entry = match item {
                NestedMeta::Lit(Lit::Str(s)) => Some(AudienceInput {
                    name: None,
                    uri: Str::new(s.value(), s.span()),
                }),
                NestedMeta::Meta(Meta::NameValue(nv)) => {
                    let name = nv.path.get_ident().map(|i| {
                        let name = i.to_string();
                        Str::new(name.strip_prefix("r#").unwrap_or(&name), i.span())
                    });
                    match (name, StrValue::from_expr(&nv.value)) {
                        (Some(name), Ok(uri)) => Some(AudienceInput {
                            name: Some(name),
                            uri: uri.0,
                        }),
                        _ => {
                            errors.push(shape_error(item, "each named audience is `Name = \"uri\"`, e.g. `audiences(Orders = \"https://api.example.com/orders\")`"));
                            None
                        }
                    }
                }
                other => {
                    errors.push(shape_error(other, "each named audience is `Name = \"uri\"`, e.g. `audiences(Orders = \"https://api.example.com/orders\")`"));
                    None
                }
            };
            out.extend(entry);
        }
        errors.finish_with(AudienceList(out))
    }

    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        StrList::from_expr(expr).map(|list| {
            AudienceList(
                list.0
                    .into_iter()
                    .map(|uri| AudienceInput { name: None, uri })
                    .collect(),
            )
        })
    }
}

/// A darling error with our own wording, spanned on `tokens`.
fn shape_error(tokens: &dyn ToTokens, message: &str) -> darling::Error {
    darling::Error::custom(format!("{message} [C1]")).with_span(&first_span(tokens))
}

/// The span of the first token (stable renders a single token the same on every toolchain).
fn first_span(tokens: &dyn ToTokens) -> SpanOf {
    SpanOf(
        tokens
            .to_token_stream()
            .into_iter()
            .next()
            .map_or_else(Span::call_site, |t| t.span()),
    )
}

/// A bare span that darling can attach an error to.
struct SpanOf(Span);

impl ToTokens for SpanOf {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(quote::quote_spanned!(self.0=> _));
    }
}

/// Reads the arguments. `Err` only when the list does not parse at all (then nothing else can
/// be said); otherwise the input and the argument-level errors.
pub fn parse(args: TokenStream, name: Str, cx: &mut Ctxt) -> syn::Result<Input> {
    let mut tokens = args.clone().into_iter();
    let first = tokens.next().map_or_else(Span::call_site, |t| t.span());
    let last = tokens.last().map(|t| t.span());
    let list = NestedMeta::parse_meta_list(args)?;
    let mut input = Input::new(name);
    input.args = (first, last);
    let mut seen: Vec<String> = Vec::new();
    for item in &list {
        let (path, meta) = match item {
            NestedMeta::Meta(meta) => (meta.path(), Some(meta)),
            NestedMeta::NameValueInvalidExpr(invalid) => (&invalid.path, None),
            NestedMeta::Lit(lit) => {
                let hint = match lit {
                    Lit::Str(s) if crate::ast::Kind::parse(&s.value()).is_some() => {
                        input.unreadable.push("kind".into());
                        format!("kind = \"{}\"", s.value())
                    }
                    _ => "kind = \"web\"".to_owned(),
                };
                cx.push(Diag::new(
                    "C1",
                    lit.span(),
                    format!("expected `name = value`, found a bare literal — e.g. `{hint}`"),
                ));
                continue;
            }
        };
        let Some(ident) = path.get_ident() else {
            cx.push(Diag::new(
                "C1",
                first_span(path).0,
                "expected an argument name such as `kind`, found a path",
            ));
            continue;
        };
        let key = ident.to_string();
        let key = key.strip_prefix("r#").unwrap_or(&key).to_owned();
        let key_span = ident.span();
        if is_secret_key(&key) || GRANT_KEYS.contains(&key.as_str()) {
            let value = meta
                .and_then(|m| StrValue::from_meta(m).ok())
                .map(|s| s.0.value);
            input.refused.push(crate::ast::Refused {
                key: Str::new(key, key_span),
                value,
            });
            continue;
        }
        let Some(spec) = args::find(&key) else {
            let names = args::names();
            let message = match names::did_you_mean(&key, &names) {
                Some(s) => {
                    input.unreadable.push(s.into());
                    format!("unknown argument `{key}`: did you mean `{s}`?")
                }
                None => format!(
                    "unknown argument `{key}`: the arguments are {}",
                    names.join(", ")
                ),
            };
            cx.push(Diag::new("C1", key_span, message));
            continue;
        };
        if seen.contains(&key) {
            cx.push(Diag::new(
                "C1",
                key_span,
                format!("`{key}` is given twice — remove this one"),
            ));
            continue;
        }
        seen.push(key.clone());
        let value_span = match item {
            NestedMeta::Meta(Meta::NameValue(nv)) => first_span(&nv.value).0,
            NestedMeta::NameValueInvalidExpr(invalid) => first_span(&invalid.value).0,
            _ => key_span,
        };
        let Some(meta) = meta else {
            cx.push(bad_value(spec, value_span));
            input.unreadable.push(key);
            continue;
        };
        if let Err(d) = read_value(&mut input, spec, key_span, value_span, meta) {
            cx.extend(d);
            input.unreadable.push(key);
        }
    }
    Ok(input)
}

/// Reads one known argument's value into its slot of `input`.
fn read_value(
    input: &mut Input,
    spec: &ArgSpec,
    key_span: Span,
    value_span: Span,
    meta: &Meta,
) -> Result<(), Vec<Diag>> {
    let bad = || vec![bad_value(spec, value_span)];
    match spec.slot {
        Slot::Str(slot) => {
            let s = StrValue::from_meta(meta).map_err(|_| bad())?.0;
            *slot(input) = Some(Arg {
                key: key_span,
                span: s.span,
                value: s.value,
            });
        }
        Slot::Bool(slot) => {
            let b = BoolValue::from_meta(meta).map_err(|_| bad())?;
            *slot(input) = Some(Arg {
                key: key_span,
                span: b.1.unwrap_or(key_span),
                value: b.0,
            });
        }
        Slot::Scopes => {
            let list = StrList::from_meta(meta).map_err(|_| bad())?;
            args::store_scopes(
                input,
                Arg {
                    key: key_span,
                    span: value_span,
                    value: list.0,
                },
            );
        }
        Slot::Audiences => {
            let list = AudienceList::from_meta(meta).map_err(|e| {
                syn::Error::from(e)
                    .into_iter()
                    .map(|e| {
                        let message = e.to_string();
                        if message.ends_with("[C1]") {
                            Diag {
                                rule: "C1",
                                span: e.span(),
                                end: None,
                                message,
                            }
                        } else {
                            bad_value(spec, value_span)
                        }
                    })
                    .collect::<Vec<_>>()
            })?;
            args::store_audiences(
                input,
                Arg {
                    key: key_span,
                    span: value_span,
                    value: list.0,
                },
            );
        }
    }
    Ok(())
}

/// "`key` takes …": the value has the wrong shape.
fn bad_value(spec: &ArgSpec, span: Span) -> Diag {
    Diag::new(
        "C1",
        span,
        format!(
            "`{}` takes {}: `{}`",
            spec.name,
            spec.slot.shape(),
            spec.example
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn read(args: TokenStream) -> (Input, Vec<String>) {
        let mut cx = Ctxt::default();
        let input = parse(args, Str::new("Client", Span::call_site()), &mut cx).unwrap();
        (
            input,
            cx.into_sorted().into_iter().map(|d| d.message).collect(),
        )
    }

    #[test]
    fn reads_every_argument() {
        let (input, diags) = read(quote! {
            kind = "machine", issuer = "https://a/", audiences = ["https://a/x"],
            audience_param = "resource", scopes = ["s"], env_prefix = "P",
            refresh_tokens, access_token = false,
        });
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(input.kind.unwrap().value, "machine");
        assert_eq!(input.audiences.unwrap().value[0].uri.value, "https://a/x");
        assert_eq!(input.scopes.unwrap().value[0].value, "s");
        assert!(input.refresh_tokens.unwrap().value);
        assert!(!input.access_token.unwrap().value);
    }

    #[test]
    fn reads_named_audiences() {
        let (input, diags) =
            read(quote! { audiences(orders = "https://a/o", Billing = "https://a/b") });
        assert!(diags.is_empty(), "{diags:?}");
        let names: Vec<_> = input
            .audiences
            .unwrap()
            .value
            .into_iter()
            .map(|a| a.name.unwrap().value)
            .collect();
        assert_eq!(names, ["orders", "Billing"]);
    }

    #[test]
    fn reports_unknown_duplicate_and_bad_values_together() {
        let (input, diags) = read(quote! {
            kind = "web", kind = "spa", redirect_url = "https://a/cb",
            refresh_tokens = "yes", client_secret = "s", audiences(Orders = 1),
        });
        assert_eq!(input.kind.unwrap().value, "web");
        assert_eq!(input.refused.len(), 1);
        assert_eq!(diags.len(), 4, "{diags:?}");
        assert!(diags[0].contains("`kind` is given twice"));
        assert!(diags[1].contains("did you mean `redirect_uri`?"));
        assert!(diags[2].contains("`refresh_tokens` takes a bool"));
        assert!(diags[3].contains("each named audience is `Name = \"uri\"`"));
    }
}
