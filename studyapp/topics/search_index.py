"""The search index: SQLite's FTS5 (built into Python's sqlite3) in an in-memory database,
built from the content. FTS5 does the matching and the ranking (bm25, Porter stemming); this
module turns a learner's words into a safe FTS5 query: stop words out, acronyms and synonyms
from the glossary in, typos corrected against the index's own vocabulary (rapidfuzz).

The index is derived from content/, not user data, so it is the same on SQLite and PostgreSQL
deployments and never touches the site's database.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate, compress

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from studyapp.content.glossary import Glossary, Term, words
from studyapp.topics.search_answers import Answer

MAX_CONCEPTS = 8
MAX_PHRASE_WORDS = 4  # the longest glossary spelling matched in a query
WEAK_SHARE = 0.35  # a concept in more than this share of rows tells little: not counted
MEMO_ENTRIES = 20_000  # remembered word lookups per index (a few MB at most)
SNIPPET_CHARS = 180
WORD = re.compile(r"[^\W_]+")  # a word as the index splits text (see glossary.words)
_BETWEEN_WORDS = re.compile(r"([\W_]+)")
ENOUGH_COMPLETE = 10  # complete rows that fill a page of results without the OR query

# Words that carry no meaning in a search box ("how do I…", "what is the…").
_STOP_WORDS_TEXT = """
a about after all also am an and any are as at be been before being between both but by can
could did do does doing done during each for from get gets getting had has have having he her
here how i if in into is it its itself just me more most my myself no nor not of off on once
only or other our out over own same she should so some such than that the their them then
there these they this those through to too under until up very via was we were what when
where which while who whom why will with would you your yours vs versus please tell explain
happens happen mean means work works use using used don doesn isn won didn aren wasn much
many per one another make makes take takes
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# In nearly every section: never required, dropped when the query has other words.
GENERIC = frozenset({"aws", "amazon"})

_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"


def phrase(tokens: tuple[str, ...]) -> str:
    """An FTS5 phrase. Tokens are letters and digits only (see glossary.words), so quoting them
    can never produce query syntax: AND, NEAR, * and quotes in a query are just words or gone."""
    return '"' + " ".join(tokens) + '"'


@dataclass(frozen=True)
class Concept:
    """One thing the learner asked about: the words they typed and what else counts as it."""

    typed: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]
    generic: bool = False

    @property
    def expression(self) -> str:
        """The words as typed (all of them, in any order), or any other spelling as a phrase."""
        typed = " AND ".join(phrase((word,)) for word in self.typed)
        others = [phrase(a) for a in self.alternatives if a != self.typed]
        return "(" + " OR ".join([f"({typed})", *others]) + ")"


@dataclass(frozen=True)
class Analysis:
    concepts: tuple[Concept, ...]
    corrections: dict[str, str] = field(default_factory=dict)
    terms: tuple[Term, ...] = ()  # glossary terms the query names

    @property
    def required(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if not c.generic) or self.concepts

    @property
    def expression(self) -> str:
        """Any required concept ("lambda" alone would match every section)."""
        return " OR ".join(c.expression for c in self.required)


@dataclass(frozen=True)
class Row:
    rowid: int
    coverage: int  # how many of the query's telling concepts it matches
    rank: float  # bm25: lower is better
    named: int = 0  # how many concepts its heading names
    complete: bool = False  # it has every telling concept of the query

    def order(self, boost: float = 1.0) -> tuple:
        """All the telling words first; then bm25, raised for rows whose heading names the
        concepts (and by `boost`)."""
        return (not self.complete, self.rank * (1 + 0.5 * self.named) * boost)


@dataclass(frozen=True)
class Tokens:
    """A text's words: where each starts and ends in the text, and the stem FTS5 indexes it under."""

    starts: list[int]
    ends: list[int]
    stems: list[str]

    def matching(self, stems: frozenset[str]) -> list[tuple[int, int]]:
        # itertools and a bound method instead of a loop: run for every row shown
        return list(compress(zip(self.starts, self.ends, strict=True), map(stems.__contains__, self.stems)))


