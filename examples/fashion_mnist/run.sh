#!/usr/bin/env bash
# Fashion-MNIST end to end: PNGs + manifest -> random-conv backbone -> mmoe cache -> mmoe train ->
# test accuracy. Needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist).
#   examples/fashion_mnist/run.sh WORKDIR [TRAIN_IMAGES] [TEST_IMAGES]   (defaults: 60000 10000)
# MMOE (default: build/cli/mmoe) names the binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:?usage: run.sh WORKDIR [TRAIN_IMAGES] [TEST_IMAGES]}"
train_images="${2:-60000}"
test_images="${3:-10000}"
mmoe="$(realpath "${MMOE:-build/cli/mmoe}")"
val_images=$(( train_images / 12 ))
mkdir -p "$work"
cp "$here/cache.yaml" "$here/train.yaml" "$work/"
cd "$work"
python3 "$here/make_pngs.py" --out . --train "$train_images" --val "$val_images" --test "$test_images"
"$mmoe" backbone random-conv --out backbone.pt --channels 128 --grid 4 --seed 0
time "$mmoe" cache cache.yaml
"$mmoe" train train.yaml
run_id="$("$mmoe" runs list --store fmnist.db --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
"$mmoe" eval --run "$run_id" --store fmnist.db --split test
