"""What each bundled screening task means to a clinic: names, refer classes, wording.

Class ids are the dataset folder names. Text is bilingual (English / Bahasa Indonesia).
"""

from __future__ import annotations

from dataclasses import dataclass, field


def t(en: str, id_: str) -> dict[str, str]:
    return {"en": en, "id": id_}


@dataclass(frozen=True)
class ClassInfo:
    name: dict[str, str]
    description: dict[str, str]
    refer: bool


@dataclass(frozen=True)
class Task:
    pack_id: str
    dataset: str
    modality: str
    display_name: dict[str, str]
    classes: dict[str, ClassInfo]
    intended_use: dict[str, str]
    limitations: tuple[dict[str, str], ...]
    resize: str = "letterbox"
    color: str = "rgb"
    quality: dict = field(default_factory=dict)
    source: str = ""
    capture_advice: dict[str, str] | None = None  # manifest ``capture_advice`` (how to take the image)


NOT_DIAGNOSIS = t(
    "A screening aid, not a diagnosis: a qualified clinician must review every result.",
    "Alat bantu skrining, bukan diagnosis: setiap hasil harus ditinjau oleh tenaga medis yang berwenang.",
)
GRAY_QUALITY = {"expect_grayscale": True, "min_brightness": 8.0, "max_brightness": 245.0}
# Brain MRI slices lie on black: the outer ring of a genuine scan is at most 85 grey (train, n =
# 3305; val 77; measured 2026-12-01, shift/ 129), of an inverted one (val scans turned negative)
# 214 or more, so twice the training maximum tells them apart (inference.quality.border_brightness).
# Chest X-rays have no such surround (train up to 213), so their packs do not check it.
BRAIN_QUALITY = GRAY_QUALITY | {"max_border_brightness": 170.0}

BRAIN_CLASSES = {
    "glioma": ClassInfo(t("Glioma", "Glioma"), t(
        "Pattern consistent with a glioma (tumour of glial cells).",
        "Pola sesuai glioma (tumor sel glia)."), True),
    "meningioma": ClassInfo(t("Meningioma", "Meningioma"), t(
        "Pattern consistent with a meningioma (tumour of the brain's coverings).",
        "Pola sesuai meningioma (tumor selaput otak)."), True),
    "notumor": ClassInfo(t("No tumour", "Tidak ada tumor"), t(
        "No tumour pattern found by the model.", "Model tidak menemukan pola tumor."), False),
    "pituitary": ClassInfo(t("Pituitary tumour", "Tumor hipofisis"), t(
        "Pattern consistent with a pituitary tumour.", "Pola sesuai tumor hipofisis."), True),
}
BRAIN_SOURCE = ("Brain Tumor MRI Dataset (Kaggle, M. Nickparvar; figshare + SARTAJ + Br35H) via "
                "GitHub Mahfoozalam1516/Brain-Tumor-Detection-app; licence not stated")

