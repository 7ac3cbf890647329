"""Bahasa Indonesia for the Qt strings ClinicLens's windows show (standard buttons, message
boxes, file dialogs, text-field menus): Qt ships no qtbase_id.qm. Writes
assets/translations/qtbase_id.ts; tools/update_translations.sh compiles it.

    python tools/qtbase_id_table.py
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent

QT_ID: dict[str, dict[str, str]] = {
    "QPlatformTheme": {
        "OK": "OK",
        "Save": "Simpan",
        "Save All": "Simpan semua",
        "Open": "Buka",
        "&Yes": "&Ya",
        "Yes to &All": "Ya untuk &semua",
        "&No": "&Tidak",
        "N&o to All": "T&idak untuk semua",
        "Abort": "Batalkan",
        "Retry": "Coba lagi",
        "Ignore": "Abaikan",
        "Close": "Tutup",
        "Cancel": "Batal",
        "Discard": "Buang",
        "Help": "Bantuan",
        "Apply": "Terapkan",
        "Reset": "Atur ulang",
        "Restore Defaults": "Kembalikan bawaan",
    },
    "QGnomeTheme": {
        "&OK": "&OK",
        "&Save": "&Simpan",
        "&Cancel": "&Batal",
        "&Close": "&Tutup",
        "Close without Saving": "Tutup tanpa menyimpan",
    },
    "QMessageBox": {
        "Show Details...": "Tampilkan rincian...",
        "Hide Details...": "Sembunyikan rincian...",
    },
    "QLineEdit": {
        "&Undo": "&Urungkan",
        "&Redo": "&Ulangi",
        "Cu&t": "Po&tong",
        "&Copy": "&Salin",
        "&Paste": "&Tempel",
        "Delete": "Hapus",
        "Select All": "Pilih semua",
    },
    "QWidgetTextControl": {
        "&Undo": "&Urungkan",
        "&Redo": "&Ulangi",
        "Cu&t": "Po&tong",
        "&Copy": "&Salin",
        "Copy &Link Location": "Salin &lokasi tautan",
        "&Paste": "&Tempel",
        "Delete": "Hapus",
        "Select All": "Pilih semua",
    },
    "QFileDialog": {
        "Look in:": "Lihat di:",
        "File &name:": "&Nama berkas:",
        "Files of type:": "Jenis berkas:",
        "Directory:": "Folder:",
        "&Open": "&Buka",
        "&Save": "&Simpan",
        "&Choose": "&Pilih",
        "Open": "Buka",
        "Save As": "Simpan sebagai",
        "Find Directory": "Cari folder",
        "All Files (*)": "Semua berkas (*)",
        "Directories": "Folder",
        "Back": "Kembali",
        "Forward": "Maju",
        "Parent Directory": "Folder induk",
        "Create New Folder": "Buat folder baru",
        "New Folder": "Folder baru",
        "&New Folder": "Folder &baru",
        "List View": "Tampilan daftar",
        "Detail View": "Tampilan rincian",
        "Sidebar": "Panel samping",
        "Files": "Berkas",
        "Recent Places": "Tempat terakhir",
        "Go back": "Kembali",
        "Go forward": "Maju",
        "Go to the parent directory": "Ke folder induk",
        "Create a New Folder": "Buat folder baru",
        "Change to list view mode": "Ganti ke tampilan daftar",
        "Change to detail view mode": "Ganti ke tampilan rincian",
        "&Rename": "&Ganti nama",
        "&Delete": "&Hapus",
        "Show &hidden files": "Tampilkan berkas &tersembunyi",
        "Are you sure you want to delete '%1'?": "Yakin ingin menghapus '%1'?",
        "%1 already exists.\nDo you want to replace it?": (
            "%1 sudah ada.\nApakah Anda ingin menggantinya?"
        ),
        "%1\nFile not found.\nPlease verify the correct file name was given.": (
            "%1\nBerkas tidak ditemukan.\nPastikan nama berkas yang diberikan benar."
        ),
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.": (
            "%1\nFolder tidak ditemukan.\nPastikan nama folder yang diberikan benar."
        ),
    },
    "QFileSystemModel": {
        "Name": "Nama",
        "Size": "Ukuran",
        "Type": "Jenis",
        "Kind": "Jenis",
        "Date Modified": "Tanggal diubah",
        "My Computer": "Komputer saya",
        "Computer": "Komputer",
    },
}


def write(path: Path) -> None:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        '<TS version="2.1" language="id_ID">',
    ]
    for context, table in QT_ID.items():
        lines += ["<context>", f"    <name>{context}</name>"]
        for source, text in table.items():
            lines += [
                "    <message>",
                f"        <source>{escape(source)}</source>",
                f"        <translation>{escape(text)}</translation>",
                "    </message>",
            ]
        lines.append("</context>")
    lines.append("</TS>")
    path.write_text("\n".join(lines) + "\n", "utf-8")


if __name__ == "__main__":
    write(ROOT / "assets" / "translations" / "qtbase_id.ts")
