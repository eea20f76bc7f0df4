//! The `#[oauth_client]` attribute macro of [oauthflow](https://docs.rs/oauthflow).
//!
//! Use it through the `oauthflow` crate (`use oauthflow::oauth_client;`), whose documentation
//! describes the grammar, the decision tree and every compile-time rule.
//!
//! The pipeline, all in [`oauth_client`] below: [`attr`] reads the arguments (the table of
//! [`args`]) into the typed
//! [`ast::Input`]; [`item`] checks the annotated item (rule 14, derives above or below the
//! attribute); [`policy`] walks the decision tree and checks every rule; [`expand`] writes the
//! client (its step methods come from [`steps`]) — or, when the kind is unknown or the item is
//! not a plain unit struct, [`fallback`] writes the errors and the item as it was.

mod args;
mod ast;
mod attr;
mod expand;
mod fallback;
mod item;
mod names;
mod policy;
mod steps;
mod uri;

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::ast::Str;

/// Turns a unit struct into a typed OAuth 2.0 client for the grant its `kind` selects.
///
/// See the `oauthflow` crate for the full documentation.
#[proc_macro_attribute]
pub fn oauth_client(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    pipeline(args.into(), item.into()).into()
}

/// parse → check the item → policy → expand, or the errors plus the untouched item.
fn pipeline(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed: syn::Item = match syn::parse2(item.clone()) {
        Ok(parsed) => parsed,
        Err(e) => return fallback::emit(item, &[], Some(e)),
    };
    let item_diags = item::check(&parsed);
    let name = match &parsed {
        syn::Item::Struct(s) => Str::new(s.ident.to_string(), s.ident.span()),
        _ => Str::new("Client", Span::call_site()),
    };
    let (input, mut diags) = match attr::parse(args, name) {
        Ok(parsed_args) => parsed_args,
        Err(e) => return fallback::emit(item, &item_diags, Some(e)),
    };
    let (client, policy_diags) = policy::check_all(&input);
    diags.extend(policy_diags);
    let item_ok = item_diags.is_empty();
    diags.extend(item_diags);
    in_source_order(&mut diags);
    match (client, parsed) {
        // Expand even when some rule failed, as long as the kind is known and the item is a
        // plain unit struct: the user's calls to the client's methods then type-check, and
        // only the attribute's own errors show.
        (Some(client), syn::Item::Struct(s)) if item_ok => {
            let errors = diags
                .iter()
                .map(|d| fallback::to_syn_error(d).to_compile_error());
            let expansion = expand::generate(&s, &client);
            quote!(#(#errors)* #expansion)
        }
        _ => fallback::emit(item, &diags, None),
    }
}

/// Sorts diagnostics by where they point, so they read top to bottom like the attribute.
/// Only inside the compiler (where spans have positions); elsewhere the order is kept.
fn in_source_order(diags: &mut [policy::Diag]) {
    if !proc_macro::is_available() {
        return;
    }
    diags.sort_by_key(|d| {
        let span = d.span.unwrap();
        (span.line(), span.column())
    });
}

/// Checks an attribute without any item (for tests and expansion snapshots).
#[cfg(test)]
fn check_args(args: TokenStream, name: &str) -> Result<ast::Client, Vec<policy::Diag>> {
    use policy::Diag;
    let (input, mut diags) = attr::parse(args, Str::new(name, Span::call_site()))
        .map_err(|e| vec![Diag::new("C1", e.span(), e.to_string())])?;
    match policy::check(&input) {
        Ok(client) if diags.is_empty() => Ok(client),
        Ok(_) => Err(diags),
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}
