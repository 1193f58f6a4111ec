"""What a page holds that its reader does not see as its article, removed from the parsed page
before trafilatura reads it (`extract._bare_text` hands trafilatura `without_unseen(html)`):

- what the page hides (an inline style "display: none" or "visibility: hidden", the `hidden`
  attribute, or `aria-hidden="true"`): copies kept for a script to show (each reader's comment
  twice, one hidden), pop-ups and dialogs, menus for small screens; trafilatura's own extractor
  drops most of them, and the extractors it falls back on (readability, jusText) kept them;
- a dialog, shown only when the reader opens it (a `<dialog>` not open, `role="dialog"` or
  `"alertdialog"`, `aria-modal="true"`, or a block named a modal: "scrap-modal"): a "save this
  article" memo box's labels and buttons, hidden by the site's style sheet, which nothing here
  reads ("メモ入力 -最大400文字まで … 完了");
- a readers' comments section, by the name its markup gives it (an id or class word, words cut
  at "-", "_" and spaces: "sf_comment_list", "comments-area", "lista-comentarios").
  trafilatura drops those whose name starts with "comment"; one named otherwise stayed in the
  article, every comment with its "2 hours ago". Developers name them in their own language
  too;
- a block of page furniture, by the same kind of name, whatever the language of its words: a
  cookie banner ("cookie-law-info-bar", "cookiemsg"), a consent notice, a newsletter or
  subscription box, a share bar ("share-compact", "td-post-sharing-top"), holding what a widget
  does: no paragraph of prose, or one beside a form, field, button or link (a paywalled
  article's teaser, one paragraph alone, stays). trafilatura's own extractor drops most of them
  by such names; the extractors it falls back on kept them ("Piesakies LSM pasta saņemšanai! …
  Apstiprināt", a Latvian newsletter box with its button, and the site's cookie notice, after
  the article).

Never what holds the headline or an `article`, nor what would take half of the page's text.
"""

from __future__ import annotations

import functools
import re
from typing import Any

HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
COMMENT_WORDS = frozenset(
    {
        "comment", "comments", "comentario", "comentarios", "commentaire", "commentaires",
        "kommentar", "kommentare", "commento", "commenti", "komentarz", "komentarze", "disqus",
    }
)  # fmt: skip
# Words that name the article itself: an element named for both ("entry-content comments-open")
# is the article with its comments allowed, not the comments.
CONTENT_WORDS = frozenset({"article", "body", "content", "entry", "main", "story"})
NAME_PARTS = re.compile(r"[\s_-]+")
# Comments and hidden copies hold less of a page than its article and furniture: when what
# would go holds half of the page's text or more, it is what the page is about (a match's live
# commentary, whose minutes are "live-match-comment"s; an article a script shows), and stays.
UNSEEN_MAX_SHARE = 0.5
# A hidden block with this many paragraphs of prose is the article's, shown by a script (the
# rest of it behind "Read more"), whatever share of the page it holds; a pop-up or a help box
# ("What are these links for?", three paragraphs) holds fewer.
HIDDEN_PROSE = 5
PROSE_LETTERS = 40  # a paragraph of prose: about eight words
# Only blocks go: a hidden paragraph is often the plain copy of what the page shows another way
# (a code sample's text kept for a "copy" button).
CONTAINERS = frozenset({"div", "section", "ul", "ol", "aside", "details", "dialog"})
DIALOG_ROLES = frozenset({"dialog", "alertdialog"})


# What every one of COMMENT_WORDS holds, "Comment" and "Kommentar" alike.
COMMENT_STEMS = ("omment", "omentar", "isqus")
# Name words that begin so call a block furniture (`_furniture`): "newsletter-lead",
# "subscribe-form", "share_box", "addthis_sharing_toolbox", "gdpr-disclaimer".
FURNITURE_STEMS = ("consent", "gdpr", "newsletter", "subscri", "share", "sharing")
# What a name must hold before its words are read (most blocks have none of it, or no name).
FURNITURE_HINT = re.compile("|".join((*FURNITURE_STEMS, "cookie")))
# A name word "cookie" calls a block furniture only beside a banner's word ("cookie-law-info-bar")
# or glued to one ("cookiebar", "cookiemsg"): a baking blog's "cookie-recipe" is its article.
COOKIE = re.compile(r"cookies?")
BANNER_WORDS = frozenset(
    {
        "bar", "banner", "notice", "notification", "msg", "message", "law", "info", "popup",
        "consent", "accept", "policy", "warning", "alert", "container", "box", "modal",
    }
)  # fmt: skip
# A furniture block holds at most this many paragraphs of prose, a newsletter box's pitch, and
# then a control beside it (`_has_control`).
FURNITURE_PROSE = 1


