# ruff: noqa: RUF001
"""A page to its article: `headlines extract --json` on pages in several languages and
scripts, short ones included."""

import json
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from headlines.intake.extraction.cleaning import CleanArticle
from headlines.intake.pipeline.extract import extract_inputs
from headlines.intake.reading.inputs import Failure

PAGES = {
    "ja": (
        "東京で新しい地下鉄路線が開業",
        [
            "東京都は二十八日、新しい地下鉄路線が開業したと発表した。通勤客の混雑緩和が期待されている。",
            "関係者によると、一日あたり十万人の利用が見込まれている。式典には知事も出席した。",
        ],
    ),
    "zh": (
        "北京新地铁线路开通运营",
        [
            "北京市政府周三宣布，一条新的地铁线路正式开通运营。预计这条线路将缓解市中心的交通拥堵。",
            "官员表示，每天将有十万名乘客使用这条线路。开通仪式上，市长为新线路剪彩。",
        ],
    ),
    "th": (
        "กรุงเทพฯ เปิดรถไฟฟ้าสายใหม่",
        [
            "กรุงเทพมหานครประกาศเมื่อวันพุธว่ารถไฟฟ้าสายใหม่เปิดให้บริการแล้ว",
            "เจ้าหน้าที่กล่าวว่าจะมีผู้โดยสารวันละหนึ่งแสนคน ผู้ว่าราชการเป็นประธานในพิธีเปิด",
        ],
    ),
    "ar": (
        "افتتاح خط مترو جديد في القاهرة",
        [
            "أعلنت محافظة القاهرة يوم الأربعاء افتتاح خط مترو جديد أمام الركاب.",
            "وقال مسؤولون إن نحو مئة ألف راكب سيستخدمون الخط يوميا. وحضر المحافظ حفل الافتتاح.",
        ],
    ),
    "ru": (
        "В Москве открылась новая линия метро",
        [
            "Мэрия Москвы сообщила в среду, что открылась новая линия метро.",
            "По словам чиновников, ежедневно ею будут пользоваться сто тысяч человек.",
        ],
    ),
    "en": (
        "Tram line opens in the city",
        [
            "The city opened its new tram line on Wednesday.",
            "About a hundred thousand riders are expected daily.",
        ],
    ),
}


def page(language: str) -> str:
    title, paragraphs = PAGES[language]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><nav><a href='/'>Home</a></nav><article>"
        f"<h1>{title}</h1>{body}<figure><img src='t.jpg'><figcaption>Riders at the station. "
        "Photo: Jane Doe/AFP</figcaption></figure></article><footer>© 2022</footer></body></html>"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(PAGES))
def test_a_short_article_keeps_its_paragraphs_in_any_script(tmp_path: Path, language: str) -> None:
    # Under 250 characters (a whole short article in Japanese or Chinese) trafilatura gave the
    # article element's text as one line: headline, paragraphs and photo caption run together.
    path = tmp_path / f"{language}.html"
    path.write_text(page(language), encoding="utf-8")
    out = StringIO()
    call_command("extract", "--json", str(path), stdout=out, stderr=StringIO())
    [article] = [json.loads(line) for line in out.getvalue().splitlines()]
    title, paragraphs = PAGES[language]
    assert article["title"] == title
    assert article["text"] == "\n\n".join(paragraphs)
    assert article["language"] == language


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("head_title", "heading", "title"),
    [
        ("Tram line opens in the city | The Courier", "Tram line opens in the city", None),
        ("Tram line opens in the city - The Courier", "Tram line opens in the city", None),
        ("東京で新しい地下鉄路線が開業 | 共同", "東京で新しい地下鉄路線が開業", None),
        # The headline goes on after the heading: kept whole.
        (
            "Brexit: the deal explained | The Courier",
            "Brexit",
            "Brexit: the deal explained | The Courier",
        ),
        ("Brexit - the deal explained in full", "Brexit", "Brexit - the deal explained in full"),
        ("Covid-19 cases rise in the city", "Covid", "Covid-19 cases rise in the city"),
    ],
)
def test_the_title_is_the_headline_without_the_sites_name(
    tmp_path: Path, head_title: str, heading: str, title: str | None
) -> None:
    _, paragraphs = PAGES["en"]
    body = "".join(f"<p>{p}</p>" for p in paragraphs * 3)
    found = extracted(
        tmp_path,
        f"<html><head><title>{head_title}</title></head><body><article><h1>{heading}</h1>"
        f"{body}</article></body></html>",
    )
    assert found["title"] == (title or heading)


