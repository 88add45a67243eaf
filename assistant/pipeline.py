"""Question → Answer: the orchestrator. Each step is a module with one job:

question   validate, treat instructions as text, rewrite follow-ups, split two-part questions
retrieve   hybrid, document-aware search for each part
evidence   rank the sentences of the top paragraphs
refuse     say "the documents do not say" when they cannot answer
generate   the model drafts, in the mode that suits it (extractive or generative)
ground     keep each drafted sentence only where what it cites states it
extract    when nothing drafted survives, answer from the evidence: a confident span, else its best sentence
compose    one Answer: sentences, citations with document title and date, timings
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from assistant import language
from assistant import question as q
from assistant.answer import Answer, AnswerSentence
from assistant.baselines import naive_stream
from assistant.compose import compose
from assistant.config import Settings, load_settings
from assistant.countries import in_collection_words
from assistant.evidence import EvidenceSentence, differing, rank_sentences
from assistant.extract import extract_sentence
from assistant.generate import EXTRACTIVE, declined, extractive_request, generative_request, mode_for
from assistant.grounding.facts import extract as facts
from assistant.grounding.facts import same_name
from assistant.grounding.ground import answers, gives_verdict, ground, source_text
from assistant.grounding.refuse import reason_to_refuse
from assistant.index import Store, open_store
from assistant.models import registry
from assistant.models.base import Backend
from assistant.prompts import completion_prefix
from assistant.retrieve import Hit, Retriever

WARM_PARAGRAPHS = 2000  # warm() pre-embeds the sentences of this many paragraphs
# An extractive answer is short: a model sentence longer than this is replaced by the extracted span.
EXTRACTIVE_MAX_WORDS = 30


@dataclass
class Event:
    """Streaming output: `token` pieces of the draft, then one `answer`."""

    kind: str
    text: str = ""
    answer: Answer | None = None


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
        self._backends: dict[str, Backend] = {}
        self._index_lock = threading.Lock()
        self._backend_lock = threading.Lock()

    @property
    def retriever(self) -> Retriever:
        with self._index_lock:
            if self._retriever is None:
                self._store = open_store(self.settings)
                self._retriever = Retriever(self._store)
            return self._retriever

    def reload(self) -> None:
        """Re-read the index (after documents were added from the chat window)."""
        with self._index_lock:
            if self._store is not None:
                self._retriever = Retriever(self._store)

    def backend(self, name: str | None = None) -> Backend:
        name = registry.base_name(name or self.settings.model)
        with self._backend_lock:
            if name not in self._backends:
                self._backends[name] = registry.create(self.settings, name)
            return self._backends[name]

    def _load_backend(self, name: str) -> None:
        try:
            self._prime(self.backend(name))
        except Exception:  # noqa: BLE001 - reported again, properly, by the caller's self.backend(name)
            with self._backend_lock:
                self._backends.pop(registry.base_name(name), None)

    def _prime(self, backend: Backend) -> None:
        if hasattr(backend, "prime") and mode_for(backend, self.settings.answer_mode) is EXTRACTIVE:
            backend.prime(completion_prefix())  # also loads the model

    def warm(self) -> None:
        """Load the index, the embedder and the model, and read the prompt's fixed prefix, now rather
        than on the first question (the chat UI calls this at launch)."""
        self.retriever.search("warm up", 1)
        self._prime(self.backend())
        language.nlp()
        from assistant.corpus import sentences_of

        for paragraph in self.retriever.paragraphs[:WARM_PARAGRAPHS]:
            if not paragraph.boilerplate:
                self.retriever.store.embedder.embed_cached(sentences_of(paragraph.text))

    def validate(self, question: str) -> str:
        return q.validate(question, self.settings.max_question_tokens)

    def ask(
        self,
        question: str,
        history: list[str] | None = None,
        model: str | None = None,
        documents: set[str] | None = None,
    ) -> Answer:
        answer = None
        for event in self.ask_stream(question, history, model, documents):
            if event.kind == "answer":
                answer = event.answer
        assert answer is not None
        return answer

    def ask_stream(
        self,
        question: str,
        history: list[str] | None = None,
        model: str | None = None,
        documents: set[str] | None = None,
    ) -> Iterator[Event]:
        started = time.perf_counter()
        question = self.validate(question)
        name = model or self.settings.model
        if registry.base_name(name) not in self._backends:
            # Load the model and read the prompt's fixed prefix, and load the language pipeline, while
            # the index opens (cold start).
            loaders = [
                threading.Thread(target=self._load_backend, args=(name,), daemon=True),
                threading.Thread(target=language.nlp, daemon=True),
            ]
            for loader in loaders:
                loader.start()
            self.retriever  # noqa: B018 - open the index meanwhile
            for loader in loaders:
                loader.join()
        backend = self.backend(name)
        retriever = self.retriever
        notes: list[str] = []
        timings = {"retrieve": 0.0, "generate": 0.0}
        asked, injected = q.strip_instructions(question)
        if injected:
            notes.append("the question contains instructions; they were treated as text, not followed")
        standalone = q.rewrite(asked, history)
        sentences: list[AnswerSentence] = []
        drafts: list[str] = []
        if name.startswith("naive:"):
            t1 = time.perf_counter()
            for piece in naive_stream(standalone or question, retriever, backend, notes):
                if isinstance(piece, str):
                    drafts.append(piece)
                    yield Event("token", piece)
                else:
                    sentences = piece
            timings["generate"] = (time.perf_counter() - t1) * 1000
            drafts = ["".join(drafts)]
            mode_name = "naive"
        else:
            mode = mode_for(backend, self.settings.answer_mode)
            mode_name = mode.name
            parts = []  # (analysis, hits, evidence) of each part the documents may answer
            pieces = q.split(asked) if asked else []
            # A question comparing meetings ("between the Maseru and the Windhoek meetings") is asked
            # of each meeting's document in turn; any other, of the collection (or the user's filter).
            own_words = in_collection_words(standalone, retriever.knows, self._embed)
            compared = retriever.named_each(q.hints_of(own_words)) if len(pieces) == 1 else []
            scopes = (
                [{d} & documents if documents else {d} for d in compared]
                if len(compared) >= 2
                else [documents]
            )
            # "And who chaired the one after?": asked of the meeting after the one the last turn named.
            stepped = self._stepped(asked, history)
            if stepped is not None:
                later, standalone = stepped
                pieces = [standalone]
                scopes = [{later} & documents if documents else {later}]
                notes.append(f"asked of {retriever.documents[later].label}, the meeting it refers to")
            scoped = [(p, scope) for p in pieces for scope in scopes if scope != set()]
            for part, scope in scoped:
                t0 = time.perf_counter()
                # A later part may lean on an earlier one ("…, and how much was it?").
                alone = q.rewrite(part, [*(history or []), *pieces[: pieces.index(part)]])
                analysis = self._analyse(alone)
                hits, evidence = self._evidence(analysis, scope)
                timings["retrieve"] += (time.perf_counter() - t0) * 1000
                refusal = reason_to_refuse(analysis, evidence, retriever.knows, self._context, self._embed)
                if refusal:
                    notes.append(refusal)
                    continue
                parts.append((analysis, hits, evidence))
            if len(scopes) > 1 and len(parts) > 1:
                ordered = differing([evidence for _, _, evidence in parts])
                parts = [(a, h, e) for (a, h, _), e in zip(parts, ordered, strict=True)]
            # Extractive: each part is drafted and answered on its own. Generative: one draft for the
            # whole question over the paragraphs found for each of its parts.
            turns = [[p] for p in parts] if mode is EXTRACTIVE else [parts] if parts else []
            for turn in turns:
                t1 = time.perf_counter()
                if mode is EXTRACTIVE:
                    analysis, _, evidence = turn[0]
                    request = extractive_request(analysis.text, evidence, mode)
                    # The small model copies a shown-but-wrong line faithfully: only the best
                    # evidence's paragraph may back its sentence (re-attachment included).
                    shown = [evidence[0].paragraph]
                else:
                    per_part = mode.evidence if len(turn) == 1 else max(2, mode.evidence // len(turn) + 1)
                    shown = list(dict.fromkeys(h.paragraph for _, hits, _ in turn for h in hits[:per_part]))
                    request = generative_request(standalone, shown, retriever.documents, mode, backend)
                draft = ""
                for piece in backend.stream(request):
                    draft += piece
                    yield Event("token", piece)
                timings["generate"] += (time.perf_counter() - t1) * 1000
                drafts.append(draft.strip())
                sentences.extend(self._answer(turn, draft, shown, mode is EXTRACTIVE, notes))
        timings["total"] = (time.perf_counter() - started) * 1000
        answer = compose(
            retriever,
            question,
            standalone,
            sentences,
            backend.name if not name.startswith("naive:") else name,
            mode_name,
            timings,
            "\n".join(drafts),
            notes,
        )
        yield Event("answer", answer=answer)

    # -- steps -------------------------------------------------------------------------------------
    def _stepped(self, asked: str, history: list[str] | None) -> tuple[str, str] | None:
        """The document of the meeting a follow-up places after or before the one the previous turn
        named (`question.series_step`), and the question to ask of it: the follow-up with the previous
        turn, less the names of the earlier meeting: its place ("Split", though the later document
        may recall it), and those the later document does not use ("Manado")."""
        step = q.series_step(asked, history[-1]) if history and asked else None
        if step is None:
            return None
        retriever = self.retriever
        previous = in_collection_words(history[-1], retriever.knows, self._embed)
        hints = q.hints_of(previous)
        named = retriever.named_each(hints)
        target = retriever.step(named[0], step) if len(named) == 1 else None
        if target is None:
            return None
        record = retriever.documents[target]
        said = " ".join([record.context(), *(p.text for p in retriever.paragraphs if p.doc == target)])
        place = set(re.findall(r"\w+", retriever.documents[named[0]].place.lower()))
        for name in (hints.names - set(re.findall(r"\w+", said.lower()))) | (hints.names & place):
            previous = re.sub(rf"\b{re.escape(name)}\b", " ", previous, flags=re.IGNORECASE)
        return target, f"{asked}{q.FOLLOWING}{' '.join(previous.split())})"

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self.retriever.store.embedder.embed_cached(texts)

    def _analyse(self, question: str) -> q.Analysis:
        """The stand-alone question read in the collection's words ("the Swiss" asked of documents
        that say "Switzerland")."""
        return q.analyse(in_collection_words(question, self.retriever.knows, self._embed), self._embed)

    def _context(self, evidence: EvidenceSentence) -> str:
        return source_text(evidence.paragraph, self.retriever.documents)

    def _evidence(
        self, analysis: q.Analysis, documents: set[str] | None
    ) -> tuple[list[Hit], list[EvidenceSentence]]:
        """Paragraphs are found with the stand-alone question; its sentences are ranked by the question
        less the words that named its document ("at the Rome meeting in 2024" chose the document;
        within it, the dateline that repeats them is not the answer)."""
        retriever = self.retriever
        embedder = retriever.store.embedder
        question = analysis.text
        found = embedder.embed([question])[0]
        hits = retriever.search(question, self.settings.k, vector=found, only=documents, hints=analysis.hints)
        asked = q.without_hints(question) if any(h.preferred for h in hits) else question
        vector = embedder.embed([asked])[0] if asked != question else found
        records = retriever.documents
        context = lambda doc: records[doc].context() if doc in records else ""  # noqa: E731
        return hits, rank_sentences(
            asked, analysis, vector, hits[: self.settings.evidence_paragraphs], self._embed, context
        )

    def _answer(
        self, parts: list[tuple], draft: str, shown: list, extractive: bool, notes: list[str]
    ) -> list[AnswerSentence]:
        """The verified model sentences; else, for each part whose evidence may answer it, the
        extracted span."""
        if declined(draft) and not extractive:
            notes.append("the model found no answer in the paragraphs it was shown")
            return []
        kept = [] if declined(draft) else ground(draft, shown, self.retriever.documents, self._embed, notes)
        off_topic = [
            s
            for s in kept
            if not any(answers(a, s, self._cited_text(s), self._titles(s)) for a, _, _ in parts)
        ]
        notes.extend(f"dropped {s.text!r}: true, but it does not answer the question" for s in off_topic)
        kept = [s for s in kept if s not in off_topic]
        if kept and any(a.yes_no for a, _, _ in parts) and not any(gives_verdict(s) for s in kept):
            notes.append("the model's answer says neither yes nor no; extracting instead")
            kept = []
        extracts = [extract_sentence(analysis, evidence, self._embed) for analysis, _, evidence in parts]
        if extractive and kept and not self._agrees(kept, extracts[0], notes):
            kept = []
        if not kept or len(parts) == 1:
            return kept or [e for e in extracts if e is not None]
        # Each meeting of a comparison is answered: one the model's sentences leave out gets its extract.
        return kept + [
            e
            for (analysis, _, evidence), e in zip(parts, extracts, strict=True)
            if e is not None and not self._covers(kept, analysis, evidence)
        ]

    def _covers(
        self, kept: list[AnswerSentence], analysis: q.Analysis, evidence: list[EvidenceSentence]
    ) -> bool:
        """Does a kept sentence answer this part from a document of its evidence? (The parts of a
        two-part question share their documents; each meeting of a comparison has its own.)"""
        found = {e.paragraph.doc for e in evidence}
        return any(
            found & set(s.docs) and answers(analysis, s, self._cited_text(s), self._titles(s)) for s in kept
        )

    def _cited_text(self, sentence: AnswerSentence) -> str:
        paragraphs = [
            self.retriever.paragraph(d, n) for d, n in zip(sentence.docs, sentence.paragraphs, strict=False)
        ]
        return " ".join(p.text for p in paragraphs if p is not None)

    def _titles(self, sentence: AnswerSentence) -> str:
        """The title, place and date of the documents a sentence cites."""
        records = self.retriever.documents
        return "\n".join(records[d].context() for d in dict.fromkeys(sentence.docs) if d in records)

    @staticmethod
    def _agrees(kept: list[AnswerSentence], extracted: AnswerSentence | None, notes: list[str]) -> bool:
        """A small model's sentence stands in for the extract only when it is as short and states
        the extract's facts (its numbers and names): measured on the dev questions, the 270M model's
        verified sentences otherwise answered a neighbouring question (accuracy 0.66 with them
        against 0.77 for the extract alone)."""
        text = " ".join(s.text for s in kept)
        if extracted is None or len(text.split()) > EXTRACTIVE_MAX_WORDS:
            notes.append("the model's answer is too long; extracting instead")
            return False
        want, have = facts(extracted.text), facts(text)
        missing = [str(v) for v in want.numbers if v not in have.numbers]
        missing += [n for n in want.names if not any(same_name(n, h) for h in have.names)]
        if missing:
            notes.append(
                f"the model's answer leaves out {', '.join(missing)} of the evidence; extracting instead"
            )
            return False
        return True
