"""DICOM input: display transforms checked against hand computations, on files made here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import ExplicitVRLittleEndian, JPEGLosslessSV1, generate_uid

from inference.dicom import (
    DicomPatient,
    decode_dicom,
    dicom_frame_count,
    read_dicom_patient,
)
from inference.errors import ImageError, ImageTooLargeError
from inference.images import load_image
from inference.packs import load_pack
from inference.results import Status
from inference.screener import Screener
from tests.packgen import make_pack

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def make_dicom(
    path: Path,
    pixels: np.ndarray,
    *,
    photometric: str = "MONOCHROME2",
    frames: int = 1,
    syntax: str = ExplicitVRLittleEndian,
    preamble: bool = True,
    **attrs,
) -> Path:
    """Write ``pixels`` ([frames,]rows,cols[,3], uint8 or uint16/int16) as a DICOM file."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.file_meta.MediaStorageSOPClassUID = SECONDARY_CAPTURE
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "OT"
    colour = photometric not in ("MONOCHROME1", "MONOCHROME2", "PALETTE COLOR")
    shape = pixels.shape[1:] if frames > 1 else pixels.shape
    ds.Rows, ds.Columns = int(shape[0]), int(shape[1])
    ds.SamplesPerPixel = 3 if colour else 1
    if colour:
        ds.PlanarConfiguration = 0
    ds.PhotometricInterpretation = photometric
    bits = pixels.dtype.itemsize * 8
    ds.BitsAllocated = bits
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 1 if pixels.dtype.kind == "i" else 0
    if frames > 1:
        ds.NumberOfFrames = frames
    for key, value in attrs.items():
        setattr(ds, key, value)
    if syntax == ExplicitVRLittleEndian:
        ds.PixelData = np.ascontiguousarray(pixels).tobytes()
        ds["PixelData"].VR = "OW" if bits > 8 else "OB"
    else:
        ds.PixelData = encapsulate([b"\xff\xd8\xff\xc3 not really compressed \xff\xd9"])
        ds["PixelData"].VR = "OB"
    ds.save_as(path, enforce_file_format=True)
    if not preamble:  # keep the DICM marker at 128 but no extension: detection by content
        assert path.read_bytes()[128:132] == b"DICM"
    return path


def _gray(loaded) -> np.ndarray:
    px = loaded.pixels
    assert px.dtype == np.uint8 and px.ndim == 3 and px.shape[2] == 3
    assert (px[:, :, 0] == px[:, :, 1]).all() and (px[:, :, 1] == px[:, :, 2]).all()
    return px[:, :, 0]


def test_monochrome2_8bit_keeps_display_values(tmp_path):
    pixels = np.arange(64, dtype=np.uint8).reshape(8, 8) * 3 + 10
    loaded = load_image(make_dicom(tmp_path / "a.dcm", pixels))
    assert (_gray(loaded) == pixels).all()
    assert loaded.source_mode == "DICOM MONOCHROME2 8-bit"
    assert loaded.original_size == (8, 8)
    meta = dict(loaded.metadata)
    assert meta["dicom_frames"] == "1" and meta["dicom_photometric"] == "MONOCHROME2"


def test_16bit_rescale_and_window_match_hand_computation(tmp_path):
    # Stored 0..1000 step 100 -> HU = 2*x - 1024; window C=40 W=400 (soft tissue, linear).
    stored = np.array([[0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]], np.uint16)
    path = make_dicom(
        tmp_path / "ct.dcm",
        stored,
        RescaleSlope="2",
        RescaleIntercept="-1024",
        WindowCenter="40",
        WindowWidth="400",
    )
    got = _gray(load_image(path))[0]
    # Hand computation per DICOM C.11.2.1.2: y = ((x - (c - 0.5)) / (w - 1) + 0.5) clipped to
    # [0, 1], x = 2*stored - 1024: -1024,-824,-624,-424,-224,-24,176,376,576,776,976.
    # -224: below c-0.5-(w-1)/2 = -160 -> 0;  -24: (-24-39.5)/399+0.5 = 0.340852 -> 87
    # 176: (176-39.5)/399+0.5 = 0.842105 -> 215; 376 and above -> 255.
    assert got.tolist() == [0, 0, 0, 0, 0, 87, 215, 255, 255, 255, 255]


