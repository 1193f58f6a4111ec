"""The Daily Meridian: a US national daily. Semantic HTML5, JSON-LD, a busy sans-serif look."""

from __future__ import annotations

import json

from headlines.demo.content import OUTLETS_BY_SLUG, Article, Newsroom
from headlines.demo.sites import e, image_path, iso, teaser_list, us_date

OUTLET = OUTLETS_BY_SLUG["meridian"]

STYLE = """
body{margin:0;font:16px/1.6 Helvetica,Arial,sans-serif;color:#111;background:#fff}
.top{background:#0a2342;color:#fff;padding:10px 24px}.top a{color:#fff}
.brand{font:700 34px/1.1 Georgia,serif;margin:6px 0}
nav.sections a{color:#fff;margin-right:14px;text-decoration:none;font-weight:600}
main{max-width:760px;margin:0 auto;padding:16px 24px}
h1{font:700 36px/1.15 Georgia,serif}.dek{font-size:20px;color:#444}
.byline{color:#555;font-size:14px}figure{margin:16px 0}figcaption{font-size:13px;color:#666}
.share-bar{display:flex;gap:10px;font-size:13px;margin:12px 0}
.share-bar a{border:1px solid #ccc;border-radius:14px;padding:2px 10px;color:#0a2342}
.newsletter-signup{background:#eef3fa;border-top:3px solid #0a2342;padding:14px;margin:22px 0}
.read-more{font-weight:600}.cookie-banner{position:fixed;bottom:0;left:0;right:0;
background:#222;color:#eee;padding:12px 24px;font-size:14px}
footer{border-top:1px solid #ddd;margin-top:30px;padding:16px 24px;font-size:13px;color:#666}
"""


# The embedded newsletter sign-up, with the prompt and thank-you line a scrubber must remove.
WIDGET = """<aside class="newsletter-signup" aria-label="Newsletter">
<h2>Sign up for The Morning Meridian</h2>
<p>Get the day's top stories in your inbox every weekday morning.</p>
<form action="/meridian/newsletter" method="post"><label>Email address
<input type="email" name="email" placeholder="Enter your email address"></label>
<button>Sign up</button></form>
<p class="legal">By signing up, you agree to our Terms of Service and Privacy Policy.</p>
<p class="thanks" hidden>Thanks for signing up! Check your inbox to confirm your subscription.</p>
</aside>"""


def _page(room: Newsroom, *, title: str, head: str, body: str) -> str:
    nav = "".join(
        f'<a href="/meridian/section/{e(slug)}">{e(label)}</a>' for slug, label in OUTLET.sections
    )
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>{head}<style>{STYLE}</style>
<link rel="alternate" type="application/rss+xml" title="Meridian" href="/meridian/rss.xml">
</head><body>
<header class="top"><a class="skip" href="#main">Skip to content</a>
<div class="brand"><a href="/meridian/">{e(OUTLET.name)}</a></div>
<nav class="sections" aria-label="Sections">{nav}</nav></header>
<main id="main">{body}</main>
<footer><nav><a href="/meridian/about">About us</a> · <a href="/meridian/terms">Terms of Service</a>
 · <a href="/meridian/privacy">Privacy Policy</a> · <a href="/meridian/rss.xml">RSS</a></nav>
<p>© {room.now:%Y} The Daily Meridian Company. All rights reserved.</p></footer>
<div class="cookie-banner" role="dialog" aria-label="Cookie consent">
<p>We use cookies and similar technologies to improve your experience, measure traffic and show
personalized ads. By clicking "Accept all", you agree to our use of cookies.
<button>Accept all</button> <button>Manage preferences</button></p></div>
</body></html>
"""


def front(room: Newsroom, base: str, section: str | None) -> str:
    articles = room.of_outlet("meridian", section)
    label = OUTLET.section_label(section) if section else "Top stories"
    lead, rest = (articles[0], articles[1:]) if articles else (None, [])
    lead_html = (
        f'<section class="lead"><h2><a href="{e(room.path(lead))}">{e(lead.title)}</a></h2>'
        f'<img src="{image_path(lead)}" alt="{e(room.caption(lead))}" width="700" height="394">'
        f"<p>{e(lead.standfirst)}</p></section>"
        if lead
        else "<p>No stories in this section yet.</p>"
    )
    body = (
        f"<h1>{e(label)}</h1>{lead_html}"
        f"<section class='more'><h2>More news</h2>{teaser_list(room, rest, css='card')}</section>"
    )
    return _page(room, title=f"{label} | The Daily Meridian", head="", body=body)


def _json_ld(room: Newsroom, base: str, article: Article) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso(room.published(article)),
        "dateModified": iso(room.modified(article)),
        "author": [{"@type": "Person", "name": article.author}],
        "publisher": {"@type": "Organization", "name": OUTLET.name},
        "image": [base + image_path(article)],
        "articleSection": OUTLET.section_label(article.section),
    }
    return json.dumps(data).replace("</", "<\\/")


def _share_bar(url: str, title: str) -> str:
    return (
        '<div class="share-bar" aria-label="Share this story"><span>Share</span>'
        f'<a href="https://facebook.example/share?u={e(url)}">Facebook</a>'
        f'<a href="https://x.example/intent?u={e(url)}">X</a>'
        f'<a href="mailto:?subject={e(title)}">Email</a><a href="#">Copy link</a></div>'
    )


def article(room: Newsroom, base: str, article: Article) -> str:
    url = base + room.path(article)
    head = (
        f'<link rel="canonical" href="{e(url)}">'
        f'<meta property="og:type" content="article">'
        f'<meta property="og:title" content="{e(article.title)}">'
        f'<meta property="og:description" content="{e(article.standfirst)}">'
        f'<meta property="og:image" content="{e(base + image_path(article))}">'
        f'<meta property="article:published_time" content="{iso(room.published(article))}">'
        f'<meta name="author" content="{e(article.author)}">'
        f'<script type="application/ld+json">{_json_ld(room, base, article)}</script>'
    )
    related = room.related(article)
    paragraphs = [f"<p>{e(p)}</p>" for p in room.paragraphs(article)]
    if related:
        read_more = (
            f'<p class="read-more"><strong>Read more:</strong> '
            f'<a href="{e(room.path(related[0]))}">{e(related[0].title)}</a></p>'
        )
        paragraphs.insert(min(2, len(paragraphs)), read_more)
    share = _share_bar(url, article.title)
    paragraphs.insert(min(3, len(paragraphs)), WIDGET)
    related_html = "".join(
        f'<li><a href="{e(room.path(r))}">{e(r.title)}</a></li>' for r in related
    )
    body = f"""<article>
<p class="kicker"><a href="/meridian/section/{e(article.section)}">{
        e(OUTLET.section_label(article.section))
    }</a></p>
<h1>{e(article.title)}</h1><p class="dek">{e(article.standfirst)}</p>
<p class="byline">By <a href="/meridian/by/{e(article.author)}">{e(article.author)}</a> ·
<time datetime="{iso(room.published(article))}">{us_date(room.published(article))}</time></p>
{share}
<figure><img src="{image_path(article)}" alt="{e(room.caption(article))}" width="700" height="394">
<figcaption>{e(room.caption(article))}. (Photo: {e(article.credit)}/The Daily Meridian)</figcaption>
</figure>
<div class="article-body">{"".join(paragraphs)}</div>
{share}
<section class="related"><h2>Related coverage</h2><ul>{related_html}</ul></section>
</article>"""
    return _page(room, title=f"{article.title} | The Daily Meridian", head=head, body=body)
