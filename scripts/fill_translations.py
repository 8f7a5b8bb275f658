"""Fill unfinished zh_CN entries of resources/translations/packgate_zh_CN.ts from a JSON file of
{"Context|source": "译文"} (what a translator hands back), then run scripts/update_translations.sh
again to compile. Entries already translated are left alone.

    .venv/bin/python scripts/fill_translations.py zh.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TS = Path(__file__).resolve().parents[1] / "resources" / "translations" / "packgate_zh_CN.ts"


def main(path: str) -> int:
    wanted: dict[str, str] = json.loads(Path(path).read_text(encoding="utf-8"))
    text = TS.read_text(encoding="utf-8")
    filled = 0

    def context_block(match: re.Match[str]) -> str:
        nonlocal filled
        block = match.group(0)
        name = re.search(r"<name>(.*?)</name>", block).group(1)

        def message(m: re.Match[str]) -> str:
            nonlocal filled
            msg = m.group(0)
            source = re.search(r"<source>(.*?)</source>", msg, re.S).group(1)
            from html import escape, unescape

            key = f"{name}|{unescape(source)}"
            if key in wanted and 'type="unfinished"' in msg:
                filled += 1
                return re.sub(r'<translation type="unfinished">.*?</translation>',
                              f"<translation>{escape(wanted[key], quote=False)}</translation>", msg, flags=re.S)
            return msg

        return re.sub(r"<message>.*?</message>", message, block, flags=re.S)

    text = re.sub(r"<context>.*?</context>", context_block, text, flags=re.S)
    TS.write_text(text, encoding="utf-8")
    print(f"filled {filled} of {len(wanted)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
