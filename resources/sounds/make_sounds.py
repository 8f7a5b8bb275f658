"""Generate the bench's three sounds (run once; the .wav files are committed).

accept: one short high beep; refuse: two low buzzes; complete: a rising three-tone chime.
16-bit mono 22.05 kHz, with short fades so the beeps do not click.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
HERE = Path(__file__).resolve().parent


def tone(freq: float, ms: int, volume: float = 0.5, square: bool = False) -> list[float]:
    n = int(RATE * ms / 1000)
    fade = max(1, int(RATE * 0.005))
    out = []
    for i in range(n):
        s = math.sin(2 * math.pi * freq * i / RATE)
        if square:
            s = 0.6 * (1.0 if s >= 0 else -1.0) + 0.4 * s
        env = min(1.0, i / fade, (n - i) / fade)
        out.append(volume * env * s)
    return out


def silence(ms: int) -> list[float]:
    return [0.0] * int(RATE * ms / 1000)


def write(name: str, samples: list[float]) -> None:
    with wave.open(str(HERE / name), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, s)) * 32767)) for s in samples))


def main() -> None:
    write("accept.wav", tone(1760, 90))
    write("refuse.wav", tone(220, 180, 0.6, square=True) + silence(80) + tone(220, 180, 0.6, square=True))
    write("complete.wav", tone(880, 110) + tone(1109, 110) + tone(1319, 220))


if __name__ == "__main__":
    main()
