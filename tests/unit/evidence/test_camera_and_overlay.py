"""Camera specs, clip names, the overlay's QR code read back from a frame, the video gate."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.errors import ConfigError
from app.evidence.camera import parse_camera
from app.evidence.clipfile import clip_name
from app.evidence.overlay import Overlay, OverlayInfo
from app.evidence.policy import video_gate
from app.packing.outcome import BenchView, Step


@pytest.mark.parametrize(("spec", "kind", "target"), [
    ("v4l2:/dev/video0", "v4l2", "/dev/video0"),
    ("dshow:video=USB Camera", "dshow", "video=USB Camera"),
    ("avfoundation:0", "avfoundation", "0"),
    ("rtsp://10.0.0.5:554/stream1", "url", "rtsp://10.0.0.5:554/stream1"),
    ("http://cam.local/mjpeg", "url", "http://cam.local/mjpeg"),
    ("test", "test", ""),
    ("none", "none", ""),
    ("", "none", ""),
])
def test_camera_specs(spec, kind, target):
    parsed = parse_camera(spec)
    assert (parsed.kind, parsed.target) == (kind, target)
    assert parsed.enabled == (kind != "none")


@pytest.mark.parametrize("spec", ["usb", "v4l2:", "test:fps=3", "test:lose_after=soon", "ftp://x"])
def test_bad_camera_specs_say_what_is_expected(spec):
    with pytest.raises(ConfigError):
        parse_camera(spec)


def test_clip_names_carry_the_order_and_its_waybill():
    at = datetime(2026, 12, 1, 9, 5, 7)
    assert clip_name("PDD-1001", (), at) == "PDD-1001_20261201-090507-000.mp4"
    assert clip_name("PDD/1001", ("SF1", "SF2"), at) == "PDD_1001_SF1+1_20261201-090507-000.mp4"


def test_the_overlay_qr_code_reads_back_and_the_text_strip_is_drawn():
    import numpy as np
    import zxingcpp
    from PIL import Image

    from app.printing.fonts import find_cjk_font

    w, h = 320, 240
    planes = np.full((h * 3 // 2, w), 128, dtype=np.uint8)
    font = find_cjk_font()
    overlay = Overlay(w, h, str(font) if font else None)
    info = OverlayInfo("BENCH-1", "李娜", "PDD-1001", ("SF1400000000000",))
    overlay.burn(planes, info, datetime(2026, 12, 1, 9, 5, 7))
    gray = Image.fromarray(planes[:h])
    [code] = zxingcpp.read_barcodes(gray)
    assert code.text == "PackGate order=PDD-1001 waybill=SF1400000000000"
    assert planes[h - 10, 10] != 128  # the text strip at the bottom left
    assert overlay.lines(info, datetime(2026, 12, 1, 9, 5, 7)) == (
        "BENCH-1  李娜  PDD-1001  SF1400000000000", "2026-12-01 09:05:07")


def test_video_gate_refuses_only_an_order_scan_without_a_camera():
    ready = BenchView("B", Step.ORDER, user_name="李娜")
    refusal = video_gate("PDD-1001", ready, camera_ok=False, reason="unplugged")
    assert refusal is not None and not refusal.accepted and refusal.kind == "order"
    assert "unplugged" in refusal.message.render() and "PDD-1001" in refusal.message.render()
    assert video_gate("PDD-1001", ready, camera_ok=True, reason="") is None
    assert video_gate("CMD:LOGOUT", ready, camera_ok=False, reason="x") is None
    assert video_gate("6901234567892", BenchView("B", Step.VERIFY, user_name="李娜"), False, "x") is None
    assert video_gate("P-1001", BenchView("B", Step.LOGIN), False, "x") is None


def test_video_gate_refuses_opening_a_return_without_a_camera():
    from app.packing.outcome import ReturnView

    receiving = BenchView("B", Step.RETURNS, user_name="李娜")
    assert video_gate("YT9000000000001", receiving, camera_ok=False, reason="unplugged") is not None
    assert video_gate("CMD:RETURNS", receiving, camera_ok=False, reason="unplugged") is None
    opened = BenchView("B", Step.RETURNS, user_name="李娜", return_view=ReturnView("YT9000000000001", "PDD-1022"))
    assert video_gate("6902345678905", opened, camera_ok=False, reason="unplugged") is None
