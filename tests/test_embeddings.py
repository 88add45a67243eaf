import json
import time

import numpy as np

from assistant.embeddings import default_embedder
from tests.conftest import ROOT


def test_vectors_equal_sentence_transformers_reference():
    """Reference values were computed once with sentence-transformers on the same weights."""
    reference = json.loads((ROOT / "tests" / "data" / "minilm_reference.json").read_text())
    vectors = default_embedder().embed([r["text"] for r in reference])
    for ref, vec in zip(reference, vectors, strict=True):
        np.testing.assert_allclose(vec[:8], ref["first8"], atol=2e-5)
        for dim, value in ref["norm_dims"].items():
            assert abs(vec[int(dim)] - value) < 2e-5
        assert abs(np.linalg.norm(vec) - 1.0) < 1e-5


def test_batching_does_not_change_vectors():
    emb = default_embedder()
    texts = ["short", "a much longer text about the coalition and its ministers meeting virtually"]
    together = emb.embed(texts)
    alone = np.stack([emb.embed([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_empty_input_gives_empty_matrix():
    assert default_embedder().embed([]).shape == (0, 384)


def test_model_loads_without_torch():
    import sys

    start = time.perf_counter()
    default_embedder()
    assert time.perf_counter() - start < 30  # loose: a guard against a hidden download, not a benchmark
    assert "torch" not in sys.modules
