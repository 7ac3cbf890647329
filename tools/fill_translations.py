"""Fill a Qt .ts file from the translation table below, so translations live in review-able
Python and survive ``pyside6-lupdate`` reruns (lupdate keeps what is filled in).

    python tools/fill_translations.py [assets/translations/cliniclens_id.ts]

Every source text found in the table is written as a finished translation; texts missing
from it stay ``type="unfinished"`` and are listed (exit status 1). Then run
``tools/update_translations.sh`` to compile the .qm.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bahasa Indonesia. Placeholders ({name}, %n, %v, %m) and accelerators (&) are kept.
# Clinical wording: "skrining" (screening), "rujuk untuk pemeriksaan lanjutan" (refer for
# follow-up), "peta panas" (heatmap), "jenis skrining" (screening type), "petugas"
# (operator), "tenaga kesehatan" (health worker).
ID: dict[str, str] = {
    "%n could not be screened": "%n tidak dapat diskrining",
    "%n path(s) not found": "%n jalur tidak ditemukan",
    "%n type(s) could not be loaded": "%n jenis tidak dapat dimuat",
    "%v of %m": "%v dari %m",
    "&File": "&Berkas",
    "&Help": "Ban&tuan",
    "&View": "&Tampilan",
    "(top)": "(tertinggi)",
    "<h3>ClinicLens {version}</h3><p>Offline screening aid for clinics: small image "
    "classifiers with heatmaps, patient records and PDF reports.</p><p><b>Screening aid — "
    "not a diagnosis.</b> Every result must be reviewed by a qualified health worker.</p>": (
        "<h3>ClinicLens {version}</h3><p>Alat bantu skrining luring untuk klinik: "
        "pengklasifikasi gambar kecil dengan peta panas, rekam pasien, dan laporan PDF.</p>"
        "<p><b>Alat bantu skrining — bukan diagnosis.</b> Setiap hasil wajib ditinjau oleh "
        "tenaga kesehatan yang berwenang.</p>"
    ),
    "A CSV file with the columns 'file' and 'patient_id', one row per image": (
        "Berkas CSV dengan kolom 'file' dan 'patient_id', satu baris per gambar"
    ),
    "A4": "A4",
    "About ClinicLens": "Tentang ClinicLens",
    "About this screening type": "Tentang jenis skrining ini",
    "About this screening type…": "Tentang jenis skrining ini…",
    "Accuracy {acc}, macro F1 {f1} on {n} held-out {split} images.": (
        "Akurasi {acc}, F1 makro {f1} pada {n} gambar {split} terpisah."
    ),
    "Add a folder of images": "Tambahkan folder gambar",
    "Add files…": "Tambah berkas…",
    "Add folder…": "Tambah folder…",
    "Add images": "Tambahkan gambar",
    "Added %n image(s)": "%n gambar ditambahkan",
    "Address": "Alamat",
    "Age in years, when the date of birth is not known": (
        "Usia dalam tahun, bila tanggal lahir tidak diketahui"
    ),
    "Age {age} on {date}": "Usia {age} pada {date}",
    "All images belong to one patient": "Semua gambar milik satu pasien",
    "Batch #{id} ({pack}) was interrupted with {done} of {total} images screened. Resume it now?": (
        "Skrining massal #{id} ({pack}) terhenti setelah {done} dari {total} gambar "
        "diskrining. Lanjutkan sekarang?"
    ),
    "Batch #{id}: {done} screened, {failed} failed, {pending} left": (
        "Massal #{id}: {done} diskrining, {failed} gagal, {pending} tersisa"
    ),
    "Batch screening": "Skrining massal",
    "Batch screening…": "Skrining massal…",
    "Batch: {finished} of {total}": "Massal: {finished} dari {total}",
    "Batches need the patient database: {reason}": (
        "Skrining massal memerlukan basis data pasien: {reason}"
    ),
    "CSV file (*.csv)": "Berkas CSV (*.csv)",
    "CSV file (*.csv);;All files (*)": "Berkas CSV (*.csv);;Semua berkas (*)",
    "Cancel": "Batal",
    "Cancelled": "Dibatalkan",
    "Check the details read from the DICOM file, then press “Details are correct”.": (
        "Periksa data yang dibaca dari berkas DICOM, lalu tekan “Data sudah benar”."
    ),
    "Choose a screening type": "Pilih jenis skrining",
    "Choose a screening type first.": "Pilih jenis skrining terlebih dahulu.",
    "Choose the screening type, then drop images here or click Open files.": (
        "Pilih jenis skrining, lalu letakkan gambar di sini atau klik Buka berkas."
    ),
    "Choose…": "Pilih…",
    "Class": "Kelas",
    "Classes": "Kelas",
    "Clear": "Kosongkan",
    "Clear list": "Kosongkan daftar",
    "Clinic and reports": "Klinik dan laporan",
    "Clinic logo": "Logo klinik",
    "Clinic name": "Nama klinik",
    "Clinic record number, e.g. P-001": "Nomor rekam medis klinik, mis. P-001",
    "ClinicLens": "ClinicLens",
    "ClinicLens — screening aid": "ClinicLens — alat bantu skrining",
    "Close": "Tutup",
    "Colours": "Warna",
    "Confirm the patient details read from the DICOM file": (
        "Konfirmasi data pasien yang dibaca dari berkas DICOM"
    ),
    "Continue": "Lanjutkan",
    "DICOM": "DICOM",
    "DICOM study {date} {modality}": "Studi DICOM {date} {modality}",
    "Date of birth": "Tanggal lahir",
    "Details are correct": "Data sudah benar",
    "Drop images or folders here": "Letakkan gambar atau folder di sini",
    "Enter a patient ID: it is needed to find the patient later.": (
        "Masukkan ID pasien: ID ini diperlukan untuk menemukan pasien nanti."
    ),
    "Existing patient: {label}": "Pasien terdaftar: {label}",
    "Export CSV…": "Ekspor CSV…",
    "Export results": "Ekspor hasil",
    "Female": "Perempuan",
    "File": "Berkas",
    "Filled in from the DICOM file. Please check these details and confirm.": (
        "Diisi dari berkas DICOM. Harap periksa data ini dan konfirmasikan."
    ),
    "Fit": "Paskan",
    "Fit the image to the window": "Paskan gambar ke jendela",
    "Fit to window": "Paskan ke jendela",
    "Frame": "Bingkai",
    "Heatmap (H)": "Peta panas (H)",
    "Heatmap opacity": "Kepekatan peta panas",
    "History": "Riwayat",
    "How the heatmap is computed": "Cara peta panas dihitung",
    "Image {n} of {total} — {file}": "Gambar {n} dari {total} — {file}",
    "Images": "Gambar",
    "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif *.dcm *.dicom)": (
        "Gambar (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif *.dcm *.dicom)"
    ),
    "Images (*.png *.jpg *.jpeg)": "Gambar (*.png *.jpg *.jpeg)",
    "Images to screen": "Gambar yang akan diskrining",
    "Intended use": "Tujuan penggunaan",
    "Signed by": "Ditandatangani oleh",
    "the ClinicLens project (key {fingerprint})": "proyek ClinicLens (kunci {fingerprint})",
    "a key trusted on this computer: {fingerprint} ({name})":
        "kunci yang dipercaya di komputer ini: {fingerprint} ({name})",
    "nobody: this pack is unsigned and runs only in developer mode":
        "tidak ada: paket ini tidak bertanda tangan dan hanya berjalan dalam mode pengembang",
    "Interface and reports": "Tampilan dan laporan",
    "Job": "Pekerjaan",
    "Language": "Bahasa",
    "Leave them out": "Jangan dicantumkan",
    "Letter (US)": "Letter (AS)",
    "Limitations": "Keterbatasan",
    "Logo": "Logo",
    "Looking for images…": "Mencari gambar…",
    "Looking for screening types…": "Mencari jenis skrining…",
    "Male": "Laki-laki",
    "Measured accuracy": "Akurasi terukur",
    "Images it refuses": "Gambar yang ditolak",
    "Images unlike its training images get no answer. {passed} of its own held-out images pass this check.": (  # noqa: E501
        "Gambar yang tidak mirip gambar latihnya tidak diberi jawaban. {passed} gambar "
        "ujinya sendiri lolos pemeriksaan ini."
    ),
    "{refused} of unrelated test images (other scans, photos, documents) are refused.": (
        "{refused} gambar uji yang tidak terkait (pindaian lain, foto, dokumen) ditolak."
    ),
    "Images of another kind (other scans, photos, documents) are refused before this check, as the wrong type of image; on its own, this check also refuses {refused} of such test images.": (  # noqa: E501
        "Gambar jenis lain (pindaian lain, foto, dokumen) sudah ditolak sebelum pemeriksaan ini, "
        "sebagai jenis gambar yang salah; pemeriksaan ini sendiri juga menolak {refused} dari gambar "
        "uji semacam itu."
    ),
    "Method": "Metode",
    "Model probability {p} %": "Probabilitas model {p} %",
    "Name": "Nama",
    "Name of the health worker using this computer": (
        "Nama tenaga kesehatan yang memakai komputer ini"
    ),
    "New patient: saved with the screening.": "Pasien baru: disimpan bersama skrining.",
    "Next image": "Gambar berikutnya",
    "Next image (Page Down)": "Gambar berikutnya (Page Down)",
    "No answer ({status})": "Tidak ada jawaban ({status})",
    "No answer for this image": "Tidak ada jawaban untuk gambar ini",
    "No batch yet.": "Belum ada skrining massal.",
    "No image screened yet": "Belum ada gambar yang diskrining",
    "No image was stored with this screening.": "Tidak ada gambar yang disimpan untuk skrining ini.",
    "No images were found in the files and folders given.": (
        "Tidak ditemukan gambar dalam berkas dan folder yang diberikan."
    ),
    "No images yet": "Belum ada gambar",
    "No logo": "Tanpa logo",
    "No patient (assign later)": "Tanpa pasien (tetapkan nanti)",
    "No positive evidence for this class: nothing in the image speaks for it, so no heatmap "
    "is drawn.": (
        "Tidak ada bukti positif untuk kelas ini: tidak ada bagian gambar yang mendukungnya, "
        "sehingga peta panas tidak digambar."
    ),
    "No referral indicated by the model": "Model tidak menunjukkan perlunya rujukan",
    "No saved screenings yet.": "Belum ada skrining tersimpan.",
    "No screening types installed": "Belum ada jenis skrining yang terpasang",
    "Notes": "Catatan",
    "One subfolder per patient (folder name = patient ID)": (
        "Satu subfolder per pasien (nama folder = ID pasien)"
    ),
    "Opacity": "Kepekatan",
    "Open": "Buka",
    "Open a folder of images": "Buka folder gambar",
    "Open files…": "Buka berkas…",
    "Open folder…": "Buka folder…",
    "Open image files (Ctrl+O)": "Buka berkas gambar (Ctrl+O)",
    "Open images": "Buka gambar",
    "Operator": "Petugas",
    "Other": "Lainnya",
    "PDF document (*.pdf)": "Dokumen PDF (*.pdf)",
    "PNG image (*.png)": "Gambar PNG (*.png)",
    "Pack {id}, version {version}": "Paket {id}, versi {version}",
    "Paper size": "Ukuran kertas",
    "Paste": "Tempel",
    "Paste an image or copied files (Ctrl+V)": "Tempel gambar atau berkas yang disalin (Ctrl+V)",
    "Patient": "Pasien",
    "Patient ID": "ID pasien",
    "Patient ID, name and date of birth on reports, e.g. those read from DICOM files": (
        "ID, nama, dan tanggal lahir pasien pada laporan, mis. yang dibaca dari berkas DICOM"
    ),
    "Patient database unavailable: {reason}": "Basis data pasien tidak tersedia: {reason}",
    "Patient details confirmed.": "Data pasien telah dikonfirmasi.",
    "Patient identifiers on reports": "Identitas pasien pada laporan",
    "Patient list": "Daftar pasien",
    "Patient list (CSV)…": "Daftar pasien (CSV)…",
    "Patient list: {path}": "Daftar pasien: {path}",
    "Patient: {patient}": "Pasien: {patient}",
    "Patients": "Pasien",
    "Pause": "Jeda",
    "Precision": "Presisi",
    "Preparing the batch…": "Menyiapkan skrining massal…",
    "Previous image": "Gambar sebelumnya",
    "Previous image (Page Up)": "Gambar sebelumnya (Page Up)",
    "Print patient names on reports": "Cetak nama pasien pada laporan",
    "Printed at the top of every report": "Dicetak di bagian atas setiap laporan",
    "Privacy": "Privasi",
    "Progress and results": "Kemajuan dan hasil",
    "Put patient names in report file names": "Cantumkan nama pasien pada nama berkas laporan",
    "Quit": "Keluar",
    "Ready": "Siap",
    "Refer for follow-up": "Rujuk untuk pemeriksaan lanjutan",
    "Remove": "Hapus",
    "Replace them with a pseudonym": "Ganti dengan nama samaran",
    "Report saved: {path} ({pages} page(s))": "Laporan disimpan: {path} ({pages} halaman)",
    "Result not saved": "Hasil belum disimpan",
    "Own validation images": "Gambar validasi sendiri",
    "Images from a second site": "Gambar dari lokasi kedua",
    "{split} ({n}): answered {answered}; right, counting refusals as misses, {accuracy} "
    "(95 % intervals).": (
        "{split} ({n}): dijawab {answered}; benar, penolakan dihitung sebagai salah, "
        "{accuracy} (interval 95 %)."
    ),
    "{split}: marked “refer for follow-up”, by true class: {classes}.": (
        "{split}: ditandai “rujuk untuk pemeriksaan lanjutan”, menurut kelas sebenarnya: "
        "{classes}."
    ),
    "{split}: heatmap peak on the tumour {ours}; a map that always points at the centre "
    "{centre}.": (
        "{split}: puncak peta panas pada tumor {ours}; peta yang selalu menunjuk ke tengah "
        "{centre}."
    ),
    "Colour scale: red = the areas that raised the score for the chosen class most, blue = the "
    "least; relative within this image, not a probability.": (
        "Skala warna: merah = area yang paling menaikkan skor kelas yang dipilih, biru = yang "
        "paling sedikit; relatif di dalam gambar ini, bukan probabilitas."
    ),
    "No clear focus: this heatmap spreads over a broad area, so it does not show where a "
    "finding is. Read it as what the model weighed overall.": (
        "Tanpa fokus yang jelas: peta panas ini menyebar di area yang luas, jadi tidak "
        "menunjukkan letak temuan. Bacalah sebagai apa yang ditimbang model secara umum."
    ),
    "The result on screen is not saved to this patient's record, so the report will not "
    "include it. Save it first with \"Save screening to patient record\".\n\n"
    "Write the report without it?": (
        "Hasil di layar belum disimpan ke rekam pasien ini, sehingga laporan tidak "
        "akan memuatnya. Simpan dulu dengan \"Simpan skrining ke rekam pasien\".\n\n"
        "Tulis laporan tanpa hasil itu?"
    ),
    "Restart ClinicLens to change the language.": (
        "Mulai ulang ClinicLens untuk mengganti bahasa."
    ),
    "Result": "Hasil",
    "Results exported: {path}": "Hasil diekspor: {path}",
    "Resume": "Lanjutkan",
    "Read unread files again": "Baca ulang berkas yang belum terbaca",
    "Queue again the files that could not be read or screened, for example after reconnecting a drive or replacing a damaged file.": "Antrekan lagi berkas yang tidak dapat dibaca atau diskrining, misalnya setelah menyambungkan kembali drive atau mengganti berkas yang rusak.",  # noqa: E501
    "Save PNG…": "Simpan PNG…",
    "Save heatmap overlay": "Simpan lapisan peta panas",
    "Save heatmap overlay (PNG)…": "Simpan lapisan peta panas (PNG)…",
    "Save report": "Simpan laporan",
    "Save report (PDF)…": "Simpan laporan (PDF)…",
    "Save screening to patient record": "Simpan skrining ke rekam pasien",
    "Save summary report": "Simpan laporan ringkasan",
    "Save the heatmap overlay as a PNG image": "Simpan lapisan peta panas sebagai gambar PNG",
    "Saved screening #{id} — {file}": "Skrining tersimpan #{id} — {file}",
    "Saved to {patient} (screening #{id}).": "Disimpan ke {patient} (skrining #{id}).",
    "Saved {path}": "Tersimpan {path}",
    "Screened {when}": "Diskrining {when}",
    "Screening aid — not a diagnosis": "Alat bantu skrining — bukan diagnosis",
    "Screening failed": "Skrining gagal",
    "Screening type": "Jenis skrining",
    "Screening type: {name} (change it in the main window)": (
        "Jenis skrining: {name} (ubah di jendela utama)"
    ),
    "Screening types that could not be loaded": "Jenis skrining yang tidak dapat dimuat",
    "Screening…": "Menskrining…",
    "Search by patient ID or name": "Cari menurut ID atau nama pasien",
    "Sensitivity": "Sensitivitas",
    "Settings": "Pengaturan",
    "Settings saved.": "Pengaturan disimpan.",
    "Settings…": "Pengaturan…",
    "Sex": "Jenis kelamin",
    "Show heatmap": "Tampilkan peta panas",
    "Show the evidence for this class": "Tampilkan bukti untuk kelas ini",
    "Show them": "Tampilkan",
    "Side by side": "Berdampingan",
    "Start screening": "Mulai skrining",
    "State": "Status",
    "Summary report (PDF)…": "Laporan ringkasan (PDF)…",
    "Summary report saved: {path} ({pages} page(s))": (
        "Laporan ringkasan disimpan: {path} ({pages} halaman)"
    ),
    "System default": "Bawaan sistem",
    "The clipboard holds no image or files.": "Papan klip tidak berisi gambar atau berkas.",
    "The image cannot be shown: {reason}": "Gambar tidak dapat ditampilkan: {reason}",
    "The logo file {path} does not exist.": "Berkas logo {path} tidak ada.",
    "The logo must be a PNG or JPEG image.": "Logo harus berupa gambar PNG atau JPEG.",
    "The pasted image could not be kept for screening.": (
        "Gambar yang ditempel tidak dapat disimpan untuk skrining."
    ),
    "The screening type of this batch is not installed any more.": (
        "Jenis skrining untuk skrining massal ini sudah tidak terpasang."
    ),
    "There is no heatmap to save.": "Tidak ada peta panas untuk disimpan.",
    # weak pack and skipped site calibration (gui/pack_notice.py, gui/main_window.py; issues 16, 18)
    "The site calibration of this screening type is not used; see above.": (
        "Kalibrasi situs jenis skrining ini tidak dipakai; lihat di atas."
    ),
    "This screening type's site calibration is not used: screenings use the shipped "
    "calibration. Re-run File → Settings… → Site calibration… with your clinic's labelled "
    "images, or revert to the shipped calibration there. Reason: {reason}": (
        "Kalibrasi situs jenis skrining ini tidak dipakai: skrining memakai kalibrasi bawaan. "
        "Jalankan lagi Berkas → Pengaturan… → Kalibrasi situs… dengan gambar berlabel klinik "
        "Anda, atau kembali ke kalibrasi bawaan di sana. Alasan (bahasa Inggris): {reason}"
    ),
    "Unfinished batch": "Skrining massal belum selesai",
    "Which frame of this multi-frame DICOM file to screen": (
        "Bingkai mana dari berkas DICOM multi-bingkai ini yang akan diskrining"
    ),
    "Writing the report…": "Menulis laporan…",
    "YYYY-MM-DD": "TTTT-BB-HH",
    "because of: {classes}": "karena: {classes}",
    "cancelled": "dibatalkan",
    "decode": "dekode",
    "failed": "gagal",
    "finished": "selesai",
    "heatmap": "peta panas",
    "model": "model",
    "no answer": "tanpa jawaban",
    "none chosen": "belum dipilih",
    "not open yet": "belum dibuka",
    "of {n}": "dari {n}",
    "or age": "atau usia",
    "overlay": "lapisan",
    "paused": "dijeda",
    "preprocess": "praproses",
    "refer": "rujuk",
    "refer for follow-up": "rujuk untuk pemeriksaan lanjutan",
    "running": "berjalan",
    "screened": "diskrining",
    "skipped %n file(s) that are not images": "%n berkas yang bukan gambar dilewati",
    "study {date}": "studi {date}",
    "total {ms} ms": "total {ms} ms",
    "unknown": "tidak diketahui",
    "waiting": "menunggu",
    "{done} of {total} done ({state})": "{done} dari {total} selesai ({state})",
    "{finished} of {total} images screened": "{finished} dari {total} gambar diskrining",
    "{name} (cannot be used)": "{name} (tidak dapat digunakan)",
    "{name}, version {version}": "{name}, versi {version}",
    # -- issue 19: patient form, records (assign / move / void), history, batch, clinic day --
    "(none saved yet)": "(belum ada yang disimpan)",
    "(no patient yet)": "(belum ada pasien)",
    "1. Close ClinicLens (a copy made while it writes may be incomplete).\n2. Copy the whole folder above to a USB drive or another computer.\n3. Keep the copy somewhere safe: it holds patient data.\nTo restore, close ClinicLens and copy the folder back to the same place.": (
        "1. Tutup ClinicLens (salinan yang dibuat saat aplikasi sedang menulis bisa tidak lengkap).\n"
        "2. Salin seluruh folder di atas ke flashdisk atau komputer lain.\n"
        "3. Simpan salinan di tempat yang aman: isinya data pasien.\n"
        "Untuk memulihkan, tutup ClinicLens lalu salin folder itu kembali ke tempat yang sama."
    ),
    "A voided screening stays in the database and the audit trail, but it is never shown or printed as a result again. This cannot be undone.": (
        "Skrining yang dibatalkan tetap ada di basis data dan jejak audit, tetapi tidak pernah "
        "lagi ditampilkan atau dicetak sebagai hasil. Ini tidak dapat dibatalkan."
    ),
    "Assign screening to this patient": "Tetapkan skrining ke pasien ini",
    "Assign to a patient": "Tetapkan ke pasien",
    "Assign to a patient…": "Tetapkan ke pasien…",
    "Back up": "Cadangkan",
    "Batch #{id} — {when} — %n screening(s)": "Batch #{id} — {when} — %n skrining",
    "Batch #{id}: {summary}": "Batch #{id}: {summary}",
    "Create this patient if the ID is new": "Buat pasien ini jika ID-nya baru",
    "DD/MM/YYYY or YYYY-MM-DD": "HH/BB/TTTT atau TTTT-BB-HH",
    "Day first: 12/05/1980 is 12 May 1980. The date understood is shown below.": (
        "Hari lebih dulu: 12/05/1980 adalah 12 Mei 1980. Tanggal yang dipahami ditampilkan di bawah."
    ),
    "Enter the patient ID.": "Masukkan ID pasien.",
    "Give a reason: it is kept in the audit trail.": "Berikan alasan: alasan disimpan di jejak audit.",
    "Model probability {p}": "Probabilitas model {p}",
    "Move screening to this patient…": "Pindahkan skrining ke pasien ini…",
    "Move to another patient": "Pindahkan ke pasien lain",
    "Move to another patient…": "Pindahkan ke pasien lain…",
    "No answer: {reason}": "Tidak ada jawaban: {reason}",
    "No patient with ID {patient}. Check the ID, or tick “Create this patient”.": (
        "Tidak ada pasien dengan ID {patient}. Periksa ID-nya, atau centang “Buat pasien ini”."
    ),
    "No print system was found. Open the report and print it from there.": (
        "Sistem pencetakan tidak ditemukan. Buka laporan dan cetak dari sana."
    ),
    "Not saved. Check the patient ID.": "Tidak disimpan. Periksa ID pasien.",
    "Nothing is sent over the network: all data stays on this computer.": (
        "Tidak ada yang dikirim lewat jaringan: semua data tetap di komputer ini."
    ),
    "Open or save a screening for a patient first, then print the report.": (
        "Buka atau simpan skrining untuk seorang pasien dulu, lalu cetak laporannya."
    ),
    "Open the data folder": "Buka folder data",
    "Optional": "Opsional",
    "Patient database, settings and added screening types:": (
        "Basis data pasien, pengaturan, dan jenis skrining tambahan:"
    ),
    "Print report": "Cetak laporan",
    "Print report…": "Cetak laporan…",
    "Reason": "Alasan",
    "Refer: {classes}": "Rujuk: {classes}",
    "Report sent to {printer}.": "Laporan dikirim ke {printer}.",
    "Reports and exports: where you saved them, last in:": (
        "Laporan dan ekspor: di tempat Anda menyimpannya, terakhir di:"
    ),
    "Same patient again?": "Pasien yang sama lagi?",
    "Screening #{id} belongs to {patient}. Moving it is recorded with the reason; reports printed before still name {patient}.": (
        "Skrining #{id} milik {patient}. Pemindahan dicatat beserta alasannya; laporan yang "
        "sudah dicetak tetap menyebut {patient}."
    ),
    "Screening #{id} has no patient yet.": "Skrining #{id} belum memiliki pasien.",
    "Screening #{id} is now on {patient}.": "Skrining #{id} sekarang milik {patient}.",
    "Screening #{id} was voided.": "Skrining #{id} telah dibatalkan.",
    "Search by patient ID, name or file": "Cari menurut ID pasien, nama, atau berkas",
    "Show": "Tampilkan",
    "Skip": "Lewati",
    "The clinic name is printed on reports; the operator is who screens, kept with every screening in the audit trail. You can change both later in File → Settings.": (
        "Nama klinik dicetak di laporan; petugas adalah orang yang melakukan skrining, dicatat "
        "pada setiap skrining di jejak audit. Keduanya dapat diubah nanti di Berkas → Pengaturan."
    ),
    "The date of birth is in the future.": "Tanggal lahir ada di masa depan.",
    "The date of birth is more than 130 years ago.": "Tanggal lahir lebih dari 130 tahun yang lalu.",
    "The date of birth is not a date. Write it as day/month/year (12/05/1980) or year-month-day (1980-05-12).": (
        "Tanggal lahir bukan tanggal yang valid. Tulis sebagai hari/bulan/tahun (12/05/1980) "
        "atau tahun-bulan-hari (1980-05-12)."
    ),
    "The report could not be printed: {reason}": "Laporan tidak dapat dicetak: {reason}",
    "The window reopens in the new language when you press OK.": (
        "Jendela dibuka ulang dalam bahasa baru saat Anda menekan OK."
    ),
    "This screening already belongs to {patient}.": "Skrining ini sudah milik {patient}.",
    "This screening is already voided.": "Skrining ini sudah dibatalkan.",
    "This screening was voided; it cannot be assigned.": (
        "Skrining ini sudah dibatalkan; tidak dapat ditetapkan ke pasien."
    ),
    "VOIDED: {reason}": "DIBATALKAN: {reason}",
    "Void screening #{id}": "Batalkan skrining #{id}",
    "Void this screening…": "Batalkan skrining ini…",
    "Voided {when} by {who}: {reason}": "Dibatalkan {when} oleh {who}: {reason}",
    "Voided — not a valid result": "Dibatalkan — bukan hasil yang sah",
    "Welcome to ClinicLens": "Selamat datang di ClinicLens",
    "Where is my data?": "Di mana data saya?",
    "Where is my data?…": "Di mana data saya?…",
    "Why (kept in the audit trail)": "Mengapa (disimpan di jejak audit)",
    "Your name": "Nama Anda",
    "e.g. Puskesmas Sukamaju": "mis. Puskesmas Sukamaju",
    "image quality too poor": "kualitas gambar terlalu buruk",
    "not the kind of image this screening type is for": "bukan jenis gambar untuk jenis skrining ini",
    "screening failed": "skrining gagal",
    "the file could not be read": "berkas tidak dapat dibaca",
    "the image is too large": "gambar terlalu besar",
    "unlike the images the model was trained on": "tidak mirip gambar yang dipakai melatih model",
    "{cls} {p}, above its referral threshold. Most likely class: {top} {tp}": (
        "{cls} {p}, di atas ambang rujukannya. Kelas paling mungkin: {top} {tp}"
    ),
    "{finished} of {total} images done": "{finished} dari {total} gambar selesai",
    # gui/modality_offer.py: a wrong-modality image, and the screening type that reads it
    "a brain MRI": "MRI otak",
    "a chest X-ray": "rontgen dada",
    "a photo of a palm": "foto telapak tangan",
    "a photo of a face": "foto wajah",
    "This image looks like {kind}.": "Gambar ini tampaknya {kind}.",
    "This image looks like {kind}. No installed screening type reads it.": (
        "Gambar ini tampaknya {kind}. Tidak ada jenis skrining terpasang yang membacanya."
    ),
    "Switch to {name}": "Beralih ke {name}",
    "{patient} already has %n screening(s) saved in this session ({files}). Is this image also of {patient}?": (
        "{patient} sudah memiliki %n skrining yang disimpan pada sesi ini ({files}). Apakah "
        "gambar ini juga milik {patient}?"
    ),
    # site calibration (gui/site_wizard.py)
    "Site calibration": "Kalibrasi situs",
    "Site calibration…": "Kalibrasi situs…",
    "Folder with one sub-folder per class, or a CSV of file,label": "Folder dengan satu sub-folder per kelas, atau CSV berisi file,label",
    "Folder…": "Folder…",
    "CSV…": "CSV…",
    "the pack's own": "bawaan paket",
    "the pack's own ({value})": "bawaan paket ({value})",
    "Check on these images": "Periksa pada gambar ini",
    "Measure": "Ukuran",
    "Shipped": "Bawaan",
    "Calibrated": "Terkalibrasi",
    "Apply": "Terapkan",
    "Revert to shipped calibration": "Kembali ke kalibrasi bawaan",
    "Export…": "Ekspor…",
    "Import…": "Impor…",
    "Labelled images": "Gambar berlabel",
    "Target sensitivity": "Target sensitivitas",
    "Uses the shipped calibration.": "Memakai kalibrasi bawaan.",
    "Active: {label}": "Aktif: {label}",
    "CSV (*.csv)": "CSV (*.csv)",
    "Choose the labelled images first.": "Pilih gambar berlabel terlebih dahulu.",
    "Screening the sample": "Menskrining sampel",
    "Cross-validating": "Validasi silang",
    "Cancelling…": "Membatalkan…",
    "Cancelled: nothing was changed.": "Dibatalkan: tidak ada yang diubah.",
    "Sample: {n} labelled images ({counts})": "Sampel: {n} gambar berlabel ({counts})",
    "Accuracy (refusals count as misses)": "Akurasi (penolakan dihitung sebagai salah)",
    "Answered": "Dijawab",
    "Sensitivity {cls}": "Sensitivitas {cls}",
    "Specificity {cls}": "Spesifisitas {cls}",
    "By {folds}-fold cross-validation on your images the calibration beats the shipped pack: accuracy change {change}. Apply makes it the calibration every screening with this pack uses.": "Menurut validasi silang {folds} lipatan pada gambar Anda, kalibrasi ini lebih baik daripada paket bawaan: perubahan akurasi {change}. Terapkan menjadikannya kalibrasi yang dipakai setiap skrining dengan paket ini.",
    "Cannot be applied: {reasons}": "Tidak dapat diterapkan: {reasons}",
    "Applied: {label}": "Diterapkan: {label}",
    "Back to the shipped calibration.": "Kembali ke kalibrasi bawaan.",
    "Export site calibration": "Ekspor kalibrasi situs",
    "Site calibration (*.clsite)": "Kalibrasi situs (*.clsite)",
    "Written to {path}": "Ditulis ke {path}",
    "Import site calibration": "Impor kalibrasi situs",
    # site calibration (gui/site_wizard.py)
    "No screening type is installed.": "Tidak ada jenis skrining yang terpasang.",
}

# Where one English text needs different words in one place: (context, source) -> text.
ID_IN_CONTEXT: dict[tuple[str, str], str] = {}

TABLES = {"id": (ID, ID_IN_CONTEXT)}


def fill(ts_path: Path) -> list[str]:
    """Write every known translation into ``ts_path``; return the sources still missing."""
    lang = ts_path.stem.rsplit("_", 1)[-1]
    table, in_context = TABLES[lang]
    tree = ET.parse(ts_path)
    missing: list[str] = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            source = message.findtext("source", "")
            text = in_context.get((name, source), table.get(source))
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            if text is None:
                if translation.get("type") == "unfinished" or not (
                    translation.text or len(translation)
                ):
                    missing.append(f"{name}: {source}")
                continue
            translation.attrib.pop("type", None)
            for child in list(translation):
                translation.remove(child)
            if message.get("numerus") == "yes":
                translation.text = None
                ET.SubElement(translation, "numerusform").text = text  # Indonesian: one form
            else:
                translation.text = text
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts_path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", "utf-8"
    )
    return missing


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    paths = [Path(a) for a in args] or sorted(
        (ROOT / "assets" / "translations").glob("cliniclens_*.ts")
    )
    status = 0
    for path in paths:
        missing = fill(path)
        for item in missing:
            print(f"{path.name}: untranslated: {item}")
        status = status or int(bool(missing))
    return status


if __name__ == "__main__":
    sys.exit(main())
