<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="id_ID">
<context>
    <name>BatchController</name>
    <message>
        <location filename="../../gui/batch.py" line="210"/>
        <source>No images were found in the files and folders given.</source>
        <translation>Tidak ditemukan gambar dalam berkas dan folder yang diberikan.</translation>
    </message>
</context>
<context>
    <name>BatchDialog</name>
    <message>
        <location filename="../../gui/batch_dialog.py" line="54"/>
        <source>Batch screening</source>
        <translation>Skrining massal</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="59"/>
        <source>Add files…</source>
        <translation>Tambah berkas…</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="60"/>
        <source>Add folder…</source>
        <translation>Tambah folder…</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="61"/>
        <source>Patient list (CSV)…</source>
        <translation>Daftar pasien (CSV)…</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="63"/>
        <source>A CSV file with the columns &apos;file&apos; and &apos;patient_id&apos;, one row per image</source>
        <translation>Berkas CSV dengan kolom &apos;file&apos; dan &apos;patient_id&apos;, satu baris per gambar</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="65"/>
        <source>Clear</source>
        <translation>Kosongkan</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="71"/>
        <source>No patient (assign later)</source>
        <translation>Tanpa pasien (tetapkan nanti)</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="72"/>
        <source>All images belong to one patient</source>
        <translation>Semua gambar milik satu pasien</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="74"/>
        <source>One subfolder per patient (folder name = patient ID)</source>
        <translation>Satu subfolder per pasien (nama folder = ID pasien)</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="77"/>
        <source>Patient ID</source>
        <translation>ID pasien</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="84"/>
        <source>Start screening</source>
        <translation>Mulai skrining</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="93"/>
        <source>Patients</source>
        <translation>Pasien</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="97"/>
        <source>Images to screen</source>
        <translation>Gambar yang akan diskrining</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="111"/>
        <source>%v of %m</source>
        <translation>%v dari %m</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="115"/>
        <source>No batch yet.</source>
        <translation>Belum ada skrining massal.</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="118"/>
        <location filename="../../gui/batch_dialog.py" line="260"/>
        <location filename="../../gui/batch_dialog.py" line="275"/>
        <source>Pause</source>
        <translation>Jeda</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="120"/>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="121"/>
        <source>Resume</source>
        <translation>Lanjutkan</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="124"/>
        <source>Read unread files again</source>
        <translation>Baca ulang berkas yang belum terbaca</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="127"/>
        <source>Queue again the files that could not be read or screened, for example after reconnecting a drive or replacing a damaged file.</source>
        <translation>Antrekan lagi berkas yang tidak dapat dibaca atau diskrining, misalnya setelah menyambungkan kembali drive atau mengganti berkas yang rusak.</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="131"/>
        <source>Summary report (PDF)…</source>
        <translation>Laporan ringkasan (PDF)…</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="132"/>
        <source>Export CSV…</source>
        <translation>Ekspor CSV…</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="135"/>
        <source>File</source>
        <translation>Berkas</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="135"/>
        <source>Patient</source>
        <translation>Pasien</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="135"/>
        <source>Result</source>
        <translation>Hasil</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="135"/>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="158"/>
        <source>Job</source>
        <translation>Pekerjaan</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="171"/>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="173"/>
        <source>Progress and results</source>
        <translation>Kemajuan dan hasil</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="218"/>
        <source>Patient list: {path}</source>
        <translation>Daftar pasien: {path}</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="238"/>
        <source>Screening type: {name} (change it in the main window)</source>
        <translation>Jenis skrining: {name} (ubah di jendela utama)</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="260"/>
        <source>Continue</source>
        <translation>Lanjutkan</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="290"/>
        <location filename="../../gui/batch_dialog.py" line="309"/>
        <source>{done} of {total} done ({state})</source>
        <translation>{done} dari {total} selesai ({state})</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="316"/>
        <location filename="../../gui/batch_dialog.py" line="384"/>
        <source>waiting</source>
        <translation>menunggu</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="317"/>
        <source>running</source>
        <translation>berjalan</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="318"/>
        <source>paused</source>
        <translation>dijeda</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="319"/>
        <source>cancelled</source>
        <translation>dibatalkan</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="320"/>
        <source>finished</source>
        <translation>selesai</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="345"/>
        <source>{finished} of {total} images done</source>
        <translation>{finished} dari {total} gambar selesai</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="377"/>
        <source>Patient: {patient}</source>
        <translation>Pasien: {patient}</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="385"/>
        <source>screened</source>
        <translation>diskrining</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="386"/>
        <source>refer</source>
        <translation>rujuk</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="387"/>
        <source>no answer</source>
        <translation>tanpa jawaban</translation>
    </message>
    <message>
        <location filename="../../gui/batch_dialog.py" line="388"/>
        <source>failed</source>
        <translation>gagal</translation>
    </message>
</context>
<context>
    <name>DataHelpDialog</name>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="73"/>
        <source>Where is my data?</source>
        <translation>Di mana data saya?</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="76"/>
        <source>Patient database, settings and added screening types:</source>
        <translation>Basis data pasien, pengaturan, dan jenis skrining tambahan:</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="78"/>
        <source>Reports and exports: where you saved them, last in:</source>
        <translation>Laporan dan ekspor: di tempat Anda menyimpannya, terakhir di:</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="79"/>
        <source>(none saved yet)</source>
        <translation>(belum ada yang disimpan)</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="81"/>
        <source>Back up</source>
        <translation>Cadangkan</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="83"/>
        <source>1. Close ClinicLens (a copy made while it writes may be incomplete).
2. Copy the whole folder above to a USB drive or another computer.
3. Keep the copy somewhere safe: it holds patient data.
To restore, close ClinicLens and copy the folder back to the same place.</source>
        <translation>1. Tutup ClinicLens (salinan yang dibuat saat aplikasi sedang menulis bisa tidak lengkap).
2. Salin seluruh folder di atas ke flashdisk atau komputer lain.
3. Simpan salinan di tempat yang aman: isinya data pasien.
Untuk memulihkan, tutup ClinicLens lalu salin folder itu kembali ke tempat yang sama.</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="89"/>
        <source>Nothing is sent over the network: all data stays on this computer.</source>
        <translation>Tidak ada yang dikirim lewat jaringan: semua data tetap di komputer ini.</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="95"/>
        <source>Open the data folder</source>
        <translation>Buka folder data</translation>
    </message>
