"""Grounding: check each answer sentence against what it cites (`verify`), decide when the
documents cannot answer (`refuse`), and parse/render `[¶n]` sentences (`citations`)."""
