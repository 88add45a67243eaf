from assistant.tokens import count_tokens, encoding, truncate_tokens


def test_counts_offline_with_known_values():
    assert count_tokens("hello world") == 2
    assert encoding("cl100k_base").encode("Resolution 2254") == encoding("cl100k_base").encode(
        "Resolution 2254"
    )
    assert count_tokens("hello world", "o200k_base") == 2


def test_truncate_respects_the_budget():
    text = "word " * 500
    cut = truncate_tokens(text, 50)
    assert count_tokens(cut) <= 50 < count_tokens(text)
    assert truncate_tokens("short", 50) == "short"
