#!/usr/bin/env bash
# Smoke test of the frozen ClinicLens (run by `make exe-test` after `make exe`).
#
#   bash tools/exe_smoke.sh [DIST_DIR]        (default: dist/ClinicLens)
#
# Runs the executable the way a clinic PC would: from a temporary folder outside the repo,
# with a clean environment (no PYTHONPATH, no venv, no DISPLAY), user data in that folder:
#   --version, models verify, a batch over a copy of the sample images with heatmaps and a
#   PDF report (outputs checked), a batch of one image, and the GUI on the offscreen platform
#   closing itself (CLINICLENS_QUIT_AFTER_MS). Prints wall times: the first run of each is
#   the "cold" start (right after a build the files are in the page cache; from a USB stick
#   on an old laptop the first start is slower). Exits non-zero on the first failure.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$(cd "${1:-$REPO/dist/ClinicLens}" && pwd)"
EXE="$DIST/ClinicLens"
[ -x "$EXE" ] || { echo "exe_smoke: no executable at $EXE (run 'make exe')" >&2; exit 2; }
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$REPO/inference/__init__.py")"
PACK="${CLINICLENS_SMOKE_PACK:-brain-mri-tumor}"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/cliniclens-smoke.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/home" "$TMP/samples" "$TMP/one"
cp -R "$REPO/assets/samples/$PACK/." "$TMP/samples/"
first="$(find "$TMP/samples" -type f \( -iname '*.jpg' -o -iname '*.png' \) | sort | head -1)"
cp "$first" "$TMP/one/"
cd "$TMP"

# A clean environment: what a double-clicked program on a fresh machine would have.
clean() {
    env -i HOME="$TMP/home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
        CLINICLENS_HOME="$TMP/home/ClinicLens" "$@"
}

