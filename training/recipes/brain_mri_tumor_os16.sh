#!/usr/bin/env bash
set -euo pipefail
# brain-mri-tumor at output stride 16 (8x8 heatmap grid at 128 px) for the heatmap issue (#15).
# Tried on 2026-11-30 on 2 shared CPU cores: 2-76 s per step, stopped after 2 of 15 fine-tuning
# epochs (val 93.7 %, pointing game 17.2 / 12.5 % val / shift). Run it where a GPU or idle
# cores are available; checkpoints under runs/os16 let a killed run resume.
cd "$(dirname "$0")/../.."
DATA=../shared/datasets
W=../shared/weights/mobilenet_v2/mobilenet_v2_imagenet1k_onnxzoo_dequant.pth
PY=.venv/bin/python
[ -d runs/probes/documents ] || $PY training/make_probes.py runs/probes/documents
exec $PY -m training.cli --arch mobilenet_v2 --weights "$W" --threads 2 --task brain-mri-tumor \
  --out runs/os16/brain-mri-tumor --workdir runs/os16/work \
  --data "$DATA/brain_mri" --size 128 --unfreeze 19 --views 2 --output-stride 16 \
  --epochs-head 3 --epochs-finetune 15 --finetune-lr-factor 0.1 --patience 4 \
  --ood-probe "$DATA/chest_xray/val" --ood-probe "$DATA/face_mask/val" --ood-probe "$DATA/palm_anemia/val" \
  --ood-probe ../shared/weights/test_images --ood-probe runs/probes/documents