def _split(text: str, seen: dict[str, tuple]) -> tuple[list[int], list[int], list[str]]:
    """(starts, ends, lower-case words) of `text`'s words, remembered in `seen`. Split on the
    runs between words with lengths summed in C: a match object per word costs twice as much,
    and the index splits every shown text at start-up."""
    found = seen.get(text)
    if found is not None:
        return found
    lowered = text.lower()
    if len(lowered) == len(text):
        parts = _BETWEEN_WORDS.split(lowered)  # word, separator, word, ..., word
        offsets = list(accumulate(map(len, parts), initial=0))
        typed, starts, ends = parts[0::2], offsets[0:-1:2], offsets[1::2]
        first, last = (0 if typed[0] else 1), (len(typed) if typed[-1] else len(typed) - 1)
        found = starts[first:last], ends[first:last], typed[first:last]
    else:  # a letter whose lower case is longer: word by word, so the offsets fit the text
        matches = list(WORD.finditer(text))
        found = [m.start() for m in matches], [m.end() for m in matches], [m[0].lower() for m in matches]
    seen[text] = found
    return found


def _rows_by_stem(stem_sets) -> dict[str, frozenset[int]]:
    rows: dict[str, set[int]] = {}
    for rowid, stems in enumerate(stem_sets):
        for stem in stems:
            rows.setdefault(stem, set()).add(rowid)
    return {stem: frozenset(found) for stem, found in rows.items()}