def extracted(tmp_path: Path, page: str) -> dict[str, object]:
    """`headlines extract --json` of one page: its article."""
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    out = StringIO()
    call_command("extract", "--json", str(path), stdout=out, stderr=StringIO())
    return dict(json.loads(out.getvalue()))


AUTHOR_STORY = "".join(
    f"<p>{p}</p>"
    for p in (
        "The harbour board voted on Tuesday to rebuild the north pier before the winter storms.",
        "Fishermen asked for a landing stage on the south side while the work goes on.",
        "The board said the work would start in March and take about eight months to finish.",
    )
)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Ana Ruiz", "Ana Ruiz"),
        # The word a byline starts with, in the languages that write one.
        ("By SETH MYDANS", "Seth Mydans"),
        ("By  Ed Hornick, CNN", "Ed Hornick, CNN"),
        ("by: Ana Ruiz", "Ana Ruiz"),
        ("Por Ana Ruiz", "Ana Ruiz"),
        ("Von Max Muster", "Max Muster"),
        ("Von Miller", "Von Miller"),  # a name, not "by Miller"
        ("By", "By"),
        # A web address beside the name, or standing for it (the site's, not an author).
        ("Bradley M. Kuhn (http://ebb.org/bkuhn/)", "Bradley M. Kuhn"),
        ("Deutsche Welle (www.dw.com)", "Deutsche Welle"),
        ("lefigaro.fr", ""),
        ("www.everardoherrera.com", ""),
        ("facebook.com/vegolosi", ""),
        ("https://example.com/authors/ana", ""),
        ("U.S. News", "U.S. News"),
        # Names in capitals written as names are; one word in capitals is a brand's spelling.
        ("THE ASSOCIATED PRESS", "The Associated Press"),
        ("J.D. BIERSDORFER", "J.D. Biersdorfer"),
        ("ANNE-MARIE O'BRIEN", "Anne-Marie O'Brien"),
        ("UNIVERSITY OF MICHIGAN", "University of Michigan"),
        ("Par LILIAN ALEMAGNA; Laure Bretton", "Lilian Alemagna; Laure Bretton"),
        ("VOGUE", "VOGUE"),
        ("BDZV", "BDZV"),
        ("肖春芳", "肖春芳"),
        ("Ann\x00 \ud800Lee", "Ann Lee"),
        ("", ""),
    ],
)
def test_an_author_is_stored_as_a_name_is_written(given: str, stored: str) -> None:
    from headlines.intake.extraction.metadata import tidy_author

    assert tidy_author(given) == stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("head", "byline", "author"),
    [
        # Named in the head: as before.
        ('<meta name="author" content="Ana Ruiz">', "", "Ana Ruiz"),
        # As a wire's head names its writer, and in capitals.
        ('<meta name="byl" content="By ANA RUIZ">', "", "Ana Ruiz"),
        # schema.org's JSON-LD, which many news pages give instead.
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
            '"NewsArticle", "author": [{"@type": "Person", "name": "Luis \\u00c1vila"}]}</script>',
            "",
            "Luis Ávila",
        ),
        # A byline in the page, without its "By" and the date after it.
        ("", '<p class="byline">By <a rel="author" href="/a/jd">Jane Doe</a></p>', "Jane Doe"),
        # A byline that is a button is no author.
        ("", '<div class="author"><a href="/u">View Profile</a></div>', ""),
        # JSON-LD of a shape the reader does not expect: the byline still is.
        (
            '<script type="application/ld+json">[1, 2, {"author": "x"}]</script>',
            '<p class="byline">By <a rel="author" href="/a/jd">Jane Doe</a></p>',
            "Jane Doe",
        ),
        ("", "", ""),
    ],
)
def test_the_author_is_read_from_the_head_the_json_ld_or_the_byline(
    tmp_path: Path, head: str, byline: str, author: str
) -> None:
    found = extracted(
        tmp_path,
        f"<html><head><title>Pier to be rebuilt</title>{head}</head><body><article>"
        f"<h1>Pier to be rebuilt</h1>{byline}{AUTHOR_STORY}</article></body></html>",
    )
    assert found["author"] == author
    text = str(found["text"])
    assert "View Profile" not in text and text.startswith("The harbour board")


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("Dan Goodin", "Dan Goodin"),
        ("Nathan Willis March", "Nathan Willis"),  # the date that followed it
        ("Theresa May", "Theresa May"),  # a month's name that is her name
        ("Aleš Vávra před", "Aleš Vávra"),  # "před 2 hodinami": an hour ago
        ("Richard Lam Published ; British Columbia", "Richard Lam; British Columbia"),
        ("Kevork Djansezian; File", "Kevork Djansezian"),  # a label beside a name
        ("Reuters; AFP", "Reuters; AFP"),
        ("Jeffrey Gettleman; JEFFREY GETTLEMAN", "Jeffrey Gettleman"),
        ("Ludwig van Beethoven", "Ludwig van Beethoven"),
        # An initial's and an abbreviation's full stop is the name's; a sentence's is not.
        ("Perry Bacon Jr.", "Perry Bacon Jr."),
        ("Kooman, F.", "Kooman, F."),
        ("Jane Doe.", "Jane Doe"),
        ("Username", ""),
        ("View Profile", ""),
        ("Follow Author", ""),
        ("Last Updated January 7", ""),
        ("January 1", ""),
        ("Steve Says", ""),
        ("x" * 300, ""),
        ("", ""),
        # What JSON escapes say, and nothing a database refuses: NUL, half a character.
        ("Luis \\u00c1vila", "Luis Ávila"),
        ("Ann \\u0000Lee Ray", "Ann Lee Ray"),
        ("Ann \\ud83d Lee", "Ann Lee"),
        ("Ann\x00 \ud800Lee", "Ann Lee"),
    ],
)
def test_a_byline_is_taken_only_where_it_reads_as_names(byline: str, author: str) -> None:
    from headlines.intake.extraction.metadata import plausible_author

    assert plausible_author(byline) == author