</context>
<context>
    <name>DropZone</name>
    <message>
        <location filename="../../gui/dropzone.py" line="31"/>
        <location filename="../../gui/image_flow.py" line="169"/>
        <source>Drop images or folders here</source>
        <translation>Letakkan gambar atau folder di sini</translation>
    </message>
    <message>
        <location filename="../../gui/dropzone.py" line="35"/>
        <source>Open files…</source>
        <translation>Buka berkas…</translation>
    </message>
    <message>
        <location filename="../../gui/dropzone.py" line="36"/>
        <source>Open folder…</source>
        <translation>Buka folder…</translation>
    </message>
    <message>
        <location filename="../../gui/dropzone.py" line="37"/>
        <source>Paste</source>
        <translation>Tempel</translation>
    </message>
    <message>
        <location filename="../../gui/dropzone.py" line="38"/>
        <source>Open image files (Ctrl+O)</source>
        <translation>Buka berkas gambar (Ctrl+O)</translation>
    </message>
    <message>
        <location filename="../../gui/dropzone.py" line="39"/>
        <source>Paste an image or copied files (Ctrl+V)</source>
        <translation>Tempel gambar atau berkas yang disalin (Ctrl+V)</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="36"/>
        <source>Welcome to ClinicLens</source>
        <translation>Selamat datang di ClinicLens</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="39"/>
        <source>The clinic name is printed on reports; the operator is who screens, kept with every screening in the audit trail. You can change both later in File → Settings.</source>
        <translation>Nama klinik dicetak di laporan; petugas adalah orang yang melakukan skrining, dicatat pada setiap skrining di jejak audit. Keduanya dapat diubah nanti di Berkas → Pengaturan.</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="47"/>
        <source>e.g. Puskesmas Sukamaju</source>
        <translation>mis. Puskesmas Sukamaju</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="49"/>
        <source>Your name</source>
        <translation>Nama Anda</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="51"/>
        <source>Clinic name</source>
        <translation>Nama klinik</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="52"/>
        <source>Operator</source>
        <translation>Petugas</translation>
    </message>
    <message>
        <location filename="../../gui/clinic_dialogs.py" line="55"/>
        <source>Skip</source>
        <translation>Lewati</translation>
    </message>
</context>
<context>
    <name>HeatmapControls</name>
    <message>
        <location filename="../../gui/heatmap_view.py" line="105"/>
        <source>Heatmap (H)</source>
        <translation>Peta panas (H)</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="107"/>
        <source>Side by side</source>
        <translation>Berdampingan</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="109"/>
        <source>Show the evidence for this class</source>
        <translation>Tampilkan bukti untuk kelas ini</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="111"/>
        <source>How the heatmap is computed</source>
        <translation>Cara peta panas dihitung</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="117"/>
        <source>Heatmap opacity</source>
        <translation>Kepekatan peta panas</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="118"/>
        <source>Fit</source>
        <translation>Paskan</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="119"/>
        <source>Fit the image to the window</source>
        <translation>Paskan gambar ke jendela</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="120"/>
        <source>Save PNG…</source>
        <translation>Simpan PNG…</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="121"/>
        <source>Save the heatmap overlay as a PNG image</source>
        <translation>Simpan lapisan peta panas sebagai gambar PNG</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="141"/>
        <source>Class</source>
        <translation>Kelas</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="143"/>
        <source>Method</source>
        <translation>Metode</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="147"/>
        <source>Opacity</source>
        <translation>Kepekatan</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="149"/>
        <source>Colours</source>
        <translation>Warna</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="170"/>
        <source>(top)</source>
        <translation>(tertinggi)</translation>
    </message>
</context>
<context>
    <name>HeatmapViewer</name>
    <message>
        <location filename="../../gui/heatmap_view.py" line="225"/>
        <source>Colour scale: red = the areas that raised the score for the chosen class most, blue = the least; relative within this image, not a probability.</source>
        <translation>Skala warna: merah = area yang paling menaikkan skor kelas yang dipilih, biru = yang paling sedikit; relatif di dalam gambar ini, bukan probabilitas.</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="234"/>
        <source>Choose the screening type, then drop images here or click Open files.</source>
        <translation>Pilih jenis skrining, lalu letakkan gambar di sini atau klik Buka berkas.</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="283"/>
        <source>No positive evidence for this class: nothing in the image speaks for it, so no heatmap is drawn.</source>
        <translation>Tidak ada bukti positif untuk kelas ini: tidak ada bagian gambar yang mendukungnya, sehingga peta panas tidak digambar.</translation>
    </message>
    <message>
        <location filename="../../gui/heatmap_view.py" line="291"/>
        <source>No clear focus: this heatmap spreads over a broad area, so it does not show where a finding is. Read it as what the model weighed overall.</source>
        <translation>Tanpa fokus yang jelas: peta panas ini menyebar di area yang luas, jadi tidak menunjukkan letak temuan. Bacalah sebagai apa yang ditimbang model secara umum.</translation>
    </message>