class SearchIndex:
    # A page's title is on all its sections; its headings say what each is about; code samples
    # mention many words in passing.
    SECTION_WEIGHTS = (4.0, 10.0, 1.0, 0.5)  # title, heading, prose, code
    QUESTION_WEIGHTS = (1.0, 2.0)  # prompt, topic
    ANSWER_WEIGHTS = (5.0, 3.0, 1.0)  # name, keywords, note

    def __init__(self, sections: list, questions: list, answers: list[Answer], glossary: Glossary):
        """`sections`: (title, heading, prose, code) tuples; `questions`: (prompt, topic
        title) tuples; row i of each table is item i of its list."""
        self._lock = threading.Lock()
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        tokenizer = "tokenize = 'porter unicode61 remove_diacritics 2'"
        self.db.executescript(
            f"""
            CREATE VIRTUAL TABLE sections USING fts5(title, heading, prose, code, {tokenizer});
            CREATE VIRTUAL TABLE questions USING fts5(prompt, topic, {tokenizer});
            CREATE VIRTUAL TABLE answers USING fts5(name, keywords, note, {tokenizer});
            CREATE VIRTUAL TABLE probe USING fts5(word, {tokenizer});
            CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, 'row');
            """
        )
        self.db.executemany(
            "INSERT INTO sections(rowid, title, heading, prose, code) VALUES (?,?,?,?,?)",
            [(i, *row) for i, row in enumerate(sections)],
        )
        self.db.executemany(
            "INSERT INTO questions(rowid, prompt, topic) VALUES (?,?,?)",
            [(i, *row) for i, row in enumerate(questions)],
        )
        self.db.executemany(
            "INSERT INTO answers(rowid, name, keywords, note) VALUES (?,?,?,?)",
            [(i, a.name, a.keywords, f"{a.note} {a.group}") for i, a in enumerate(answers)],
        )
        self.db.commit()
        self._terms = {table: self._indexed_terms(table) for table in ("questions", "answers")}
        # bm25 with each table's column weights, called directly: FTS5's configured `rank`
        # column evaluates the same function through an extra statement, about twice as slow.
        self._rank_query = {
            table: f"SELECT rowid, bm25({table}, {', '.join(str(w) for w in weights)}) AS score "
            f"FROM {table} WHERE {table} MATCH ? ORDER BY score LIMIT ?"
            for table, weights in (
                ("sections", self.SECTION_WEIGHTS),
                ("questions", self.QUESTION_WEIGHTS),
                ("answers", self.ANSWER_WEIGHTS),
            )
        }
        self._texts = {"sections": [row[:3] for row in sections], "questions": [row[:1] for row in questions]}
        self._sizes = {"sections": len(sections), "questions": len(questions), "answers": len(answers)}
        self.answers = answers
        self.glossary = glossary
        # The text shown in results is split into words once, here: counting the vocabulary
        # uses them, and marking a query's matches is then a set lookup per word.
        split: dict[str, tuple] = {}  # a page's title is on each of its sections
        shown = {
            "sections": [tuple(_split(text, split) for text in row[:3]) for row in sections],
            "questions": [(_split(row[0], split),) for row in questions],
        }
        counts: Counter[str] = Counter()
        for table in shown.values():
            for row in table:
                for _, _, typed in row:
                    counts.update(typed)
        for row in sections:
            counts.update(words(row[3]))
        for row in questions:
            counts.update(words(row[1]))
        for answer in answers:
            counts.update(words(f"{answer.name} {answer.keywords}"))
        self.vocabulary = counts
        self._stems = self._stems_of(list(counts))
        stem = self._stems.get
        tokens = {}
        for text, (starts, ends, typed) in split.items():
            tokens[text] = Tokens(starts, ends, list(map(stem, typed, typed)))
        self._shown = {
            table: [tuple(tokens[text] for text in texts) for texts in self._texts[table]] for table in shown
        }
        # Per index, bounded: what repeats while learners type.
        self._rows_matching = functools.lru_cache(MEMO_ENTRIES)(self._match_rows)
        self._probe = functools.lru_cache(MEMO_ENTRIES)(self._probe_stem)
        # Which rows' heading (an answer's name) has each stem: whether a row names a concept
        # of the query is then a set lookup, not another FTS query.
        self._heading_rows = {
            "sections": _rows_by_stem(frozenset(shown[1].stems) for shown in self._shown["sections"]),
            "answers": _rows_by_stem(self._stems_in(f"{a.name} {a.keywords}") for a in answers),
        }
        self._vocabulary_list = [w for w in counts if len(w) > 2 and not w.isdigit()]
        self._spellings = self._glossary_spellings(glossary)
        self._synonyms = {word: group for group in glossary.synonyms for word in group if " " not in word}

    def _indexed_terms(self, table: str) -> frozenset[str]:
        """Every term in `table`: a query with a concept none of them spells cannot match all."""
        self.db.execute(f"CREATE VIRTUAL TABLE {table}_terms USING fts5vocab({table}, 'row')")
        terms = frozenset(term for (term,) in self.db.execute(f"SELECT term FROM {table}_terms"))
        self.db.execute(f"DROP TABLE {table}_terms")
        return terms

    def _could_match_all(self, table: str, concepts: tuple[Concept, ...]) -> bool:
        terms = self._terms[table]
        return all(
            any(all(self.stem(word) in terms for word in spelling) for spelling in concept.alternatives)
            for concept in concepts
        )

    def _stems_of(self, vocabulary: list[str]) -> dict[str, str]:
        """Each word of the vocabulary with the term FTS5 indexes it under, asked of FTS5 itself
        (so highlighting agrees with matching)."""
        self.db.executescript(
            """CREATE VIRTUAL TABLE stems USING fts5(word, tokenize = 'porter unicode61 remove_diacritics 2');
               CREATE VIRTUAL TABLE stem_terms USING fts5vocab(stems, 'instance');"""
        )
        self.db.executemany("INSERT INTO stems(rowid, word) VALUES (?, ?)", enumerate(vocabulary))
        found = {}
        for term, doc in self.db.execute("SELECT term, doc FROM stem_terms"):
            found.setdefault(vocabulary[doc], term)
        self.db.executescript("DROP TABLE stem_terms; DROP TABLE stems;")
        return found

    @staticmethod
    def _glossary_spellings(glossary: Glossary) -> dict[tuple[str, ...], Term]:
        spellings: dict[tuple[str, ...], Term] = {}
        for term in glossary.terms:
            for spelling in term.spellings:
                tokens = words(spelling)
                if tokens and len(tokens) <= MAX_PHRASE_WORDS:
                    spellings.setdefault(tokens, term)
        return spellings

    # -- understanding the query -------------------------------------------------------------

    def analyze(self, query: str) -> Analysis:
        tokens = words(query)[: MAX_CONCEPTS * 3]
        # (a lone letter is what is left of "can't" or "don't")
        meaningful = [t for t in tokens if t not in STOP_WORDS and (len(t) > 1 or t.isdigit())]
        if not meaningful:
            meaningful = tokens  # "how to" still searches for something
        only_generic = all(t in GENERIC for t in meaningful)
        concepts: list[Concept] = []
        corrections: dict[str, str] = {}
        terms: list[Term] = []
        index = 0
        while index < len(tokens) and len(concepts) < MAX_CONCEPTS:
            matched = self._glossary_at(tokens, index)
            if matched:
                length, term = matched
                typed = tuple(tokens[index : index + length])
                alternatives = [typed] + [words(s) for s in term.spellings]
                concepts.append(Concept(typed, tuple(dict.fromkeys(a for a in alternatives if a))))
                if term not in terms:
                    terms.append(term)
                index += length
                continue
            token = tokens[index]
            index += 1
            if token not in meaningful:
                continue
            alternatives = [(token,)] + [words(w) for w in self._synonyms.get(token, ())]
            correction = self._correction(token)
            if correction:
                corrections[token] = correction
                alternatives.append((correction,))
                alternatives += [words(w) for w in self._synonyms.get(correction, ())]
            generic = (token in GENERIC or correction in GENERIC) and not only_generic
            concepts.append(Concept((token,), tuple(dict.fromkeys(a for a in alternatives if a)), generic))
        return Analysis(tuple(concepts), corrections, tuple(terms))

    def _glossary_at(self, tokens: tuple[str, ...], index: int) -> tuple[int, Term] | None:
        for length in range(min(MAX_PHRASE_WORDS, len(tokens) - index), 0, -1):
            term = self._spellings.get(tuple(tokens[index : index + length]))
            if term is not None and not (length == 1 and tokens[index] in STOP_WORDS):
                return length, term
        return None

    def _known(self, token: str) -> bool:
        if token in self.vocabulary:
            return True
        with self._lock:  # the stemmer knows "throttled" when the pages say "throttling"
            return (
                self.db.execute(
                    "SELECT 1 FROM sections WHERE sections MATCH ? LIMIT 1", (phrase((token,)),)
                ).fetchone()
                is not None
            )

    def _correction(self, token: str) -> str | None:
        """The closest word of the index's vocabulary when `token` is not in it: one edit for
        short words, two for longer ones; among equals, the most frequent word."""
        if len(token) < 4 or token.isdigit() or self._known(token):
            return None
        limit = 1 if len(token) <= 5 else 2
        found = process.extract(
            token, self._vocabulary_list, scorer=Levenshtein.distance, score_cutoff=limit, limit=20
        )
        if not found:
            return None
        best = min(found, key=lambda match: (match[1], -self.vocabulary[match[0]]))
        return best[0]

    # -- matching ------------------------------------------------------------------------------

    def _match_rows(self, table: str, expression: str) -> frozenset[int]:
        """Rows of `table` matching an FTS5 expression (the lock is held). Remembered per index
        as `_rows_matching`: a learner typing a query asks for the same words again and again."""
        rows = self.db.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (expression,))
        return frozenset(rowid for (rowid,) in rows)

    def _ranked(
        self,
        table: str,
        analysis: Analysis,
        weak: bool = True,
        limit: int = 200,
        complete_only: bool = False,
    ) -> list[Row]:
        """Rows matching every telling concept first (a concept found in most rows, like
        "function", tells little and is not required), then, unless `complete_only`, rows
        matching some; each group by bm25 (the table's column weights), raised for rows whose
        heading (or name) names concepts. The complete rows come from an AND query, so bm25 is
        computed only for them when they are enough."""
        query = self._rank_query[table]
        required = analysis.required
        if complete_only and not weak and not self._could_match_all(table, required):
            return []  # no row has every concept: spare FTS5 the query
        with self._lock:
            if complete_only and not weak:  # the AND query returns only complete rows
                matches, telling = [], list(range(len(required)))
            else:
                matches = [self._rows_matching(table, concept.expression) for concept in required]
                total = self._sizes[table]
                telling = [
                    index for index, rows in enumerate(matches) if not weak or len(rows) <= WEAK_SHARE * total
                ] or list(range(len(matches)))
            every = " AND ".join(required[index].expression for index in telling)
            ranks = self.db.execute(query, (every, limit)).fetchall()
            if not complete_only and len(ranks) < ENOUGH_COMPLETE:
                seen = {rowid for rowid, _ in ranks}
                more = self.db.execute(query, (analysis.expression, limit)).fetchall()
                ranks += [(rowid, rank) for rowid, rank in more if rowid not in seen]
        headings = self._heading_rows.get(table)
        naming = [self._rows_naming(headings, concept) for concept in required] if headings else []
        found = []
        for rowid, rank in ranks:  # only the candidates: the sets may be large, the loop is not
            coverage = sum(rowid in matches[index] for index in telling) if matches else len(telling)
            named = sum(rowid in rows for rows in naming)
            found.append(Row(rowid, coverage, rank, named, coverage >= len(telling)))
        found.sort(key=Row.order)
        return found

    def _rows_naming(self, headings: dict[str, frozenset[int]], concept: Concept) -> frozenset[int]:
        """Rows whose heading has every word of one of the concept's spellings."""
        found: set[int] = set()
        for spelling in concept.alternatives:
            rows = [headings.get(self.stem(word), frozenset()) for word in spelling]
            found.update(frozenset.intersection(*rows))
        return frozenset(found)

    def sections(self, analysis: Analysis) -> list[Row]:
        return self._ranked("sections", analysis)

    def questions(self, analysis: Analysis) -> list[Row]:
        needed = len(analysis.required)
        rows = self._ranked("questions", analysis, weak=False, limit=60, complete_only=True)
        return [r for r in rows if r.coverage >= needed]

    def answers_for(self, analysis: Analysis) -> list[Answer]:
        """Limits and prices the query names: every required concept somewhere in the answer,
        and in its name or keywords too (one may be only in the note when the query has three
        or more), so a query that merely shares a word with a limit gets no card."""
        needed = len(analysis.required)
        named_needed = needed - 1 if needed >= 3 else needed
        rows = self._ranked("answers", analysis, weak=False, limit=40, complete_only=True)
        return [self.answers[r.rowid] for r in rows if r.coverage >= needed and r.named >= named_needed]

    def marked(self, rowids: list[int], analysis: Analysis) -> dict[int, tuple[str, str, str]]:
        """(title, heading, snippet) of each section with the matched words between marker
        characters (escaped and turned into <mark> by the caller)."""
        stems = self.query_stems(analysis)
        texts, shown = self._texts["sections"], self._shown["sections"]
        return {
            rowid: (
                mark(texts[rowid][0], shown[rowid][0].matching(stems)),
                mark(texts[rowid][1], shown[rowid][1].matching(stems)),
                snippet(texts[rowid][2], shown[rowid][2].matching(stems)),
            )
            for rowid in rowids
        }

    def marked_questions(self, rowids: list[int], analysis: Analysis) -> dict[int, str]:
        stems = self.query_stems(analysis)
        texts, shown = self._texts["questions"], self._shown["questions"]
        return {rowid: snippet(texts[rowid][0], shown[rowid][0].matching(stems)) for rowid in rowids}

    # -- marking matches: FTS5's own stems, so what is marked is what matched --------------------

    def stem(self, word: str) -> str:
        """The term FTS5 indexes `word` under (its Porter stem, diacritics removed)."""
        return self._stems.get(word) or self._probe(word)

    def _probe_stem(self, word: str) -> str:
        """Ask FTS5 for the stem of a word the indexed text never uses (remembered as `_probe`)."""
        with self._lock:
            self.db.execute("DELETE FROM probe")
            self.db.execute("INSERT INTO probe(word) VALUES (?)", (word,))
            row = self.db.execute("SELECT term FROM probe_terms LIMIT 1").fetchone()
        return row[0] if row else word

    def _stems_in(self, text: str) -> frozenset[str]:
        return frozenset(self._stems.get(word, word) for word in words(text))

    def query_stems(self, analysis: Analysis) -> frozenset[str]:
        """The stems of every word of the query's concepts (each spelling): a word of the text
        with one of them matched."""
        return frozenset(
            self.stem(word)
            for concept in analysis.required
            for spelling in concept.alternatives
            for word in spelling
        )


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each of `spans` (in order, not overlapping) between the marker characters."""
    parts, at = [], 0
    for start, end in spans:
        parts += [text[at:start], _MARK_OPEN, text[start:end], _MARK_CLOSE]
        at = end
    parts.append(text[at:])
    return "".join(parts)


def snippet(text: str, spans: list[tuple[int, int]], size: int = SNIPPET_CHARS) -> str:
    """About `size` characters of `text` around its densest run of matched words (`spans`),
    marked, cut at spaces, with "…" where it was cut."""
    best, most, last = 0, 0, 0
    for first, (at, _) in enumerate(spans):  # a window sliding over the matches, in order
        while last < len(spans) and spans[last][0] < at + size:
            last += 1
        if last - first > most:
            best, most = at, last - first
    begin = max(0, best - size // 4)
    if begin:
        begin = text.find(" ", begin) + 1 or begin
    end = begin + size
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    inside = [(start - begin, stop - begin) for start, stop in spans if start >= begin and stop <= end]
    excerpt = mark(text[begin:end], inside)
    return ("… " if begin else "") + excerpt + (" …" if end < len(text) else "")
