"""HTML pages: main text without boilerplate, metadata, and one `comment` unit per comment."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from lxml import etree
from lxml.html import builder as E
from lxml.html import tostring

from documents import Document, load_corpus, split_passages
from documents.formats.converted import Converted, UnsupportedFile
from documents.formats.html import convert_html
from documents.passages import units_of

REPO = Path(__file__).resolve().parent.parent
COLUMN = "003_bf4e1c7beccc96a2"

ARTICLE = [
    "A ferry costs a fraction of a bridge and can be moved when the town changes its mind "
    "about where people need to cross the water.",
    "Bridges last a century, but their maintenance budgets grow every decade and the money "
    "always comes from the same small council.",
    "The harbour town has run two ferries since 1987 and has never once closed the crossing "
    "for more than a day in any winter.",
]
BOILERPLATE = [
    "About the harbour blog",
    "fifty percent off",
    "Share on Twitter",
    "All rights reserved",
    "Leave a Reply",
    "thoughts on",
    "Reply",
    "says:",
]
PARAGRAPHS = "".join(f"<p>{line}</p>\n" for line in ARTICLE)

WORDPRESS = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Why ferries beat bridges | The Harbour Blog</title>
<meta name="author" content="Jane Marlow">
<meta property="article:published_time" content="2025-03-20T08:00:00+00:00">
</head><body>
<header class="site-header"><nav class="main-navigation"><ul><li><a href="/">Home</a></li>
<li><a href="/about">About the harbour blog</a></li></ul></nav></header>
<div class="ad-banner advertisement">Buy cheap sunglasses now, fifty percent off</div>
<main id="main"><article id="post-7" class="post-7 post type-post">
<header class="entry-header"><h1 class="entry-title">Why ferries beat bridges</h1>
<div class="entry-meta">By <span class="author vcard"><a class="url fn n">Jane Marlow</a></span>
<time class="entry-date" datetime="2025-03-20T08:00:00+00:00">March 20, 2025</time></div>
</header>
<div class="entry-content">{PARAGRAPHS}</div>
<div class="sharedaddy"><h3 class="sd-title">Share this:</h3><ul>
<li><a class="share-twitter">Share on Twitter</a></li></ul></div>
</article>
<div id="comments" class="comments-area">
<h2 class="comments-title">3 thoughts on “Why ferries beat bridges”</h2>
<ol class="comment-list">
<li id="comment-2" class="comment even thread-even depth-1 parent">
<article id="div-comment-2" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><img alt="" class="avatar">
<b class="fn"><a href="https://tom.example" class="url">Tom Reyes</a></b>
<span class="says">says:</span></div>
<div class="comment-metadata"><a href="#comment-2">
<time datetime="2025-03-21T09:15:00+00:00">March 21, 2025 at 9:15 am</time></a></div></footer>
<div class="comment-content"><blockquote><p>{ARTICLE[1]}</p></blockquote>
<p>That is exactly why our county sold its bridge to a toll company.</p></div>
<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
</article>
<ol class="children">
<li id="comment-3" class="comment odd alt depth-2">
<article id="div-comment-3" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Ana Li</b>
<span class="says">says:</span></div>
<div class="comment-metadata"><time datetime="2025-03-21T10:00:00+00:00">March 21</time></div>
</footer>
<div class="comment-content"><p>Toll companies raise prices.</p><p>Ferries do too,
though.</p></div>
<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
</article></li></ol>
</li>
<li id="comment-4" class="comment even thread-odd depth-1">
<article id="div-comment-4" class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Sam</b></div>
<div class="comment-metadata"><time datetime="2025-03-22T11:00:00+00:00">March 22</time></div>
</footer>
<div class="comment-content"><blockquote>ferries are always late</blockquote>
<p>Not in my town.</p></div>
</article></li>
</ol>
<div id="respond" class="comment-respond"><h3>Leave a Reply</h3><form><textarea></textarea>
<input type="submit" value="Post Comment"></form></div>
</div>
</main>
<footer class="site-footer"><p>Copyright 2025 The Harbour Blog. All rights reserved.</p></footer>
</body></html>"""


