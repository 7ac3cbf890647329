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
  # shellcheck disable=SC2046 # the recipe is a list of words
  echo "== $pack int8"; $PY -m training.quantize "models/$pack" --data "$data" $(int8_recipe "$pack") "${probes[@]}"
}
# Quantisation recipe chosen on shift/ (training/quantize.py): int8 must hold there too. With
# everything quantised the chest and brain-tumour int8 variants matched fp32 on val but lost 2.6
# and 1.2 points on shift/; leaving the first two blocks (full resolution) in fp32 holds for all
# three packs with a shift/ split, at the same file size.
int8_recipe() {
  case "$1" in
    chest-xray-pneumonia|brain-mri-glioma-meningioma) echo "--fp32-blocks 0,1";;
    # retrained 2026-12-01: minmax lost 0.51 points on val (rule: < 0.5), percentile 0.17 (0.46 on shift)
    brain-mri-tumor) echo "--fp32-blocks 0,1 --method percentile";;
  esac
}
run() { echo "== $1"; $PY -m training.cli "${common[@]}" --task "$1" --out "models/$1" "${@:2}"; int8 "$@"; }

want() { [ ${#PACKS[@]} -eq 0 ] && return 0; for p in "${PACKS[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
PACKS=("$@")
# Brain and chest packs (v2.0.0): recipes trained and compared by training/gpu_recipes.py, on a lent
# GPU in minutes (it also runs on the CPU, for hours, resuming after a kill; brain-mri-tumor ships
# t_os16_scanner_box05 trained again on the CPU, saved as t_os16_scanner_box05_cpu.pt with its
# results row renamed to match, as the card's recipe table explains); the chosen weights then
# go through this pipeline (--init-checkpoint) for calibration, guards, probes, int8 and the card,
# which lists every recipe tried with its val and shift figures.
gpu_recipes() {  # $1 dataset, $2 set, $3 size, $4 resize, $5 JPEG quality
  local zip=runs/gpu-data/$1_$3.zip
  [ -f "$zip" ] || $PY -m training.gpu_data "$DATA/$1" "$zip" --size "$3" --resize "$4" --quality "$5"
  $PY -m training.gpu_recipes "$zip" "$W" "runs/gpu-$2" --set "$2"
}
BRAIN_PROBES=(--ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/face_mask/val" --ood-probe "$DATA/palm_anemia/val"
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents)
if want brain-mri-tumor || want brain-mri-glioma-meningioma; then gpu_recipes brain_mri brain 128 letterbox 95; fi
# Recipes at 160 px (Recipe.size) need their own archive: gpu_recipes brain_mri brain 160 letterbox 95
# (the 128 px recipes are skipped on it). glioma-meningioma at 160 px (2026-12-01, CPU) answered
# better but its guard refused more of shift/; brain-mri-tumor at 160 px did better on shift/ but
# missed the batch speed targets: both stay at 128 px (their cards' recipe tables).
want brain-mri-tumor && run brain-mri-tumor --data "$DATA/brain_mri" --size 128 --output-stride 16 \
  --early-guard features.13 --pack-version 2.0.0 \
  --init-checkpoint runs/gpu-brain/t_os16_scanner_box05_cpu.pt --init-results runs/gpu-brain/results.json "${BRAIN_PROBES[@]}"
# glioma-meningioma v2.1.0 (2026-12-01): the three 128 px runs with box weight 0.5, logits averaged
# (training/ensemble.py; its card says why). The early guard reads every member's features.13.
want brain-mri-glioma-meningioma && run brain-mri-glioma-meningioma --data "$DATA/brain_mri" \
  --classes glioma,meningioma --size 128 --output-stride 16 --ood-downscaled \
  --early-guard features.13 --pack-version 2.1.0 \
  --init-checkpoint runs/gpu-brain/gm_os16_scanner_box05.pt \
  --ensemble-with runs/gpu-brain/gm_os16_scanner_box05_cpu.pt runs/gpu-brain/gm_os16_scanner_box05_src3.pt \
  --init-results runs/gpu-brain/results.json "${BRAIN_PROBES[@]}"
want chest-xray-pneumonia && gpu_recipes chest_xray chest 224 stretch 85
want chest-xray-pneumonia && run chest-xray-pneumonia --data "$DATA/chest_xray" --ood-downscaled \
  --pack-version 2.0.0 --init-checkpoint runs/gpu-chest/c_scanner_ls.pt --init-results runs/gpu-chest/results.json \
  --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/face_mask/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
want face-mask && run face-mask --data "$DATA/face_mask" --unfreeze 2 --views 2 --early-guard features.13 --ood-downscaled \
  --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
want palm-anemia && run palm-anemia --data "$DATA/palm_anemia" --unfreeze 5 --views 6 --epochs-head 40 --epochs-finetune 20 --brightness 0 \
  --early-guard features.13 --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/face_mask/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
# Guard operating points chosen after the build (models/guard_comparison.md; val quantiles only,
# shift/ measured, never fitted): the brain packs' combined thresholds, chest's at the val 99.5th
# percentile (with the int8 requantised at q99 it refused 4.5 % of shift/), and the face-mask guards
# refitted on camera-like copies of its training photos too (training/camera_guard.py).
# brain-mri-tumor moved to the 99.9th with its CPU retraining (2026-12-01): at the 99.5th it
# answered 96.0 % of shift/ (fp32), at the 99.9th 97.6 % (fp32) and 97.3 % (int8, the default), with
# 9 and 7 of 240 artefact images answered and no probe.
# Since 2026-12-01 (later) both brain packs' guards are refitted on scanner-like copies of their
# training images too (a lifted black level, noise, a wider border...; training/camera_guard.py),
# thresholds as before: at the same val quantile they answered 98.2 / 99.0 % of shift/ instead of
# 97.3 / 98.0 %, and 98.3-99.7 % of val under each change of training/site_changes.py instead of
# as little as 57 / 41 % (a flatter window); artefacts, probes and other modalities still refused
# through the app (models/guard_comparison.md). brain-mri-tumor's int8 steps to the 99.8th
# percentile so that its guards flag no fewer probe images than fp32's (training/guard_refit.py).
want brain-mri-tumor && $PY -m training.guard models/brain-mri-tumor --refit-scanner --data "$DATA/brain_mri" \
  "${BRAIN_PROBES[@]}" --quantile 0.999 --combined
want brain-mri-glioma-meningioma && $PY -m training.guard models/brain-mri-glioma-meningioma --refit-scanner \
  --data "$DATA/brain_mri" "${BRAIN_PROBES[@]}" --quantile 0.999 --combined
# chest-xray-pneumonia: its main guard (it has no early one) refitted on scanner-like copies too,
# the same day and threshold rule: a film in a wider black border answered 96.3 % instead of 59.7 %.
want chest-xray-pneumonia && $PY -m training.guard models/chest-xray-pneumonia --refit-scanner --data "$DATA/chest_xray" \
  --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/face_mask/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents --quantile 0.995
want face-mask && $PY -m training.guard models/face-mask --refit-camera --data "$DATA/face_mask" \
  --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
# palm-anemia: the same camera-like refit since 2026-12-01 (later), threshold at the 99th val
# percentile as before: JPEG quality 30 answered 100 % instead of 59 %, noise 88 % instead of 14 %.
want palm-anemia && $PY -m training.guard models/palm-anemia --refit-camera --quantile 0.99 --data "$DATA/palm_anemia" \
  --ood-probe "$DATA/brain_mri/val" --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/face_mask/val" \
  --ood-probe "$PROBE_PHOTOS" --ood-probe runs/probes/documents
# Each card's table of the same val images under fixed site changes (training/site_changes.py);
# val only, nothing fitted. Sign afterwards (tools/sign_pack.py), as after every step above.
for spec in brain-mri-tumor:brain_mri brain-mri-glioma-meningioma:brain_mri chest-xray-pneumonia:chest_xray \
    face-mask:face_mask palm-anemia:palm_anemia; do
  want "${spec%%:*}" && $PY -m training.site_changes "models/${spec%%:*}" --data "$DATA/${spec#*:}" --record
done
# glioma-meningioma's fp32 ensemble takes the whole pack to 37 MB, over the 15 MiB a bundled pack
# may weigh: its folder keeps what the executable ships, int8 only (its card keeps the fp32 figures).
want brain-mri-glioma-meningioma && $PY tools/release_pack.py models/brain-mri-glioma-meningioma --in-place
echo "all requested packs built"
