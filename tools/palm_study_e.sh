#!/usr/bin/env bash
# Recipe e of tools/palm_study.py: the shipped palm-anemia recipe (training/make_packs.sh, without
# probes and int8) trained once per outer fold of repeat 0, one pack per fold.
# Usage: tools/palm_study_e.sh                 SIZE=224|128, NAME=run suffix (s1 = seed 1 ...),
#        SIZE=224 NAME=s1 EXTRA="--seed 1" tools/palm_study_e.sh   EXTRA overrides trainer options
# Resumable; then rerun tools/palm_study.py to score the packs. 1 thread, ~2-4 min per fold at 224.
set -eu
cd "$(dirname "$0")/.."
SIZE=${SIZE:-224}; NAME=${NAME:-}; EXTRA=${EXTRA:-}
PY=${PY:-.venv/bin/python}
OUT=runs/palm_study
[ -d $OUT/folds/r0_k4 ] || $PY tools/palm_study.py --fold-folders 1
for k in 0 1 2 3 4; do
  pack=$OUT/e${SIZE}${NAME}/r0_k$k
  [ -f "$pack/manifest.json" ] && continue
  # shellcheck disable=SC2086  # EXTRA is a list of options
  $PY -W ignore -m training.cli --arch mobilenet_v2 \
    --weights ../shared/weights/mobilenet_v2/mobilenet_v2_imagenet1k_onnxzoo_dequant.pth --size "$SIZE" --threads 1 \
    --task palm-anemia --data $OUT/folds/r0_k$k --out "$pack" --workdir $OUT/e${SIZE}${NAME}/work_k$k \
    --unfreeze 5 --views 6 --epochs-head 40 --epochs-finetune 20 --brightness 0 --seed 0 $EXTRA
done