@pytest.mark.django_db
def test_a_short_feed_entry_keeps_its_paragraphs_without_its_caption(tmp_path: Path) -> None:
    # Its text with the caption came to 277 characters, past trafilatura's bar, as one line.
    feed = tmp_path / "feed.atom"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        '<title>Courier</title><entry><title>Ferry resumes</title><link href="https://e.test/f"/>'
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>The harbour ferry '
        "resumed its crossings on Monday after six weeks of repairs to the landing stage.</p>"
        '<figure><img src="f.jpg"/><figcaption>The ferry leaving the quay. Photograph: Ian '
        "Burt/Courier</figcaption></figure><p>Passengers queued from before dawn (AFP via Getty "
        "Images) for the first sailing.</p></div></content></entry></feed>",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("extract", "--json", str(feed), stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue())["text"] == (
        "The harbour ferry resumed its crossings on Monday after six weeks of repairs to the "
        "landing stage.\n\nPassengers queued from before dawn for the first sailing."
    )


def test_the_pipeline_reads_dash_from_the_stream_it_is_given() -> None:
    # The command hands standard input over (`headlines extract -`); the pipeline itself never
    # reaches for sys.stdin, which a service started with its input closed does not have.
    (article,) = extract_inputs(["-"], stdin=BytesIO(page("en").encode()))
    assert isinstance(article, CleanArticle)
    assert (article.input, article.title) == ("-", "Tram line opens in the city")
    assert list(extract_inputs(["-"])) == [Failure("-", "no standard input was given to read")]


