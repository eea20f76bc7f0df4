#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each; `fuzz/run.sh 300` for 5 min),
# starting from the committed seeds in fuzz/seeds/<target>; what it finds goes to the local
# working corpus fuzz/corpus/<target> (git-ignored), which the next run starts from too. Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# A crash stops the run and leaves the input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
for target in callback form_post token_response metadata id_token device_authorization jwks userinfo; do
  echo "== $target (${seconds}s)"
  mkdir -p "corpus/$target"
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time="$seconds" -max_len=65536
done
