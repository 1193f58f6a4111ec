"""The Thameside Chronicle: a British daily. Div soup, a serif look, Open Graph and <time>."""

from __future__ import annotations

from headlines.demo.content import OUTLETS_BY_SLUG, Article, Newsroom
from headlines.demo.sites import e, image_path, iso, teaser_list, uk_date

OUTLET = OUTLETS_BY_SLUG["chronicle"]

STYLE = """
body{margin:0;background:#f6f6f6;color:#121212;font:17px/1.55 Georgia,'Times New Roman',serif}
#masthead{background:#052962;color:#fff;padding:14px 20px}#masthead a{color:#fff}
.logo{font:700 40px/1 Georgia,serif;letter-spacing:-1px}.pillars a{margin-right:16px;
text-decoration:none;font-weight:700;border-top:4px solid #c70000;padding-top:4px}
#wrapper{max-width:980px;margin:0 auto;display:flex;gap:24px;padding:20px}
.story{flex:3;background:#fff;padding:20px}.rail{flex:1;font-size:14px}
.headline{font:700 34px/1.15 Georgia,serif}.standfirst{font-size:19px;color:#333}
.caption{display:block;font:13px/1.4 Arial,sans-serif;color:#707070}
.credit{font-style:italic}.social a{margin-right:8px;font:700 13px Arial,sans-serif}
.nl-promo{border:1px solid #ddd;border-top:2px solid #052962;padding:12px 16px;margin:20px 0;
font-family:Arial,sans-serif;font-size:15px}.related-inline{border-left:3px solid #c70000;
padding-left:10px;font-family:Arial,sans-serif}
#cmp{position:fixed;bottom:0;width:100%;background:#fff;border-top:1px solid #999;padding:14px}
.site-footer{background:#052962;color:#ccc;padding:20px;font:14px Arial,sans-serif}
"""


# The newsletter promotion between paragraphs, as British sites run it.
PROMO = """<div class="nl-promo"><p class="nl-title"><b>Sign up to First Edition</b></p>
<p>Our free daily newsletter \u2013 every weekday morning at 7am GMT</p>
<p class="nl-privacy">Privacy Notice: Newsletters may contain info about charities, online ads,
and content funded by outside parties. For more information see our Privacy Policy.</p>
<form><input type="email" aria-label="Enter your email address"><button>Sign up</button></form>
<p class="nl-thanks" hidden>Thank you for signing up to First Edition.</p></div>
<p class="after-promo">after newsletter promotion</p>"""


def _page(room: Newsroom, *, title: str, head: str, content: str) -> str:
    pillars = "".join(
        f'<a href="/chronicle/{e(slug)}/">{e(label)}</a>' for slug, label in OUTLET.sections
    )
    most_viewed = "".join(
        f'<li><a href="{e(room.path(a))}">{e(a.title)}</a></li>'
        for a in room.of_outlet("chronicle")[:5]
    )
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{e(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">{head}<style>{STYLE}</style>
<link rel="alternate" type="application/atom+xml" href="/chronicle/atom.xml" title="Chronicle">
</head><body>
<div id="masthead"><div class="logo"><a href="/chronicle/">The Thameside Chronicle</a></div>
<div class="support">Support independent journalism · <a href="/chronicle/subscribe">Subscribe</a>
 · <a href="/chronicle/signin">Sign in</a></div><div class="pillars">{pillars}</div></div>
<div id="wrapper"><div class="story">{content}</div>
<div class="rail"><div class="most-viewed"><h3>Most viewed</h3><ol>{most_viewed}</ol></div></div>
</div>
<div class="site-footer"><a href="/chronicle/help">Help</a> | <a href="/chronicle/complaints">
Complaints &amp; corrections</a> | <a href="/chronicle/privacy">Privacy policy</a> |
<a href="/chronicle/cookies">Cookie policy</a> | <a href="/chronicle/atom.xml">Atom</a><br>
© {room.now:%Y} Thameside Media Group Ltd. All rights reserved.</div>
<div id="cmp"><div class="cmp-message">It's your choice. We and our partners use cookies to
personalise content and ads and to analyse our traffic. You can change your choices at any time
by visiting Privacy settings. <a href="/chronicle/cookies">Read our cookie policy</a>.</div>
<div><button>Yes, I'm happy</button> <button>Manage my cookies</button></div></div>
</body></html>
"""


def front(room: Newsroom, base: str, section: str | None) -> str:
    articles = room.of_outlet("chronicle", section)
    label = OUTLET.section_label(section) if section else "Headlines"
    content = f"<div class='fc-container'><h1 class='headline'>{e(label)}</h1>"
    content += teaser_list(room, articles, css="fc-item") + "</div>"
    return _page(room, title=f"{label} | The Thameside Chronicle", head="", content=content)


def _social(url: str) -> str:
    return (
        '<div class="social">'
        f'<a href="https://facebook.example/sharer?u={e(url)}">Share on Facebook</a>'
        f'<a href="https://x.example/share?url={e(url)}">Share on X</a>'
        f'<a href="mailto:?body={e(url)}">Share via Email</a></div>'
    )


def article(room: Newsroom, base: str, article: Article) -> str:
    url = base + room.path(article)
    published = room.published(article)
    head = (
        f'<link rel="canonical" href="{e(url)}">'
        f'<meta property="og:title" content="{e(article.title)}">'
        f'<meta property="og:url" content="{e(url)}">'
        f'<meta property="og:image" content="{e(base + image_path(article))}">'
        f'<meta property="article:published_time" content="{iso(published)}">'
        f'<meta property="article:section" content="{e(OUTLET.section_label(article.section))}">'
    )
    related = room.related(article, limit=2)
    paras = [f"<p>{e(p)}</p>" for p in room.paragraphs(article)]
    if related:
        inline = (
            f'<aside class="related-inline">Related: <a href="{e(room.path(related[0]))}">'
            f"{e(related[0].title)}</a></aside>"
        )
        paras.insert(1, inline)
    paras.insert(min(2, len(paras)), PROMO)
    social = _social(url)
    more = "".join(
        f'<li><a href="{e(room.path(r))}">{e(r.title)}</a></li>'
        for r in room.related(article, limit=4)
    )
    content = f"""<div class="content__labels"><a href="/chronicle/{e(article.section)}/">{
        e(OUTLET.section_label(article.section))
    }</a></div>
<h1 class="headline">{e(article.title)}</h1>
<div class="standfirst"><p>{e(article.standfirst)}</p></div>
<div class="meta"><span class="byline">{e(article.author)}</span><br>
<time datetime="{iso(published)}" class="dateline">{uk_date(published)}</time></div>
{social}
<div class="media"><img src="{image_path(article)}" alt="" width="620" height="372">
<span class="caption">{e(room.caption(article))}. <span class="credit">Photograph: {
        e(article.credit)
    }/The Chronicle</span></span></div>
<div class="story-body" itemprop="articleBody">{"".join(paras)}</div>
{social}
<div class="more-on-this-story"><h2>More on this story</h2><ul>{more}</ul></div>
<p class="reuse"><a href="/chronicle/licensing">Reuse this content</a></p>"""
    return _page(
        room, title=f"{article.title} | The Thameside Chronicle", head=head, content=content
    )
