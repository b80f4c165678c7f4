"""The default embedding backend: ONNX Runtime int8, against torch fp32 on the same model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from retrieval.config import Settings
from retrieval.embedding.encoder import Encoder
from retrieval.embedding.onnx import (
    BATCH_TOKENS,
    BLOCK_ACCURACY,
    BLOCK_BITS,
    BLOCK_LAYERS,
    BLOCK_SIZE,
    OnnxModel,
    export_onnx,
    onnx_path,
    query_path,
)

TEXTS = [
    "Nguyên tắc thực hiện thủ tục hành chính",
    "Mục tiêu cải cách hành chính 2030",
    "Thứ nhất, cải cách hành chính tiếp tục phải đặt dưới sự lãnh đạo trực tiếp, toàn diện "
    "của các cấp ủy đảng, sự quản lý, điều hành thống nhất của chính quyền các cấp. " * 3,
    "Chỉ số hài lòng của người dân",
    "Trách nhiệm của người đứng đầu",
]


def test_default_backend_is_onnx_int8_and_recorded(settings: Settings, encoder: Encoder) -> None:
    assert Settings(_env_file=None).embedding_backend == "onnx-int8"
    assert encoder.backend == "onnx-int8" and onnx_path(settings.default_model_dir).exists()
    assert "onnx-int8" in encoder.name  # an index records which backend made its vectors


def _graph(path):
    return onnx.load(str(path), load_external_data=False).graph


def test_questions_go_through_the_model_with_smoothed_feed_forward_outputs(
    settings: Settings, encoder: Encoder
) -> None:
    """The export's step 4: in the questions' model, each layer's feed-forward output
    projection is int8 too (the passages' model keeps them in fp32): smoothed and quantised
    per channel from layer 1 on (a ``Mul`` by 1/s before the product, whose weights are int8),
    in int8 blocks with int8 activations in layer 0. A question's vector is nearly the same
    from both models."""
    model_dir = settings.default_model_dir
    ffn = [f"/model/encoder/layer.{i}/output/dense/MatMul" for i in range(12)]
    passages = _graph(onnx_path(model_dir))
    assert sorted(n.name for n in passages.node if n.op_type == "MatMul") == sorted(ffn)
    questions = _graph(query_path(model_dir))
    assert not [n.name for n in questions.node if n.op_type == "MatMul"]
    blocks = [n for n in questions.node if n.op_type == "MatMulNBits"]
    assert [n.name for n in blocks] == [f"{ffn[i]}_Q{BLOCK_BITS}" for i in sorted(BLOCK_LAYERS)]
    for node in blocks:
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        assert attributes["bits"] == BLOCK_BITS and attributes["block_size"] == BLOCK_SIZE
        assert attributes["accuracy_level"] == BLOCK_ACCURACY
    by_name = {n.name: n for n in questions.node}
    inverses = {i.name: i for i in questions.initializer}
    for i in set(range(12)) - BLOCK_LAYERS:
        smooth, product = by_name[f"{ffn[i]}_smooth"], by_name[f"{ffn[i]}_quant"]
        assert smooth.op_type == "Mul" and product.op_type == "MatMulInteger"
        inverse = onnx.numpy_helper.to_array(inverses[smooth.input[1]])
        assert inverse.shape == (1536,) and np.all(inverse > 0) and np.ptp(inverse) > 0
    model = encoder.model
    assert isinstance(model, OnnxModel) and model.query_path == query_path(model_dir)
    question = encoder.query_prompt + TEXTS[0]
    alone = model._run(model.session, model.tokenizer.encode_batch([question]))[0]
    assert np.allclose(encoder.encode_query(TEXTS[0]), alone, atol=1e-6)
    asked = model.encode_queries(TEXTS, prompt="query: ")
    as_passages = model.encode(TEXTS, prompt="query: ")
    assert float(np.min(np.sum(asked * as_passages, axis=1))) > 0.995


def test_an_earlier_export_gets_the_questions_model_without_a_new_export(
    settings: Settings, tmp_path: Path
) -> None:
    """A model folder exported before the questions had their own model: ``cchc setup``
    makes it from the passages' one (no torch export), and leaves the passages' alone."""
    model_dir = settings.default_model_dir
    (tmp_path / "onnx").mkdir()
    passages = onnx_path(tmp_path)
    passages.symlink_to(onnx_path(model_dir))
    (tmp_path / "onnx" / "model_qint8.onnx").write_bytes(b"an older recipe")
    (tmp_path / "onnx" / "model_int8_query.onnx").write_bytes(b"the questions' older recipe")
    (tmp_path / "tokenizer.json").symlink_to(model_dir / "tokenizer.json")  # calibration
    assert export_onnx(tmp_path) == passages
    assert query_path(tmp_path).read_bytes() == query_path(model_dir).read_bytes()
    assert passages.is_symlink() and sorted(p.name for p in (tmp_path / "onnx").iterdir()) == [
        "model_int8_mixed.onnx",
        "model_int8_query_smoothed.onnx",
    ]


def test_onnx_int8_agrees_with_torch(encoder: Encoder, torch_encoder: Encoder) -> None:
    assert encoder.dimension == torch_encoder.dimension
    a, b = torch_encoder.encode_passages(TEXTS), encoder.encode_passages(TEXTS)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-4)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.985
    q = encoder.encode_query(TEXTS[0])
    assert float(q @ torch_encoder.encode_query(TEXTS[0])) > 0.985


def test_batches_sorted_by_length_and_bounded_in_tokens() -> None:
    model = OnnxModel.__new__(OnnxModel)
    lengths = [300, 20, 512, 25, 290, 30, 500]
    groups = model.batches(lengths, batch_size=3)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    flat = [lengths[i] for g in groups for i in g]
    assert flat == sorted(lengths)  # shortest first: little padding in each batch
    for g in groups:
        assert len(g) <= 3 and len(g) * max(lengths[i] for i in g) <= max(BATCH_TOKENS, 512)


def test_parallel_batches_give_the_vectors_of_one_by_one(encoder: Encoder) -> None:
    """Texts shared among the single-threaded workers, in sorted batches, come back in their
    order and embed as alone, within dynamic quantisation's dependence on the batch (the
    activations' int8 scale is the batch's): a cosine above 0.99."""
    together = encoder.model.encode(TEXTS * 3, prompt="passage: ", batch_size=4)
    alone = np.stack([encoder.model.encode([t], prompt="passage: ")[0] for t in TEXTS])
    assert float(np.min(np.sum(together * np.tile(alone, (3, 1)), axis=1))) > 0.99