def test_16bit_without_window_spans_value_range(tmp_path):
    stored = np.array([[1000, 1500, 2000]], np.uint16)
    got = _gray(load_image(make_dicom(tmp_path / "raw.dcm", stored)))[0]
    assert got.tolist() == [0, 128, 255]


def test_signed_16bit_with_voi_lut_sequence(tmp_path):
    stored = np.array([[-2, 0, 1, 3]], np.int16)
    item = Dataset()
    item.add_new(0x00283002, "US", [4, 0, 8])  # LUTDescriptor: 4 entries from 0, 8-bit
    item.add_new(0x00283006, "US", [0, 100, 200, 250])  # LUTData
    path = make_dicom(tmp_path / "lut.dcm", stored, VOILUTSequence=[item])
    # values < 0 -> first entry (0), 0 -> 0, 1 -> 100, 3 -> 250; scaled by 255 / 250.
    got = _gray(load_image(path))[0]
    assert got.tolist() == [0, 0, 102, 255]


def test_monochrome1_is_inverted(tmp_path):
    pixels = np.array([[0, 50, 200, 255]], np.uint8)
    got = _gray(load_image(make_dicom(tmp_path / "m1.dcm", pixels, photometric="MONOCHROME1")))
    assert got[0].tolist() == [255, 205, 55, 0]


def test_monochrome1_16bit_window_then_invert(tmp_path):
    stored = np.array([[0, 512, 1023]], np.uint16)
    path = make_dicom(
        tmp_path / "cr.dcm",
        stored,
        photometric="MONOCHROME1",
        WindowCenter="512",
        WindowWidth="1024",
    )
    # (x - 511.5)/1023 + 0.5 -> 0.0 (-> 0), 0.500489 (-> 128), 1.0 (-> 255); inverted.
    assert _gray(load_image(path))[0].tolist() == [255, 127, 0]


def test_multi_frame_choice_and_count(tmp_path):
    frames = np.stack([np.full((4, 5), v, np.uint8) for v in (10, 120, 240)])
    path = make_dicom(tmp_path / "cine.dcm", frames, frames=3)
    data = path.read_bytes()
    assert dicom_frame_count(data) == 3
    assert _gray(load_image(path)).max() == 10  # frame 0 by default
    second = decode_dicom(data, name=str(path), frame=2)
    assert _gray(second).min() == 240
    assert dict(second.metadata)["dicom_frames"] == "3"
    assert dict(second.metadata)["dicom_frame"] == "2"
    assert second.original_size == (5, 4)
    with pytest.raises(ImageError, match="frame 4 asked for, but the file has 3"):
        decode_dicom(data, name="cine.dcm", frame=3)


def test_rgb_dicom(tmp_path):
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[1, 2] = (10, 200, 30)
    loaded = load_image(make_dicom(tmp_path / "rgb.dcm", rgb, photometric="RGB"))
    assert (loaded.pixels == rgb).all()


def test_ybr_full_is_converted_to_rgb(tmp_path):
    ybr = np.zeros((1, 2, 3), np.uint8)
    ybr[0, 0] = (128, 128, 128)  # mid grey
    ybr[0, 1] = (76, 85, 255)  # ~ pure red in YCbCr (BT.601 full range)
    loaded = load_image(make_dicom(tmp_path / "ybr.dcm", ybr, photometric="YBR_FULL"))
    assert np.abs(loaded.pixels[0, 0].astype(int) - 128).max() <= 1
    r, g, b = loaded.pixels[0, 1].astype(int)
    assert r >= 250 and g <= 5 and b <= 5


