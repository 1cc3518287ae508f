"""Reader comments of a web page: one `Comment` per comment element, each reply its own.

trafilatura extracts a page's comments as one blob, so the thread is read here from the
comment markup itself: a container (WordPress `#comments`/`.comment-list`, Disqus
`#disqus_thread`/`#post-list`, `<section id="comments">`), the comment elements in it
(`.comment`, Disqus `li.post`, schema.org `Comment`, `<article>`), and in each comment its
author, date and body, leaving out what belongs to the comments nested in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement


def _cls(name: str) -> str:
    """XPath test: the element's class attribute has the token `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_CONTAINER_IDS = ("comments", "disqus_thread", "post-list", "comment-list", "commentlist")
_CONTAINER_CLASSES = ("comment-list", "commentlist", "comments-area", "comments", "post-list")
_CONTAINERS = "//*[{}]".format(
    " or ".join([f"@id='{i}'" for i in _CONTAINER_IDS] + [_cls(c) for c in _CONTAINER_CLASSES])
)
# One rule per layout, tried in order; the first that finds elements in a container wins.
_ITEM_RULES = (
    f".//*[{_cls('comment')}]",  # WordPress li.comment, and div/article.comment
    f".//li[{_cls('post')}]",  # Disqus
    ".//*[contains(@itemtype, 'schema.org/Comment')]",
    ".//article",  # <section id="comments"> with one <article> per comment
)
_AUTHOR = (
    f".//*[{_cls('comment-author')}]//*[{_cls('fn')}]",
    f".//*[{_cls('post-byline')}]//*[{_cls('author')}]",
    ".//*[@itemprop='author']//*[@itemprop='name']",
    ".//*[@itemprop='author']",
    f".//*[{_cls('fn')}]",
    f".//*[{_cls('comment-author')}]",
    f".//*[{_cls('author')}]",
    ".//*[@rel='author']",
)
_DATE = (
    ".//*[@itemprop='datePublished']",
    ".//time",
    f".//*[{_cls('time-ago')}]",
    f".//*[{_cls('comment-date')}]",
    f".//*[{_cls('comment-metadata')}]",
    f".//*[{_cls('commentmetadata')}]",  # older WordPress themes
    f".//*[{_cls('date')}]",
)
_BODY = tuple(
    f".//*[{_cls(name)}]"
    for name in ("comment-content", "post-message", "comment-text", "comment-body", "content")
) + (".//*[@itemprop='text']",)
# Parts of a comment element that are not what the reader wrote.
_META_CLASSES = (
    "comment-meta comment-metadata commentmetadata comment-author reply comment-reply-link "
    "post-meta post-byline says avatar edit-link comment__header comment__footer post-menu "
    "comment-footer"
).split()
_META = tuple(f".//*[{_cls(name)}]" for name in _META_CLASSES) + (
    ".//header[not(ancestor::blockquote)]",
    ".//footer[not(ancestor::blockquote)]",
)
_SKIP_TAGS = frozenset("script style form button noscript nav svg img iframe".split())
_BLOCK_TAGS = frozenset(
    "p div br li ul ol blockquote pre h1 h2 h3 h4 h5 h6 table tr td th article section header "
    "footer dd dt".split()
)


@dataclass(frozen=True)
class Part:
    """A run of a comment's text: what the reader wrote, or a passage they quote."""

    text: str
    quote: bool  # inside a <blockquote>


@dataclass(frozen=True)
class Comment:
    """One reader comment: its author and date as the page shows them, its text in order."""

    author: str
    date: str
    parts: tuple[Part, ...]
    reply_to: int | None = None  # index (in the list found) of the comment it answers


def comment_containers(tree: HtmlElement) -> list[HtmlElement]:
    """The outermost comment-thread elements of a page, in document order."""
    found = [el for el in tree.xpath(_CONTAINERS) if el.tag not in ("html", "body", "main")]
    inside = set(found)
    return [el for el in found if not any(a in inside for a in el.iterancestors())]


