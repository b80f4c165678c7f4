"""Import the raw corpus (``../shared/corpus``) into ``knowledge/<id>.md`` documents.

Each source file has a row in ``SOURCES``: its metadata (validated with ``DocumentMeta``), its
format and the author sign-offs that move to metadata. Web articles lose their page furniture
(search box, counters, comment forms, related-article lists, captions, bylines, the date line,
the headline and repeated paragraphs); Pháp điển files lose their header line and trailing
table of contents, and headings glued to the previous paragraph are split off. Text is kept
word for word, one paragraph per block, blocks separated by one blank line.

Usage: ``.venv/bin/python scripts/import_corpus.py [--corpus DIR] [--out DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from retrieval.domain.models import DocumentMeta  # noqa: E402

Format = Literal["web", "phapdien"]

BAN_CHI_DAO_2025 = (
    "Từ năm 2025, Ban Chỉ đạo cải cách hành chính của Chính phủ là ban chỉ đạo hợp nhất "
    "(Quyết định 995/QĐ-BCĐ); thông tin về Ban Chỉ đạo trong bài phản ánh thời điểm đăng bài."
)


@dataclass(frozen=True)
class Source:
    """One raw file of the corpus and how to import it."""

    file: str
    format: Format
    meta: dict[str, Any]
    bylines: tuple[str, ...] = ()  # author sign-offs (exact lines), recorded in ``meta``


SOURCES: tuple[Source, ...] = (
    Source(
        file="000_31413731cdc7c2b4.txt",
        format="web",
        bylines=("TG",),
        meta={
            "id": "bai-hoc-cchc-2011-2020",
            "title": "7 bài học kinh nghiệm trong triển khai cải cách hành chính "
            "giai đoạn 2011 - 2020",
            "kind": "tin bài",
            "issuer": "Báo điện tử Đảng Cộng sản Việt Nam",
            "issued": dt.date(2021, 3, 22),
            "status_note": BAN_CHI_DAO_2025,
            "source": None,
            "summary": "Bảy bài học kinh nghiệm trong triển khai Chương trình tổng thể cải cách "
            "hành chính nhà nước giai đoạn 2011 - 2020 do Báo cáo của Ban Chỉ đạo cải cách "
            "hành chính của Chính phủ chỉ ra.",
            "note": "Báo điện tử Đảng Cộng sản Việt Nam (dangcongsan.vn), đăng lúc 10:39 ngày "
            "22/03/2021, bài ký tên “TG”; văn bản gốc không ghi địa chỉ URL.",
        },
    ),
    Source(
        file="001_04a7569f5e4b9f42.txt",
        format="web",
        bylines=("Việt Hoàng",),
        meta={
            "id": "bcd-cchc-phien-hop-2022",
            "title": "Nâng cao trách nhiệm của người đứng đầu trong thực hiện công tác "
            "cải cách hành chính",
            "kind": "tin bài",
            "issued": dt.date(2022, 3, 9),
            "status_note": BAN_CHI_DAO_2025
            + " Quy định về Bộ phận Một cửa, Trung tâm Phục vụ hành chính công nay là "
            "Nghị định 118/2025/NĐ-CP (thay thế Nghị định 61/2018/NĐ-CP từ 01/7/2025).",
            "summary": "Tại Phiên họp lần thứ nhất của Ban Chỉ đạo cải cách hành chính của "
            "Chính phủ ngày 9/3/2022, Thủ tướng Phạm Minh Chính yêu cầu nâng cao trách nhiệm "
            "của người đứng đầu trong công tác cải cách hành chính.",
            "note": "Tin bài của tác giả Việt Hoàng; văn bản gốc không ghi tên báo và địa chỉ URL.",
        },
    ),
    Source(
        file="002_0385942b69236da2.txt",
        format="web",
        bylines=("Lê Thị Cẩm Hòa - Phòng Nội vụ huyện",),
        meta={
            "id": "nq-76-2021-chuong-trinh-tong-the",
            "title": "Nghị quyết 76/NQ-CP ban hành Chương trình tổng thể cải cách hành chính "
            "nhà nước giai đoạn 2021 - 2030 (bản tóm tắt)",
            "kind": "nghị quyết",
            "number": "76/NQ-CP",
            "issuer": "Chính phủ",
            "issued": dt.date(2021, 7, 15),
            "summary": "Tóm tắt Nghị quyết 76/NQ-CP: quan điểm, mục tiêu chung, sáu nội dung và "
            "trọng tâm cải cách hành chính nhà nước giai đoạn 2021 - 2030 cùng các giải pháp "
            "thực hiện.",
            "note": "Bản tóm tắt do Phòng Nội vụ huyện (Lê Thị Cẩm Hòa) đăng ngày 21/07/2021 "
            "với tiêu đề “Triển khai Nghị quyết ban hành Chương trình tổng thể CCHC nhà nước "
            "giai đoạn 2021 - 2030 của Chính phủ”; không phải toàn văn Nghị quyết, giải pháp "
            "thứ 6 chỉ có tiêu đề.",
        },
    ),
    Source(
        file="003_c3e05572e2380df0.txt",
        format="web",
        meta={
            "id": "backan-nq07-2016-2020",
            "title": "Kết quả 5 năm thực hiện Nghị quyết số 07-NQ/TU của Ban Chấp hành Đảng bộ "
            "tỉnh về đẩy mạnh cải cách hành chính giai đoạn 2016 – 2020",
            "kind": "tin bài",
            "issuer": "Tỉnh Bắc Kạn (cchc.backan.gov.vn)",
            "issued": None,
            "status_note": "Từ 01/7/2025 tỉnh Bắc Kạn hợp nhất vào tỉnh Thái Nguyên; số liệu "
            "trong bài là của tỉnh Bắc Kạn trước khi hợp nhất.",
            "source": "https://cchc.backan.gov.vn/",
            "summary": "Tỉnh Bắc Kạn đánh giá kết quả, hạn chế, nguyên nhân và kinh nghiệm sau "
            "5 năm thực hiện Nghị quyết số 07-NQ/TU về đẩy mạnh cải cách hành chính giai đoạn "
            "2016 – 2020 và nêu Nghị quyết số 08-NQ/TU cho giai đoạn 2021 - 2025.",
            "note": "Đăng năm 2021 trên trang cải cách hành chính tỉnh Bắc Kạn; văn bản không "
            "ghi ngày đăng. Nguyên văn có chỗ “ngày 22 tháng năm 2021” thiếu tháng.",
        },
    ),
    Source(
        file="004_dcba6d7c3a8f1fc2.txt",
        format="web",
        meta={
            "id": "btttt-tong-ket-cchc-2011-2020",
            "title": "Cải cách hành chính phải thực chất và nâng cao thứ hạng",
            "kind": "tin bài",
            "issuer": "Bộ Thông tin và Truyền thông",
            "issued": dt.date(2020, 7, 30),
            "status_note": "Từ 01/3/2025 Bộ Thông tin và Truyền thông hợp nhất với Bộ Khoa học "
            "và Công nghệ.",
            "summary": "Tại Hội nghị tổng kết công tác cải cách hành chính giai đoạn 2011 - 2020 "
            "của Bộ Thông tin và Truyền thông, Thứ trưởng Phạm Anh Tuấn yêu cầu cải cách hành "
            "chính phải thực chất để nâng cao thứ hạng.",
            "note": "Tin bài về hội nghị sáng 30/7/2020 tại Hải Phòng; văn bản gốc không ghi "
            "địa chỉ URL.",
        },
    ),
    Source(
        file="phapdien_44-5_kiem-soat-thu-tuc-hanh-chinh.md",
        format="phapdien",
        meta={
            "id": "phap-dien-44-5",
            "title": "Kiểm soát thủ tục hành chính (Đề mục Pháp điển 44.5, Chủ đề 44 "
            "Xây dựng pháp luật và thi hành pháp luật)",
            "kind": "pháp điển",
            "number": "Đề mục 44.5",
            "issuer": "Bộ Tư pháp (Bộ Pháp điển)",
            "issued": None,
            "status_note": "Tổng hợp Nghị định 63/2010/NĐ-CP, sửa đổi bởi 48/2013/NĐ-CP và "
            "92/2017/NĐ-CP; một số điều đã bị bãi bỏ (xem ghi chú từng điều)",
            "source": "https://phapdien.moj.gov.vn",
            "summary": "Các quy định pháp điển về kiểm soát thủ tục hành chính: quy định, công "
            "bố, thực hiện, rà soát, đánh giá thủ tục hành chính, cơ sở dữ liệu quốc gia, kinh "
            "phí và hoạt động kiểm soát trong một số bộ, ngành.",
            "note": "Bản Pháp điển, tệp cập nhật ngày 2026-05-13, lấy qua bản sao công khai "
            "github.com/diepxuan/diepxuan.github.io (commit 0232145947e90dcab0cb7f2918a852ab0de47"
            "d2e, van-ban/xay-dung-phap-luat-va-thi-hanh-phap-luat/kiem-soat-thu-tuc-hanh-chinh."
            "md); mục lục cuối tệp đã bỏ.",
        },
    ),
)

# --- web page furniture -------------------------------------------------------------------

#: Whole lines (compared case-insensitively) that are page furniture.
FURNITURE_LINES: frozenset[str] = frozenset(
    s.casefold()
    for s in (
        "Tìm kiếm",
        "CÓ THỂ BẠN QUAN TÂM",
        "Ý kiến bình luận",
        "Họ và tên",
        "Email",
        "Lời bình",
        "/",
        "Xác thực",
        "Chia sẻ :",
        "Chia sẻ:",
        "Chia sẻ",
        "BÀI VIẾT CÙNG CHUYÊN MỤC",
        "Bài viết mới",
        "View Counter",
        "Language",
        "Skip to content",
        "Tập tin đính kèm:",
        "Các tin khác",
        "Xem tin theo ngày",
        "Thống kê truy cập",
        "Tin liên quan",
        "In bài viết",
        "Gửi bài viết",
        "Quay lại",
    )
)
#: A line that starts what follows it as furniture (related articles, comments, counters).
TAIL_MARKERS: frozenset[str] = frozenset(
    s.casefold()
    for s in (
        "CÓ THỂ BẠN QUAN TÂM",
        "Ý kiến bình luận",
        "Chia sẻ :",
        "Chia sẻ:",
        "BÀI VIẾT CÙNG CHUYÊN MỤC",
        "Bài viết mới",
        "View Counter",
        "Tập tin đính kèm:",
        "Các tin khác",
        "Xem tin theo ngày",
        "Thống kê truy cập",
        "Tin liên quan",
    )
)
FURNITURE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # counters: "Views Today : 71", "Tổng truy cập 6.945.332", a bare "004730"
    re.compile(
        r"^(?:Views? (?:Today|Yesterday|This Week|This Month|This Year)|Total views|"
        r"Tổng truy cập|Truy cập hiện tại|Đang truy cập|Lượt xem)\s*:?\s*[\d.,]+$",
        re.I,
    ),
    re.compile(r"^\d[\d.,]*$"),
    # date lines: "Thứ hai, 22/03/2021 10:39", "False 12981Ngày cập nhật 21/07/2021"
    re.compile(
        r"^(?:Thứ (?:hai|ba|tư|năm|sáu|bảy)|Chủ nhật),? \d{1,2}/\d{1,2}/\d{4}"
        r"(?:,? \d{1,2}:\d{2}(?::\d{2})?)?$",
        re.I,
    ),
    re.compile(r"^(?:False\s*\d*\s*)?Ngày (?:cập nhật|đăng)\s*:?\s*\d{1,2}/\d{1,2}/\d{4}.*$"),
)
#: Image captions: short lines without final punctuation that look like a caption.
CAPTION_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^Ảnh(?: minh h(?:ọa|oạ))?\s*[:(]|^Ảnh minh h(?:ọa|oạ)\b"),
    re.compile(r"\((?:Ảnh|Nguồn)\s*:[^)]*\)$"),
    re.compile(r"^(?:Quang cảnh|Toàn cảnh)\s"),
    re.compile(r"\bphát biểu (?:tại|chỉ đạo|khai mạc|kết luận)\b"),
)
CAPTION_MAX_CHARS = 160
SOURCE_CREDIT = re.compile(r"^Nguồn\s*:\s*(\S.*)$")
#: Captions never end like a sentence (a closing bracket is allowed: "(Nguồn: ĐH)").
SENTENCE_END = (".", "!", "?", "…", ":", ";", "”", '"')
#: Paragraphs at least this long are dropped when they repeat an earlier one word for word.
DEDUPE_MIN_CHARS = 40

# --- Pháp điển ------------------------------------------------------------------------------

PD_HEADER = re.compile(
    r"^# TITLE: (?P<title>.+?) \| NUMBER: (?P<number>.+?) \| DATE: (?P<date>.+?) "
    r"\| SOURCE: (?P<source>.+)$"
)
# A bare attachment file name ("Phu luc_Muc chi ….doc") is a download link, not text.
ATTACHMENT = re.compile(r"^[^\s/]+(?: [^\s/]+)*\.(?:docx?|pdf|xlsx?|zip|rar)$", re.IGNORECASE)
PD_TOC = re.compile(r"^#{1,6}\s*Danh sách điều khoản\s*$")
MD_HEADING = re.compile(r"^#{1,6}\s")
ARTICLE_LABEL = r"Điều \d+(?:\.\d+)*\.[A-ZĐ]+\.\d+(?:\.\d+)*\. "
#: A heading, article or cross-reference note glued to the end of the previous paragraph.
GLUED = re.compile(
    r"(?<=[.)])(?=" + ARTICLE_LABEL + r"|\((?:Điều|Chương|Mục) này có nội dung liên quan"
    r"|(?:Chương [IVXLC]+|Mục \d+)$)"
)
SECTION_HEADING = re.compile(r"^(?:Chương [IVXLC]+|Mục \d+)$")
TOC_SECTION = re.compile(r"^(Chương [IVXLC]+|Mục \d+)\.? (.+)$")

_SPACES = re.compile(r"[ \t\u00a0\u200b\ufeff]+")


@dataclass
class Cleaned:
    """A cleaned body, with the headline and the lines moved to metadata."""

    paragraphs: list[str]
    headline: str | None = None
    credits: list[str] = field(default_factory=list)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _lines(raw: str) -> list[str]:
    text = nfc(raw.lstrip("\ufeff")).replace("\r\n", "\n").replace("\r", "\n")
    return [_SPACES.sub(" ", line).strip() for line in text.split("\n")]


def is_furniture(line: str) -> bool:
    """Whether a (normalised) line of a web page is furniture rather than content."""
    if line.casefold() in FURNITURE_LINES or any(p.search(line) for p in FURNITURE_PATTERNS):
        return True
    return (
        len(line) <= CAPTION_MAX_CHARS
        and not line.endswith(SENTENCE_END)
        and any(p.search(line) for p in CAPTION_PATTERNS)
    )


def clean_web(raw: str, bylines: Sequence[str] = ()) -> Cleaned:
    """Clean a web article: one line is one paragraph; furniture and repeats are dropped."""
    lines = _lines(raw)
    missing = [b for b in bylines if b not in lines]
    if missing:
        raise ValueError(f"sign-off not found: {missing}")
    out = Cleaned(paragraphs=[], credits=[x for x in lines if x in bylines])
    seen: set[str] = set()
    for line in lines:
        if not line:
            continue
        if line.casefold() in TAIL_MARKERS:
            break
        if line in bylines:
            continue
        if SOURCE_CREDIT.match(line):
            out.credits.append(line)
        elif is_furniture(line):
            continue
        elif out.headline is None:
            out.headline = line
        elif line in seen and len(line) >= DEDUPE_MIN_CHARS:
            continue
        else:
            seen.add(line)
            out.paragraphs.append(line)
    return out


def _blocks(lines: Iterable[str]) -> list[str]:
    """Blank-line separated blocks, their wrapped lines joined with one space."""
    blocks: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            blocks.append(" ".join(current))
            current = []
    return blocks


def clean_phapdien(raw: str) -> Cleaned:
    """Clean a Pháp điển topic: header line and table of contents go, glued headings split."""
    lines = _lines(raw)
    header = PD_HEADER.match(lines[0])
    if header is None:
        raise ValueError("missing '# TITLE: … | NUMBER: … | DATE: … | SOURCE: …' header")
    body: list[str] = []
    toc: list[str] = []
    for i, line in enumerate(lines[1:], start=1):
        if PD_TOC.match(line):
            toc = _blocks(lines[i + 1 :])
            break
        if not MD_HEADING.match(line) and not ATTACHMENT.match(line):
            body.append(line)
    paragraphs = [p.strip() for b in _blocks(body) for p in GLUED.split(b) if p.strip()]
    _check_against_toc(paragraphs, toc)
    return Cleaned(paragraphs=paragraphs, headline=header["title"], credits=[lines[0]])


def _check_against_toc(paragraphs: list[str], toc: list[str]) -> None:
    """Every entry of the table of contents must be a heading paragraph of the body."""
    heads = {(a, b) for a, b in zip(paragraphs, paragraphs[1:], strict=False)}
    body = set(paragraphs)
    for entry in toc:
        m = TOC_SECTION.match(entry)
        if (m is not None and (m[1], m[2]) not in heads) or (m is None and entry not in body):
            raise ValueError(f"table of contents entry not a heading in the body: {entry!r}")


def render(meta: DocumentMeta, paragraphs: Sequence[str]) -> str:
    """The Markdown file: YAML front matter, then paragraphs separated by one blank line."""
    front = yaml.safe_dump(
        meta.model_dump(mode="python"), allow_unicode=True, sort_keys=False, width=10_000
    )
    text = nfc(f"---\n{front}---\n\n" + "\n\n".join(paragraphs) + "\n")
    _, front_back, _ = text.split("---\n", 2)
    if DocumentMeta.model_validate(yaml.safe_load(front_back)) != meta:
        raise ValueError(f"{meta.id}: front matter does not round-trip")
    return text


def import_source(src: Source, corpus: Path) -> tuple[DocumentMeta, Cleaned, str]:
    """Read, clean and render one source; check its metadata against what the text says."""
    raw = (corpus / src.file).read_text(encoding="utf-8")
    meta = DocumentMeta.model_validate(src.meta)
    cleaned = clean_phapdien(raw) if src.format == "phapdien" else clean_web(raw, src.bylines)
    for credit in cleaned.credits:
        m = SOURCE_CREDIT.match(credit)
        if m and meta.source != m[1]:
            raise ValueError(f"{src.file}: text names source {m[1]!r}, table has {meta.source!r}")
    if not cleaned.paragraphs:
        raise ValueError(f"{src.file}: empty body after cleaning")
    return meta, cleaned, render(meta, cleaned.paragraphs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--out", type=Path, default=ROOT / "knowledge")
    args = parser.parse_args(argv)
    ids = [s.meta["id"] for s in SOURCES]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"duplicate ids in SOURCES: {ids}")
    args.out.mkdir(parents=True, exist_ok=True)
    for src in SOURCES:
        try:
            meta, cleaned, text = import_source(src, args.corpus)
        except (OSError, ValueError) as exc:
            print(f"{src.file}: {exc}", file=sys.stderr)
            return 1
        path = args.out / f"{meta.id}.md"
        path.write_bytes(text.encode("utf-8"))
        moved = "; ".join(c if len(c) <= 60 else c[:57] + "…" for c in cleaned.credits)
        print(f"{path}: {len(cleaned.paragraphs)} đoạn; → metadata: {moved or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
