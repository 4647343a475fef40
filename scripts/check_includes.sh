#!/usr/bin/env bash
# Enforces DESIGN.md's dependency direction: a module may include only the
# modules listed for it here (plus itself).
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A allowed=(
  [core]=""
  [kernels]="core"
  [autograd]="core kernels"
  [nn]="core kernels autograd"
  [models]="core kernels autograd nn"
  [optim]="core kernels autograd"
  [data]="core"
  [io]="core"
  [eval]="core"
  # train may use generate: a run's report shows samples, as nanoGPT prints them.
  [train]="core kernels autograd nn models optim data io eval generate"
  [generate]="core kernels autograd nn models data"
  [viz]="core kernels autograd nn models data io"
)
status=0
for dir in src/attn/*/; do
  mod=$(basename "$dir")
  [[ -v "allowed[$mod]" ]] || { echo "check_includes: unknown module src/attn/$mod"; status=1; continue; }
  while IFS=: read -r file _ inc; do
    dep=$(sed -E 's|.*"attn/([a-z_]+)/.*|\1|' <<<"$inc")
    [[ "$dep" == "$mod" ]] && continue
    if ! grep -qw "$dep" <<<"${allowed[$mod]}"; then
      echo "check_includes: $file includes attn/$dep/ but $mod may include only: ${allowed[$mod]:-(nothing)}"
      status=1
    fi
  done < <(grep -Hn '#include "attn/' "$dir"* 2>/dev/null || true)
done
[ $status = 0 ] && echo "check_includes: ok"
exit $status
