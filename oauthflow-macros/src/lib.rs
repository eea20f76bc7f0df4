//! The `#[oauth_client]` attribute macro of [oauthflow](https://docs.rs/oauthflow).
//!
//! Use it through the `oauthflow` crate (`use oauthflow::oauth_client;`), whose documentation
//! describes the grammar, the decision tree and every compile-time rule. The pipeline:
//! `attr` (read the arguments) → `policy` (decision tree and rules) → `expand` (the client), or
//! `fallback` (the errors and the untouched struct).

mod ast;
mod attr;
mod expand;
mod fallback;
mod names;
mod policy;
mod uri;

use proc_macro::TokenStream;

/// Turns a unit struct into a typed OAuth 2.0 client for the grant its `kind` selects.
///
/// See the `oauthflow` crate for the full documentation.
#[proc_macro_attribute]
pub fn oauth_client(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::oauth_client(args.into(), item.into()).into()
}