</context>
<context>
    <name>HistoryList</name>
    <message>
        <location filename="../../gui/history_panel.py" line="77"/>
        <source>Search by patient ID, name or file</source>
        <translation>Cari menurut ID pasien, nama, atau berkas</translation>
    </message>
    <message>
        <location filename="../../gui/history_panel.py" line="91"/>
        <source>No saved screenings yet.</source>
        <translation>Belum ada skrining tersimpan.</translation>
    </message>
    <message>
        <location filename="../../gui/history_panel.py" line="123"/>
        <source>Show</source>
        <translation>Tampilkan</translation>
    </message>
    <message>
        <location filename="../../gui/history_panel.py" line="126"/>
        <source>Move to another patient…</source>
        <translation>Pindahkan ke pasien lain…</translation>
    </message>
    <message>
        <location filename="../../gui/history_panel.py" line="126"/>
        <source>Assign to a patient…</source>
        <translation>Tetapkan ke pasien…</translation>
    </message>
    <message>
        <location filename="../../gui/history_panel.py" line="130"/>
        <source>Void this screening…</source>
        <translation>Batalkan skrining ini…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="91"/>
        <source>ClinicLens — screening aid</source>
        <translation>ClinicLens — alat bantu skrining</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="117"/>
        <source>Previous image (Page Up)</source>
        <translation>Gambar sebelumnya (Page Up)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="118"/>
        <source>Next image (Page Down)</source>
        <translation>Gambar berikutnya (Page Down)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="122"/>
        <source>Clear list</source>
        <translation>Kosongkan daftar</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="138"/>
        <source>Patient</source>
        <translation>Pasien</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="139"/>
        <source>History</source>
        <translation>Riwayat</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="172"/>
        <source>%v of %m</source>
        <translation>%v dari %m</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="173"/>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="205"/>
        <source>Frame</source>
        <translation>Bingkai</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="209"/>
        <source>Which frame of this multi-frame DICOM file to screen</source>
        <translation>Bingkai mana dari berkas DICOM multi-bingkai ini yang akan diskrining</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="231"/>
        <source>&amp;File</source>
        <translation>&amp;Berkas</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="233"/>
        <source>Open files…</source>
        <translation>Buka berkas…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="237"/>
        <source>Open folder…</source>
        <translation>Buka folder…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="241"/>
        <source>Paste</source>
        <translation>Tempel</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="247"/>
        <source>Save heatmap overlay (PNG)…</source>
        <translation>Simpan lapisan peta panas (PNG)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="251"/>
        <source>Save report (PDF)…</source>
        <translation>Simpan laporan (PDF)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="255"/>
        <source>Print report…</source>
        <translation>Cetak laporan…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="259"/>
        <source>Batch screening…</source>
        <translation>Skrining massal…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="260"/>
        <source>Settings…</source>
        <translation>Pengaturan…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="263"/>
        <source>Quit</source>
        <translation>Keluar</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="265"/>
        <source>&amp;View</source>
        <translation>&amp;Tampilan</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="267"/>
        <source>Next image</source>
        <translation>Gambar berikutnya</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="270"/>
        <source>Previous image</source>
        <translation>Gambar sebelumnya</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="273"/>
        <source>Show heatmap</source>
        <translation>Tampilkan peta panas</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="278"/>
        <source>Fit to window</source>
        <translation>Paskan ke jendela</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="279"/>
        <source>&amp;Help</source>
        <translation>Ban&amp;tuan</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="282"/>
        <source>About this screening type…</source>
        <translation>Tentang jenis skrining ini…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="285"/>
        <source>Where is my data?…</source>
        <translation>Di mana data saya?…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="287"/>
        <location filename="../../gui/window_dialogs.py" line="69"/>
        <source>About ClinicLens</source>
        <translation>Tentang ClinicLens</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="330"/>
        <source>Looking for screening types…</source>
        <translation>Mencari jenis skrining…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="351"/>
        <source>Patient database unavailable: {reason}</source>
        <translation>Basis data pasien tidak tersedia: {reason}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="356"/>
        <source>Ready</source>
        <translation>Siap</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="366"/>
        <source>No screening types installed</source>
        <translation>Belum ada jenis skrining yang terpasang</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="372"/>
        <source>ClinicLens</source>
        <translation>ClinicLens</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="409"/>
        <source>The site calibration of this screening type is not used; see above.</source>
        <translation>Kalibrasi situs jenis skrining ini tidak dipakai; lihat di atas.</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="70"/>
        <source>&lt;h3&gt;ClinicLens {version}&lt;/h3&gt;&lt;p&gt;Offline screening aid for clinics: small image classifiers with heatmaps, patient records and PDF reports.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Screening aid — not a diagnosis.&lt;/b&gt; Every result must be reviewed by a qualified health worker.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;ClinicLens {version}&lt;/h3&gt;&lt;p&gt;Alat bantu skrining luring untuk klinik: pengklasifikasi gambar kecil dengan peta panas, rekam pasien, dan laporan PDF.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Alat bantu skrining — bukan diagnosis.&lt;/b&gt; Setiap hasil wajib ditinjau oleh tenaga kesehatan yang berwenang.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/image_flow.py" line="75"/>
        <source>Open images</source>
        <translation>Buka gambar</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="176"/>
        <location filename="../../gui/image_flow.py" line="77"/>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif *.dcm *.dicom)</source>
        <translation>Gambar (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif *.dcm *.dicom)</translation>
    </message>
    <message>
        <location filename="../../gui/image_flow.py" line="90"/>
        <source>Open a folder of images</source>
        <translation>Buka folder gambar</translation>
    </message>
    <message>
        <location filename="../../gui/image_flow.py" line="106"/>
        <source>The clipboard holds no image or files.</source>
        <translation>Papan klip tidak berisi gambar atau berkas.</translation>
    </message>
    <message>
        <location filename="../../gui/image_flow.py" line="115"/>
        <source>The pasted image could not be kept for screening.</source>
        <translation>Gambar yang ditempel tidak dapat disimpan untuk skrining.</translation>
    </message>
    <message>
        <location filename="../../gui/image_flow.py" line="132"/>
        <source>Looking for images…</source>
        <translation>Mencari gambar…</translation>
    </message>
    <message>
        <location filename="../../gui/image_flow.py" line="145"/>
        <source>Added %n image(s)</source>
        <translation>%n gambar ditambahkan</translation>
    </message>
    <message>
        <location filename="../../gui/image_flow.py" line="224"/>
        <source>Screening failed</source>
        <translation>Skrining gagal</translation>
    </message>
    <message>
        <location filename="../../gui/image_flow.py" line="231"/>
        <source>Cancelled</source>
        <translation>Dibatalkan</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="99"/>
        <source>Saved screening #{id} — {file}</source>
        <translation>Skrining tersimpan #{id} — {file}</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="104"/>
        <source>No images yet</source>
        <translation>Belum ada gambar</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="107"/>
        <source>Image {n} of {total} — {file}</source>
        <translation>Gambar {n} dari {total} — {file}</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="164"/>
        <source>DICOM</source>
        <translation>DICOM</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="169"/>
        <source>study {date}</source>
        <translation>studi {date}</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="181"/>
        <source>of {n}</source>
        <translation>dari {n}</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="185"/>
        <source>DICOM study {date} {modality}</source>
        <translation>Studi DICOM {date} {modality}</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="219"/>
        <source>Choose a screening type</source>
        <translation>Pilih jenis skrining</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="224"/>
        <source>Screening…</source>
        <translation>Menskrining…</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="268"/>
        <source>The image cannot be shown: {reason}</source>
        <translation>Gambar tidak dapat ditampilkan: {reason}</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="289"/>
        <source>decode</source>
        <translation>dekode</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="290"/>
        <source>preprocess</source>
        <translation>praproses</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="291"/>
        <source>model</source>
        <translation>model</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="292"/>
        <source>heatmap</source>
        <translation>peta panas</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="293"/>
        <source>overlay</source>
        <translation>lapisan</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="298"/>
        <source>total {ms} ms</source>
        <translation>total {ms} ms</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="328"/>
        <source>There is no heatmap to save.</source>
        <translation>Tidak ada peta panas untuk disimpan.</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="338"/>
        <source>Save heatmap overlay</source>
        <translation>Simpan lapisan peta panas</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="340"/>
        <source>PNG image (*.png)</source>
        <translation>Gambar PNG (*.png)</translation>
    </message>
    <message>
        <location filename="../../gui/viewer_flow.py" line="366"/>
        <source>Saved {path}</source>
        <translation>Tersimpan {path}</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="283"/>
        <source>Batch #{id}: {summary}</source>
        <translation>Batch #{id}: {summary}</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="339"/>
        <source>PDF document (*.pdf)</source>
        <translation>Dokumen PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="113"/>
        <source>Settings saved.</source>
        <translation>Pengaturan disimpan.</translation>
    </message>
    <message>
        <location filename="../../gui/window_dialogs.py" line="118"/>
        <source>Restart ClinicLens to change the language.</source>
        <translation>Mulai ulang ClinicLens untuk mengganti bahasa.</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="87"/>
        <source>Batch #{id} ({pack}) was interrupted with {done} of {total} images screened. Resume it now?</source>
        <translation>Skrining massal #{id} ({pack}) terhenti setelah {done} dari {total} gambar diskrining. Lanjutkan sekarang?</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="99"/>
        <source>Unfinished batch</source>
        <translation>Skrining massal belum selesai</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="132"/>
        <source>Batches need the patient database: {reason}</source>
        <translation>Skrining massal memerlukan basis data pasien: {reason}</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="133"/>
        <source>not open yet</source>
        <translation>belum dibuka</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="153"/>
        <source>none chosen</source>
        <translation>belum dipilih</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="174"/>
        <source>Add images</source>
        <translation>Tambahkan gambar</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="186"/>
        <source>Add a folder of images</source>
        <translation>Tambahkan folder gambar</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="194"/>
        <source>Patient list</source>
        <translation>Daftar pasien</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="196"/>
        <source>CSV file (*.csv);;All files (*)</source>
        <translation>Berkas CSV (*.csv);;Semua berkas (*)</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="213"/>
        <source>Choose a screening type first.</source>
        <translation>Pilih jenis skrining terlebih dahulu.</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="221"/>
        <source>The screening type of this batch is not installed any more.</source>
        <translation>Jenis skrining untuk skrining massal ini sudah tidak terpasang.</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="236"/>
        <source>Preparing the batch…</source>
        <translation>Menyiapkan skrining massal…</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="265"/>
        <source>Batch: {finished} of {total}</source>
        <translation>Massal: {finished} dari {total}</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="337"/>
        <source>Save summary report</source>
        <translation>Simpan laporan ringkasan</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="365"/>
        <source>Summary report saved: {path} ({pages} page(s))</source>
        <translation>Laporan ringkasan disimpan: {path} ({pages} halaman)</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="378"/>
        <source>Export results</source>
        <translation>Ekspor hasil</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="380"/>
        <source>CSV file (*.csv)</source>
        <translation>Berkas CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="410"/>
        <source>Results exported: {path}</source>
        <translation>Hasil diekspor: {path}</translation>
    </message>
    <message>
        <location filename="../../gui/batch_flow.py" line="423"/>
        <source>Open</source>
        <translation>Buka</translation>
    </message>
