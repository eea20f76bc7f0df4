//! The `#[oauth_client]` attribute macro of [oauthflow](https://docs.rs/oauthflow).
//!
//! Use it through the `oauthflow` crate (`use oauthflow::oauth_client;`), whose documentation
//! describes the grammar, the decision tree and every compile-time rule.
//!
//! The pipeline behind [`oauth_client`], all in one function (`pipeline`): `attr` reads the
//! arguments (with the table of `args`) into the typed `ast::Input`; `item` checks the annotated item (rule 14, derives above or below the
//! attribute); `policy` walks the decision tree and checks every rule; `expand` writes the
//! client (its step methods come from `steps`) — or, when the kind is unknown or the item is
//! not a plain unit struct, `fallback` writes the errors and the item as it was.

mod args;
mod ast;
mod attr;
mod diag;
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
use crate::diag::Ctxt;

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

/// parse → check the item → policy → expand, or the errors plus the untouched item. Every stage
/// records what it finds in one [`Ctxt`]; all of it is reported together.
fn pipeline(args: TokenStream, item: TokenStream) -> TokenStream {
    let parsed: syn::Item = match syn::parse2(item.clone()) {
        Ok(parsed) => parsed,
        Err(e) => return fallback::emit(item, &[], Some(e)),
    };
    let mut cx = Ctxt::default();
    let item_ok = item::check(&parsed, &mut cx);
    let name = match &parsed {
        syn::Item::Struct(s) => Str::new(s.ident.to_string(), s.ident.span()),
        _ => Str::new("Client", Span::call_site()),
    };
    let input = match attr::parse(args, name, &mut cx) {
        Ok(input) => input,
        Err(e) => return fallback::emit(item, &cx.into_sorted(), Some(e)),
    };
    let client = policy::check_all(&input, &mut cx);
    let diags = cx.into_sorted();
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

/// Checks an attribute without any item (for tests and expansion snapshots).
#[cfg(test)]
fn check_args(args: TokenStream, name: &str) -> Result<ast::Client, Vec<diag::Diag>> {
    let mut cx = Ctxt::default();
    let input = attr::parse(args, Str::new(name, Span::call_site()), &mut cx)
        .map_err(|e| vec![diag::Diag::new("C1", e.span(), e.to_string())])?;
    match policy::check_all(&input, &mut cx) {
        Some(client) if cx.len() == 0 => Ok(client),
        _ => Err(cx.into_sorted()),
    }
}