BROKEN_STORY = [
    "The harbour board voted on Tuesday to rebuild the north pier before the winter storms, "
    "after two years of repairs that cost more than a new pier would have.",
    "Fishermen said the old landing stage had become too dangerous to use at low tide, and "
    "asked for a temporary one while the work is done.",
    "The board expects the new pier to open in the spring of next year, weather permitting.",
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "markup",
    [
        # An archive's copy of a page, inside its own element instead of <html>.
        '<text id="http://example.test/pier" title="Pier" encoding="utf-8">\n'
        '<div class="holder"><div id="outer">{body}</div></div></text>',
        # A <title> that never closes holds the rest of the page as its text.
        "<html><head><title>Pier vote - The Courier\n<script>var ad = 1;</script>\n"
        '</head><body><div id="story">{body}</div></body></html>',
        # A doctype cut off by a broken template.
        '<!DOCTYPE htm\n  <div id="header"><a href="/">The Courier</a></div>\n'
        '<div id="story">{body}</div></body></html>',
    ],
    ids=["archive-element", "unclosed-title", "cut-doctype"],
)
def test_a_page_with_broken_markup_still_gives_its_article(tmp_path: Path, markup: str) -> None:
    # trafilatura found no text in any of these ("no article text found"), as lxml roots them.
    body = "".join(f"<p>{p}</p>" for p in BROKEN_STORY)
    path = tmp_path / "page.html"
    path.write_text(markup.format(body=body), encoding="utf-8")
    out = StringIO()
    call_command("extract", "--json", str(path), stdout=out, stderr=StringIO())
    [article] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert article["text"] == "\n\n".join(BROKEN_STORY)
    assert "<script" not in article["text"]
    assert any("fresh <body>" in r["text"] for r in article["removed"])


COLUMN = "\n".join(BROKEN_STORY)


@pytest.mark.parametrize(
    ("markup", "tried"),
    [
        # Saved from the middle of its layout table: lxml roots it in no body.
        (f'</td><td valign="top"><p>{BROKEN_STORY[0]}</p><p>{BROKEN_STORY[1]}</p>', True),
        (f"<text id='http://example.test/pier'><div>{BROKEN_STORY[0]}</div></text>", True),
        (f"<html><body><div><p>{BROKEN_STORY[0]}</p></div></body></html>", False),
    ],
    ids=["cut-table", "archive-element", "with-body"],
)
def test_trafilaturas_recall_mode_is_taken_on_a_bodyless_page_that_it_reads_twice_as_far(
    monkeypatch: pytest.MonkeyPatch, markup: str, tried: bool
) -> None:
    # On real pages saved without a body (CleanEval's archive), trafilatura's precise mode
    # kept a sidebar and lost the column beside it, which its recall mode read; here its
    # recall mode's text is made twice as long, then not, to check what is taken and said.
    from headlines.intake.extraction import extract

    found = "Fishermen said the old landing stage had become too dangerous to use."
    asked: list[bool] = []

    def bare_text(html: str, url: str, *, tables: bool, config: object, recall: bool = False):
        asked.append(recall)
        return COLUMN if recall else found

    monkeypatch.setattr(extract, "_bare_text", bare_text)
    text, note = extract._recalled(markup, "", found)
    assert asked == ([True] if tried else [])
    assert (text == COLUMN) is tried
    assert ("found 12 words of it; its recall mode, 71, was taken" in note) is tried
    # A page holding fewer than twice the words found (a dump's record of one article's
    # paragraphs) is not extracted again: no mode could find twice as many.
    asked.clear()
    assert extract._recalled(markup, "", COLUMN) == (COLUMN, "")
    assert asked == []