</context>
<context>
    <name>ModalityOffer</name>
    <message>
        <location filename="../../gui/modality_offer.py" line="25"/>
        <source>a brain MRI</source>
        <translation>MRI otak</translation>
    </message>
    <message>
        <location filename="../../gui/modality_offer.py" line="26"/>
        <source>a chest X-ray</source>
        <translation>rontgen dada</translation>
    </message>
    <message>
        <location filename="../../gui/modality_offer.py" line="27"/>
        <source>a photo of a palm</source>
        <translation>foto telapak tangan</translation>
    </message>
    <message>
        <location filename="../../gui/modality_offer.py" line="28"/>
        <source>a photo of a face</source>
        <translation>foto wajah</translation>
    </message>
</context>
<context>
    <name>ModalityOfferBar</name>
    <message>
        <location filename="../../gui/modality_offer.py" line="88"/>
        <source>This image looks like {kind}.</source>
        <translation>Gambar ini tampaknya {kind}.</translation>
    </message>
    <message>
        <location filename="../../gui/modality_offer.py" line="92"/>
        <source>This image looks like {kind}. No installed screening type reads it.</source>
        <translation>Gambar ini tampaknya {kind}. Tidak ada jenis skrining terpasang yang membacanya.</translation>
    </message>
    <message>
        <location filename="../../gui/modality_offer.py" line="96"/>
        <source>Switch to {name}</source>
        <translation>Beralih ke {name}</translation>
    </message>