def _disqus_post(author: str, when: str, message: str, replies: str = "") -> str:
    return f"""<li class="post" id="post-{author.lower()}">
<div class="post-content" data-role="post-content"><div class="avatar hovercard">
<a class="user"><img alt="Avatar"></a></div>
<div class="post-body"><header class="comment__header">
<span class="post-byline"><span class="author publisher-anchor-color"><a>{author}</a></span></span>
<span class="post-meta"><span class="bullet time-ago-bullet">•</span>
<a href="#comment-1" class="time-ago" title="{when}">2 days ago</a></span></header>
<div class="post-body-inner"><div class="post-message" data-role="message"><div>{message}</div>
</div></div>
<footer class="comment__footer"><menu class="comment-footer__menu">
<li class="voting"><a class="vote-up">12</a></li><li class="reply"><a>Reply</a></li>
<li><a class="share">Share ›</a></li></menu></footer></div></div>
<ul class="children">{replies}</ul></li>"""


DISQUS = f"""<!DOCTYPE html><html><head><title>Ferry timetables explained - Coast News</title>
<meta name="author" content="Priya Nair"></head><body>
<nav><a href="/">Coast News home</a> <a href="/sport">Sport and weather pages</a></nav>
<div class="story"><h1>Ferry timetables explained</h1>{PARAGRAPHS}</div>
<div class="social-share"><a>Tweet this story to your friends</a></div>
<div id="disqus_thread"><iframe title="Disqus"></iframe>
<ul id="post-list" class="post-list">
{
    _disqus_post(
        "Morgan",
        "Tuesday, March 25, 2025 3:02 AM",
        "<p>The winter timetable is the real problem.</p>",
        _disqus_post("Lee", "Tuesday, March 25, 2025 4:10 AM", "<p>Agreed, totally.</p>"),
    )
}
{
    _disqus_post(
        "Chris",
        "Wednesday, March 26, 2025 9:00 PM",
        f"<blockquote>{ARTICLE[0]}</blockquote><p>Moved where, exactly?</p>",
    )
}
</ul></div>
<footer><p>Coast News is a member of the press council. All rights reserved.</p></footer>
</body></html>"""

SECTION = f"""<!DOCTYPE html><html><head><title>On ferries</title></head><body>
<article><h1>On ferries</h1>
<p class="byline">By <span class="author">Rosa Okafor</span>,
<time datetime="2024-11-02">2 November 2024</time></p>{PARAGRAPHS}</article>
<section id="comments"><h2>Comments</h2>
<article><header><span class="author">Dana</span> <time datetime="2024-11-03">3 Nov</time></header>
<p>Two ferries for a whole town seems too few.</p><footer><a>Reply</a></footer></article>
<article><header><span class="author">Eli</span></header>
<p>Bridges also carry pipes and cables.</p><p>A ferry cannot.</p></article>
</section>
<footer>Site footer with all rights reserved.</footer>
</body></html>"""


def _document(converted: Converted) -> Document:
    return Document(
        doc_id="page",
        text=converted.text,
        file="page.html",
        structure=converted.structure,
        comments_after=converted.comments_after,
    )


def _comments(passages) -> dict[int, list]:
    by_number = defaultdict(list)
    for passage in passages:
        if passage.kind == "comment":
            by_number[passage.comment].append(passage)
    return dict(by_number)


def _check_page(converted: Converted, expected_comments: list[str]) -> list:
    """Offsets exact, article passages from the article, comments as expected."""
    passages = split_passages(_document(converted))
    assert all(converted.text[p.start : p.end] == p.text for p in passages)
    article = [p for p in passages if p.kind == "article"]
    body = " ".join(ARTICLE)
    assert all(p.text in body for p in article if p.text != converted.title)  # a page's <h1>
    marker = [p.kind for p in passages if p.text == converted.comments_after]
    assert marker in ([], ["heading"])  # the converter's "Reader comments" line is no claim
    assert " ".join(ARTICLE) in " ".join(p.text for p in article)
    for phrase in BOILERPLATE:
        assert phrase not in converted.text
    comments = _comments(passages)
    assert [" ".join(p.text for p in comments[n]) for n in sorted(comments)] == expected_comments
    for parts in comments.values():
        for part in parts:
            assert part.quotation or part.text not in body  # nothing from the article
    assert len(converted.comment_meta) == len(comments)
    return passages