NEWS = [
    "El fiscal anticorrupción viajará el lunes a Madrid para decidir si recurre la imputación.",
    "La decisión se conocerá antes del fin de semana, según fuentes de la fiscalía consultadas.",
    "El juez instructor mantiene que existen indicios suficientes para citarla como imputada.",
]
READERS_COMMENTS = [
    (
        "Hace 28 minutos",
        "Vaya comportamiento tan poco ejemplar, defiende lo indefendible ante todos.",
    ),
    (
        "Hace una hora",
        "Lo importante no es si imputa o no, sino lo que pagamos entre todos cada año.",
    ),
    (
        "Hace 2 horas",
        "Muy independiente no se muestra, consultar con el jefe cada caso no es normal.",
    ),
]
SECTIONS_MENU = "<nav><ul>{}</ul></nav>".format(
    "".join(f'<li><a href="/s{n}">Sección número {n} de la edición</a></li>' for n in range(40))
)


def _commented_page(section: str, *, article_attrs: str = "class='noticia'") -> str:
    comments = "".join(
        f'<div class="{section}-item"><p class="info"><span class="author">Lector</span><br>'
        f'<span class="date">{when}</span></p><div class="texto"><p>{said}</p></div></div>'
        for when, said in READERS_COMMENTS
    )
    paragraphs = "".join(f"<p>{p}</p>" for p in NEWS)
    return (
        "<html><head><title>La fiscalía decidirá en Madrid</title></head><body>"
        f"{SECTIONS_MENU}<div {article_attrs}><h1>La fiscalía decidirá en Madrid</h1>{paragraphs}"
        f'<div id="{section}" class="box">{comments}</div></div></body></html>'
    )


def _extracted(tmp_path: Path, html: str) -> dict[str, str]:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    out = StringIO()
    call_command("extract", "--json", str(path), stdout=out, stderr=StringIO())
    article: dict[str, str] = json.loads(out.getvalue())
    return article


@pytest.mark.django_db
@pytest.mark.parametrize("section", ["sf_comment_list", "lista-comentarios", "kommentare"])
def test_readers_comments_are_not_the_article_whatever_their_section_is_called(
    tmp_path: Path, section: str
) -> None:
    # trafilatura drops sections whose name starts with "comment"; ultimahora.es's
    # "sf_comment_list" stayed, each comment under its "Hace una hora".
    article = _extracted(tmp_path, _commented_page(section))
    assert article["text"] == "\n\n".join(NEWS)


@pytest.mark.django_db
def test_an_article_named_with_its_comments_is_still_the_article(tmp_path: Path) -> None:
    # "entry-content comments-open": the article, with comments allowed under it.
    html = _commented_page("sf_comment_list", article_attrs="class='entry-content comments-open'")
    text = _extracted(tmp_path, html)["text"]
    assert text.startswith("\n\n".join(NEWS))
    assert "Hace" not in text


@pytest.mark.django_db
def test_a_live_commentary_named_comments_is_the_article(tmp_path: Path) -> None:
    # sports.fr's minute-by-minute "live-match-comment"s are the page's story: sections so named
    # that hold most of the page's words stay.
    minutes = "".join(
        f'<div class="live-match-comment"><div class="live-match-comment-time">{m}\'</div>'
        f'<div class="live-match-comment-body"><p>Minute {m}: Lorient presses high and wins '
        f"another corner on the left, but the delivery is cleared by the first defender.</p>"
        "</div></div>"
        for m in range(90, 0, -5)
    )
    html = (
        "<html><head><title>Lorient - Nantes en direct</title></head><body><nav><a href='/'>"
        "Accueil</a></nav><h1>Lorient - Nantes en direct</h1><p>Le match commence à 21 heures au "
        f"Moustoir.</p><div class='live-match-comments'>{minutes}</div></body></html>"
    )
    text = _extracted(tmp_path, html)["text"]
    assert "Minute 90:" in text and "Minute 5:" in text


