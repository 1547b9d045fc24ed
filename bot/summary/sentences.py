"""Sentence splitting for news text in any script.

A summary is built from whole sentences, so a wrong split shows up in the alert as a
sentence cut after "Mr." or "3." — the splitter therefore prefers to miss a boundary
over inventing one.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_ABBREVIATION_WORDS = """
    mr mrs ms mx dr prof st sr jr gen col lt maj sgt capt cmdr adm gov sen rep pres supt insp
    rev fr hon messrs inc ltd co corp llc plc bros dept univ assn est approx vs etc al cf ca
    no nos vol vols pp fig figs ed eds jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun mt ft ave blvd rd hwy sq
"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
"""Lower-case words that end with a period without ending the sentence (English news usage)."""

_STARTER_WORDS = (
    "the a an he she it they we i you but and so this that these those in on at his her its "
    "their our there then when while after before however meanwhile"
)
_SENTENCE_STARTERS = frozenset(_STARTER_WORDS.split())
"""Words that, capitalised after a dotted acronym ("the U.S. The …"), do start a sentence."""

# Full stops of scripts that need no space after them (CJK) end a sentence on their own.
_CJK_TERMINATORS = "。！？"
_TERMINATORS = ".!?…" + "।؟" + _CJK_TERMINATORS
_CLOSERS = "\"'”’»)]」』"
_OPENERS = "\"'“‘«([「『¿¡"

_GREEK_QUESTION = r"(?<=[\u0370-\u03ff\u1f00-\u1fff]);|\u037e"
"""Greek writes its question mark as a semicolon; only after a Greek letter is it one."""
_CANDIDATE = re.compile(
    rf"(?:[{re.escape(_TERMINATORS)}]+|{_GREEK_QUESTION})[{re.escape(_CLOSERS)}]*"
    rf"(?:\s+|(?<=[{_CJK_TERMINATORS}])|(?<=[{_CJK_TERMINATORS}][{re.escape(_CLOSERS)}]))"
)
_WORD_BEFORE = re.compile(r"(\S+)$")
_LINE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
"""A line as ``str.splitlines`` sees it, so this agrees with the boilerplate filter."""


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, without surrounding whitespace.

    Spans rather than strings so that callers can map positions (e.g. matched terms)
    from the text into its sentences. Line breaks always end a sentence: in feed and
    page text they separate paragraphs, headings and captions.
    """
    return [
        (line.start() + a, line.start() + b)
        for line in _LINE.finditer(text)
        for a, b in _line_spans(line.group())
    ]


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` in order; never drops a non-space character."""
    return [text[a:b] for a, b in sentence_spans(text)]


def _line_spans(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CANDIDATE.finditer(line):
        end = match.end()
        if end >= len(line) or not _ends_sentence(line, match):
            continue
        spans.append((start, match.end()))
        start = end
    spans.append((start, len(line)))
    return [trimmed for span in spans if (trimmed := _trim(line, *span))]


def _trim(line: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _ends_sentence(line: str, match: re.Match[str]) -> bool:
    """Whether the punctuation in ``match`` closes a sentence, judged by the words around it."""
    punctuation = match.group().rstrip()
    following = line[match.end() :].lstrip(_OPENERS + " ")
    if not following:
        return True
    if punctuation[0] in _CJK_TERMINATORS:
        return True
    if following[0].islower():
        # "…and then… he left", '"Stop!" she said': lower case continues the sentence.
        return False
    if punctuation.rstrip(_CLOSERS) != ".":
        return True
    before = _WORD_BEFORE.search(line, 0, match.start())
    if before is None:
        return True
    word = before.group(1).lstrip(_OPENERS)
    return not _is_abbreviation(word, following)


def _is_abbreviation(word: str, following: str) -> bool:
    """Whether ``word`` + "." is an abbreviation or initial rather than a sentence end."""
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. R. R. Tolkien"
    if word.lower() in _ABBREVIATIONS:
        return True
    if "." in word and all(len(part) <= 2 for part in word.split(".")):
        # A dotted acronym ("U.S", "e.g"): it ends the sentence only before a typical opener.
        next_word = re.match(r"\w+", following)
        return not (next_word and next_word.group().lower() in _SENTENCE_STARTERS)
    return False
