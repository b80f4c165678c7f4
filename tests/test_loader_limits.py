"""Small hostile files are refused before the expensive work (issue 15, defects 1 and 2).

The bombs are loaded in a child process, so that its peak memory (``VmHWM``, the peak RSS,
from /proc) is the loader's own and a failure cannot take the test run down with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from retrieval.domain import messages
from retrieval.domain.errors import DocumentError
from retrieval.knowledge import frontmatter
from retrieval.knowledge.chunking import chunk_document
from retrieval.knowledge.documents import parse_markdown
from retrieval.knowledge.loaders import LoaderError, base, limits, load_file

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
PARAGRAPH = (
    "Cải cách hành chính phải xuất phát từ lợi ích của người dân, doanh nghiệp; lấy người dân "
    "làm trung tâm."
)
#: What loading a bomb may cost, in the child process that loads nothing else.
MAX_SECONDS = 5
MAX_RSS_MB = 300


def _load_in_child(path: Path) -> dict:
    """Load ``path`` in a fresh interpreter: the code, the message, seconds and peak RSS."""
    script = textwrap.dedent(
        r"""
        import json, re, sys, time
        from retrieval.domain import messages
        from retrieval.knowledge.loaders import LoaderError, load_file
        start = time.perf_counter()
        try:
            load_file(sys.argv[1])
            code = message = None
        except LoaderError as exc:
            code, message = exc.code, messages.describe(exc)
        seconds = time.perf_counter() - start
        # Peak RSS of this process's own memory map: ru_maxrss would count the parent's
        # pages at fork time too.
        with open("/proc/self/status") as status:
            peak_kb = int(re.search(r"VmHWM:\s+(\d+)", status.read()).group(1))
        print(json.dumps(
            {"code": code, "message": message, "seconds": seconds, "rss_mb": peak_kb / 1024}
        ))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _alias_bomb() -> str:
    """A billion laughs in YAML, about 1 KB: eighteen levels of nine aliases, 9**18 strings
    once expanded (the 483-byte one of issue 15 took 858 MB when turned into text)."""
    lines = ['a0: &a0 ["cải cách hành chính", "cải cách hành chính"]']
    for level in range(1, 19):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join([*lines, "title: *a18", "id: bom"])