@pytest.mark.django_db
def test_what_the_page_hides_is_not_the_article(tmp_path: Path) -> None:
    # l3s-gn1's readers' comments each came twice (a hidden copy for the quote button), and
    # Nikkei's hidden "save this article" pop-ups read as the article's first lines.
    paragraphs = "".join(
        f'<p>{p}</p><div style="display: none;" id="copy{n}">{p} (copy)</div>'
        for n, p in enumerate(NEWS)
    )
    html = (
        "<html><head><title>La fiscalía decidirá en Madrid</title></head><body>"
        f"{SECTIONS_MENU}<div class='noticia'><div class='popup' style='DISPLAY:none'><p>Guarde "
        "este artículo para leerlo más tarde en su móvil o tableta.</p></div><h1>La fiscalía "
        f"decidirá en Madrid</h1>{paragraphs}<section hidden><p>Solo para suscriptores: lea "
        "todas las noticias sin límites desde hoy.</p></section></div></body></html>"
    )
    assert _extracted(tmp_path, html)["text"] == "\n\n".join(NEWS)


@pytest.mark.django_db
def test_an_article_a_script_shows_is_still_the_article(tmp_path: Path) -> None:
    # Hidden blocks that hold most of the page's text are what it is about.
    html = (
        "<html><head><title>Ferry resumes</title></head><body><nav><a href='/'>Home</a></nav>"
        "<h1>Ferry resumes</h1><div class='story' style='display:none'>"
        + "".join(f"<p>{p}</p>" for p in PAGES["en"][1] * 3)
        + "</div></body></html>"
    )
    assert _extracted(tmp_path, html)["text"] == "\n\n".join(PAGES["en"][1] * 3)


@pytest.mark.django_db
def test_the_rest_of_an_article_behind_read_more_is_the_article(tmp_path: Path) -> None:
    # A hidden block of five paragraphs or more is the article's, however small a share of the
    # page (here a long menu) it holds.
    rest = [f"{p} Officials added detail {n} about the timetable." for n, p in enumerate(NEWS * 2)]
    html = (
        "<html><head><title>La fiscalía decidirá en Madrid</title></head><body>"
        f"{SECTIONS_MENU}<div class='noticia'><h1>La fiscalía decidirá en Madrid</h1>"
        f"<p>{NEWS[0]}</p><a href='#'>Read more</a><div class='rest' style='display: none'>"
        + "".join(f"<p>{p}</p>" for p in rest)
        + "</div></div></body></html>"
    )
    assert _extracted(tmp_path, html)["text"] == "\n\n".join([NEWS[0], *rest])


@pytest.mark.parametrize(
    "attributes",
    [
        'style="display:none"',
        'style="DISPLAY: none !important"',
        'style="visibility: hidden"',
        "hidden",
        'aria-hidden="true"',
        'class="sf_comment_list"',
        # A dialog, seen only once the reader opens it (the site's style sheet hides it).
        'role="dialog"',
        'aria-modal="true"',
        'class="scrap-modal"',
        'id="newsletterModal" class="modal fade"',
    ],
)
def test_the_page_trafilatura_reads_has_no_hidden_block(attributes: str) -> None:
    # trafilatura's own extractor drops most hidden blocks; the extractors it falls back on
    # (readability, jusText) kept them, so they go before it reads the page at all.
    from headlines.intake.extraction.unseen import without_unseen

    dialog = "La redacción amplía cada noche las noticias de esta sección."
    html = (
        f"<html><body>{SECTIONS_MENU}<div class='noticia'><h1>La fiscalía decidirá</h1>"
        + "".join(f"<p>{p}</p>" for p in NEWS)
        + f"<div {attributes}><p>{dialog}</p></div><p style='display:none'>ferry --resume</p>"
        "</div></body></html>"
    )
    text = without_unseen(html).text_content()
    assert dialog not in text
    assert all(p in text for p in NEWS)
    assert "ferry --resume" in text  # a hidden paragraph is kept: a code sample's plain copy