</context>
<context>
    <name>PackChooser</name>
    <message>
        <location filename="../../gui/packs_panel.py" line="40"/>
        <source>Looking for screening types…</source>
        <translation>Mencari jenis skrining…</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="42"/>
        <source>About this screening type…</source>
        <translation>Tentang jenis skrining ini…</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="51"/>
        <source>Screening type</source>
        <translation>Jenis skrining</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="71"/>
        <source>{name} (cannot be used)</source>
        <translation>{name} (tidak dapat digunakan)</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="78"/>
        <source>No screening types installed</source>
        <translation>Belum ada jenis skrining yang terpasang</translation>
    </message>
    <message numerus="yes">
        <location filename="../../gui/packs_panel.py" line="87"/>
        <source>%n type(s) could not be loaded</source>
        <translation>
            <numerusform>%n jenis tidak dapat dimuat</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PackInfoDialog</name>
    <message>
        <location filename="../../gui/packs_panel.py" line="97"/>
        <source>Images unlike its training images get no answer. {passed} of its own held-out images pass this check.</source>
        <translation>Gambar yang tidak mirip gambar latihnya tidak diberi jawaban. {passed} gambar ujinya sendiri lolos pemeriksaan ini.</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="108"/>
        <source>Images of another kind (other scans, photos, documents) are refused before this check, as the wrong type of image; on its own, this check also refuses {refused} of such test images.</source>
        <translation>Gambar jenis lain (pindaian lain, foto, dokumen) sudah ditolak sebelum pemeriksaan ini, sebagai jenis gambar yang salah; pemeriksaan ini sendiri juga menolak {refused} dari gambar uji semacam itu.</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="112"/>
        <source>{refused} of unrelated test images (other scans, photos, documents) are refused.</source>
        <translation>{refused} gambar uji yang tidak terkait (pindaian lain, foto, dokumen) ditolak.</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="126"/>
        <source>the ClinicLens project (key {fingerprint})</source>
        <translation>proyek ClinicLens (kunci {fingerprint})</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="130"/>
        <source>a key trusted on this computer: {fingerprint} ({name})</source>
        <translation>kunci yang dipercaya di komputer ini: {fingerprint} ({name})</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="133"/>
        <source>nobody: this pack is unsigned and runs only in developer mode</source>
        <translation>tidak ada: paket ini tidak bertanda tangan dan hanya berjalan dalam mode pengembang</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="165"/>
        <source>Own validation images</source>
        <translation>Gambar validasi sendiri</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="166"/>
        <source>Images from a second site</source>
        <translation>Gambar dari lokasi kedua</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="177"/>
        <source>{split} ({n}): answered {answered}; right, counting refusals as misses, {accuracy} (95 % intervals).</source>
        <translation>{split} ({n}): dijawab {answered}; benar, penolakan dihitung sebagai salah, {accuracy} (interval 95 %).</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="187"/>
        <source>{split}: marked “refer for follow-up”, by true class: {classes}.</source>
        <translation>{split}: ditandai “rujuk untuk pemeriksaan lanjutan”, menurut kelas sebenarnya: {classes}.</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="200"/>
        <source>{split}: heatmap peak on the tumour {ours}; a map that always points at the centre {centre}.</source>
        <translation>{split}: puncak peta panas pada tumor {ours}; peta yang selalu menunjuk ke tengah {centre}.</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="231"/>
        <source>Intended use</source>
        <translation>Tujuan penggunaan</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="232"/>
        <source>Classes</source>
        <translation>Kelas</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="233"/>
        <source>refer for follow-up</source>
        <translation>rujuk untuk pemeriksaan lanjutan</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="234"/>
        <source>Measured accuracy</source>
        <translation>Akurasi terukur</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="235"/>
        <source>Class</source>
        <translation>Kelas</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="236"/>
        <source>Sensitivity</source>
        <translation>Sensitivitas</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="237"/>
        <source>Precision</source>
        <translation>Presisi</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="238"/>
        <source>Images</source>
        <translation>Gambar</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="239"/>
        <source>Limitations</source>
        <translation>Keterbatasan</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="240"/>
        <source>Images it refuses</source>
        <translation>Gambar yang ditolak</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="241"/>
        <source>Screening types that could not be loaded</source>
        <translation>Jenis skrining yang tidak dapat dimuat</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="247"/>
        <source>Pack {id}, version {version}</source>
        <translation>Paket {id}, versi {version}</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="252"/>
        <source>Signed by</source>
        <translation>Ditandatangani oleh</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="265"/>
        <source>Accuracy {acc}, macro F1 {f1} on {n} held-out {split} images.</source>
        <translation>Akurasi {acc}, F1 makro {f1} pada {n} gambar {split} terpisah.</translation>
    </message>
    <message>
        <location filename="../../gui/packs_panel.py" line="323"/>
        <source>About this screening type</source>
        <translation>Tentang jenis skrining ini</translation>
    </message>
</context>
<context>
    <name>PackNotice</name>
    <message>
        <location filename="../../gui/pack_notice.py" line="24"/>
        <source>This screening type&apos;s site calibration is not used: screenings use the shipped calibration. Re-run File → Settings… → Site calibration… with your clinic&apos;s labelled images, or revert to the shipped calibration there. Reason: {reason}</source>
        <translation>Kalibrasi situs jenis skrining ini tidak dipakai: skrining memakai kalibrasi bawaan. Jalankan lagi Berkas → Pengaturan… → Kalibrasi situs… dengan gambar berlabel klinik Anda, atau kembali ke kalibrasi bawaan di sana. Alasan (bahasa Inggris): {reason}</translation>
    </message>