def _docx_bomb(path: Path, xml_bytes: int) -> Path:
    """A real DOCX whose word/document.xml is replaced by ``xml_bytes`` of valid
    WordprocessingML that packs a few hundred times."""
    import docx

    plain = path.with_suffix(".plain.docx")
    docx.Document().save(str(plain))
    paragraph = f"<w:p><w:r><w:t>{PARAGRAPH}</w:t></w:r></w:p>"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>")
                body = paragraph.encode() * (xml_bytes // len(paragraph.encode()))
                data = head + b"<w:body>" + body + tail.split(b"</w:body>")[-1]
                data = data.replace(b"</w:document>", b"</w:body></w:document>")
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    plain.unlink()
    return path


# -- front matter -----------------------------------------------------------------------------
def test_a_yaml_alias_bomb_is_refused_quickly_and_small(tmp_path: Path) -> None:
    front = _alias_bomb()
    assert 900 < len(front.encode()) <= 1024
    path = tmp_path / "bom.md"
    path.write_text(f"---\n{front}\n---\n{PARAGRAPH}\n", encoding="utf-8")
    seen = _load_in_child(path)
    print(f"YAML alias bomb, {len(front.encode())} bytes: {seen}")  # shown with pytest -s
    assert seen["code"] == "file_front_matter_aliases"
    assert seen["message"].startswith("bom.md: phần khai báo (front matter) dùng tham chiếu YAML")
    assert seen["seconds"] < MAX_SECONDS and seen["rss_mb"] < MAX_RSS_MB, seen


def test_the_knowledge_folder_refuses_the_alias_bomb_too() -> None:
    with pytest.raises(DocumentError) as exc:
        parse_markdown(f"---\n{_alias_bomb()}\n---\n{PARAGRAPH}", "bom.md")
    assert (exc.value.code, exc.value.details["origin"]) == ("front_matter_aliases", "bom.md")
    assert "tham chiếu YAML" in messages.describe(exc.value)


def test_a_plain_anchor_without_alias_is_still_read() -> None:
    front, body = frontmatter.split_front_matter("---\ntitle: &t Tiêu đề\nid: a\n---\nThân")
    assert front == {"title": "Tiêu đề", "id": "a"} and body == "Thân"


def test_front_matter_size_and_depth(tmp_path: Path) -> None:
    big = tmp_path / "lon.md"
    tags = "\n".join(f"  - thẻ số {i}" for i in range(2000))
    big.write_text(f"---\ntitle: T\ntags:\n{tags}\n---\n{PARAGRAPH}\n", encoding="utf-8")
    with pytest.raises(LoaderError) as exc:
        load_file(big)
    assert exc.value.code == "file_front_matter_too_large"
    assert exc.value.details["limit_bytes"] == frontmatter.MAX_FRONT_MATTER_BYTES
    assert "lon.md: phần khai báo (front matter) quá dài (" in messages.describe(exc.value)
    assert "giới hạn 16 KB)" in messages.describe(exc.value)

    deep = tmp_path / "sau.md"
    deep.write_text(f"---\ntitle: {'[' * 50}x{']' * 50}\n---\n{PARAGRAPH}\n", encoding="utf-8")
    with pytest.raises(LoaderError) as exc:
        load_file(deep)
    assert exc.value.code == "file_front_matter_too_deep"
    assert "tối đa 8 cấp" in messages.describe(exc.value)


def test_an_invalid_value_is_shown_short() -> None:
    error_values = base.preview("x" * 10_000), base.preview(["a"] * 10), base.preview(12)
    assert error_values == ("x" * 79 + "…", None, "12")


# -- zip containers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("unpacked_mb", "code"),
    [(50, "file_zip_too_large"), (20, "file_zip_ratio")],  # the first is issue 15's
)
def test_a_docx_zip_bomb_is_refused_quickly_and_small(
    tmp_path: Path, unpacked_mb: int, code: str
) -> None:
    path = _docx_bomb(tmp_path / "bom.docx", unpacked_mb * MB)
    assert path.stat().st_size < 400 * 1024  # a few hundred KB that unpack to tens of MB
    seen = _load_in_child(path)
    size = path.stat().st_size // 1024
    print(f"DOCX bomb, {size} KB → {unpacked_mb} MB: {seen}")  # shown with pytest -s
    assert seen["code"] == code, seen
    assert "bom.docx: " in seen["message"] and "(zip bomb)" in seen["message"]
    assert seen["seconds"] < MAX_SECONDS and seen["rss_mb"] < MAX_RSS_MB, seen


