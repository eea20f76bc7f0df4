//! On error: the errors, then the item exactly as written.
//!
//! Keeping the user's struct (thiserror's fallback idea) means the rest of their code still
//! finds the type, so the compile shows the attribute's errors and not a cascade after them.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::diag::Diag;

/// A `compile_error!` for one diagnostic, spanning `span..end`.
pub fn to_syn_error(diag: &Diag) -> syn::Error {
    match diag.end {
        // `new_spanned` renders a first..last token range the same on stable and nightly.
        Some(end) => {
            let first = Ident::new("first", diag.span);
            let last = Ident::new("last", end);
            syn::Error::new_spanned(quote!(#first #last), &diag.message)
        }
        None => syn::Error::new(diag.span, &diag.message),
    }
}

/// The errors plus the untouched item.
pub fn emit(item: TokenStream, diags: &[Diag], parse_error: Option<syn::Error>) -> TokenStream {
    let errors = parse_error
        .into_iter()
        .chain(diags.iter().map(to_syn_error))
        .map(|e| e.to_compile_error());
    quote! {
        #(#errors)*
        #item
    }
}
