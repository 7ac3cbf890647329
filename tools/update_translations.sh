#!/bin/sh
# Refresh the GUI translations: collect every tr() string from gui/*.py into the .ts files,
# fill them from the tables in tools/fill_translations.py, and compile the .qm files the
# app loads (assets/translations/cliniclens_<lang>.qm). Strings the tables lack are listed
# and stay type="unfinished" (the tests fail on them): add them to the table (or translate
# them in Qt Linguist, .venv/bin/pyside6-linguist) and run this again. Commit .ts and .qm.
#
#   sh tools/update_translations.sh            # every language in assets/translations
#   sh tools/update_translations.sh id         # one language
set -eu
cd "$(dirname "$0")/.."
BIN=${PYSIDE6_BIN:-.venv/bin}
PY=${PYTHON:-.venv/bin/python}
LANGS=${*:-$(ls assets/translations/cliniclens_*.ts 2>/dev/null \
    | sed 's/.*cliniclens_\(.*\)\.ts/\1/' || true)}
[ -n "$LANGS" ] || LANGS=id
for lang in $LANGS; do
    ts=assets/translations/cliniclens_$lang.ts
    "$BIN/pyside6-lupdate" -no-obsolete -silent gui/*.py -ts "$ts"
    "$PY" tools/fill_translations.py "$ts" || echo "$ts: some strings are not translated yet" >&2
    "$BIN/pyside6-lupdate" -no-obsolete gui/*.py -ts "$ts"  # lupdate's own layout again
    "$BIN/pyside6-lrelease" "$ts" -qm "assets/translations/cliniclens_$lang.qm"
done
# Qt's own strings in Bahasa Indonesia (Qt ships no qtbase_id.qm): tools/qtbase_id_table.py
"$PY" tools/qtbase_id_table.py
"$BIN/pyside6-lrelease" -silent assets/translations/qtbase_id.ts -qm assets/translations/qtbase_id.qm
