#!/usr/bin/env bash
# Rebuild the bundled model packs exactly as shipped. Resumable: rerun after an interruption.
# Usage: training/make_packs.sh [pack-id ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/datasets}
W=${WEIGHTS:-../shared/weights/mobilenet_v2/mobilenet_v2_imagenet1k_onnxzoo_dequant.pth}
PY=${PY:-.venv/bin/python}
$PY training/make_probes.py runs/probes/documents
PROBE_PHOTOS=../shared/weights/test_images
common=(--arch mobilenet_v2 --weights "$W" --size 224 --threads 2)
# int8 variant with its own calibration and guards (training/quantize.py, training/variant_fit.py),
# measured against the same probe images; int8 becomes the default only where the rule holds.
int8() {
  local pack=$1 data="" probes=(); shift
  while [ $# -gt 0 ]; do
    case "$1" in --data) data=$2; shift 2;; --ood-probe) probes+=(--ood-probe "$2"); shift 2;; *) shift;; esac
  done
  echo "== $pack int8"; $PY -m training.quantize "models/$pack" --data "$data" "${probes[@]}"
}
run() { echo "== $1"; $PY -m training.cli "${common[@]}" --task "$1" --out "models/$1" "${@:2}"; int8 "$@"; }

want() { [ ${#PACKS[@]} -eq 0 ] && return 0; for p in "${PACKS[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
PACKS=("$@")
# brain-mri-tumor: the best of three recipes compared on val (see its MODEL_CARD.md).
BRAIN_COMPARISON="Three recipes, same data, split and pipeline, on 2 CPU cores: (1) shipped: ImageNet-pretrained MobileNetV2 (dequantised int8 zoo weights), 128 px, every layer fine-tuned (--size 128 --unfreeze 19): val accuracy 95.4 %, macro F1 95.2 %, 21 min; (2) the same recipe from random initialisation (--weights none, backbone learning rate not reduced): 94.5 % / 94.8 %, 33 min; (3) pretrained at 224 px with only the top 5 blocks trained: 93.3 % / 93.4 %, 4 min. The pretrained start wins. (Times are wall clock on a machine shared with other jobs.) The shipped recipe was picked on validation macro F1 among these three, so its validation figure carries a small selection bias."
want brain-mri-tumor && run brain-mri-tumor --data "$DATA/brain_mri" --size 128 --unfreeze 19 --views 2 \
  --epochs-head 3 --epochs-finetune 15 --finetune-lr-factor 0.1 --patience 4 --comparison "$BRAIN_COMPARISON" \
  --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/face_mask/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
GM_COMPARISON="Three recipes, same data, split and pipeline, on 2 CPU cores (ImageNet-pretrained MobileNetV2, dequantised int8 zoo weights): (1) shipped: 128 px, every layer fine-tuned: val accuracy 96.7 %, macro F1 96.7 %, 4 min; (2) the same at 224 px: 97.0 % / 97.0 % (one image more), 16 min, with finer heatmaps (7x7 grid; tools/cam_focus.py: 75 % of the heatmap mass on the head against 57 %), not shipped: its out-of-distribution guard refused 27 % of validation images downscaled to 160 px (7 % at 128 px) and let 2 of 60 chest X-rays through; (3) 224 px with only the top 5 blocks trained: 95.5 % / 95.5 %, 12 min (shared machine). Picked on validation macro F1 and guard behaviour. The published 99.3 % used DenseNet-121, whose ImageNet weights could not be had offline."
want brain-mri-glioma-meningioma && run brain-mri-glioma-meningioma --data "$DATA/brain_mri" \
  --classes glioma,meningioma --size 128 --unfreeze 19 --views 2 --epochs-head 3 --epochs-finetune 15 \
  --finetune-lr-factor 0.1 --patience 4 --ood-downscaled --comparison "$GM_COMPARISON" \
  --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/face_mask/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
want chest-xray-pneumonia && run chest-xray-pneumonia --data "$DATA/chest_xray" --unfreeze 2 --views 2 --ood-downscaled \
  --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/face_mask/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
want face-mask && run face-mask --data "$DATA/face_mask" --unfreeze 2 --views 2 --early-guard features.13 --ood-downscaled \
  --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
want palm-anemia && run palm-anemia --data "$DATA/palm_anemia" --unfreeze 5 --views 6 --epochs-head 40 --epochs-finetune 20 --brightness 0 \
  --early-guard features.13 --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/face_mask/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
echo "all requested packs built"
