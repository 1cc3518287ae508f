"""HTML: a saved web page as the article's main text, then one reader comment per line.

The stored text of a page with comments is a `column`:

    <article paragraph>            one per line, from trafilatura (no nav, ads, footers)
    ...
    <blank line>
    Reader comments (N)            the marker: `comments_after`, found nowhere in the article
    <comment>                      one per line, its own newlines made spaces
    <quoted article text>          a comment's <blockquote> that is verbatim article text,
    <comment>                      on its own line before the rest of that comment

so `documents.structure.column_units` numbers the comments and marks the quotations. A page
without comments is stored as `sections`: its subheadings then name the passages under them.
"""

from __future__ import annotations

import re
from pathlib import Path

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import set_date_params

from documents.formats.converted import Converted, UnsupportedFile
from documents.formats.html_comments import Comment, Part, comment_containers, read_comments
from documents.structure import lines

_MARKER = "Reader comments"
# A comment line of at least this many characters found verbatim in the article is taken
# for a quotation by documents.structure (its _MIN_QUOTE_CHARS); keep the two equal.
_MIN_QUOTE_CHARS = 20
# Never main text; pruned before extraction, so that trafilatura's last-resort baseline
# cannot return a menu when a page has nothing else.
_NOT_MAIN_TEXT = ("//nav", "//*[@role='navigation']", "//footer[not(ancestor::article)]")
_OPENING_QUOTES = "\"'“‘«„"
_META_FALLBACKS = {
    "title": ("//meta[@property='og:title']/@content", "//title/text()", "//h1//text()"),
    "author": ("//meta[@name='author']/@content", "//meta[@property='article:author']/@content"),
    "date": (
        "//meta[@property='article:published_time']/@content",
        "//article//time/@datetime",
        "//time/@datetime",
    ),
}


def convert_html(data: bytes, file_name: str) -> Converted:
    """The stored text of a web page: main text, title, author, date and reader comments."""
    tree = trafilatura.load_html(data)
    if tree is None:
        raise UnsupportedFile("no main text found in the page")
    containers = comment_containers(tree)
    comments = read_comments(containers)
    for container in containers:
        container.drop_tree()  # so no comment can be taken for article text
    extracted = _main_text(tree)
    article = _article_lines(extracted.text if extracted is not None else "")
    if not article:
        raise UnsupportedFile("no main text found in the page")
    meta = {key: _metadata(key, extracted, tree) for key in _META_FALLBACKS}
    meta["title"] = meta["title"] or Path(file_name).stem
    base = dict(format="html", **meta)
    if not comments:
        return Converted(text="\n".join(article), structure="sections", **base)
    text, marker = _column_text(article, comments)
    return Converted(
        text=text,
        structure="column",
        comments_after=marker,
        comment_meta=tuple(_comment_meta(comment) for comment in comments),
        **base,
    )


def _main_text(tree: HtmlElement):
    """trafilatura's main text and metadata of the page (a trafilatura Document), or None."""
    return trafilatura.bare_extraction(
        tree,
        include_comments=False,
        with_metadata=True,
        # a date from the page's markup only: the text's years are no publication date
        date_extraction_params=set_date_params(extensive=False),
        prune_xpath=list(_NOT_MAIN_TEXT),
    )


def _article_lines(text: str | None) -> list[str]:
    """The extracted main text, one paragraph per line, white space made single spaces."""
    squeezed = (re.sub(r"\s+", " ", line).strip() for line in (text or "").splitlines())
    return [line for line in squeezed if line]


def _metadata(key: str, extracted, tree: HtmlElement) -> str:
    """trafilatura's title/author/date of the page, else the page's own tags."""
    value = getattr(extracted, key, None) if extracted is not None else None
    if value:
        return re.sub(r"\s+", " ", value).strip()
    for rule in _META_FALLBACKS[key]:
        found = [re.sub(r"\s+", " ", str(v)).strip() for v in tree.xpath(rule)]
        found = [v for v in found if v]
        if found:
            return found[0]
    return ""


def _column_text(article: list[str], comments: list[Comment]) -> tuple[str, str]:
    """The stored text of article and comments, and the marker line comments follow."""
    body = "\n".join(article)
    marker = f"{_MARKER} ({len(comments)})"
    while marker in body:
        marker = f"— {marker} —"
    # The article as documents.structure compares comment lines with it.
    with_marker = f"{body}\n{marker}"
    seen = " ".join(with_marker[s:e] for s, e in lines(with_marker))
    comment_lines = [line for comment in comments for line in _comment_lines(comment, seen)]
    return f"{body}\n\n{marker}\n" + "\n".join(comment_lines), marker


def _comment_lines(comment: Comment, article: str) -> list[str]:
    """A comment as lines: its quotations of the article, then the rest of it in one line."""
    quotes = [p for p in comment.parts if p.quote and _quotes(p.text, article)]
    rest = [_marked(p) for p in comment.parts if p not in quotes]
    if not rest:  # only a quotation: kept whole, or it would join the next comment
        quotes, rest = [], [_marked(p) for p in comment.parts]
    return [p.text for p in quotes] + [_not_a_quotation(" ".join(rest), article)]


def _marked(part: Part) -> str:
    """A part for the comment line: a quotation of something else in quotation marks."""
    if not part.quote or part.text[0] in _OPENING_QUOTES:
        return part.text
    return f"“{part.text}”"


def _quotes(line: str, article: str) -> bool:
    return len(line) >= _MIN_QUOTE_CHARS and line in article


def _not_a_quotation(line: str, article: str) -> str:
    """A comment line that cannot be taken for a quotation of the article."""
    while _quotes(line, article):
        line = f"“{line}”"
    return line


def _comment_meta(comment: Comment) -> dict:
    reply_to = None if comment.reply_to is None else comment.reply_to + 1
    return {"author": comment.author, "date": comment.date, "reply_to": reply_to}
