"""Prompt templates, loaded from the `prompts/` folder as LangChain templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


def _read(name: str) -> str:
    path = PROMPTS_DIR / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise FileNotFoundError(f"prompt file missing: {path}") from None


@cache
def completion_prompt() -> PromptTemplate:
    """Few-shot completion prompt for base models: fixed examples first, so llama.cpp reuses the prefix."""
    return PromptTemplate.from_template(_read("answer_completion.txt"))


@cache
def chat_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [("system", _read("answer_chat_system.txt")), ("human", _read("answer_chat_user.txt"))]
    )


@cache
def judge_prompt() -> PromptTemplate:
    """Yes/no support question for the optional LLM judge of the eval suite."""
    return PromptTemplate.from_template(_read("judge.txt"))


def completion_prefix() -> str:
    """The completion prompt's fixed part (everything before the evidence): what backends can cache."""
    return completion_prompt().template.split("{evidence}")[0]


@cache
def naive_prompt() -> PromptTemplate:
    """The naive baseline: top paragraphs stuffed into one prompt, citations taken on trust."""
    return PromptTemplate.from_template(_read("naive.txt"))