def test_compressed_without_decoder_names_the_package(tmp_path):
    path = make_dicom(
        tmp_path / "lossless.dcm", np.zeros((8, 8), np.uint8), syntax=JPEGLosslessSV1
    )
    with pytest.raises(ImageError) as info:
        load_image(path)
    message = str(info.value)
    assert "lossless.dcm" in message and "JPEG Lossless" in message
    assert "pylibjpeg-libjpeg" in message and "python-gdcm" in message
    assert info.value.code == "unreadable"
    result = Screener(load_pack(make_pack(tmp_path / "packs"))).screen_path(path)
    assert result.status is Status.UNREADABLE and "pip install" in result.message


def test_dicom_without_extension_is_detected_by_preamble(tmp_path):
    pixels = np.full((6, 6), 77, np.uint8)
    path = make_dicom(tmp_path / "IM000001", pixels, preamble=False)
    loaded = load_image(path)
    assert loaded.source_mode.startswith("DICOM") and (_gray(loaded) == 77).all()


def test_patient_fields(tmp_path):
    path = make_dicom(
        tmp_path / "p.dcm",
        np.zeros((2, 2), np.uint8),
        PatientID="RS-0042",
        PatientName="Wijaya^Siti^Ayu",
        PatientSex="F",
        PatientBirthDate="19800214",
        StudyDate="20260105",
        Modality="MR",
    )
    patient = read_dicom_patient(path)
    assert patient == DicomPatient(
        patient_id="RS-0042",
        name="Siti Ayu Wijaya",
        sex="F",
        birth_date=date(1980, 2, 14),
        study_date=date(2026, 1, 5),
        modality="MR",
    )
    assert read_dicom_patient(path.read_bytes()) == patient
    bare = patient.without_identifiers()
    assert (bare.patient_id, bare.name, bare.birth_date) == ("", "", None)
    assert bare.sex == "F" and bare.study_date == date(2026, 1, 5)
    pseudo = patient.pseudonymised("clinic-secret")
    assert pseudo.patient_id.startswith("ANON-") and pseudo.name == ""
    assert pseudo == patient.pseudonymised("clinic-secret")
    assert pseudo != patient.pseudonymised("other-secret")
    # identifiers never travel with the pixels
    meta = " ".join(v for _, v in load_image(path).metadata)
    assert "RS-0042" not in meta and "Wijaya" not in meta


@pytest.mark.filterwarnings("ignore:Invalid value for VR DA")  # written on purpose
def test_missing_and_odd_patient_fields(tmp_path):
    path = make_dicom(
        tmp_path / "q.dcm", np.zeros((2, 2), np.uint8), PatientSex="X", StudyDate="2026"
    )
    patient = read_dicom_patient(path)
    assert patient.patient_id == "" and patient.sex == "" and patient.study_date is None


def test_broken_dicoms_are_image_errors(tmp_path):
    good = make_dicom(tmp_path / "g.dcm", np.zeros((16, 16), np.uint8)).read_bytes()
    (tmp_path / "cut.dcm").write_bytes(good[: len(good) - 100])
    (tmp_path / "text.dcm").write_text("not dicom at all", "utf-8")
    (tmp_path / "empty.dcm").write_bytes(b"")
    for name in ("cut.dcm", "text.dcm", "empty.dcm"):
        with pytest.raises(ImageError):
            load_image(tmp_path / name)


def test_huge_declared_dicom_fails_fast(tmp_path):
    # The header claims 60000x60000 over 4 bytes of pixel data: refused before decoding.
    path = make_dicom(tmp_path / "big.dcm", np.zeros((2, 2), np.uint8), Rows=60000, Columns=60000)
    with pytest.raises(ImageTooLargeError, match="60000x60000"):
        load_image(path)


def test_dicom_through_screener(tmp_path):
    rng = np.random.default_rng(3)
    stored = (rng.random((40, 40)) * 4000).astype(np.uint16)
    path = make_dicom(
        tmp_path / "scan.dcm", stored, RescaleSlope="1", RescaleIntercept="-1000",
        WindowCenter="1000", WindowWidth="2000",
    )
    screener = Screener(load_pack(make_pack(tmp_path / "packs")))
    result = screener.screen_path(path)
    assert result.status is Status.OK and result.prediction is not None
    assert result.image_size == (40, 40)
    assert sum(result.prediction.probabilities) == pytest.approx(1.0, abs=1e-6)


