"""Confidence does not swing when an unrelated document is added (issue 15, defect 6).

The README's own example was refused (confidence 0.538 against 0.54) after a large unrelated
document was added, because the coverage score weighs the question's words by their IDF over
the whole corpus. Here the unrelated document is a district's report on its own resolutions,
5,000 passages that say "giải pháp" and "nghị quyết" throughout but nothing of Nghị quyết
76/NQ-CP. Issue 11's scoring (``retrieval/search/evidence.py``) keeps the answer and its
confidence; this test holds it to that.

Embedding 5,000 passages (and, with sentence vectors, some 30,000 sentences) takes the best
part of an hour on 2 cores, so the unrelated document's vectors are made as the benchmark's
are (``retrieval.bench.corpus``): from the real model's vectors of the sentences it is made
of, mixed and slightly noised. The question, the knowledge base and everything else use the
real model.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval.config import Settings
from retrieval.domain.models import Document
from retrieval.embedding.encoder import Encoder
from retrieval.knowledge.chunking import chunk_document
from retrieval.service.admin import AdminService
from retrieval.service.answering import AnsweringService
from tests.conftest import copy_of_index

README_QUESTION = "Các giải pháp của Nghị quyết 76/NQ-CP là gì?"
PASSAGES = 5_000
SENTENCES = [
    "Ủy ban nhân dân huyện tổ chức hội nghị sơ kết công tác cải cách hành chính quý I.",
    "Các giải pháp trọng tâm của huyện là nâng cao chất lượng tiếp nhận hồ sơ tại bộ phận một cửa.",
    "Thực hiện Nghị quyết số 12/NQ-HĐND của Hội đồng nhân dân tỉnh về phát triển kinh tế - xã hội.",
    "Tỷ lệ hồ sơ giải quyết đúng hạn của các xã đạt 97,5 phần trăm.",
    "Giải pháp về chuyển đổi số được triển khai đồng bộ tại 18 xã, thị trấn.",
    "Huyện đã rà soát, đề xuất đơn giản hóa 14 thủ tục hành chính thuộc lĩnh vực đất đai.",
    "Nghị quyết của Huyện ủy xác định cải cách hành chính là nhiệm vụ trọng tâm của cả nhiệm kỳ.",
    "Các xã tiếp tục thực hiện giải pháp niêm yết công khai thủ tục hành chính tại trụ sở.",
    "Phòng Nội vụ tham mưu kiểm tra công vụ đột xuất tại 6 cơ quan, đơn vị.",
    "Chỉ số hài lòng của người dân đối với dịch vụ hành chính công đạt 86,2 phần trăm.",
    "Giải pháp tăng cường kỷ luật, kỷ cương được gắn với đánh giá, xếp loại cán bộ cuối năm.",
    "Tổ chức tập huấn kỹ năng giao tiếp cho 120 công chức làm việc tại bộ phận một cửa.",
    "Thực hiện Nghị quyết số 07/NQ-HĐND về chính sách hỗ trợ chuyển đổi số cấp xã.",
    "Một số xã còn chậm cập nhật hồ sơ lên hệ thống thông tin giải quyết thủ tục hành chính.",
    "Nguyên nhân là đường truyền chưa ổn định và một bộ phận công chức còn hạn chế về tin học.",
    "Huyện đề ra giải pháp bố trí kinh phí nâng cấp trang thiết bị cho bộ phận một cửa các xã.",
    "Kết quả thực hiện nghị quyết được báo cáo định kỳ với Ban Thường vụ Huyện ủy.",
    "Các giải pháp về tổ chức bộ máy tập trung sắp xếp, kiện toàn các đơn vị sự nghiệp công lập.",
    "Người dân được hướng dẫn sử dụng tài khoản định danh điện tử để nộp hồ sơ trực tuyến.",
    "Huyện tiếp tục triển khai giải pháp thanh toán trực tuyến phí, lệ phí thủ tục hành chính.",
    "Nghị quyết số 21/NQ-HĐND quy định mức hỗ trợ cho công chức làm công tác một cửa.",
    "Thanh tra huyện tiếp nhận 12 phản ánh, kiến nghị của người dân về thủ tục hành chính.",
    "Các phản ánh đã được xem xét, trả lời đúng thời hạn quy định.",
    "Năm tới, huyện phấn đấu 100 phần trăm hồ sơ được số hóa khi tiếp nhận.",
]


def unrelated_report(items: int = PASSAGES, seed: int = 7) -> Document:
    """A district's report: ``items`` numbered items (one passage each) of 5 to 8 sentences."""
    rng = random.Random(seed)
    parts = []
    for section in range(1, items // 50 + 1):
        parts.append(f"{section}. KẾT QUẢ CỦA CỤM XÃ SỐ {section}")
        for i in range(1, 51):
            said = " ".join(rng.sample(SENTENCES, rng.randint(5, 8)))
            number = rng.randint(1, 99)
            parts.append(
                f"{i}. Xã {section}.{i} thực hiện các giải pháp của Nghị quyết số "
                f"{number}/NQ-HĐND: {said}"
            )
    return Document(
        id="bao-cao-cchc-cac-xa",
        title="Báo cáo công tác cải cách hành chính các xã của huyện Hòa Bình Xanh",
        kind="báo cáo",
        summary="Báo cáo tổng hợp cải cách hành chính cấp xã.",
        body="\n\n".join(parts),
    )


class MixingEncoder:
    """The real encoder, except for texts made of ``SENTENCES``: those get the normalised mean
    of the real vectors of the sentences they hold, plus a little noise (as the benchmark's
    synthetic passages do). Everything else is encoded by the real model."""

    def __init__(self, real: Encoder) -> None:
        self.real = real
        self.vectors = dict(zip(SENTENCES, real.encode_passages(SENTENCES), strict=True))
        self.rng = np.random.default_rng(5)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.real.dimension), dtype=np.float32)
        real = [n for n, t in enumerate(texts) if not any(s in t for s in SENTENCES)]
        if real:
            out[real] = self.real.encode_passages([texts[n] for n in real])
        for n, text in enumerate(texts):
            if n in real:
                continue
            mix = np.mean([v for s, v in self.vectors.items() if s in text], axis=0)
            mix = mix + self.rng.normal(0, 0.025, size=mix.shape)
            out[n] = mix / np.linalg.norm(mix)
        return out


def test_readme_example_still_answered_after_a_large_unrelated_document(
    built_index: Settings, encoder: Encoder, tmp_path: Path
) -> None:
    data = copy_of_index(built_index, tmp_path / "data")
    before = AnsweringService(data, encoder=encoder).ask(README_QUESTION)
    assert not before.abstained

    report = unrelated_report()
    assert len(chunk_document(report)) >= PASSAGES
    added = AdminService(data, encoder=MixingEncoder(encoder)).add([report])
    assert added.published and added.passages >= 165 + PASSAGES

    after = AnsweringService(data, encoder=encoder).ask(README_QUESTION)
    cited = {c.hit.document.id for c in after.citations}
    swing = f"confidence {after.confidence:.3f}, was {before.confidence:.3f}"
    assert not after.abstained, f"refused: {swing}"
    assert after.confidence == pytest.approx(before.confidence, abs=0.05), swing
    assert "nq-76-2021-chuong-trinh-tong-the" in cited
