"""Loaders: real files of every supported type, legacy encodings, and every refusal."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from pathlib import Path

import pytest

from retrieval.domain import messages
from retrieval.knowledge.documents import load_knowledge_dir
from retrieval.knowledge.loaders import LoaderError, decode_text, load_file, load_paths, reflow

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024

HEADER = [
    ("CHÍNH PHỦ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("-------", "Độc lập - Tự do - Hạnh phúc"),
    ("Số: 76/NQ-CP", "Hà Nội, ngày 15 tháng 7 năm 2021"),
]
EXCERPT = "Ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030"
QUAN_DIEM = (
    "Cải cách hành chính phải xuất phát từ lợi ích của người dân, doanh nghiệp; lấy người dân, "
    "doanh nghiệp làm trung tâm; lấy sự hài lòng của người dân, doanh nghiệp làm thước đo chất "
    "lượng phục vụ của cơ quan hành chính nhà nước các cấp."
)


def _font() -> Path:
    """A TrueType font with Vietnamese glyphs, from Debian's fonts-dejavu-core (in the base
    image) or from matplotlib's own copy; nothing is downloaded."""
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    try:
        import matplotlib

        candidates.append(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf")
    except ImportError:
        pass
    for path in candidates:
        if path.is_file():
            return path
    pytest.skip("không có phông DejaVuSans.ttf (gói fonts-dejavu-core hoặc matplotlib)")


def _refused(path: Path, max_bytes: int = MB, overrides: dict | None = None) -> LoaderError:
    """The ``LoaderError`` that loading ``path`` raises, after checking that it names the file
    and that ``messages`` phrases its code."""
    with pytest.raises(LoaderError) as exc:
        load_file(path, max_bytes, overrides)
    error = exc.value
    assert error.details["file"] == path.name
    text = messages.describe(error)
    assert text.startswith(f"{path.name}: ") and not text.startswith("Lỗi:"), text
    return error


def _pdf(path: Path, pages: list[list[str]], running_head: str | None = None) -> Path:
    from fpdf import FPDF

    class Pdf(FPDF):
        def header(self) -> None:
            if running_head:
                self.cell(0, 6, running_head.format(page=self.page_no()), align="C")
                self.ln(8)

        def footer(self) -> None:
            self.set_y(-15)
            self.cell(0, 6, str(self.page_no()), align="C")

    pdf = Pdf()
    pdf.add_font("DejaVu", "", str(_font()))
    pdf.set_font("DejaVu", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:  # long lines wrap: printed lines, as in real PDFs
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Word wrote it: base letters precomposed (â, ơ, ư …), tone marks as
    combining characters."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    clusters: list[list[str]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and clusters:
            clusters[-1].append(ch)
        else:
            clusters.append([ch])
    out = []
    for base, *marks in clusters:
        kept = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
        out.append(kept + "".join(m for m in marks if m in tones))
    return "".join(out).encode("cp1258")


def test_pdf_with_vietnamese_text(tmp_path: Path) -> None:
    path = _pdf(
        tmp_path / "nq76.pdf",
        [
            [
                "CHÍNH PHỦ",
                "-------",
                "Số: 76/NQ-CP",
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "Hà Nội, ngày 15 tháng 7 năm 2021",
                "NGHỊ QUYẾT",
                EXCERPT,
                "CHÍNH PHỦ",
                "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;",
                "I. QUAN ĐIỂM",
            ],
            [QUAN_DIEM, "II. MỤC TIÊU CHUNG"],
        ],
    )
    doc = load_file(path, 5 * MB)
    assert doc.id == "nq-76-2021"
    assert doc.kind == "nghị quyết"
    assert doc.number == "76/NQ-CP"
    assert doc.issued == dt.date(2021, 7, 15)
    assert doc.issuer == "Chính phủ"
    assert doc.title == f"Nghị quyết 76/NQ-CP b{EXCERPT[1:]}"
    assert doc.body == unicodedata.normalize("NFC", doc.body)
    lines = doc.body.split("\n")
    assert lines[0].startswith("Căn cứ Luật Tổ chức Chính phủ")  # header dropped
    assert QUAN_DIEM in lines  # the wrapped paragraph is one line again
    assert "I. QUAN ĐIỂM" in lines and "II. MỤC TIÊU CHUNG" in lines
    assert "1" not in lines and "2" not in lines  # page numbers dropped


def test_pdf_running_heads_and_page_numbers_are_dropped(tmp_path: Path) -> None:
    subjects = ["Cải cách thể chế", "Cải cách thủ tục hành chính", "Cải cách tổ chức bộ máy",
                "Cải cách chế độ công vụ"]  # fmt: skip
    paragraphs = [
        f"{i}. {s} phải lấy người dân, doanh nghiệp làm trung tâm; lấy sự hài lòng của người "
        f"dân làm thước đo chất lượng phục vụ của cơ quan hành chính nhà nước các cấp."
        for i, s in enumerate(subjects, start=1)
    ]
    path = _pdf(
        tmp_path / "cong-bao.pdf",
        [[p] for p in paragraphs],
        running_head="{page} CÔNG BÁO/Số 551 + 552/Ngày 17-7-2021",
    )
    doc = load_file(path, 5 * MB)
    assert doc.body.split("\n") == paragraphs
    assert doc.id == "cong-bao" and doc.kind == "khác"


def test_scanned_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 170, 250, style="F")  # a page that is only a picture
    pdf.output(str(tmp_path / "ban-quet.pdf"))
    error = _refused(tmp_path / "ban-quet.pdf", 5 * MB)
    assert error.code == "file_pdf_scanned"
    assert "không có lớp văn bản" in messages.describe(error)


def test_corrupt_pdf_is_refused(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(4000)))
    error = _refused(path, 5 * MB)
    assert (error.code, error.details["kind"]) == ("file_corrupt", "PDF")
    assert messages.describe(error) == "hong.pdf: tệp hỏng hoặc không phải tệp PDF hợp lệ"