def read_comments(containers: list[HtmlElement]) -> list[Comment]:
    """Every comment with text in the containers, replies after the comment they answer."""
    comments: list[Comment] = []
    for container in containers:
        items = _items(container)
        item_set = set(items)
        index_of: dict[HtmlElement, int] = {}
        for item in items:
            comment = _comment(item, item_set, index_of)
            if comment.parts:
                index_of[item] = len(comments)
                comments.append(comment)
    return comments


def _items(container: HtmlElement) -> list[HtmlElement]:
    for rule in _ITEM_RULES:
        items = container.xpath(rule)
        if items:
            return items
    return []


def _comment(item: HtmlElement, items: set, index_of: dict) -> Comment:
    author = _first_own(item, _AUTHOR, items)
    date = _first_own(item, _DATE, items)
    body = _first_own(item, _BODY, items)
    skip = {el for el in (author, date) if el is not None and el is not body}
    skip.update(el for el in items if el is not item)
    skip.update(el for rule in _META for el in _own(item, rule, items))
    parent = next((index_of[a] for a in item.iterancestors() if a in index_of), None)
    return Comment(
        author=_author_text(author) if author is not None else "",
        date=_date_text(date) if date is not None else "",
        parts=_parts(body if body is not None else item, skip),
        reply_to=parent,
    )


def _own(item: HtmlElement, rule: str, items: set) -> list[HtmlElement]:
    """Matches of `rule` in `item` that are not inside a comment nested in it."""
    return [el for el in item.xpath(rule) if _owner(el, items) is item]


def _owner(element: HtmlElement, items: set) -> HtmlElement | None:
    if element in items:
        return element
    return next((a for a in element.iterancestors() if a in items), None)


def _first_own(item: HtmlElement, rules: tuple[str, ...], items: set) -> HtmlElement | None:
    for rule in rules:
        found = _own(item, rule, items)
        if found:
            return found[0]
    return None


def _author_text(element: HtmlElement) -> str:
    says = set(element.xpath(f".//*[{_cls('says')}]"))
    return " ".join(part.text for part in _parts(element, says))


def _date_text(element: HtmlElement) -> str:
    for attribute in ("datetime", "content", "title"):
        if element.get(attribute):
            return _squeeze(element.get(attribute))
    time = element.find(".//time")
    if time is not None and time.get("datetime"):
        return _squeeze(time.get("datetime"))
    return _squeeze(element.text_content())


def _parts(element: HtmlElement, skip: set) -> tuple[Part, ...]:
    """The text of `element` without `skip`, cut where <blockquote>s begin and end."""
    runs: list[tuple[bool, list[str]]] = []

    def emit(text: str | None, quote: bool) -> None:
        if not text:
            return
        if not runs or runs[-1][0] != quote:
            runs.append((quote, []))
        runs[-1][1].append(text)

    def walk(node: HtmlElement, quote: bool) -> None:
        if node in skip or not isinstance(node.tag, str) or node.tag in _SKIP_TAGS:
            return
        quote = quote or node.tag == "blockquote"
        gap = " " if node.tag in _BLOCK_TAGS else ""
        emit(gap + (node.text or ""), quote)
        for child in node:
            walk(child, quote)
            emit(child.tail, quote)
        emit(gap, quote)

    walk(element, False)
    return _merged(Part(_squeeze("".join(texts)), quote) for quote, texts in runs)


def _merged(parts) -> tuple[Part, ...]:
    """Non-empty parts, neighbours of the same kind joined."""
    merged: list[Part] = []
    for part in parts:
        if not part.text:
            continue
        if merged and merged[-1].quote == part.quote:
            part = Part(f"{merged.pop().text} {part.text}", part.quote)
        merged.append(part)
    return tuple(merged)


def _squeeze(text: str) -> str:
    """One line: every run of white space (newlines included) becomes one space."""
    return re.sub(r"\s+", " ", text).strip()
