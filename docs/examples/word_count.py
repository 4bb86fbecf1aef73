"""Word count: a complete pipeline on the kit's public API, in one file (the documentation's first example).

    python docs/examples/word_count.py "The quick brown fox" "jumps over the lazy dog"

prints `2 passages: 2 counted, 0 failed; 2 model calls made`; run it again: `0 model calls made`.
tests/docs/test_examples.py runs it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping

from pydantic import BaseModel

from agentic_kit import Instructions, PipelineBlocks, model_step, offline_answer, pipeline


# --8<-- [start:models]
class Passage(BaseModel):
    """One item of the pipeline: a passage of text."""

    text: str


class WordCount(BaseModel):
    """What the model answers about a passage."""

    words: int
    longest_word: str
# --8<-- [end:models]


# --8<-- [start:step]
COUNT_WORDS = Instructions(text="Count the words of the passage and name its longest word.")


@model_step("count_words", instructions=COUNT_WORDS, output=WordCount)
def count_words(passage: Passage) -> dict[str, str]:
    """What the model reads: the passage, under the name `passage`."""
    return {"passage": passage.text}


@offline_answer(WordCount)
def offline_word_count(material: Mapping[str, str]) -> WordCount:
    """How the offline model answers it: counted by splitting on white space."""
    words = material["passage"].split()
    return WordCount(words=len(words), longest_word=max(words, key=len, default=""))
# --8<-- [end:step]


# --8<-- [start:pipeline]
@pipeline("word-count", item=Passage, noun="passages", done="counted")
async def word_count(passage: Passage, blocks: PipelineBlocks) -> WordCount:
    """Count one passage's words."""
    return await count_words(passage)
# --8<-- [end:pipeline]


# --8<-- [start:main]
if __name__ == "__main__":
    report = asyncio.run(word_count.run([Passage(text=text) for text in sys.argv[1:]]))
    print(report.headline())
# --8<-- [end:main]