def test_wordpress_page_article_comments_reply_and_quotation():
    converted = convert_html(WORDPRESS.encode("utf-8"), "ferries.html")
    assert converted.format == "html"
    assert converted.structure == "column"
    assert (converted.title, converted.author) == ("Why ferries beat bridges", "Jane Marlow")
    assert converted.date.startswith("2025-03-20")
    passages = _check_page(
        converted,
        [
            f"{ARTICLE[1]} That is exactly why our county sold its bridge to a toll company.",
            "Toll companies raise prices. Ferries do too, though.",
            "“ferries are always late” Not in my town.",
        ],
    )
    first = _comments(passages)[1]
    assert [p.quotation for p in first] == [True, False]
    assert sum(p.quotation for p in passages) == 1
    assert converted.comment_meta == (
        {"author": "Tom Reyes", "date": "2025-03-21T09:15:00+00:00", "reply_to": None},
        {"author": "Ana Li", "date": "2025-03-21T10:00:00+00:00", "reply_to": 1},
        {"author": "Sam", "date": "2025-03-22T11:00:00+00:00", "reply_to": None},
    )


def test_disqus_thread():
    converted = convert_html(DISQUS.encode("utf-8"), "timetables.html")
    assert converted.structure == "column"
    assert converted.author == "Priya Nair"
    assert "Ferry timetables explained" in converted.title
    for phrase in ("Coast News home", "Tweet this story", "press council", "Share ›", "2 days"):
        assert phrase not in converted.text
    passages = _check_page(
        converted,
        [
            "The winter timetable is the real problem.",
            "Agreed, totally.",
            f"{ARTICLE[0]} Moved where, exactly?",
        ],
    )
    assert [p.quotation for p in _comments(passages)[3]] == [True, False]
    assert [(m["author"], m["reply_to"]) for m in converted.comment_meta] == [
        ("Morgan", None),
        ("Lee", 1),
        ("Chris", None),
    ]
    assert converted.comment_meta[0]["date"] == "Tuesday, March 25, 2025 3:02 AM"


def test_article_with_a_comments_section():
    converted = convert_html(SECTION.encode("utf-8"), "on-ferries.html")
    assert converted.title == "On ferries"
    assert converted.author == "Rosa Okafor"
    assert converted.date.startswith("2024-11-02")
    _check_page(
        converted,
        [
            "Two ferries for a whole town seems too few.",
            "Bridges also carry pipes and cables. A ferry cannot.",
        ],
    )
    assert [(m["author"], m["date"]) for m in converted.comment_meta] == [
        ("Dana", "2024-11-03"),
        ("Eli", ""),
    ]


def test_page_without_comments_is_stored_as_sections():
    page = f"<html><head><title>Ferries</title></head><body><article>{PARAGRAPHS}</article>"
    converted = convert_html(page.encode("utf-8"), "plain.html")
    assert converted.structure == "sections"
    assert converted.comments_after is None and converted.comment_meta == ()
    assert converted.text == "\n".join(ARTICLE)


def test_closed_comments_leave_a_sections_page_without_their_notice():
    page = f"""<html><body><article>{PARAGRAPHS}</article>
    <div id="comments"><p class="nocomments">Comments are closed.</p></div></body></html>"""
    converted = convert_html(page.encode("utf-8"), "closed.html")
    assert (converted.structure, converted.text) == ("sections", "\n".join(ARTICLE))


def test_older_wordpress_theme_without_comment_content():
    """Body, author and date straight in .comment-body, the reply link beside them."""
    page = f"""<html><body><article>{PARAGRAPHS}</article><ol class="commentlist">
    <li class="comment" id="li-comment-9"><div id="comment-9" class="comment-body">
    <div class="comment-author vcard"><cite class="fn">Old Timer</cite>
    <span class="says">says:</span></div>
    <div class="comment-meta commentmetadata"><a href="#comment-9">May 1, 2012 at 3:04 pm</a></div>
    <p>We had a ferry before the bridge.</p><p>Nobody misses it.</p>
    <div class="reply"><a class="comment-reply-link">Reply</a></div></div></li></ol>
    </body></html>"""
    converted = convert_html(page.encode("utf-8"), "old.html")
    _check_page(converted, ["We had a ferry before the bridge. Nobody misses it."])
    assert converted.comment_meta == (
        {"author": "Old Timer", "date": "May 1, 2012 at 3:04 pm", "reply_to": None},
    )


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"<html><head><title>Nothing here</title></head><body></body></html>",
        b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
    ],
)
def test_page_without_main_text_is_refused(page):
    with pytest.raises(UnsupportedFile, match="no main text found in the page"):
        convert_html(page, "empty.html")