def test_zip_limits_are_read_from_the_central_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = tmp_path / "nhieu.docx"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(limits.MAX_ZIP_MEMBERS + 1):
            z.writestr(f"word/media/{i}.bin", b"")
    with pytest.raises(LoaderError) as exc:
        load_file(many)
    assert (exc.value.code, exc.value.details["count"]) == ("file_zip_members", 1001)
    assert "(1.001, giới hạn 1.000)" in messages.describe(exc.value)

    # A central directory larger than its end record says is measured, not trusted.
    lying = tmp_path / "noi-doi.docx"
    with zipfile.ZipFile(lying, "w") as z:
        for i in range(20_000):
            z.writestr(f"word/media/{i}.bin", b"")
    data = bytearray(lying.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    data[end + 8 : end + 12] = (5).to_bytes(2, "little") * 2  # "5 entries"
    lying.write_bytes(bytes(data))
    with pytest.raises(LoaderError) as exc:
        load_file(lying)
    assert exc.value.code == "file_zip_members"

    # Unpacked size over the cap, whatever the ratio: python-docx never opens it.
    path = _docx_bomb(tmp_path / "lon.docx", 3 * MB)
    for limit in ("MAX_UNPACKED_BYTES", "MAX_XML_BYTES"):
        with monkeypatch.context() as patch:
            patch.setattr(limits, limit, 2 * MB)
            with pytest.raises(LoaderError) as exc:
                load_file(path)
        assert exc.value.code == "file_zip_too_large"
        assert "giới hạn 2 MB" in messages.describe(exc.value)


def test_an_ordinary_docx_passes_the_zip_checks(tmp_path: Path) -> None:
    path = _docx_bomb(tmp_path / "thuong.docx", 200 * 1024)  # packs well, but under 1 MB
    doc = load_file(path)
    assert doc.body.startswith(PARAGRAPH)


# -- PDF --------------------------------------------------------------------------------------
def test_a_pdf_with_too_many_pages_is_refused_before_extraction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fpdf import FPDF
    from pypdf import PageObject

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for i in range(limits.MAX_PDF_PAGES + 1):
        pdf.add_page()
        pdf.cell(0, 6, f"Trang {i}")
    path = tmp_path / "day.pdf"
    pdf.output(str(path))

    def no_extraction(*args: object, **kwargs: object) -> str:
        raise AssertionError("text extracted before the page count was checked")

    monkeypatch.setattr(PageObject, "extract_text", no_extraction)
    with pytest.raises(LoaderError) as exc:
        load_file(path)
    assert (exc.value.code, exc.value.details["pages"]) == ("file_pdf_too_many_pages", 501)
    assert messages.describe(exc.value).startswith(
        "day.pdf: tệp PDF quá nhiều trang (501 trang, giới hạn 500)"
    )


# -- text and lines ---------------------------------------------------------------------------
def test_a_huge_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dong.txt"
    path.write_text(f"{PARAGRAPH}\n{'x' * (limits.MAX_LINE_CHARS + 1)}\n", encoding="utf-8")
    with pytest.raises(LoaderError) as exc:
        load_file(path)
    assert (exc.value.code, exc.value.details["line"]) == ("file_line_too_long", 2)
    assert messages.describe(exc.value) == (
        "dong.txt: dòng 2 dài bất thường (50.001 ký tự, giới hạn 50.000), "
        "không giống văn bản thông thường"
    )


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_text_that_would_make_too_many_passages_is_refused_before_detection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    def no_detection(*args: object, **kwargs: object) -> None:
        raise AssertionError("header detection ran on a text over the limit")

    monkeypatch.setattr(base, "detect", no_detection)
    path = tmp_path / f"dai{suffix}"
    copies = limits.MAX_TEXT_CHARS // len(PARAGRAPH) + 10
    line = f"<p>{PARAGRAPH}</p>\n" if suffix == ".html" else f"{PARAGRAPH}\n\n"
    path.write_text(line * copies, encoding="utf-8")
    with pytest.raises(LoaderError) as exc:
        load_file(path)
    assert exc.value.code == "file_text_too_long"
    assert messages.describe(exc.value) == (
        f"dai{suffix}: văn bản quá dài (hơn 1.500.000 ký tự); hãy tách thành nhiều tệp nhỏ hơn"
    )


def test_a_document_that_makes_too_many_passages_is_refused(tmp_path: Path) -> None:
    """Under the text limit, one-line articles still make a passage each: 49,104 of them from
    1.5 million characters. Counted by chunking, before anything is embedded."""
    path = tmp_path / "nghi-dinh-dai.txt"
    articles = (f"Điều {i}. Cơ quan thực hiện thủ tục số {i}." for i in range(1, 6_001))
    path.write_text("NGHỊ ĐỊNH\n\n" + "\n".join(articles), encoding="utf-8")
    with pytest.raises(LoaderError) as exc:
        load_file(path)
    assert exc.value.code == "file_too_many_passages" and exc.value.details["count"] > 5_000
    assert messages.describe(exc.value).startswith("nghi-dinh-dai.txt: văn bản quá dài, tách ra")
    assert "giới hạn 5.000" in messages.describe(exc.value)


def test_the_knowledge_base_is_far_below_every_limit() -> None:
    for path in sorted((ROOT / "knowledge").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert len(text) * 10 <= limits.MAX_TEXT_CHARS
        assert max(map(len, text.split("\n"))) * 20 <= limits.MAX_LINE_CHARS
        assert len(chunk_document(load_file(path))) * 40 <= limits.MAX_PASSAGES


# -- HTML -------------------------------------------------------------------------------------
def test_hostile_html_expands_no_entity_and_reads_no_file(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "cười"}">' for i in range(10))
    page = (
        f'<!DOCTYPE html [{laughs}<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"<html><body><p>{PARAGRAPH} &l9; &xxe;</p></body></html>"
    )
    path = tmp_path / "doc-hai.html"
    path.write_text(page, encoding="utf-8")
    body = load_file(path).body
    assert PARAGRAPH in body
    assert body.count("cười") <= 1 and "root:" not in body

    deep = tmp_path / "long-nhau.html"
    deep.write_text("<div>" * 10_000 + PARAGRAPH + "</div>" * 10_000, encoding="utf-8")
    with pytest.raises(LoaderError) as exc:
        load_file(deep)
    assert exc.value.code == "file_too_deep"
    assert messages.describe(exc.value) == (
        "long-nhau.html: cấu trúc tệp lồng nhau quá sâu, không đọc được"
    )