def _fuzz_seeds() -> list[bytes]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        stored = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 50).astype(np.uint16)
        return [
            make_dicom(root / "a.dcm", np.arange(64, dtype=np.uint8).reshape(8, 8)).read_bytes(),
            make_dicom(
                root / "b.dcm", stored, photometric="MONOCHROME1", RescaleSlope="2",
                RescaleIntercept="-5", WindowCenter="100", WindowWidth="300",
            ).read_bytes(),
            make_dicom(root / "c.dcm", np.zeros((3, 4, 4), np.uint8), frames=3).read_bytes(),
            make_dicom(root / "d.dcm", np.zeros((4, 4, 3), np.uint8), photometric="RGB").read_bytes(),
        ]


DICOM_SEEDS = _fuzz_seeds()


@settings(max_examples=150, deadline=1000, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(range(len(DICOM_SEEDS))),
    st.lists(st.tuples(st.integers(0, 4096), st.integers(0, 255)), min_size=1, max_size=6),
    st.one_of(st.none(), st.integers(0, 4096)),
)
def test_fuzz_mutated_dicom_only_raises_image_error(seed, flips, cut):
    data = bytearray(DICOM_SEEDS[seed])
    for pos, value in flips:
        data[128 + pos % (len(data) - 128)] = value  # keep the preamble; mutate the dataset
    if cut is not None:
        data = data[: 132 + cut % (len(data) - 131)]
    try:
        loaded = decode_dicom(bytes(data), name="fuzz.dcm")
    except ImageError:
        return
    assert loaded.pixels.dtype == np.uint8 and loaded.pixels.ndim == 3
    assert loaded.pixels.shape[2] == 3


def _palette_dicom(path: Path, lut: dict[str, list[int]]) -> Path:
    from pydicom import dcmread

    index = np.array([[0, 1, 2, 3]], np.uint8)
    extra = {f"{c}PaletteColorLookupTableDescriptor": [4, 0, 16] for c in lut}
    make_dicom(path, index, photometric="PALETTE COLOR", **extra)
    ds = dcmread(path)
    tags = {"Red": 0x00281201, "Green": 0x00281202, "Blue": 0x00281203}
    for colour, values in lut.items():
        ds.add_new(tags[colour], "OW", np.array(values, np.uint16).tobytes())
    ds.save_as(path)
    return path


def test_palette_colour_uses_the_lut_depth(tmp_path):
    lut = {
        "Red": [0, 0x4000, 0xFFFF, 0x8000],
        "Green": [0, 0, 0xFFFF, 0x8000],
        "Blue": [0, 0, 0, 0x8000],
    }
    got = load_image(_palette_dicom(tmp_path / "pal.dcm", lut)).pixels[0].tolist()
    # 16-bit entries / 65535 * 255: 0x4000 -> 63.75 -> 64; 0x8000 -> 128; 0xFFFF -> 255
    assert got == [[0, 0, 0], [64, 0, 0], [255, 255, 0], [128, 128, 128]]
    # A dark 16-bit palette stays dark (guessing 8-bit from the values would make it bright).
    dark = {c: [0, 0x10, 0x20, 0xFF] for c in ("Red", "Green", "Blue")}
    assert load_image(_palette_dicom(tmp_path / "dark.dcm", dark)).pixels.max() <= 1


def test_dicom_without_file_meta_header(tmp_path):
    """Old devices write bare datasets (implicit VR, no preamble, no meta): still readable."""
    from pydicom.dataset import Dataset as DS

    ds = DS()
    ds.Rows, ds.Columns = 2, 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = bytes([0, 50, 100, 150, 200, 250])
    path = tmp_path / "bare.dcm"
    ds.save_as(path, implicit_vr=True, little_endian=True)
    assert path.read_bytes()[128:132] != b"DICM"
    assert _gray(load_image(path)).ravel().tolist() == [0, 50, 100, 150, 200, 250]