def test_comments_that_look_like_article_text_keep_their_count():
    """A comment repeating the article, or only quoting it, stays one comment of its own."""
    items = [
        f"<p>{ARTICLE[2]}</p>",  # the whole comment is article text
        f"<blockquote>{ARTICLE[0]}</blockquote>",  # only a quotation
        "<p>Reader comments (5)</p>",  # words of the article
        "<p>— Reader comments (5) —</p>",  # the marker line itself
        "<p>Last word.</p>",
    ]
    thread = "".join(
        f'<li class="comment"><div class="comment-content">{i}</div></li>' for i in items
    )
    page = f"""<html><body><article>{PARAGRAPHS}<p>Reader comments (5) are moderated.</p>
    </article><ol class="comment-list">{thread}</ol></body></html>"""
    converted = convert_html(page.encode("utf-8"), "tricky.html")
    document = _document(converted)
    assert converted.comments_after == "— Reader comments (5) —"
    comments = [u for u in units_of(document) if u.kind == "comment"]
    assert [u.comment for u in comments] == [1, 2, 3, 4, 5]
    assert not any(u.quotation for u in comments)
    lines = [converted.text[u.start : u.end] for u in comments]
    assert lines[0] == f"“{ARTICLE[2]}”" and lines[1] == f"“{ARTICLE[0]}”"
    assert lines[2] == "Reader comments (5)"  # under 20 characters: no quotation
    assert lines[3] == "“— Reader comments (5) —”"


def _column_page(document: Document) -> bytes:
    """The corpus column as a web page: its article in <article>, its comments a WordPress list."""
    units = units_of(document)
    text = document.text
    article = E.E.article(
        *(E.P(text[u.start : u.end]) for u in units if u.kind in ("article", "bio"))
    )
    comments = defaultdict(list)
    for unit in units:
        if unit.kind == "comment":
            line = text[unit.start : unit.end]
            comments[unit.comment].append(E.BLOCKQUOTE(line) if unit.quotation else E.P(line))
    thread = E.OL(E.CLASS("comment-list"))
    for number in sorted(comments):
        content = E.DIV(E.CLASS("comment-content"), *comments[number])
        meta = E.DIV(E.CLASS("comment-author vcard"), E.B(E.CLASS("fn"), f"Reader {number}"))
        thread.append(E.LI(E.CLASS("comment"), E.E.article(E.CLASS("comment-body"), meta, content)))
    page = E.HTML(
        E.HEAD(E.TITLE(document.title)),
        E.BODY(
            E.DIV(E.CLASS("nav"), "Home | World | Asia"),
            article,
            E.DIV({"id": "comments"}, E.H2("Comments"), thread),
        ),
    )
    return tostring(page, encoding="utf-8", doctype="<!DOCTYPE html>")


def test_column_as_a_web_page_yields_the_same_13_reader_comments():
    column = {d.doc_id: d for d in load_corpus(REPO / "corpus")}[COLUMN]
    converted = convert_html(_column_page(column), "column.html")
    assert (converted.title, converted.date) == (column.title, "")  # no date invented
    passages = split_passages(_document(converted))
    expected = _comments(split_passages(column))
    found = _comments(passages)
    assert len(found) == len(expected) == 13
    for number in expected:
        assert [(p.text, p.quotation) for p in found[number]] == [
            (p.text, p.quotation) for p in expected[number]
        ]
    article_text = column.text[: column.text.index("is republished with permission.")]
    comments_start = converted.text.index(converted.comments_after)
    assert all(p.start <= comments_start for p in passages if p.kind == "article")
    for passage in passages:
        if passage.kind == "comment" and not passage.quotation:
            assert passage.text not in article_text
    article_passages = [p.text for p in passages if p.kind == "article"]
    assert all(p.text in article_passages for p in split_passages(column) if p.kind == "article")
    assert [m["author"] for m in converted.comment_meta] == [f"Reader {n}" for n in range(1, 14)]


def test_html_builder_escapes_text():
    """The fixture builder escapes what it is given, so corpus text cannot break the page."""
    assert b"&lt;b&gt;" in etree.tostring(E.P("<b>"))
