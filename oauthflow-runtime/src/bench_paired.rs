//! The paired measurement of the benches (this crate's and the `oauthflow` crate's): two sides
//! alternate in 21 batches, and the median of the per-batch ratios is robust to the neighbours'
//! load on a shared machine (criterion's own reports measure each side alone, minutes apart).

use std::time::Instant;

/// Alternates 21 batches of `a` and `b` (each returns its ns per call) and prints the median
/// times and the median of the per-batch ratios a / b.
pub fn paired(label: &str, a: impl Fn() -> f64, b: impl Fn() -> f64) {
    const ROUNDS: usize = 21;
    let (mut ta, mut tb, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (x, y) = (a(), b());
        ta.push(x);
        tb.push(y);
        ratio.push(x / y);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "paired {label}: {:.1} ns vs {:.1} ns per call, median ratio {:.3}",
        median(&mut ta),
        median(&mut tb),
        median(&mut ratio)
    );
}

/// ns per call of `f` over a batch of `calls`.
pub fn per_call(calls: u32, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..calls {
        f();
    }
    t.elapsed().as_nanos() as f64 / f64::from(calls)
}
