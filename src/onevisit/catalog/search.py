"""Chinese search without a Chinese tokenizer in the database.

Tokens are made in Python when an item is saved: NFKC + lowercase; overlapping bigrams of each
Chinese run plus the run's last character; full pinyin and initials of runs and jieba words; ASCII
words. They are indexed by SQLite FTS5 (unicode61) or PostgreSQL ``to_tsvector('simple')`` + GIN.
A query is the OR of its bigrams and single characters (as prefixes) and ASCII words (as prefixes),
built only from ``[CJK]+|[a-z0-9]+`` so no operator of either engine can get through.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from django.db import connection

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_RE = re.compile(rf"[{CJK}]+|[a-z0-9]+")
CJK_RE = re.compile(rf"^[{CJK}]+$")
MAX_QUERY_TERMS = 24


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


@lru_cache(maxsize=1)
def _jieba() -> object:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _pinyin(text: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    full = lazy_pinyin(text, errors="ignore")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(full), "".join(initials)


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def tokens_for(texts: Iterable[str], *, with_pinyin: bool = True) -> list[str]:
    """Index tokens of some text (duplicates kept: repetition counts towards relevance)."""
    out: list[str] = []
    for text in texts:
        for run in TOKEN_RE.findall(normalize(text)):
            if CJK_RE.match(run):
                out.extend(_bigrams(run))
                if with_pinyin:
                    words = list(_jieba().lcut(run)) if len(run) > 2 else [run]  # type: ignore[attr-defined]
                    for part in {run, *words}:
                        full, initials = _pinyin(part)
                        out.extend(t for t in (full, initials) if t)
            else:
                out.append(run)
    return out


def query_terms(query: str) -> list[tuple[str, bool]]:
    """(term, is_prefix) pairs for a user's query; at most MAX_QUERY_TERMS."""
    terms: list[tuple[str, bool]] = []
    for run in TOKEN_RE.findall(normalize(query)):
        if CJK_RE.match(run):
            if len(run) == 1:
                terms.append((run, True))
            else:
                terms.extend((bigram, False) for bigram in dict.fromkeys(_bigrams(run)[:-1]))
        else:
            terms.append((run, True))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_QUERY_TERMS]


def match_expression(terms: list[tuple[str, bool]]) -> str:
    """The engine-specific query string; terms are already restricted to safe characters."""
    if connection.vendor == "postgresql":
        return " | ".join(f"{t}:*" if prefix else t for t, prefix in terms)
    return " OR ".join(f'"{t}"*' if prefix else f'"{t}"' for t, prefix in terms)


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and everything under it (GB/T 2260: 330000 → 33, 330100 → 3301)."""
    code = code.strip()
    if len(code) == 6:
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
    return code


def ranked_ids(query: str, *, limit: int = 50, region: str | None = None) -> list[int]:
    """Item ids matching the query, best first; ``region`` keeps that region and those under it."""
    terms = query_terms(query)
    if not terms:
        return []
    expr = match_expression(terms)
    region_sql, region_args = (
        ("AND s.region_code LIKE %s", [region_prefix(region) + "%"]) if region else ("", [])
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                SELECT s.item_id FROM catalog_itemsearchindex s, to_tsquery('simple', %s) q
                WHERE s.visible AND s.search_vector @@ q {region_sql}
                ORDER BY ts_rank(s.search_vector, q) DESC, s.item_id
                LIMIT %s
                """,  # noqa: S608 - region_sql is a constant; values are parameters
                [expr, *region_args, limit],
            )
        else:
            cursor.execute(
                f"""
                SELECT f.rowid FROM catalog_itemsearch_fts f
                JOIN catalog_itemsearchindex s ON s.item_id = f.rowid
                WHERE catalog_itemsearch_fts MATCH %s AND s.visible {region_sql}
                ORDER BY bm25(catalog_itemsearch_fts, 10.0, 1.0), f.rowid
                LIMIT %s
                """,  # noqa: S608 - region_sql is a constant; values are parameters
                [expr, *region_args, limit],
            )
        return [row[0] for row in cursor.fetchall()]
