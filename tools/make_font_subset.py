"""Build voting/fonts/NotoSansSC-Subset.otf from Debian's fonts-noto-cjk.

The PDF exports must show Chinese on a machine that has only what requirements.txt
installs, so the project ships this subset (SIL Open Font License 1.1, see
voting/fonts/OFL.txt) of Noto Sans CJK SC Regular: every GBK character, the whole
CJK Unified Ideographs block U+4E00–U+9FFF (names use characters such as 喆 堃 珺 玥
that GB 2312 lacks), ASCII and Latin-1, general and CJK punctuation, circled numbers,
box drawing, and the full-width forms. No OpenType layout features (fpdf2 does not
shape Chinese; the features' locale variants would double the glyphs) and no hints,
which keeps it near 5 MB.

Run by hand (a few minutes): `.venv/bin/python tools/make_font_subset.py`.
fontTools comes with fpdf2 (requirements.txt), so nothing else needs installing.
"""
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = Path(__file__).resolve().parent.parent / "voting" / "fonts" / "NotoSansSC-Subset.otf"

RANGES = (
    (0x20, 0x7F),      # ASCII
    (0xA0, 0x100),     # Latin-1
    (0x2000, 0x2070),  # general punctuation
    (0x2100, 0x2200),  # letter-like symbols, number forms, arrows
    (0x2460, 0x24FF),  # circled numbers
    (0x2500, 0x2600),  # box drawing, blocks, geometric shapes
    (0x3000, 0x3040),  # CJK symbols and punctuation
    (0x4E00, 0xA000),  # CJK Unified Ideographs
    (0xFF00, 0xFFF0),  # half-width and full-width forms
)


def gbk_characters() -> set[int]:
    chars = set()
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                chars.add(ord(bytes([high, low]).decode("gbk")))
            except UnicodeDecodeError:
                pass
    return chars


def wanted() -> set[int]:
    chars = gbk_characters()
    for start, end in RANGES:
        chars.update(range(start, end))
    return chars


def main() -> None:
    collection = TTCollection(str(SOURCE))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted())
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    cmap = font.getBestCmap()
    missing = sorted(c for c in gbk_characters() if c not in cmap)
    print(f"{TARGET}: {TARGET.stat().st_size / 1e6:.1f} MB, {len(cmap)} characters; "
          f"GBK characters without a glyph in the source: {len(missing)}")


if __name__ == "__main__":
    main()
