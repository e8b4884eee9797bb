"""Build voting/fonts/NotoSansSC-Subset.otf from Debian's fonts-noto-cjk.

The PDF exports must show Chinese on a machine that has only what requirements.txt
installs, so the project ships this subset (SIL Open Font License 1.1, see
voting/fonts/OFL.txt): every GB 2312 character, ASCII, CJK and full-width
punctuation. Run by hand: `.venv/bin/python tools/make_font_subset.py`.
"""
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = Path(__file__).resolve().parent.parent / "voting" / "fonts" / "NotoSansSC-Subset.otf"


def gb2312_characters() -> set[int]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def wanted() -> set[int]:
    chars = gb2312_characters()
    for start, end in ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2100, 0x2200), (0x2460, 0x24FF),
                       (0x2500, 0x2600), (0x3000, 0x3040), (0xFF00, 0xFFF0)):
        chars.update(range(start, end))
    return chars


def main() -> None:
    collection = TTCollection(str(SOURCE))
    font = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(1))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted())
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    print(f"{TARGET}: {TARGET.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