</context>
<context>
    <name>PatientFlow</name>
    <message>
        <location filename="../../gui/patient_flow.py" line="93"/>
        <location filename="../../gui/patient_flow.py" line="122"/>
        <source>Save screening to patient record</source>
        <translation>Simpan skrining ke rekam pasien</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="111"/>
        <source>Move screening to this patient…</source>
        <translation>Pindahkan skrining ke pasien ini…</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="113"/>
        <source>Assign screening to this patient</source>
        <translation>Tetapkan skrining ke pasien ini</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="152"/>
        <source>New patient: saved with the screening.</source>
        <translation>Pasien baru: disimpan bersama skrining.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="160"/>
        <source>Existing patient: {label}</source>
        <translation>Pasien terdaftar: {label}</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="171"/>
        <source>Check the details read from the DICOM file, then press “Details are correct”.</source>
        <translation>Periksa data yang dibaca dari berkas DICOM, lalu tekan “Data sudah benar”.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="184"/>
        <source>Enter a patient ID: it is needed to find the patient later.</source>
        <translation>Masukkan ID pasien: ID ini diperlukan untuk menemukan pasien nanti.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="226"/>
        <source>Same patient again?</source>
        <translation>Pasien yang sama lagi?</translation>
    </message>
    <message numerus="yes">
        <location filename="../../gui/patient_flow.py" line="228"/>
        <source>{patient} already has %n screening(s) saved in this session ({files}). Is this image also of {patient}?</source>
        <translation>
            <numerusform>{patient} sudah memiliki %n skrining yang disimpan pada sesi ini ({files}). Apakah gambar ini juga milik {patient}?</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="234"/>
        <source>Not saved. Check the patient ID.</source>
        <translation>Tidak disimpan. Periksa ID pasien.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="271"/>
        <source>Saved to {patient} (screening #{id}).</source>
        <translation>Disimpan ke {patient} (skrining #{id}).</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="298"/>
        <source>Result not saved</source>
        <translation>Hasil belum disimpan</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="300"/>
        <source>The result on screen is not saved to this patient&apos;s record, so the report will not include it. Save it first with &quot;Save screening to patient record&quot;.

Write the report without it?</source>
        <translation>Hasil di layar belum disimpan ke rekam pasien ini, sehingga laporan tidak akan memuatnya. Simpan dulu dengan &quot;Simpan skrining ke rekam pasien&quot;.

Tulis laporan tanpa hasil itu?</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="317"/>
        <source>Save report</source>
        <translation>Simpan laporan</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="317"/>
        <source>PDF document (*.pdf)</source>
        <translation>Dokumen PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="344"/>
        <source>Report saved: {path} ({pages} page(s))</source>
        <translation>Laporan disimpan: {path} ({pages} halaman)</translation>
    </message>
    <message>
        <location filename="../../gui/patient_flow.py" line="352"/>
        <source>Writing the report…</source>
        <translation>Menulis laporan…</translation>
    </message>
</context>
<context>
    <name>PatientForm</name>
    <message>
        <location filename="../../gui/patient_panel.py" line="52"/>
        <source>Clinic record number, e.g. P-001</source>
        <translation>Nomor rekam medis klinik, mis. P-001</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="55"/>
        <source>Female</source>
        <translation>Perempuan</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="55"/>
        <source>Male</source>
        <translation>Laki-laki</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="57"/>
        <source>Other</source>
        <translation>Lainnya</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="59"/>
        <source>DD/MM/YYYY or YYYY-MM-DD</source>
        <translation>HH/BB/TTTT atau TTTT-BB-HH</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="61"/>
        <source>Day first: 12/05/1980 is 12 May 1980. The date understood is shown below.</source>
        <translation>Hari lebih dulu: 12/05/1980 adalah 12 Mei 1980. Tanggal yang dipahami ditampilkan di bawah.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="69"/>
        <source>unknown</source>
        <translation>tidak diketahui</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="71"/>
        <source>Age in years, when the date of birth is not known</source>
        <translation>Usia dalam tahun, bila tanggal lahir tidak diketahui</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="74"/>
        <source>Save screening to patient record</source>
        <translation>Simpan skrining ke rekam pasien</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="76"/>
        <source>Save report (PDF)…</source>
        <translation>Simpan laporan (PDF)…</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="89"/>
        <source>Details are correct</source>
        <translation>Data sudah benar</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="91"/>
        <source>Confirm the patient details read from the DICOM file</source>
        <translation>Konfirmasi data pasien yang dibaca dari berkas DICOM</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="109"/>
        <source>or age</source>
        <translation>atau usia</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="113"/>
        <source>Patient ID</source>
        <translation>ID pasien</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="114"/>
        <source>Name</source>
        <translation>Nama</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="115"/>
        <source>Sex</source>
        <translation>Jenis kelamin</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="116"/>
        <source>Date of birth</source>
        <translation>Tanggal lahir</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="118"/>
        <source>Notes</source>
        <translation>Catatan</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="136"/>
        <source>Age {age} on {date}</source>
        <translation>Usia {age} pada {date}</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="166"/>
        <source>The date of birth is in the future.</source>
        <translation>Tanggal lahir ada di masa depan.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="167"/>
        <source>The date of birth is more than 130 years ago.</source>
        <translation>Tanggal lahir lebih dari 130 tahun yang lalu.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="171"/>
        <source>The date of birth is not a date. Write it as day/month/year (12/05/1980) or year-month-day (1980-05-12).</source>
        <translation>Tanggal lahir bukan tanggal yang valid. Tulis sebagai hari/bulan/tahun (12/05/1980) atau tahun-bulan-hari (1980-05-12).</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="234"/>
        <source>Filled in from the DICOM file. Please check these details and confirm.</source>
        <translation>Diisi dari berkas DICOM. Harap periksa data ini dan konfirmasikan.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="247"/>
        <source>Patient details confirmed.</source>
        <translation>Data pasien telah dikonfirmasi.</translation>
    </message>
    <message>
        <location filename="../../gui/patient_panel.py" line="253"/>
        <source>Open</source>
        <translation>Buka</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <location filename="../../gui/records_view.py" line="56"/>
        <source>Clinic record number, e.g. P-001</source>
        <translation>Nomor rekam medis klinik, mis. P-001</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="57"/>
        <source>Create this patient if the ID is new</source>
        <translation>Buat pasien ini jika ID-nya baru</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="60"/>
        <source>Why (kept in the audit trail)</source>
        <translation>Mengapa (disimpan di jejak audit)</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="60"/>
        <source>Optional</source>
        <translation>Opsional</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="64"/>
        <source>Patient ID</source>
        <translation>ID pasien</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="69"/>
        <source>Reason</source>
        <translation>Alasan</translation>
    </message>
</context>
<context>
    <name>RecordsView</name>
    <message>
        <location filename="../../gui/records_view.py" line="146"/>
        <source>the file could not be read</source>
        <translation>berkas tidak dapat dibaca</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="147"/>
        <source>the image is too large</source>
        <translation>gambar terlalu besar</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="148"/>
        <source>not the kind of image this screening type is for</source>
        <translation>bukan jenis gambar untuk jenis skrining ini</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="149"/>
        <source>unlike the images the model was trained on</source>
        <translation>tidak mirip gambar yang dipakai melatih model</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="150"/>
        <source>image quality too poor</source>
        <translation>kualitas gambar terlalu buruk</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="151"/>
        <source>screening failed</source>
        <translation>skrining gagal</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="152"/>
        <source>no answer</source>
        <translation>tanpa jawaban</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="157"/>
        <source>This screening was voided; it cannot be assigned.</source>
        <translation>Skrining ini sudah dibatalkan; tidak dapat ditetapkan ke pasien.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="158"/>
        <source>This screening is already voided.</source>
        <translation>Skrining ini sudah dibatalkan.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="159"/>
        <source>This screening already belongs to {patient}.</source>
        <translation>Skrining ini sudah milik {patient}.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="160"/>
        <source>Give a reason: it is kept in the audit trail.</source>
        <translation>Berikan alasan: alasan disimpan di jejak audit.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="162"/>
        <source>No patient with ID {patient}. Check the ID, or tick “Create this patient”.</source>
        <translation>Tidak ada pasien dengan ID {patient}. Periksa ID-nya, atau centang “Buat pasien ini”.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="164"/>
        <source>Enter the patient ID.</source>
        <translation>Masukkan ID pasien.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="173"/>
        <source>refer</source>
        <translation>rujuk</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="175"/>
        <source>No answer: {reason}</source>
        <translation>Tidak ada jawaban: {reason}</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="178"/>
        <source>(no patient yet)</source>
        <translation>(belum ada pasien)</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="182"/>
        <source>VOIDED: {reason}</source>
        <translation>DIBATALKAN: {reason}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../gui/records_view.py" line="219"/>
        <source>Batch #{id} — {when} — %n screening(s)</source>
        <translation>
            <numerusform>Batch #{id} — {when} — %n skrining</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="267"/>
        <source>Voided {when} by {who}: {reason}</source>
        <translation>Dibatalkan {when} oleh {who}: {reason}</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="287"/>
        <source>No image was stored with this screening.</source>
        <translation>Tidak ada gambar yang disimpan untuk skrining ini.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="317"/>
        <source>Void screening #{id}</source>
        <translation>Batalkan skrining #{id}</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="319"/>
        <source>A voided screening stays in the database and the audit trail, but it is never shown or printed as a result again. This cannot be undone.</source>
        <translation>Skrining yang dibatalkan tetap ada di basis data dan jejak audit, tetapi tidak pernah lagi ditampilkan atau dicetak sebagai hasil. Ini tidak dapat dibatalkan.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="330"/>
        <source>Screening #{id} belongs to {patient}. Moving it is recorded with the reason; reports printed before still name {patient}.</source>
        <translation>Skrining #{id} milik {patient}. Pemindahan dicatat beserta alasannya; laporan yang sudah dicetak tetap menyebut {patient}.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="334"/>
        <source>Screening #{id} has no patient yet.</source>
        <translation>Skrining #{id} belum memiliki pasien.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="337"/>
        <source>Move to another patient</source>
        <translation>Pindahkan ke pasien lain</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="337"/>
        <source>Assign to a patient</source>
        <translation>Tetapkan ke pasien</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="382"/>
        <source>Screening #{id} is now on {patient}.</source>
        <translation>Skrining #{id} sekarang milik {patient}.</translation>
    </message>
    <message>
        <location filename="../../gui/records_view.py" line="397"/>
        <source>Screening #{id} was voided.</source>
        <translation>Skrining #{id} telah dibatalkan.</translation>
    </message>
</context>
<context>
    <name>ReportPrinter</name>
    <message>
        <location filename="../../gui/printing.py" line="69"/>
        <source>Open or save a screening for a patient first, then print the report.</source>
        <translation>Buka atau simpan skrining untuk seorang pasien dulu, lalu cetak laporannya.</translation>
    </message>
    <message>
        <location filename="../../gui/printing.py" line="82"/>
        <source>Print report</source>
        <translation>Cetak laporan</translation>
    </message>
    <message>
        <location filename="../../gui/printing.py" line="103"/>
        <source>No print system was found. Open the report and print it from there.</source>
        <translation>Sistem pencetakan tidak ditemukan. Buka laporan dan cetak dari sana.</translation>
    </message>
    <message>
        <location filename="../../gui/printing.py" line="113"/>
        <source>Report sent to {printer}.</source>
        <translation>Laporan dikirim ke {printer}.</translation>
    </message>
    <message>
        <location filename="../../gui/printing.py" line="116"/>
        <source>The report could not be printed: {reason}</source>
        <translation>Laporan tidak dapat dicetak: {reason}</translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <location filename="../../gui/result_panel.py" line="37"/>
        <source>Result</source>
        <translation>Hasil</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="69"/>
        <source>Screening aid — not a diagnosis</source>
        <translation>Alat bantu skrining — bukan diagnosis</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="101"/>
        <source>No image screened yet</source>
        <translation>Belum ada gambar yang diskrining</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="120"/>
        <source>{name}, version {version}</source>
        <translation>{name}, versi {version}</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="124"/>
        <source>Screened {when}</source>
        <translation>Diskrining {when}</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="126"/>
        <source>Patient: {patient}</source>
        <translation>Pasien: {patient}</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="129"/>
        <source>Voided — not a valid result</source>
        <translation>Dibatalkan — bukan hasil yang sah</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="138"/>
        <source>No answer for this image</source>
        <translation>Tidak ada jawaban untuk gambar ini</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="151"/>
        <source>Refer: {classes}</source>
        <translation>Rujuk: {classes}</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="156"/>
        <source>{cls} {p}, above its referral threshold. Most likely class: {top} {tp}</source>
        <translation>{cls} {p}, di atas ambang rujukannya. Kelas paling mungkin: {top} {tp}</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="171"/>
        <source>Model probability {p}</source>
        <translation>Probabilitas model {p}</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="177"/>
        <source>Refer for follow-up</source>
        <translation>Rujuk untuk pemeriksaan lanjutan</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="183"/>
        <source>because of: {classes}</source>
        <translation>karena: {classes}</translation>
    </message>
    <message>
        <location filename="../../gui/result_panel.py" line="189"/>
        <source>No referral indicated by the model</source>
        <translation>Model tidak menunjukkan perlunya rujukan</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../gui/settings_dialog.py" line="57"/>
        <source>Settings</source>
        <translation>Pengaturan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="61"/>
        <source>Printed at the top of every report</source>
        <translation>Dicetak di bagian atas setiap laporan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="64"/>
        <source>No logo</source>
        <translation>Tanpa logo</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="65"/>
        <source>Choose…</source>
        <translation>Pilih…</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="66"/>
        <source>Remove</source>
        <translation>Hapus</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="70"/>
        <source>Name of the health worker using this computer</source>
        <translation>Nama tenaga kesehatan yang memakai komputer ini</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="72"/>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="73"/>
        <source>Letter (US)</source>
        <translation>Letter (AS)</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="76"/>
        <source>Print patient names on reports</source>
        <translation>Cetak nama pasien pada laporan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="78"/>
        <source>Put patient names in report file names</source>
        <translation>Cantumkan nama pasien pada nama berkas laporan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="81"/>
        <source>Show them</source>
        <translation>Tampilkan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="82"/>
        <source>Leave them out</source>
        <translation>Jangan dicantumkan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="83"/>
        <source>Replace them with a pseudonym</source>
        <translation>Ganti dengan nama samaran</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="90"/>
        <source>Patient ID, name and date of birth on reports, e.g. those read from DICOM files</source>
        <translation>ID, nama, dan tanggal lahir pasien pada laporan, mis. yang dibaca dari berkas DICOM</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="95"/>
        <source>System default</source>
        <translation>Bawaan sistem</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="101"/>
        <source>The window reopens in the new language when you press OK.</source>
        <translation>Jendela dibuka ulang dalam bahasa baru saat Anda menekan OK.</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="118"/>
        <source>Clinic and reports</source>
        <translation>Klinik dan laporan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="122"/>
        <source>Clinic name</source>
        <translation>Nama klinik</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="123"/>
        <source>Address</source>
        <translation>Alamat</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="124"/>
        <source>Logo</source>
        <translation>Logo</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="126"/>
        <source>Operator</source>
        <translation>Petugas</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="127"/>
        <source>Paper size</source>
        <translation>Ukuran kertas</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="129"/>
        <source>Privacy</source>
        <translation>Privasi</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="135"/>
        <source>Patient identifiers on reports</source>
        <translation>Identitas pasien pada laporan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="137"/>
        <source>Language</source>
        <translation>Bahasa</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="140"/>
        <source>Interface and reports</source>
        <translation>Tampilan dan laporan</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="154"/>
        <source>Site calibration…</source>
        <translation>Kalibrasi situs…</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="184"/>
        <source>Clinic logo</source>
        <translation>Logo klinik</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="184"/>
        <source>Images (*.png *.jpg *.jpeg)</source>
        <translation>Gambar (*.png *.jpg *.jpeg)</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="196"/>
        <source>The logo file {path} does not exist.</source>
        <translation>Berkas logo {path} tidak ada.</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="199"/>
        <source>The logo must be a PNG or JPEG image.</source>
        <translation>Logo harus berupa gambar PNG atau JPEG.</translation>
    </message>
</context>
<context>
    <name>SiteCalibrationDialog</name>
    <message>
        <location filename="../../gui/site_wizard.py" line="48"/>
        <location filename="../../gui/site_wizard.py" line="324"/>
        <source>Site calibration</source>
        <translation>Kalibrasi situs</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="62"/>
        <source>Folder with one sub-folder per class, or a CSV of file,label</source>
        <translation>Folder dengan satu sub-folder per kelas, atau CSV berisi file,label</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="63"/>
        <source>Folder…</source>
        <translation>Folder…</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="64"/>
        <source>CSV…</source>
        <translation>CSV…</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="67"/>
        <source>Check on these images</source>
        <translation>Periksa pada gambar ini</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="68"/>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="76"/>
        <source>Measure</source>
        <translation>Ukuran</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="76"/>
        <source>Shipped</source>
        <translation>Bawaan</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="76"/>
        <source>Calibrated</source>
        <translation>Terkalibrasi</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="84"/>
        <source>Apply</source>
        <translation>Terapkan</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="86"/>
        <source>Revert to shipped calibration</source>
        <translation>Kembali ke kalibrasi bawaan</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="87"/>
        <source>Export…</source>
        <translation>Ekspor…</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="88"/>
        <source>Import…</source>
        <translation>Impor…</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="89"/>
        <source>Close</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="96"/>
        <source>Screening type</source>
        <translation>Jenis skrining</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="98"/>
        <location filename="../../gui/site_wizard.py" line="171"/>
        <location filename="../../gui/site_wizard.py" line="176"/>
        <source>Labelled images</source>
        <translation>Gambar berlabel</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="99"/>
        <source>Target sensitivity</source>
        <translation>Target sensitivitas</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="152"/>
        <source>No screening type is installed.</source>
        <translation>Tidak ada jenis skrining yang terpasang.</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="164"/>
        <source>Uses the shipped calibration.</source>
        <translation>Memakai kalibrasi bawaan.</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="166"/>
        <source>Active: {label}</source>
        <translation>Aktif: {label}</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="176"/>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="190"/>
        <source>Choose the labelled images first.</source>
        <translation>Pilih gambar berlabel terlebih dahulu.</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="198"/>
        <location filename="../../gui/site_wizard.py" line="217"/>
        <source>Screening the sample</source>
        <translation>Menskrining sampel</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="198"/>
        <source>Cross-validating</source>
        <translation>Validasi silang</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="224"/>
        <source>Cancelling…</source>
        <translation>Membatalkan…</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="236"/>
        <source>Cancelled: nothing was changed.</source>
        <translation>Dibatalkan: tidak ada yang diubah.</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="247"/>
        <source>Sample: {n} labelled images ({counts})</source>
        <translation>Sampel: {n} gambar berlabel ({counts})</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="249"/>
        <source>Accuracy (refusals count as misses)</source>
        <translation>Akurasi (penolakan dihitung sebagai salah)</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="250"/>
        <source>Answered</source>
        <translation>Dijawab</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="256"/>
        <source>Sensitivity {cls}</source>
        <translation>Sensitivitas {cls}</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="258"/>
        <source>Specificity {cls}</source>
        <translation>Spesifisitas {cls}</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="266"/>
        <source>By {folds}-fold cross-validation on your images the calibration beats the shipped pack: accuracy change {change}. Apply makes it the calibration every screening with this pack uses.</source>
        <translation>Menurut validasi silang {folds} lipatan pada gambar Anda, kalibrasi ini lebih baik daripada paket bawaan: perubahan akurasi {change}. Terapkan menjadikannya kalibrasi yang dipakai setiap skrining dengan paket ini.</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="270"/>
        <source>Cannot be applied: {reasons}</source>
        <translation>Tidak dapat diterapkan: {reasons}</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="287"/>
        <location filename="../../gui/site_wizard.py" line="329"/>
        <source>Applied: {label}</source>
        <translation>Diterapkan: {label}</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="298"/>
        <source>Back to the shipped calibration.</source>
        <translation>Kembali ke kalibrasi bawaan.</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="304"/>
        <source>Export site calibration</source>
        <translation>Ekspor kalibrasi situs</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="305"/>
        <location filename="../../gui/site_wizard.py" line="318"/>
        <source>Site calibration (*.clsite)</source>
        <translation>Kalibrasi situs (*.clsite)</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="312"/>
        <source>Written to {path}</source>
        <translation>Ditulis ke {path}</translation>
    </message>
    <message>
        <location filename="../../gui/site_wizard.py" line="317"/>
        <source>Import site calibration</source>
        <translation>Impor kalibrasi situs</translation>
    </message>
</context>
<context>
    <name>TargetsEditor</name>
    <message>
        <location filename="../../gui/site_targets.py" line="51"/>
        <source>the pack&apos;s own ({value})</source>
        <translation>bawaan paket ({value})</translation>
    </message>
</context>
</TS>
