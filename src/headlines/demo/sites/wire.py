"""Harbour Wire: a news agency. Old table layout, `<br>`-separated copy, datelines, no JSON-LD."""

from __future__ import annotations

from headlines.demo.content import OUTLETS_BY_SLUG, Article, Newsroom
from headlines.demo.sites import e, image_path, iso, teaser_list, us_date

OUTLET = OUTLETS_BY_SLUG["wire"]

STYLE = """
body{margin:0;font:15px/1.5 Verdana,Geneva,sans-serif;color:#222;background:#fafafa}
table.layout{width:100%;border-collapse:collapse}td.nav{width:180px;background:#ff8000;
vertical-align:top;padding:10px}td.nav a{display:block;color:#fff;font-weight:bold;
text-decoration:none;padding:4px 0}td.content{vertical-align:top;padding:14px 24px;max-width:720px}
.wire-logo{font:bold 28px Verdana;color:#ff8000;padding:10px 24px;background:#222}
.wire-headline{font-size:28px;line-height:1.2}.wire-meta{color:#777;font-size:12px}
.wire-photo-credit{font-size:11px;color:#777}.wire-share a{margin-right:6px;font-size:12px}
.briefing{background:#fff3e6;padding:10px;border:1px dashed #ff8000;margin:14px 0}
.consent-bar{background:#ff8000;color:#000;padding:10px;font-size:13px}
"""


def _page(room: Newsroom, *, title: str, head: str, content: str) -> str:
    nav = "".join(
        f'<a href="/wire/news/{e(slug)}">{e(label)}</a>' for slug, label in OUTLET.sections
    )
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{e(title)}</title>{head}<style>{STYLE}</style></head>
<body><div class="consent-bar">This site uses cookies. By continuing to browse you consent to
our use of cookies. <a href="/wire/cookies">Find out more</a> <a href="#">OK</a></div>
<div class="wire-logo"><a href="/wire/" style="color:#ff8000">HARBOUR WIRE</a></div>
<table class="layout"><tr><td class="nav">{nav}<a href="/wire/rss.xml">RSS</a></td>
<td class="content">{content}</td></tr></table>
<div class="wire-footer">All quotes delayed a minimum of 15 minutes. © {room.now:%Y} Harbour Wire.
All rights reserved. <a href="/wire/standards">Our Standards: The Harbour Wire Trust
Principles.</a></div></body></html>
"""


def front(room: Newsroom, base: str, section: str | None) -> str:
    articles = room.of_outlet("wire", section)
    label = OUTLET.section_label(section) if section else "Latest from the wire"
    content = f"<h1>{e(label)}</h1>" + teaser_list(room, articles, css="wire-item")
    return _page(room, title=f"{label} | Harbour Wire", head="", content=content)


def article(room: Newsroom, base: str, article: Article) -> str:
    url = base + room.path(article)
    published = room.published(article)
    head = (
        f'<link rel="canonical" href="{e(url)}">'
        f'<meta name="description" content="{e(article.standfirst)}">'
        f'<meta name="date" content="{iso(published)}">'
        f'<meta name="byl" content="By {e(article.author)}">'
        f'<meta name="og:image" content="{e(base + image_path(article))}">'
    )
    paragraphs = list(room.paragraphs(article))
    if article.dateline:
        paragraphs[0] = f"{article.dateline} (Harbour Wire) - {paragraphs[0]}"
    copy = "<br><br>\n".join(e(p) for p in paragraphs)
    briefing = (
        '<div class="briefing">Get the Harbour Wire Daily Briefing newsletter Enter your email '
        'address <input type="text" name="em"> <a href="#">Subscribe</a> By signing up you agree '
        "to our Terms of Use Thank you for subscribing!</div>"
    )
    related = "".join(
        f'<li><a href="{e(room.path(r))}">{e(r.title)}</a></li>' for r in room.related(article)
    )
    content = f"""<div class="wire-kicker">{e(OUTLET.section_label(article.section))}</div>
<h1 class="wire-headline">{e(article.title)}</h1>
<div class="wire-meta">By {e(article.author)} | {us_date(published)} | 2 min read</div>
<div class="wire-share">Share this article: <a href="#">LinkedIn</a> <a href="#">X</a>
<a href="mailto:?subject={e(article.title)}">Email</a></div>
<div class="wire-photo"><img src="{image_path(article)}" alt="{
        e(room.caption(article))
    }" width="600"
height="338"><div class="wire-photo-credit">{e(room.caption(article))} (Photo by {
        e(article.credit)
    } / Harbour Wire)</div></div>
<div class="wire-text">{copy}
{briefing}
Reporting by {e(article.author)}; Editing by Sam Whitlock</div>
<p class="wire-more"><b>Related coverage</b></p><ul>{related}</ul>
<p class="wire-license">Purchase Licensing Rights, opens new tab</p>
<time datetime="{iso(published)}" hidden></time>"""
    return _page(room, title=f"{article.title} | Harbour Wire", head=head, content=content)