@pytest.mark.parametrize(
    ("block", "seen"),
    [
        ("<dialog><p>{}</p></dialog>", False),
        ("<dialog open><p>{}</p></dialog>", True),  # open: the reader sees it
        ("<div class='transport-modalities'><p>{}</p></div>", True),  # no "modal" in its name
        ("<div class='modal-body'><h1>Lightbox</h1><p>{}</p></div>", True),  # holds a headline
    ],
)
def test_a_dialog_is_unseen_until_opened(block: str, seen: bool) -> None:
    from headlines.intake.extraction.unseen import without_unseen

    words = "Enter a memo of up to 400 characters for this article."
    html = (
        "<html><body><div class='noticia'><h1>La fiscalía decidirá</h1>"
        + "".join(f"<p>{p}</p>" for p in NEWS)
        + block.format(words)
        + "</div></body></html>"
    )
    assert (words in without_unseen(html).text_content()) is seen


WORDS_LV = "Norvēģijas glābšanas komanda atradusi piekto bojāgājušo pēc nogruvuma."


@pytest.mark.parametrize(
    ("block", "words", "seen"),
    [
        # Furniture named so, whatever the language of its words (lsm.lv's, in Latvian): a
        # widget, with its field, button or link, and at most one paragraph of prose.
        ("<div class='subscribe-form'><p>Piesakies LSM pasta saņemšanai!</p>"
         "<form><input name='e'><button>Apstiprināt</button></form></div>", "Apstiprināt", False),
        ("<div class='cookiemsg' id='privacy-notice'><p>{}</p><button>OK</button></div>",
         WORDS_LV, False),
        ("<div class='cookie-law-info-bar'><p>{}</p><a href='/privacy'>Vairāk</a></div>",
         WORDS_LV, False),
        ("<div class='share-compact right'><span>Iesaki šo rakstu:</span> <a>f</a></div>",
         "Iesaki šo rakstu", False),
        ("<div class='addthis_sharing_toolbox'><span>Dalīties</span></div>", "Dalīties", False),
        ("<section class='newsletter-lead'><p>{}</p><input name='e'></section>", WORDS_LV, False),
        ("<div class='gdpr-disclaimer'><p>{}</p><button>Piekrītu</button></div>", WORDS_LV,
         False),
        # A baking blog's cookies are its article; so is a block named for both.
        ("<div class='cookie-recipe'><p>{}</p><a href='/more'>More</a></div>", WORDS_LV, True),
        ("<div class='subscriber-content'><p>{}</p><a href='/more'>More</a></div>", WORDS_LV,
         True),
        # A paragraph with nothing a widget has: a paywalled article's teaser.
        ("<div class='subscriber-only'><p>{}</p></div>", WORDS_LV, True),
        # More than a box's one paragraph of prose: what the page is about.
        ("<div class='share-story'><p>{}</p><p>{}</p><a href='/s'>Share</a></div>", WORDS_LV,
         True),
    ],
)  # fmt: skip
def test_page_furniture_is_unseen_by_the_name_its_markup_gives_it(
    block: str, words: str, seen: bool
) -> None:
    # trafilatura's own extractor drops such blocks by their names; the extractors it falls
    # back on kept lsm.lv's newsletter box, share bar and cookie notice after the article.
    from headlines.intake.extraction.unseen import without_unseen

    html = (
        "<html><body><div class='noticia'><h1>Nogruvums Askā</h1>"
        + "".join(f"<p>{p}</p>" for p in NEWS)
        + block.format(WORDS_LV, WORDS_LV)
        + "</div></body></html>"
    )
    text = without_unseen(html).text_content()
    assert (words in text) is seen
    assert all(p in text for p in NEWS)