TASKS: dict[str, Task] = {
    "brain-mri-tumor": Task(
        pack_id="brain-mri-tumor",
        dataset="brain_mri",
        modality="brain-mri",
        display_name=t("Brain MRI: tumour type", "MRI otak: jenis tumor"),
        classes=BRAIN_CLASSES,
        intended_use=t(
            "Screening of axial/coronal/sagittal brain MRI slices (T1-contrast style) for glioma, "
            "meningioma or pituitary tumour patterns, to prioritise referral to a radiologist.",
            "Skrining irisan MRI otak untuk pola glioma, meningioma atau tumor hipofisis, "
            "untuk memprioritaskan rujukan ke dokter radiologi."),
        limitations=(NOT_DIAGNOSIS, t(
            "Trained on one public dataset of single 2-D slices; other scanners, sequences and "
            "tumour types were not seen.",
            "Dilatih pada satu dataset publik berisi irisan 2-D; pemindai, sekuens dan jenis "
            "tumor lain belum pernah dilihat.")),
        color="gray3",
        quality=BRAIN_QUALITY,
        source=BRAIN_SOURCE,
    ),
    "brain-mri-glioma-meningioma": Task(
        pack_id="brain-mri-glioma-meningioma",
        dataset="brain_mri",
        modality="brain-mri",
        display_name=t("Brain MRI: glioma vs meningioma", "MRI otak: glioma vs meningioma"),
        classes={k: BRAIN_CLASSES[k] for k in ("glioma", "meningioma")},
        intended_use=t(
            "For MRI slices already known to show a tumour: separates glioma from meningioma "
            "patterns, with a heatmap of the evidence.",
            "Untuk irisan MRI yang sudah diketahui berisi tumor: membedakan pola glioma dan "
            "meningioma, dengan peta panas bukti."),
        limitations=(NOT_DIAGNOSIS, t(
            "Only two classes: any other finding (or no tumour) is forced into one of them.",
            "Hanya dua kelas: temuan lain (atau tanpa tumor) tetap dipaksa ke salah satunya.")),
        color="gray3",
        quality=BRAIN_QUALITY,
        source=BRAIN_SOURCE,
    ),
    "chest-xray-pneumonia": Task(
        pack_id="chest-xray-pneumonia",
        dataset="chest_xray",
        modality="chest-xray",
        display_name=t("Chest X-ray: pneumonia", "Rontgen dada: pneumonia"),
        classes={
            "normal": ClassInfo(t("Normal", "Normal"), t(
                "No pneumonia pattern found by the model.", "Model tidak menemukan pola pneumonia."), False),
            "pneumonia": ClassInfo(t("Pneumonia", "Pneumonia"), t(
                "Opacity pattern consistent with pneumonia.", "Pola opasitas sesuai pneumonia."), True),
        },
        intended_use=t(
            "Screening of frontal paediatric chest X-rays for pneumonia patterns.",
            "Skrining rontgen dada frontal anak untuk pola pneumonia."),
        limitations=(NOT_DIAGNOSIS, t(
            "Trained on paediatric X-rays (ages 1-5) from one hospital, stored squeezed to "
            "224x224; adult X-rays and other findings were not seen.",
            "Dilatih pada rontgen anak (1-5 tahun) dari satu rumah sakit; rontgen dewasa dan "
            "temuan lain belum pernah dilihat.")),
        resize="stretch",
        color="gray3",
        quality=GRAY_QUALITY,
        source=("Chest X-Ray Images (Pneumonia), Kermany et al. (Mendeley Data) via GitHub "
                "waliatushar/ai-pneumonia-detection; licence not stated"),
    ),
    "palm-anemia": Task(
        pack_id="palm-anemia",
        dataset="palm_anemia",
        modality="palm-photo",
        display_name=t("Palm photo: anaemia", "Foto telapak tangan: anemia"),
        classes={
            "anemic": ClassInfo(t("Anaemic", "Anemia"), t(
                "Palm pallor consistent with anaemia.", "Kepucatan telapak tangan sesuai anemia."), True),
            "non_anemic": ClassInfo(t("Not anaemic", "Tidak anemia"), t(
                "No pallor pattern found by the model.", "Model tidak menemukan pola kepucatan."), False),
        },
        intended_use=t(
            "Non-invasive screening for anaemia from a close photo of the palm, to decide who "
            "needs a haemoglobin test.",
            "Skrining anemia non-invasif dari foto dekat telapak tangan, untuk menentukan siapa "
            "yang perlu tes hemoglobin."),
        limitations=(NOT_DIAGNOSIS, t(
            "Small training set (364 subjects, Ghana); lighting, camera and skin tone change the "
            "colour of a palm photo. Confirm with a haemoglobin test.",
            "Data latih kecil (364 subjek, Ghana); pencahayaan, kamera dan warna kulit mengubah "
            "warna foto. Pastikan dengan tes hemoglobin."), t(
            # Measured 2026-11-30 on the v1.0.0 pack (val, app path); a retrained pack re-measures
            # it in tests/test_palm_colour_cast.py.
            "Warm (yellow) light makes a palm look less pale: on the 64 validation photos a mild "
            "warm cast (red +6 %, blue -7 %) turned 10 answers from anaemic to not anaemic and none "
            "the other way. Take the photo in daylight or under white light, without a filter, and "
            "do not trust a 'not anaemic' answer from a photo taken under warm light.",
            "Cahaya hangat (kekuningan) membuat telapak tangan tampak kurang pucat: pada 64 foto "
            "validasi, sedikit warna hangat (merah +6 %, biru -7 %) mengubah 10 jawaban dari anemia "
            "menjadi tidak anemia, dan tidak ada yang sebaliknya. Ambil foto di bawah cahaya siang "
            "hari atau lampu putih, tanpa filter, dan jangan mengandalkan jawaban 'tidak anemia' "
            "dari foto dengan cahaya hangat."), t(
            "Weak model: about 72 % accuracy on 64 held-out subjects (wide uncertainty). The "
            "published 94.8 % likely came from a split with rotated copies of the same palms on "
            "both sides (the source set stores such copies); here subjects never cross it. Use only alongside a haemoglobin test.",
            "Model lemah: akurasi sekitar 72 % pada 64 subjek uji (ketidakpastian lebar). Angka "
            "94,8 % yang dipublikasikan kemungkinan berasal dari pembagian data dengan salinan "
            "telapak yang sama di kedua sisi; di sini subjek tidak pernah menyeberang. Gunakan hanya bersama tes "
            "hemoglobin."), t(
            "Few training images: a second guard on early ImageNet features refuses photos unlike a "
            "palm (animal fur, food, scans), but skin-coloured surfaces other than palms may still be answered.",
            "Sedikit gambar latih: penjaga kedua pada fitur awal ImageNet menolak foto yang bukan telapak "
            "tangan (bulu hewan, makanan, hasil pindai), tetapi permukaan berwarna kulit selain telapak "
            "mungkin tetap dijawab.")),
        resize="letterbox",
        quality={
            "min_brightness": 40.0, "max_brightness": 235.0, "min_sharpness": 5.0,
            "min_saturation": 0.05,
        },
        source=("Ghana anaemia palm images (Asare, Appiahene, Donkoh; Mendeley Data) via GitHub "
                "O37mousa/Anemia_Palm_Detection_API; licence not stated; attribution inferred"),
        capture_advice=t(
            "Take the photo in daylight or under white light, without a filter: warm (yellow) "
            "light makes a palm look less pale.",
            "Ambil foto di bawah cahaya siang hari atau lampu putih, tanpa filter: cahaya hangat "
            "(kekuningan) membuat telapak tangan tampak kurang pucat."),
    ),
    "face-mask": Task(
        pack_id="face-mask",
        dataset="face_mask",
        modality="face-photo",
        display_name=t("Face photo: mask use", "Foto wajah: penggunaan masker"),
        classes={
            "with_mask": ClassInfo(t("Wearing a mask", "Memakai masker"), t(
                "A face mask covers nose and mouth.", "Masker menutupi hidung dan mulut."), False),
            "without_mask": ClassInfo(t("No mask", "Tanpa masker"), t(
                "No face mask seen.", "Tidak terlihat masker."), True),
        },
        intended_use=t(
            "Checking mask use at clinic entrances from a cropped face photo.",
            "Memeriksa penggunaan masker di pintu klinik dari foto wajah yang dipotong."),
        limitations=(t(
            "Not a medical screening; masked and unmasked images came from different sources, "
            "so the model may partly recognise the source.",
            "Bukan skrining medis; gambar bermasker dan tanpa masker berasal dari sumber berbeda."),),
        # The training photos are square crops; a phone photo is 3:4 or 9:16. Letterboxed, its
        # black bars made the early guard refuse 19-84 % of such val crops; centre-cropped, 2-14 %.
        resize="center_crop",
        quality={"min_brightness": 25.0, "max_brightness": 240.0, "min_saturation": 0.05},
        source=("Face Mask ~12K Images Dataset (Kaggle, ashishjangra27) via GitHub "
                "Karimashraf01/Face-Mask-Detection-using-MobilenetV2; repo MIT, image terms not stated"),
    ),
}