def test_docx_written_with_python_docx(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    table = d.add_table(rows=len(HEADER), cols=2)
    for row, (left, right) in zip(table.rows, HEADER, strict=True):
        row.cells[0].text, row.cells[1].text = left, right
    d.add_paragraph("NGHỊ QUYẾT")
    d.add_paragraph(EXCERPT)
    d.add_paragraph("CHÍNH PHỦ")
    d.add_paragraph("Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;")
    d.add_heading("Quan điểm cải cách", level=2)
    d.add_paragraph(QUAN_DIEM)
    d.core_properties.title = "Microsoft Word - NQ76.docx"
    d.save(str(tmp_path / "NQ 76.docx"))

    doc = load_file(tmp_path / "NQ 76.docx", 5 * MB)
    assert (doc.id, doc.number, doc.issued) == ("nq-76-2021", "76/NQ-CP", dt.date(2021, 7, 15))
    assert doc.issuer == "Chính phủ"
    assert doc.summary == (
        "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ ban hành Chương trình tổng thể "
        "cải cách hành chính nhà nước giai đoạn 2021 - 2030."
    )
    assert doc.body.split("\n") == [
        "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;",
        "## Quan điểm cải cách",
        QUAN_DIEM,
    ]


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hong.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    error = _refused(path, 5 * MB)
    assert (error.code, error.details["kind"]) == ("file_corrupt", "DOCX")
    assert "tệp hỏng hoặc không phải tệp DOCX" in messages.describe(error)


def test_windows_1258_text_is_decoded_and_normalised(tmp_path: Path) -> None:
    text = f"{QUAN_DIEM}\nNgười đứng đầu chịu trách nhiệm về kết quả cải cách hành chính."
    data = _cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "cp1258.txt"
    path.write_bytes(data)
    doc = load_file(path, MB)
    assert doc.body == unicodedata.normalize("NFC", text)
    assert doc.id == "cp1258" and doc.kind == "khác"
    assert doc.summary.startswith("Cải cách hành chính phải xuất phát từ lợi ích")


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16"])
def test_text_with_a_bom(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(QUAN_DIEM.encode(codec))
    assert load_file(path, MB).body == QUAN_DIEM


def test_decode_text_detection() -> None:
    vi = "Chỉ số hài lòng của người dân"
    assert decode_text(vi.encode("utf-16-le")) == vi  # no BOM
    assert decode_text(unicodedata.normalize("NFD", vi).encode("utf-8")) == vi
    assert decode_text(b"<p>\xe0</p>", declared="windows-1258") == "<p>à</p>"


def test_text_wrapped_at_a_fixed_width_is_rejoined() -> None:
    wrapped = (
        "1. Cải cách hành chính phải xuất phát từ lợi ích của người dân, doanh\n"
        "nghiệp; lấy người dân làm trung tâm.\n"
        "2. Mục tiêu thứ hai.\n"
        "KẾT QUẢ\n"
        "Ngắn\n"
        "Dòng sau."
    )
    assert reflow(wrapped).split("\n") == [
        "1. Cải cách hành chính phải xuất phát từ lợi ích của người dân, doanh nghiệp; lấy "
        "người dân làm trung tâm.",
        "2. Mục tiêu thứ hai.",
        "KẾT QUẢ",
        "Ngắn",
        "Dòng sau.",
    ]


HTML = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Cải cách hành chính phải thực chất | Cổng thông tin</title>
<meta property="article:published_time" content="2020-07-30T09:00:00+07:00">
<link rel="canonical" href="https://example.gov.vn/tin/cchc-thuc-chat">
<style>.x{color:red}</style><script>var tracking = "Tìm kiếm";</script>
</head><body class="page has-sidebar">
<header class="site-header"><a href="/">Trang chủ</a><h1 class="logo">Cổng thông tin</h1></header>
<nav class="main-menu"><ul><li>Giới thiệu</li><li>Tin tức</li></ul></nav>
<form class="box-search"><input name="q"><button>Tìm kiếm</button></form>
<div class="container">
 <article class="news-detail">
  <header><h1>Cải cách hành chính phải thực chất và nâng cao thứ hạng</h1>
   <time datetime="2020-07-30">30/07/2020</time></header>
  <p><strong>Tại Hội nghị tổng kết</strong> công tác cải cách hành chính giai đoạn
   2011 - 2020, Thứ trưởng yêu cầu cải cách hành chính phải thực chất.</p>
  <h2>Những hạn chế cần khắc phục</h2>
  <p>Việc giải quyết thủ tục hành chính còn chậm &amp; chưa đồng bộ.</p>
  <ul><li>Ứng dụng công nghệ thông tin</li><li>Nâng cao chỉ số hài lòng</li></ul>
  <div class="social-share"><a>Chia sẻ</a><a>Facebook</a><a>Zalo</a></div>
  <div class="tin-lien-quan"><h3>Tin liên quan</h3><a>Bài khác về chuyển đổi số</a></div>
 </article>
 <aside class="sidebar"><h3>Tin mới</h3><p>Một bài ở cột bên không liên quan.</p></aside>
</div>
<div id="comments"><h3>Bình luận</h3><form><textarea></textarea></form></div>
<footer>Bản quyền thuộc Cổng thông tin; địa chỉ và điện thoại.</footer>
</body></html>"""


def test_html_keeps_the_article_and_drops_the_furniture(tmp_path: Path) -> None:
    path = tmp_path / "tin.html"
    path.write_text(HTML, encoding="utf-8")
    doc = load_file(path, MB)
    assert doc.title == "Cải cách hành chính phải thực chất và nâng cao thứ hạng"
    assert doc.kind == "tin bài"
    assert doc.issued == dt.date(2020, 7, 30)
    assert doc.source == "https://example.gov.vn/tin/cchc-thuc-chat"
    assert doc.body.split("\n") == [
        "Tại Hội nghị tổng kết công tác cải cách hành chính giai đoạn 2011 - 2020, Thứ trưởng "
        "yêu cầu cải cách hành chính phải thực chất.",
        "# Những hạn chế cần khắc phục",
        "Việc giải quyết thủ tục hành chính còn chậm & chưa đồng bộ.",
        "- Ứng dụng công nghệ thông tin",
        "- Nâng cao chỉ số hài lòng",
    ]
    for furniture in ("Tìm kiếm", "Trang chủ", "Giới thiệu", "Chia sẻ", "Bình luận", "Bản quyền",
                      "cột bên", "tracking", "color", "Tin liên quan", "30/07/2020"):  # fmt: skip
        assert furniture not in doc.body


def test_html_in_windows_1258_declared_in_meta(tmp_path: Path) -> None:
    path = tmp_path / "cu.htm"
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    path.write_bytes(page.encode() + b"<body><p>" + _cp1258(QUAN_DIEM) + b"</p></body></html>")
    assert load_file(path, MB).body == QUAN_DIEM


def test_markdown_with_front_matter_reads_as_the_knowledge_loader_does() -> None:
    expected = {d.id: d for d in load_knowledge_dir(ROOT / "knowledge")}
    docs, errors = load_paths([ROOT / "knowledge"], 5 * MB)
    assert errors == []
    assert {d.id: d for d in docs} == expected


def test_front_matter_is_completed_by_detection_and_overridden(tmp_path: Path) -> None:
    header = "\n".join(f"{left} | {right}" for left, right in HEADER)
    text = f"---\nsource: https://vbpl.vn/76\n---\n{header}\nNGHỊ QUYẾT\n{EXCERPT}\n\n{QUAN_DIEM}\n"
    path = tmp_path / "nq.md"
    path.write_text(text, encoding="utf-8")
    doc = load_file(path, MB)
    assert (doc.id, doc.kind, doc.source) == ("nq-76-2021", "nghị quyết", "https://vbpl.vn/76")
    assert doc.body == QUAN_DIEM

    doc = load_file(path, MB, {"title": "Tiêu đề do quản trị đặt", "issued": "2021-07-16"})
    assert doc.title == "Tiêu đề do quản trị đặt"
    assert doc.issued == dt.date(2021, 7, 16)


def test_complete_front_matter_with_overrides(tmp_path: Path) -> None:
    src = ROOT / "knowledge" / "nq-76-2021-chuong-trinh-tong-the.md"
    path = tmp_path / src.name
    path.write_bytes(src.read_bytes())
    doc = load_file(path, MB, {"source": "https://example.gov.vn/nq76", "kind": None})
    assert doc.source == "https://example.gov.vn/nq76"
    assert doc.kind == "nghị quyết"


def test_bad_override_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(QUAN_DIEM, encoding="utf-8")
    error = _refused(path, MB, {"kind": "công điện khẩn"})
    assert (error.code, error.details["fields"]) == ("file_invalid_fields", ["kind"])
    assert messages.describe(error) == "a.txt: khai báo không hợp lệ (kind = «công điện khẩn»)"


def test_empty_unsupported_and_oversize_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "rong.txt").write_bytes(b"")
    (tmp_path / "trang.txt").write_text(" \n\n \t\n", encoding="utf-8")
    (tmp_path / "bang.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "cu.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "lon.txt").write_text(QUAN_DIEM * 20, encoding="utf-8")
    (tmp_path / "khong-duoi").write_text(QUAN_DIEM, encoding="utf-8")
    cases = {
        "rong.txt": ("file_empty", "rong.txt: tệp rỗng"),
        "trang.txt": ("file_no_text", "trang.txt: không tìm thấy nội dung văn bản"),
        "bang.xlsx": ("file_unsupported", "bang.xlsx: định dạng «.xlsx» không được hỗ trợ"),
        "cu.doc": ("file_save_as_docx", "hãy lưu lại thành .docx"),
        "lon.txt": ("file_too_large", "lon.txt: tệp quá lớn (6 KB, giới hạn 2 KB)"),
        "khong-co.pdf": ("file_not_found", "khong-co.pdf: không tìm thấy tệp"),
        "khong-duoi": ("file_no_suffix", "khong-duoi: tệp không có phần mở rộng"),
    }
    for name, (code, message) in cases.items():
        error = _refused(tmp_path / name, 2048)
        assert error.code == code
        assert message in messages.describe(error)
    assert "(nhận .docx, .htm, .html, .markdown, .md, .pdf, .txt)" in messages.describe(
        _refused(tmp_path / "bang.xlsx")
    )


def test_load_paths_goes_on_after_a_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "moi"
    (folder / "con").mkdir(parents=True)
    (folder / "a.txt").write_text(QUAN_DIEM, encoding="utf-8")
    (folder / "b.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    (folder / "con" / "c.txt").write_bytes(_cp1258("Văn bản thứ ba, trong thư mục con."))
    (folder / "README.md").write_text("# Hướng dẫn", encoding="utf-8")
    (folder / ".an.txt").write_text("ẩn", encoding="utf-8")
    (folder / "d.bin").write_bytes(b"\x00\x01")
    docs, errors = load_paths([folder, folder / "a.txt"], MB)
    assert [d.id for d in docs] == ["a", "c"]
    assert sorted((e.details["file"], e.code) for e in errors) == [
        ("b.pdf", "file_corrupt"),
        ("d.bin", "file_unsupported"),
    ]


def test_text_without_a_header_takes_its_title_from_the_first_line(tmp_path: Path) -> None:
    (tmp_path / "tin.md").write_text(f"# Bài học kinh nghiệm\n\n{QUAN_DIEM}\n", encoding="utf-8")
    (tmp_path / "tin.txt").write_text(f"CẢI CÁCH PHẢI THỰC CHẤT\n{QUAN_DIEM}\n", encoding="utf-8")
    md = load_file(tmp_path / "tin.md", MB)
    assert (md.title, md.body, md.issuer) == ("Bài học kinh nghiệm", QUAN_DIEM, None)
    txt = load_file(tmp_path / "tin.txt", MB, {"kind": "TIN BÀI", "issued": "9/3/2022"})
    assert (txt.title, txt.kind, txt.issued) == (
        "CẢI CÁCH PHẢI THỰC CHẤT",
        "tin bài",
        dt.date(2022, 3, 9),
    )
    assert txt.issuer is None


def test_overrides_on_a_complete_front_matter_are_normalised(tmp_path: Path) -> None:
    src = ROOT / "knowledge" / "nq-76-2021-chuong-trinh-tong-the.md"
    path = tmp_path / src.name
    path.write_bytes(src.read_bytes())
    doc = load_file(path, MB, {"kind": "QĐ", "issued": "16/7/2021"})
    assert (doc.kind, doc.issued) == ("quyết định", dt.date(2021, 7, 16))
