"""Question → Answer: the only place that wires retrieval, evidence, generation and grounding.

Whatever model sits behind it, the answer a user sees is checked: each model sentence must be
supported by the paragraph it cites (else it is re-attached to one that supports it, or replaced
by a quotation of the best evidence), and weak evidence means a plain refusal.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from assistant.answer import Answer, AnswerSentence, Citation
from assistant.config import Settings, load_settings
from assistant.corpus import split_sentences
from assistant.errors import UserError
from assistant.evidence import (
    EvidenceSentence,
    answer_type,
    best_quote,
    counted_noun,
    has_type,
    proper_nouns,
    rank_sentences,
)
from assistant.ground import highlights, parse, render, verify
from assistant.index import Store, open_store
from assistant.models import registry
from assistant.models.base import Backend, Request
from assistant.prompts import chat_prompt, completion_prefix, completion_prompt
from assistant.retrieve import Retriever
from assistant.text import QUESTION_STEMS, content_terms, numbers
from assistant.tokens import count_tokens

# Evidence gate, set on the seed's eval set (evals/README.md).
MIN_SIMILARITY = 0.20  # below this the best sentence is unrelated to the question
WEAK_SIMILARITY = 0.30  # below this, the question must share at least one key word with the documents
RELEVANCE_MARGIN = 0.15
ACCEPTED_EVIDENCE = 1  # how many of the top evidence sentences may back a model-written sentence  # a model sentence may sit this far below the best evidence's similarity
WARM_PARAGRAPHS = 2000  # warm() pre-embeds the sentences of this many paragraphs
NOT_FOUND = "NOT FOUND"
NOT_FOUND_TEXT = "The documents do not say; nothing in them answers this question."
_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b[^.?!]*\b(instructions?|rules?|prompt|above|previous)|"
    r"\b(system prompt|you are now|act as|pretend|jailbreak|developer mode)\b|\bsay (that|only|exactly)\b",
    re.I,
)
_QUESTION_START = re.compile(
    r"\b(who|whom|whose|what|when|where|which|why|how|did|does|do|is|are|was|were|can|could|will|would|has|have)"
    r"\b[^.!]*\?",
    re.I,
)
_PRONOUN = re.compile(r"\b(they|them|their|he|she|him|her|his|it|its|this|that|these|those|there)\b", re.I)


@dataclass
class Event:
    """Streaming output: `token` pieces of the draft, then one `answer`."""

    kind: str
    text: str = ""
    answer: Answer | None = None


def rewrite(question: str, history: list[str] | None) -> str:
    """Make a follow-up stand alone: a question leaning on an earlier turn carries that turn along."""
    if not history:
        return question
    previous = history[-1].strip()
    if _PRONOUN.search(question) or len(content_terms(question)) <= 2:
        return f"{question} (following: {previous})"
    return question


def split_question(question: str) -> list[str]:
    """Two questions in one ("… and where …?") become two, each answered and cited on its own."""
    parts = [p.strip() for p in re.split(r"\?\s+(?=\S)", question) if p.strip()]
    out: list[str] = []
    for part in parts:
        pieces = re.split(
            r",?\s+and\s+(?=(?:who|what|when|where|which|why|how|did|does|do|is|are|was|were)\b)",
            part,
            flags=re.I,
        )
        out.extend(p.strip().rstrip("?") + "?" for p in pieces if p.strip())
    return out[:3] or [question]


class Assistant:
    """The public API: `Assistant().ask("…")` returns an Answer."""

    def __init__(
        self,
        model: str | None = None,
        data_dir: str | None = None,
        settings: Settings | None = None,
        **overrides: object,
    ) -> None:
        self.settings = (settings or load_settings()).with_overrides(
            model=model, data_dir=data_dir, **overrides
        )
        self._store: Store | None = None
        self._retriever: Retriever | None = None
        self._backends: dict[str, object] = {}
        self._index_lock = threading.Lock()
        self._backend_lock = threading.Lock()

    @property
    def retriever(self) -> Retriever:
        with self._index_lock:
            if self._retriever is None:
                self._store = open_store(self.settings)
                self._retriever = Retriever(self._store)
            return self._retriever

    def backend(self, name: str | None = None) -> Backend:
        name = name or self.settings.model
        with self._backend_lock:
            if name not in self._backends:
                self._backends[name] = registry.create(self.settings, name)
            return self._backends[name]

    def _load_backend(self, name: str) -> None:
        try:
            backend = self.backend(name)
            if hasattr(backend, "prime") and backend.style == "completion":
                backend.prime(completion_prefix())  # also loads the model
        except Exception:  # noqa: BLE001 - reported again, properly, by the caller's self.backend(name)
            with self._backend_lock:
                self._backends.pop(name, None)

    def warm(self) -> None:
        """Load the index, the embedder and the model, and read the prompt's fixed prefix, now rather
        than on the first question (the chat UI calls this at launch)."""
        self.retriever.search("warm up", 1)
        backend = self.backend()
        if hasattr(backend, "prime") and backend.style == "completion":
            backend.prime(completion_prefix())
        for paragraph in self.retriever.paragraphs[:WARM_PARAGRAPHS]:
            if not paragraph.boilerplate:
                self.retriever.store.embedder.embed_cached([s.text for s in split_sentences(paragraph)])

    def ask(self, question: str, history: list[str] | None = None, model: str | None = None) -> Answer:
        answer = None
        for event in self.ask_stream(question, history, model):
            if event.kind == "answer":
                answer = event.answer
        assert answer is not None
        return answer

    def validate(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise UserError("the question is empty; ask something about the documents")
        tokens = count_tokens(question)
        if tokens > self.settings.max_question_tokens:
            raise UserError(
                f"the question is too long ({tokens} tokens; the limit is "
                f"{self.settings.max_question_tokens}); shorten it"
            )
        return question

    def ask_stream(
        self, question: str, history: list[str] | None = None, model: str | None = None
    ) -> Iterator[Event]:
        started = time.perf_counter()
        question = self.validate(question)
        name = model or self.settings.model
        if name not in self._backends:
            # Load the model and read the prompt's fixed prefix while the index opens (cold start).
            loader = threading.Thread(target=self._load_backend, args=(name,), daemon=True)
            loader.start()
            self.retriever  # noqa: B018 - open the index meanwhile
            loader.join()
        backend = self.backend(name)
        notes: list[str] = []
        cleaned = question
        if _INJECTION.search(question):
            notes.append("the question contains instructions; they were treated as text, not followed")
            cleaned = _INJECTION.sub(" ", question)
            cleaned = _QUESTION_START.search(cleaned).group(0) if _QUESTION_START.search(cleaned) else ""
        standalone = rewrite(cleaned, history)  # shown to the user; retrieval rewrites each part
        timings = {"retrieve": 0.0, "generate": 0.0}
        sentences: list[AnswerSentence] = []
        drafts: list[str] = []
        for part in split_question(cleaned) if cleaned else []:
            t0 = time.perf_counter()
            evidence = self._evidence(part, rewrite(part, history))
            timings["retrieve"] += (time.perf_counter() - t0) * 1000
            if not self._answerable(part, evidence, notes):
                continue
            t1 = time.perf_counter()
            draft = ""
            for piece in backend.stream(self._request(backend, part, evidence)):
                draft += piece
                yield Event("token", piece)
            timings["generate"] += (time.perf_counter() - t1) * 1000
            drafts.append(draft.strip())
            grounded = self._ground(part, draft, evidence, notes, injected=cleaned != question)
            sentences.extend(grounded + self._complete(part, grounded, evidence, notes))
        timings["total"] = (time.perf_counter() - started) * 1000
        yield Event(
            "answer",
            answer=self._compose(
                question,
                standalone,
                sentences,
                backend.name,
                {k: round(v, 1) for k, v in timings.items()},
                "\n".join(drafts),
                notes,
            ),
        )

    # -- steps -------------------------------------------------------------------------------------
    def _evidence(self, question: str, standalone: str) -> list[EvidenceSentence]:
        """Paragraphs are found with the stand-alone question; sentences are ranked by the asked one."""
        retriever = self.retriever
        embedder = retriever.store.embedder
        vectors = embedder.embed([question, standalone] if standalone != question else [question])
        hits = retriever.search(standalone, self.settings.k, vector=vectors[-1])
        mixed = vectors.sum(0) / np.linalg.norm(vectors.sum(0))
        return rank_sentences(
            question, mixed, hits[: self.settings.evidence_paragraphs], embedder.embed_cached
        )

    def _answerable(self, question: str, evidence: list[EvidenceSentence], notes: list[str]) -> bool:
        """Refuse when the documents plainly cannot answer; see evals/README.md for how each rule was set."""
        retriever = self.retriever
        focus = [t for t in content_terms(question) if t not in QUESTION_STEMS]
        if not evidence or not focus:
            notes.append("nothing in the question to look up")
            return False
        best, shown = evidence[0], evidence[:3]
        unknown = [n for n in proper_nouns(question) if not retriever.knows(n)]
        kind = answer_type(question)
        reason = ""
        if best.similarity < MIN_SIMILARITY:
            reason = f"nothing in the documents is close to the question (similarity {best.similarity:.2f})"
        elif unknown:
            reason = f"the documents never mention {', '.join(unknown)}"
        elif kind == "number" and not any(has_type(e.text, kind) for e in shown):
            reason = f"the evidence holds no {kind}"
        elif (
            kind == "number"
            and (head := counted_noun(question))
            and not any(head in set(content_terms(e.text)) for e in shown if has_type(e.text, kind))
        ):
            reason = f"the documents give no count of {head!r}"
        elif best.similarity < WEAK_SIMILARITY and all(not retriever.knows(t) for t in focus):
            reason = "none of the question's key words occur in the documents"
        if reason:
            notes.append(reason)
            return False
        return True

    def _request(self, backend, question: str, evidence: list[EvidenceSentence]) -> Request:
        chosen = evidence[: self.settings.prompt_evidence]
        lines = [f"[¶{e.paragraph.number}] {e.text}" for e in chosen]
        allowed = sorted({e.paragraph.number for e in chosen})
        grammar = (
            'root ::= "NOT FOUND" | sentence\n'
            'sentence ::= [A-Za-z0-9"“] [^\\[\\n]{1,300} " [¶" num "]."\n'
            "num ::= " + " | ".join(f'"{n}"' for n in allowed) + "\n"
        )
        budget = self.settings.context_tokens - self.settings.answer_tokens
        while len(lines) > 1 and count_tokens("\n".join(lines)) + 600 > budget:
            lines.pop()
        evidence_text = "\n".join(lines)
        if backend.style == "chat":
            messages = chat_prompt().format_messages(evidence=evidence_text, question=question)
            return Request(
                messages=[(m.type if m.type != "human" else "user", str(m.content)) for m in messages],
                max_tokens=self.settings.answer_tokens,
                stop=[],
            )
        prompt = completion_prompt().format(evidence=evidence_text, question=question)
        return Request(
            prompt=prompt,
            max_tokens=self.settings.answer_tokens,
            stop=["\n", "Question:", "Evidence:"],
            grammar=grammar if self.settings.grammar else None,
        )

    def _ground(
        self, question: str, draft: str, evidence: list[EvidenceSentence], notes: list[str], injected: bool
    ) -> list[AnswerSentence]:
        """Verify each drafted sentence; re-attach or replace what fails; quote when the model declines.

        A model sentence must be supported by the evidence it was shown from the paragraph it cites,
        and be about the question (as close to it as the best evidence, nearly).
        """
        # Only the best evidence may back a model sentence: small models copy a shown-but-wrong line
        # faithfully, which passes a paragraph check yet misses the question (seed set: 28 → 35 of 44).
        shown = evidence[:ACCEPTED_EVIDENCE]
        by_number: dict[int, list[str]] = {}
        for e in shown:
            by_number.setdefault(e.paragraph.number, []).append(e.text)
        doc = {e.paragraph.number: e.paragraph.doc for e in shown}
        kind = answer_type(question)
        kept: list[AnswerSentence] = []
        key_clause = best_quote(question, evidence[0])
        drafted = [] if NOT_FOUND.lower() in draft.lower() else parse(draft)[:2]
        for sentence in drafted:
            cited = [n for n in sentence.paragraphs if n in by_number]
            support = verify(sentence.text, [t for n in cited for t in by_number[n]]) if cited else None
            if support is None or not support.ok:
                for number, texts in by_number.items():  # re-attach to the shown paragraph that supports it
                    alt = verify(sentence.text, texts)
                    if alt.ok:
                        notes.append(f"re-attached {sentence.text!r} from {sentence.paragraphs} to ¶{number}")
                        cited, support = [number], alt
                        break
            if support is None or not support.ok:
                why = support.reason if support else "no valid citation"
                notes.append(f"dropped model sentence {sentence.text!r}: {why}")
                continue
            if not self._relevant(question, sentence.text, evidence[0]) or not self._informative(
                question, sentence.text, evidence[0]
            ):
                notes.append(f"dropped model sentence {sentence.text!r}: it does not address the question")
                continue
            dropped = self._dropped_facts(question, sentence.text, key_clause)
            if dropped:
                notes.append(f"dropped model sentence {sentence.text!r}: it leaves out {', '.join(dropped)}")
                continue
            kept.append(
                AnswerSentence(render(sentence.text, cited), cited, "model", support.score, doc[cited[0]])
            )
        if kept and kind and not any(has_type(s.text, kind) for s in kept):
            notes.append(f"model answer lacks the {kind} the question asks for; quoting the source")
            kept = []
        if kept and injected:
            kept = kept[:1]
        if not kept:
            best = evidence[0]
            kept.append(
                AnswerSentence(
                    render(best_quote(question, best), [best.paragraph.number]),
                    [best.paragraph.number],
                    "quote",
                    1.0,
                    best.paragraph.doc,
                )
            )
        return kept

    @staticmethod
    def _complete(
        question: str, answer: list[AnswerSentence], evidence: list[EvidenceSentence], notes: list[str]
    ) -> list[AnswerSentence]:
        """A question joined by "and" that one paragraph does not cover gets a second quotation from
        another paragraph holding the uncovered words ("… about Syria and about the Sahel?")."""
        if not re.search(r"\band\b", question, re.I):
            return []
        said = set(content_terms(" ".join(s.text for s in answer)))
        missing = {t for t in content_terms(question) if t not in QUESTION_STEMS and t not in said}
        cited = {n for s in answer for n in s.paragraphs}
        for candidate in evidence[:6]:
            if candidate.paragraph.number in cited or not missing & set(content_terms(candidate.text)):
                continue
            notes.append(
                f"added ¶{candidate.paragraph.number} for the uncovered part ({', '.join(sorted(missing))})"
            )
            quote = best_quote(question, candidate)
            number = candidate.paragraph.number
            return [AnswerSentence(render(quote, [number]), [number], "quote", 1.0, candidate.paragraph.doc)]
        return []

    @staticmethod
    def _dropped_facts(question: str, sentence: str, key_clause: str) -> list[str]:
        """Numbers, acronyms and multi-word names of the key evidence clause that the sentence leaves
        out (unless the question states them): a paraphrase that drops "COVID-19" no longer answers."""
        names = proper_nouns(key_clause)
        facts = set(numbers(key_clause))
        facts |= {n.split()[-1].strip("“”.,;") for n in names if len(n.split()) > 1}  # "… Di Maio" -> "Maio"
        facts |= {w for n in names for w in n.split() if len(w) >= 3 and w.isupper()}  # INTERPOL, NATO
        said = {w.lower() for w in re.findall(r"[\w-]+", question + " " + sentence)}

        def mentioned(fact: str) -> bool:
            f = fact.lower()
            return any(
                w == f or (min(len(w), len(f)) >= 4 and (w.startswith(f) or f.startswith(w))) for w in said
            )

        return sorted(f for f in facts if len(f) > 2 and not mentioned(f))

    @staticmethod
    def _informative(question: str, sentence: str, best: EvidenceSentence) -> bool:
        """The sentence must carry something of the best evidence beyond the question's own words."""
        new = set(content_terms(best.text)) - set(content_terms(question))
        return bool(new & set(content_terms(sentence)))

    def _relevant(self, question: str, sentence: str, best: EvidenceSentence) -> bool:
        embedder = self.retriever.store.embedder
        q, s = embedder.embed([question, sentence])
        return float(q @ s) >= best.similarity - RELEVANCE_MARGIN

    def _compose(
        self,
        question: str,
        standalone: str,
        sentences: list[AnswerSentence],
        model: str,
        timings: dict[str, float],
        draft: str,
        notes: list[str],
    ) -> Answer:
        retriever = self.retriever
        if not sentences:
            return Answer(
                question, "not_found", NOT_FOUND_TEXT, [], model, timings, [], standalone, draft, notes
            )
        unique: dict[str, AnswerSentence] = {}
        for s in sentences:
            unique.setdefault(s.text, s)  # two parts of a question may be answered by one sentence
        sentences = list(unique.values())
        citations: dict[tuple[str, int], Citation] = {}
        for s in sentences:
            for number in s.paragraphs:
                paragraph = retriever.paragraph(s.doc, number)
                if paragraph is None:
                    continue
                cite = citations.setdefault(
                    (paragraph.doc, number), Citation(paragraph.doc, number, paragraph.text)
                )
                cite.highlights = sorted(set(cite.highlights) | set(highlights(s.text, paragraph.text)))
        text = " ".join(s.text for s in sentences)
        return Answer(
            question,
            "answered",
            text,
            list(citations.values()),
            model,
            timings,
            sentences,
            standalone,
            draft,
            notes,
        )