# Cold start: drop the bundle's files (only those) from the page cache first, as after a
# reboot. posix_fadvise(DONTNEED) needs no privileges; where it is unavailable the "cold"
# figures are warm ones.
PY="$(command -v python3 || true)"
evict() {
    [ -n "$PY" ] || return 0
    "$PY" - "$DIST" <<'PYEOF' || true
import os, sys
for root, _, files in os.walk(sys.argv[1]):
    for name in files:
        path = os.path.join(root, name)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
PYEOF
}

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
fail() { echo "exe_smoke: FAIL: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

echo "exe_smoke: $EXE ($(du -sh "$DIST" | cut -f1) unpacked), scratch folder $TMP"

step "--version (cold, then warm)"
evict; t0=$(now); out="$(clean "$EXE" --version)"; t1=$(now)
clean "$EXE" --version >/dev/null; t2=$(now)
echo "$out"
[ "$out" = "ClinicLens $VERSION" ] || fail "--version printed '$out', expected 'ClinicLens $VERSION'"
T_VERSION_COLD=$(secs "$t0" "$t1"); T_VERSION_WARM=$(secs "$t1" "$t2")

step "models verify"
t0=$(now)
clean "$EXE" models verify || fail "models verify exited $?"
T_VERIFY=$(secs "$t0" "$(now)")

step "batch $PACK over $(ls "$TMP/samples" | wc -l) sample file(s) with heatmaps and a report"
t0=$(now)
set +e
clean "$EXE" batch "$TMP/samples" --model "$PACK" --out "$TMP/out" --heatmaps --report \
    --clinic "Smoke test" --operator smoke
rc=$?
set -e
T_BATCH=$(secs "$t0" "$(now)")
[ "$rc" -le 1 ] || fail "batch exited $rc"
[ "$rc" -eq 0 ] || echo "(exit 1: some files flagged or not screened; see the status column)"
for f in results.csv results.json report.pdf; do
    [ -s "$TMP/out/$f" ] || fail "batch wrote no $f"
done
n_png=$(find "$TMP/out/heatmaps" -name '*.png' 2>/dev/null | wc -l)
[ "$n_png" -ge 1 ] || fail "batch wrote no heatmap PNG"
head -c 5 "$TMP/out/report.pdf" | grep -q '%PDF-' || fail "report.pdf is not a PDF"
grep -aq "ClinicLens $VERSION" "$TMP/out/report.pdf" || echo "(note: version string not found uncompressed in report.pdf)"
rows=$(($(wc -l < "$TMP/out/results.csv") - 1))
echo "outputs: results.csv ($rows rows), results.json, report.pdf ($(du -h "$TMP/out/report.pdf" | cut -f1)), $n_png heatmap PNG(s)"
cut -d, -f1-6 "$TMP/out/results.csv" | head -5

step "batch of one image (cold start to results, then warm)"
evict; t0=$(now)
set +e
clean "$EXE" batch "$TMP/one" --model "$PACK" --out "$TMP/out-one" --quiet --db "$TMP/one.db"
rc=$?
set -e
T_ONE=$(secs "$t0" "$(now)")
[ "$rc" -le 1 ] || fail "one-image batch exited $rc"
[ -s "$TMP/out-one/results.csv" ] || fail "one-image batch wrote no results.csv"
t0=$(now)
clean "$EXE" batch "$TMP/one" --model "$PACK" --out "$TMP/out-one2" --quiet --db "$TMP/one2.db" || true
T_ONE_WARM=$(secs "$t0" "$(now)")

step "GUI on the offscreen platform (no display), closing itself"
# QUIT_AFTER_MS=0: the window closes as soon as the event loop runs, i.e. once shown, so the
# wall time is process start -> window shown -> exit. Then a longer run lets the start-up
# worker load numpy/onnxruntime and the packs before closing.
evict; t0=$(now)
clean env QT_QPA_PLATFORM=offscreen CLINICLENS_QUIT_AFTER_MS=0 \
    timeout 120 "$EXE" >"$TMP/gui0.log" 2>&1 || { cat "$TMP/gui0.log"; fail "GUI exited $?"; }
T_GUI=$(secs "$t0" "$(now)")
t0=$(now)
clean env QT_QPA_PLATFORM=offscreen CLINICLENS_QUIT_AFTER_MS=0 timeout 120 "$EXE" >/dev/null 2>&1 || true
T_GUI_WARM=$(secs "$t0" "$(now)")
clean env QT_QPA_PLATFORM=offscreen CLINICLENS_QUIT_AFTER_MS=4000 \
    timeout 120 "$EXE" >"$TMP/gui.log" 2>&1 || { cat "$TMP/gui.log"; fail "GUI (4 s) exited $?"; }
if grep -q "Traceback" "$TMP/gui0.log" "$TMP/gui.log"; then
    cat "$TMP/gui0.log" "$TMP/gui.log"; fail "GUI printed a traceback"
fi
echo "GUI started, showed its window and quit (exit 0, no traceback)"

# Every compiled interface translation in the repo is in the bundle, and the app starts in
# each of those languages (system locale) without a traceback.
for qm in "$REPO"/assets/translations/*.qm; do
    [ -e "$qm" ] || continue
    name="$(basename "$qm")"
    lang="${name%.qm}"; lang="${lang##*_}"
    [ -f "$DIST/_internal/assets/translations/$name" ] || [ -f "$DIST/assets/translations/$name" ] \
        || fail "translation $name is not in the bundle"
    clean env QT_QPA_PLATFORM=offscreen CLINICLENS_QUIT_AFTER_MS=500 LANGUAGE="$lang" \
        LC_ALL="$lang" timeout 120 "$EXE" >"$TMP/gui-$lang.log" 2>&1 \
        || { cat "$TMP/gui-$lang.log"; fail "GUI in '$lang' exited $?"; }
    ! grep -q Traceback "$TMP/gui-$lang.log" || { cat "$TMP/gui-$lang.log"; fail "GUI in '$lang': traceback"; }
    echo "GUI in '$lang' ($name bundled): started and quit"
done

# A real X display: the offscreen platform above loads none of the xcb libraries, so a
# missing one (libxcb-icccm4, say, absent on the build machine) would only show here.
if command -v xvfb-run >/dev/null 2>&1; then
    step "GUI on X11 (xcb platform under Xvfb), closing itself"
    clean env CLINICLENS_QUIT_AFTER_MS=1500 timeout 120 xvfb-run -a -s "-screen 0 1366x768x24" \
        "$EXE" >"$TMP/gui-xcb.log" 2>&1 || { cat "$TMP/gui-xcb.log"; fail "GUI on xcb exited $?"; }
    ! grep -q "Traceback\|Could not load the Qt platform plugin" "$TMP/gui-xcb.log" \
        || { cat "$TMP/gui-xcb.log"; fail "GUI on xcb: plugin or Python error"; }
    echo "GUI started on X11 (xcb) and quit"
else
    echo "(no xvfb-run here: the xcb platform was not tried)"
fi

step "summary"
BYTES=$(du -sb "$DIST" | cut -f1)
printf '%-44s %s\n' "size (du -sh)" "$(du -sh "$DIST" | cut -f1)"
printf '%-44s %s\n' "size, exact" "$BYTES bytes = $(awk -v b="$BYTES" 'BEGIN { printf "%.1f MiB, %.1f MB", b / 1048576, b / 1e6 }')"
printf '%-44s %ss (warm %ss)\n' "--version, cold" "$T_VERSION_COLD" "$T_VERSION_WARM"
printf '%-44s %ss\n' "models verify (all packs, dry runs)" "$T_VERIFY"
printf '%-44s %ss\n' "batch, $(ls "$TMP/samples" | wc -l) files + heatmaps + PDF" "$T_BATCH"
printf '%-44s %ss (warm %ss)\n' "batch, one image, start to results, cold" "$T_ONE" "$T_ONE_WARM"
printf '%-44s %ss (warm %ss)\n' "GUI start -> shown -> quit (offscreen), cold" "$T_GUI" "$T_GUI_WARM"
echo "exe_smoke: PASS"
