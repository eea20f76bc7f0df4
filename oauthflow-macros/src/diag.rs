//! The diagnostics sink (serde_derive's `Ctxt`): every stage of the pipeline — reading the
//! arguments, checking the item, the policy — adds what it finds to one [`Ctxt`], and the macro
//! reports them all together, in source order.

use proc_macro2::Span;

/// One broken rule: where, which rule, and the message (which already says what to write).
#[derive(Clone, Debug)]
pub struct Diag {
    /// The rule's code (`"C5"`, or `"D14"` for the item shape; `docs/security.md` lists them).
    #[cfg_attr(not(test), allow(dead_code))]
    pub rule: &'static str,
    /// Where the error points.
    pub span: Span,
    /// Where the error ends, for multi-token ranges.
    pub end: Option<Span>,
    /// The full one-line message.
    pub message: String,
}

impl Diag {
    /// A diagnostic at one token; the rule number is appended to the message (`… [C5]`).
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diag {
            rule,
            span,
            end: None,
            message: format!("{} [{rule}]", message.into()),
        }
    }

    /// The same diagnostic spanning `self.span..end`.
    pub fn to(self, end: Option<Span>) -> Self {
        Diag { end, ..self }
    }
}

/// Where every stage puts what it found.
#[derive(Default)]
pub struct Ctxt {
    diags: Vec<Diag>,
}

impl Ctxt {
    /// Records a broken rule at one token.
    pub fn err(&mut self, rule: &'static str, span: Span, message: impl Into<String>) {
        self.diags.push(Diag::new(rule, span, message));
    }

    /// Records a diagnostic.
    pub fn push(&mut self, diag: Diag) {
        self.diags.push(diag);
    }

    /// Records several diagnostics.
    pub fn extend(&mut self, diags: impl IntoIterator<Item = Diag>) {
        self.diags.extend(diags);
    }

    /// How many diagnostics were recorded so far.
    pub fn len(&self) -> usize {
        self.diags.len()
    }

    /// The diagnostics, sorted by where they point so they read top to bottom like the
    /// attribute. Only inside the compiler are spans positioned; elsewhere the order is kept.
    pub fn into_sorted(mut self) -> Vec<Diag> {
        if proc_macro::is_available() {
            self.diags.sort_by_key(|d| {
                let span = d.span.unwrap();
                (span.line(), span.column())
            });
        }
        self.diags
    }
}
