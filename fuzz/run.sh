#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS (default 60) each, after building its corpus directory
# from the committed seeds (fuzz/seeds), the command lines of the scenario transcripts and, when
# present, the shared corpus of real manifests (../shared/corpus, read-only: libFuzzer writes
# new inputs only to the first directory). Crashes land in fuzz/artifacts/<target>/.
# Usage: fuzz/run.sh [target ...]   (from the repository root; `make fuzz` calls it)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(decode apply commands patch selectors quantity_duration share_session)
fi
shared=../shared/corpus

for t in "${targets[@]}"; do
  corpus="fuzz/corpus/$t"
  mkdir -p "$corpus"
  extra=()
  dict=()
  features=()
  case "$t" in
    decode)
      cp -n fuzz/seeds/manifests/* "$corpus"/
      [ -d "$shared" ] && extra+=("$shared")
      dict=(-dict=fuzz/dict/yaml.dict)
      ;;
    apply)
      # A fresh cluster per input takes seconds under ASan, so the 636 shared manifests (which
      # core/tests/corpus.rs applies anyway) would use the whole budget before any mutation.
      cp -n fuzz/seeds/manifests/* "$corpus"/
      dict=(-dict=fuzz/dict/yaml.dict)
      ;;
    commands)
      cp -n fuzz/seeds/commands/* "$corpus"/
      # One seed per command line of the golden transcripts.
      grep -h '^\$ ' core/tests/scenarios/*.txt | sed 's/^\$ //' | while IFS= read -r line; do
        printf '%s\n' "$line" > "$corpus/scenario-$(printf '%s' "$line" | cksum | cut -d' ' -f1)"
      done
      dict=(-dict=fuzz/dict/commands.dict)
      ;;
    share_session)
      cp -n fuzz/seeds/share_session/* "$corpus"/
      features=(--features web)
      ;;
    *)
      cp -n "fuzz/seeds/$t"/* "$corpus"/
      ;;
  esac
  echo "==> fuzz $t for ${seconds}s"
  # -rss_limit_mb: an input that makes us allocate without bound is a finding, not an OOM kill.
  cargo +nightly fuzz run --fuzz-dir fuzz "${features[@]}" "$t" "$corpus" "${extra[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 "${dict[@]}"
done
