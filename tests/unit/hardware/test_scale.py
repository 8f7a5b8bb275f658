"""Scale lines to grams, and the reader thread against a fake serial port."""

from __future__ import annotations

import pytest

from app.hardware.scale import ScaleReader, parse_scale_line


@pytest.mark.parametrize("line,grams", [
    ("S S     100.00 g", 100),
    ("S S      1.250 kg\r\n", 1250),
    (b"S S    1520 g\r\n", 1520),
    ("ST,GS,+0001.250kg", 1250),
    ("ST,NT,+0000.480kg\r\n", 480),
    ("ST,GS,  1250 g", 1250),
    ("S D     100.00 g", None),  # dynamic: not stable
    ("US,GS,+0001.250kg", None),  # unstable
    ("OL,GS,+9999.999kg", None),  # overload
    ("S +", None),  # MT-SICS overload
    ("S I", None),  # command not executable
    ("ST,GS,+0000.000kg", None),  # empty scale
    ("S S     5.00 lb", None),  # unit we do not convert
    ("", None),
    ("garbage", None),
])
def test_parse_scale_line(line, grams):
    assert parse_scale_line(line) == grams


class FakeSerial:
    def __init__(self, lines):
        self.lines = list(lines)
        self.written = []
        self.closed = False
        self.exhausted = False

    def write(self, data):
        self.written.append(data)

    def readline(self):
        if not self.lines:
            self.exhausted = True
            return b""
        return self.lines.pop(0)

    def close(self):
        self.closed = True


def test_reader_reports_each_stable_weight_once():
    fake = FakeSerial([b"S D 900.0 g\r\n", b"S S 1250.0 g\r\n", b"S S 1250.0 g\r\n", b"US,GS,+0001.300kg\r\n",
                       b"ST,GS,+0001.250kg\r\n", b"ST,GS,+0000.480kg\r\n"])
    got = []
    reader = ScaleReader("/dev/fake", got.append, open_serial=lambda port, baud, timeout: fake)
    reader.start()
    reader.stop(timeout=5)
    assert got == [1250, 1250, 480]  # the repeat is dropped; after an unstable reading it counts again
    assert fake.closed and fake.written[0] == b"SI\r\n"


def test_reader_survives_a_missing_port():
    def boom(port, baud, timeout):
        raise OSError("no such device")

    reader = ScaleReader("/dev/none", lambda g: None, open_serial=boom)
    reader.run()
    assert "no such device" in reader.error
