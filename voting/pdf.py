"""PDF documents with Chinese text (fpdf2), for every domain's exports.

fpdf2's built-in fonts have no Chinese glyphs, so a CJK TrueType/OpenType font must be
embedded. The lookup order: the `PDF_FONT` setting (a .ttf/.otf/.ttc path), then the
subset of Noto Sans CJK SC shipped in voting/fonts/ (GBK and U+4E00–U+9FFF), then the usual places of Debian's fonts-noto-cjk (installed by .ci/run) and a few other common
Chinese fonts. In a collection (.ttc) the Simplified Chinese face is chosen.

    from voting.pdf import new_document
    pdf = new_document()            # an A4 page, font "cjk" selected (styles "" and "B")
    pdf.cell(text="民生实事")
    data = bytes(pdf.output())
"""
from functools import lru_cache
from pathlib import Path

FONT_FAMILY = "cjk"

# The subset shipped with the project comes first: it makes PDFs work with pip packages only.
BUNDLED_FONT = str(Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Subset.otf")

KNOWN_FONTS = (
    BUNDLED_FONT,
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)

MISSING_FONT_MESSAGE = (
    "无法生成 PDF：服务器上没有找到中文字体。请安装 Noto CJK 字体"
    "（Debian/Ubuntu：apt-get install fonts-noto-cjk），"
    "或在配置中用 PDF_FONT 指定一个中文 TTF/OTF/TTC 字体文件的路径。"
)


class FontMissing(RuntimeError):
    """No usable Chinese font; the message is for the user, in Chinese."""

    def __init__(self, message: str = MISSING_FONT_MESSAGE):
        super().__init__(message)
        self.message = message


def _configured_font() -> str | None:
    try:
        from flask import current_app

        return current_app.config.get("PDF_FONT")
    except RuntimeError:  # outside an app context
        return None


@lru_cache(maxsize=8)
def _face_index(path: str) -> int:
    """The index of the Simplified Chinese face in a font collection (0 otherwise)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    names = [font["name"].getDebugName(1) or "" for font in collection.fonts]
    for wanted in (" SC", "SC", "GB", "Hei", ""):
        for index, name in enumerate(names):
            if wanted in name and "Mono" not in name:
                return index
    return 0


def find_cjk_font(configured: str | None = None) -> tuple[str, int]:
    """(path, face index) of a usable Chinese font, or FontMissing."""
    configured = configured if configured is not None else _configured_font()
    if configured:
        if not Path(configured).is_file():
            raise FontMissing(f"无法生成 PDF：配置的中文字体 PDF_FONT={configured} 不存在。")
        return configured, _face_index(configured)
    for candidate in KNOWN_FONTS:
        if Path(candidate).is_file():
            return candidate, _face_index(candidate)
    raise FontMissing()


def _bold_counterpart(path: str) -> str | None:
    for regular, bold in (("-Regular.", "-Bold."), ("Regular", "Bold")):
        if regular in path:
            candidate = path.replace(regular, bold)
            if candidate != path and Path(candidate).is_file():
                return candidate
    return None


def new_document(orientation: str = "P", font_size: float = 11):
    """An fpdf2 document on A4 with a page added and the Chinese font selected."""
    from fpdf import FPDF

    path, index = find_cjk_font()
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_font(FONT_FAMILY, "", path, collection_font_number=index)
    # Bold (table headings use it): the matching bold file when there is one, else the
    # regular face again, so that style "B" never fails.
    bold = _bold_counterpart(path)
    pdf.add_font(FONT_FAMILY, "B", bold or path, collection_font_number=_face_index(bold) if bold else index)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=font_size)
    return pdf


def pdf_download(build, filename: str):
    """The page answer for a PDF made by `build()`: the file as a download, or, without
    a Chinese font on the machine, the 503 page that says so."""
    from flask import Response, render_template

    try:
        data = build()
    except FontMissing as missing:
        return render_template("errors/error.html", code=503, title="无法生成 PDF", message=missing.message), 503
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