@functools.lru_cache(maxsize=2)
def without_unseen(html: str) -> Any:
    """The page as trafilatura's parsed tree, without what its reader does not see as its
    article (`_unseen`); the page as given when it cannot be parsed (which trafilatura then
    says). A page is read up to four times (with and without its tables, and again when its
    text came out as one line): the last two are remembered, parsed once, and trafilatura works
    on a copy of the tree each time."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    body = None if tree is None else tree.find("body")
    if body is None:
        return html
    found = {element for element in body.iter(*CONTAINERS) if _unseen(element)}
    outermost = [e for e in found if not any(a in found for a in e.iterancestors())]
    if outermost and sum(map(_letters, outermost)) < UNSEEN_MAX_SHARE * max(_letters(body), 1):
        for element in outermost:
            element.drop_tree()
    return tree


def _unseen(element: Any) -> bool:
    """Whether a block (one of CONTAINERS) is hidden or a comments section, and holds no
    headline or article."""
    style = element.get("style")
    names = f"{element.get('id') or ''} {element.get('class') or ''}".casefold()
    hidden = (
        element.get("hidden") is not None
        or (element.get("aria-hidden") or "").strip().casefold() == "true"
        or bool(style and HIDDEN.search(style))
        or _dialog(element, names)
    )
    if hidden and _prose(element) >= HIDDEN_PROSE:
        return False  # the rest of the article behind a "Read more"
    if not hidden and not _comments(names) and not _furniture(element, names):
        return False
    return element.find(".//h1") is None and element.find(".//article") is None


def _dialog(element: Any, names: str) -> bool:
    """Whether a block is a dialog, seen only once the reader opens it (`names`: its id and
    class, in small letters)."""
    if element.tag == "dialog":
        return element.get("open") is None
    if (element.get("role") or "").strip().casefold() in DIALOG_ROLES:
        return True
    if (element.get("aria-modal") or "").strip().casefold() == "true":
        return True
    return "modal" in names and "modal" in NAME_PARTS.split(names)


def _furniture(element: Any, names: str) -> bool:
    """Whether a block's id or class (`names`: both, in small letters) names it page furniture
    (FURNITURE_STEMS, a cookie banner), not the article, and it holds no paragraph of prose, or
    at most FURNITURE_PROSE beside a control."""
    if not FURNITURE_HINT.search(names):
        return False
    words = set(NAME_PARTS.split(names)) - {""}
    if words & CONTENT_WORDS:
        return False
    named = any(word.startswith(FURNITURE_STEMS) for word in words) or any(
        _cookie_banner(word, words) for word in words
    )
    if not named:
        return False
    prose = _prose(element)
    return prose == 0 or (prose <= FURNITURE_PROSE and _has_control(element))


def _has_control(element: Any) -> bool:
    """Whether a block holds what a widget does (a form, a field, a button, a link)."""
    return next(element.iter("form", "input", "button", "select", "a"), None) is not None


def _cookie_banner(word: str, words: set[str]) -> bool:
    found = COOKIE.match(word)
    if found is None:
        return False
    rest = word[found.end() :]
    return rest in BANNER_WORDS or (not rest and bool(words & BANNER_WORDS))


def _prose(element: Any) -> int:
    """How many paragraphs of prose an element holds (PROSE_LETTERS letters or more)."""
    return sum(1 for paragraph in element.iter("p") if _letters(paragraph) >= PROSE_LETTERS)


def _comments(names: str) -> bool:
    """Whether an element's id or class (`names`: both, in small letters) names it a comments
    section, and not the article."""
    if not any(stem in names for stem in COMMENT_STEMS):
        return False
    words = set(NAME_PARTS.split(names))
    return bool(words & COMMENT_WORDS) and not words & CONTENT_WORDS


def _letters(element: Any) -> int:
    """How much a reader sees of an element: its text's characters but spaces, its scripts' and
    styles' aside."""
    unseen = sum(_all_letters(e) for e in element.iter("script", "style"))
    return _all_letters(element) - unseen


def _all_letters(element: Any) -> int:
    text = element.text_content()
    return len(text) - sum(text.count(space) for space in " \n\t\r\xa0")
