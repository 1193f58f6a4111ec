"""The vocabulary of page furniture: every pattern the scrubbing rules (rules.py) use, once.

Each describes a shape pages share — how sign-up widgets, consent lines, teasers, share bars,
credits, markers and taglines talk to readers — never one site's sentences.
"""

from __future__ import annotations

import re

# Capitals and small letters of the cased alphabets (Latin with its accents, Greek, Cyrillic,
# Armenian), each as the characters of a regex class: `re` has no Unicode categories.
_CASED = [chr(c) for c in (*range(0x41, 0x250), *range(0x370, 0x590)) if chr(c).isalpha()]
UPPER_LETTERS = "".join(c for c in _CASED if c.isupper())
LOWER_LETTERS = "".join(c for c in _CASED if c.islower())

# A segment that reports ("… officials said") is the article, whatever words it contains.
REPORTING = re.compile(
    r"\b(said|says|told|according to|announced|reported|confirmed|added|stated)\b", re.I
)
# A segment that is only a prompt: "Read more", "Related stories", "Share this article", …
PROMPT_ONLY = re.compile(
    r"^\W*(read (more|next|this|also|the full story)|related( articles?| stories| coverage| "
    r"content| reading| topics| videos?| posts| links)?|(previous|next)( (article|story|post|"
    r"page))?|see also|more (on this( story)?|from [\w' ]{1,30}|stories|news)|"
    r"recommended( for you| reading)?|most (read|popular|viewed|shared)|trending( now)?|"
    r"also read|up next|watch( now| video| the video)?|listen( now| to this( article| story)?)?|"
    r"share( this| the)?( article| story| page)?|tweet( this)?|e-?mail( this)?|print( this)?|"
    r"copy (link|url)|advertisement|advert|ad|sponsored( content| post)?|promoted|"
    r"continue reading|(find out|learn) more|(show|view|hide|load) (comments|more)|"
    r"comments?|load more|"
    r"skip to (main )?content|back to top|top of (the )?page|top stories|latest( news| stories)?|"
    r"(the )?(story|article) continues( below| after (the |this )?(advertisement|ad))?|"
    r"(click|tap)( on)?( the)? (photo|image|picture)s?( to (enlarge|expand|zoom))?|"
    r"(click|tap) to (enlarge|expand|zoom)|"
    r"you (may|might) also (like|be interested in)|don'?t miss|editor'?s picks?|"
    r"(click|tap) here[\w ]{0,40}|explore more|more like this|"
    # The comment form's headings under a post: "Leave a Reply", "4 Responses to “…”".
    r"(leave|post|add|write)( a| your( own)?)? (reply|comment|response)s?( \((atom|rss)\))?|"
    r"\d+ (comments?|responses?|replies)( (to|on) .{1,120})?|"
    # The same labels in the other languages news is written in: "Notas relacionadas", "Leia
    # também", "À lire aussi", "Lesen Sie auch", "Leggi anche", "Czytaj także", "Читайте также",
    # "関連記事", "相关新闻", "관련기사" (a line that is only the label).
    r"(notas|noticias|art[íi]culos|contenidos?) relacionad[oa]s|lee (tambi[ée]n|m[áa]s)|"
    r"(tambi[ée]n )?te puede interesar|(m[áa]s|otras) noticias|lo m[áa]s (le[íi]do|visto)|"
    r"(leia|veja) (tamb[ée]m|mais)|(not[íi]cias|artigos|mat[ée]rias) relacionad[oa]s|"
    r"mais lid[oa]s|[àa] lire (aussi|[ée]galement)|lire aussi|sur le m[êe]me sujet|voir aussi|"
    r"(articles?|contenus?) (li[ée]s|similaires|recommand[ée]s)|les plus lus|"
    r"lesen sie (auch|mehr)|mehr zum thema|weitere (artikel|nachrichten|themen|meldungen)|"
    r"das k[öo]nnte sie (auch )?interessieren|meistgelesen|auch interessant|"
    r"leggi anche|notizie correlate|articoli correlati|potrebbe interessarti|i pi[ùu] letti|"
    r"lees (ook|meer)|gerelateerde artikelen|meer nieuws|"
    r"(czytaj|zobacz) (te[żz]|tak[żz]e|wi[ęe]cej)|podobne artyku[łl]y|"
    r"читайте (также|тоже)|похожие (статьи|новости)|по теме|"
    r"関連(記事|ニュース)|あわせて読みたい|相关(新闻|文章|阅读|报道)|(延伸|推荐)阅读|"
    r"관련\s*(기사|뉴스))\W*$",
    re.I,
)
# A teaser: "Read more: Council votes…", "RELATED | Fire season starts early".
PROMPT_PREFIX = re.compile(
    r"^\W*(read (more|next|also)|related( story| stories| article| coverage)?|see also|"
    r"also read|more on (this|that)|recommended|watch|listen|more from [\w' ]{1,30}|"
    r"further reading|in (other|related) news|opinion)(?P<more>( \w+){0,2})"
    r"\s*[:|\u00bb\u203a>\u2013\u2014-]\s*\S",
    re.I,
)
NEWSLETTER = re.compile(
    r"\b(news ?letters?|sign(ing|ed)? ?up|subscrib(e|ed|er|ers|ing|tion)|inbox|"
    r"e-?mail( address)?|unsubscribe|mailing list|alerts?|briefing|digest|"
    r"delivered (daily|weekly|every)|opt[ -]?(in|out))\b",
    re.I,
)
# Consent words that articles use as well: one of these alone is no banner.
CONSENT_IN_PROSE = re.compile(r"consent|your (data|choices)", re.I)
CALL_TO_ACTION = re.compile(
    r"^\W*(get|sign ?up|subscribe|join|enter|receive|want|never miss|stay (informed|"
    r"up[- ]to[- ]date|in the know|ahead)|be the first|follow|register|start your|"
    r"try|sign in|log ?in|create (a|your) (free )?account|drop your|give us your)\b",
    re.I,
)
THANKS = re.compile(
    r"^\W*(thanks?|thank you)( you)? for (signing ?up|subscribing|registering|joining|reading)"
    r"|^\W*(you'?re|you are) (all set|(now )?subscribed|on the list|signed up)"
    r"|^\W*(success|almost done|check your (inbox|e-?mail))\b",
    re.I,
)
# The small print of a sign-up form. Its "By clicking …" and "… unsubscribe at any time" speak
# to the reader ("you agree to our terms"); "By continuing the talks, both sides …" is news.
# A segment that opens a quotation: someone speaking, not a widget.
QUOTE_OPEN = re.compile("^\\s*[\"'\u201c\u2018\u201e\u00ab\u300c\u300e]")
AGREEMENT = re.compile(
    r"\bplease (enter|provide|type) a valid\b|\binvalid e-?mail\b|\bwe'?ll never share\b",
    re.I,
)
AGREEMENT_TO_READER = re.compile(
    r"\bby (signing ?up|subscribing|clicking|registering|continuing|submitting|entering|"
    r"using this (site|website))\b|\bunsubscribe at any time\b",
    re.I,
)
CONSENT = re.compile(
    r"\b(privacy (policy|notice|statement|settings|centre|center)|terms (of (use|service)|"
    r"(&|and) conditions)|cookies?( policy| settings| preferences| notice)?|consent|"
    r"your privacy|accept (all|cookies)|reject (all|cookies)|"
    r"manage (preferences|settings|choices|cookies)|"
    r"your (data|choices)|personali[sz]ed (ads|advertising|content)|gdpr|legitimate interest|"
    r"partners (use|store))\b",
    re.I,
)
SHARE = re.compile(
    r"\b(share (this|on|via|the|your)|follow us|like us|find us on|join us on|tweet (this|us)|"
    r"share on|facebook|twitter|whatsapp|linkedin|pinterest|reddit|telegram|instagram|"
    r"tiktok|bluesky|threads|youtube)\b",
    re.I,
)
# Where sites ask readers to follow them, in any language's pages.
PLATFORMS = re.compile(
    r"\b(facebook|twitter|whats ?app|linkedin|pinterest|reddit|telegram|instagram|tiktok|"
    r"bluesky|youtube|email|messenger|x|google (news|noticias|actualit[ée]s|nachrichten|"
    r"notizie|not[íi]cias)|viber|wechat|weibo|вконтакте|дзен|kakao ?talk)\b",
    re.I,
)
# Substrings one of PLATFORMS needs, for the rules that read it ("x" as a word: " x").
PLATFORM_HINTS = (
    "facebook", "twitter", "whats", "linkedin", "pinterest", "reddit", "telegram", "instagram",
    "tiktok", "bluesky", "youtube", "email", "messenger", " x", "google", "viber", "wechat",
    "weibo", "вконтакте", "дзен", "kakao",
)  # fmt: skip
# A call to follow the site on a platform, as news pages in many languages end their articles:
# "Join our WhatsApp channel", "Síguenos en Google News", "Únete a nuestro canal de Telegram",
# "Folgen Sie uns auf Instagram", "Abonnez-vous à notre chaîne YouTube", "Подпишитесь на наш
# канал в Telegram". A platform named (PLATFORMS) with, at the segment's start, an
# imperative to follow, join or subscribe to the site (FOLLOW_CALL, OWN_MARK), or its channel
# (OWN_CHANNEL: "¿Ya sabías que tenemos canal de Telegram?", not in a statement: "Our reporters
# watched the group's Telegram channel." is the article's); "its Telegram channel" is nobody's.
FOLLOW_CALL = re.compile(
    r"^\W*(follow|join|subscribe|s[íi]guenos|s[íi]ganos|s[íi]gannos|[úu]nete|"
    r"suscr[íi]bete|suscr[íi]base|folg(e|en sie|t) (uns|unserem|unserer|unseren)|"
    r"abonnez-vous|abonne-toi|suivez(-nous)?|rejoignez(-nous)?|seguici|segui|iscriviti|"
    r"unisciti|siga(-nos)?|sigam|inscreva-se|junte-se|obserwuj|do[łl][aą]cz|subskrybuj|"
    r"подпишитесь|подписывайтесь|присоединяйтесь|volg (ons|onze)|abonneer)(?![\w-])",
    re.I,
)
# The site speaking of itself in such a call ("us", "our", "nos", "uns", "нас", "siga-nos", or
# inside the verb: "síguenos", "seguici"): "Follow Jane Doe on Twitter", "Follow Buenos Aires
# news on X" and "Join the community on Facebook" are left to the rules that judge them (an
# author's line is the article's in several reviewed sets).
_OUR = r"our|nuestr[oa]s?|notre|unser\w*|nostr[oa]|noss[oa]|nasz\w*|наш\w*|onze"
OWN_MARK = re.compile(
    rf"\b(us|nos|uns|nous|nas|нас|ons|{_OUR}|s[íi]guenos|s[íi]ganos|s[íi]gannos|seguici)\b",
    re.I,
)
OWN_CHANNEL = re.compile(
    rf"\b(tenemos|{_OUR})\b[^.!?]{{0,40}}?\b(channel|canal|cha[îi]ne|kanal|canale|kana[łl]|"
    r"канал\w*)\b",
    re.I,
)
CAPTION_PREFIX = re.compile(
    r"^\W*(photo(graph)?s?|pictures?|images?|illustration|video|graphic|pictured|file photo|"
    r"main image|top image|credit|source|caption|gallery)\s*(by|credit)?"
    r"(\s*[:|/\u2013\u2014]|\s+-)",
    re.I,
)
AGENCIES = (
    r"photo|photograph|getty|reuters|ap|afp|epa|pa|shutterstock|alamy|file|handout|courtesy|"
    r"supplied|staff|press association|images?|wire|agency|pool"
)
CAPTION_CREDIT = re.compile(
    r"(\(\s*(?:(?-i:[A-Z][^()/]{1,60}/\s*[A-Z][^()]{1,60})"
    r"|[^()]{0,60}\b(?:" + AGENCIES + r")\b[^()]{0,60}(?<![.!?]))\)"
    r"|\b(?:photo(?:graph)?|image|picture|credit)s?\s*(?:credit)?\s*[:©]\s*(?-i:(?=[A-Z0-9]))"
    r"[\w .,'&/-]{2,60}"
    r"|©\s*(?-i:(?=[A-Z0-9]))[\w .,'&/-]{2,60}|\bvia getty images|\|\s*[\w .,'&/-]{2,60})"
    r"\s*[^\w\"\u201c\u201d]?\s*$",  # not closed by a quotation mark: a quoted title's own
    re.I,
)
CONSENT_ONLY = re.compile(
    r"^\W*(accept( all| cookies| and (close|continue))?|reject( all)?|allow all|i agree|"
    r"i accept|agree|ok(ay)?|got it|manage (preferences|settings|cookies|options)|"
    r"more options|customi[sz]e|necessary only|essential only)\W*$",
    re.I,
)
# Cheap substring pre-checks (a superset of what the regexes below them can match): most
# sentences of most articles contain none, and a substring test costs a tenth of a search.
VOCABULARY_HINTS = (
    "news", "sign", "subscri", "inbox", "mail", "alert", "briefing", "digest", "delivered",
    "opt", "privacy", "terms", "cookie", "consent", "accept", "reject", "manage", "your ",
    "personali", "gdpr", "legitimate", "partners", "share", "follow", "like us", "find us",
    "join us", "tweet", "facebook", "twitter", "whatsapp", "linkedin", "pinterest", "reddit",
    "telegram", "instagram", "tiktok", "bluesky", "threads", "youtube",
)  # fmt: skip
AGREEMENT_HINTS = ("by ", "please", "invalid", "never share", "unsubscribe")
CREDIT_HINTS = ("(", ":", "\u00a9", "|", "getty")
# Speaking to the reader, in the languages whose widgets are seen most (du/vous/usted …).
# "US" in capitals is the country, not "us".
READER = re.compile(
    r"\b(you|your|we|our|(?-i:[Uu]s)|this (site|website|page|app)|du|dich|dir|dein\w*|euch|euer\w*|"
    r"vous|votre|vos|tu|toi|nous|notre|nos|usted(es)?|vosotros|nuestr[oa]s?|voc[eê]s?)\b",
    re.I,
)
# A statement: it ends in a full stop, not "!" or "?" and not without one (a label).
STATEMENT_END = re.compile(r"[.\u2026\u3002][\"'\u201d\u2019)\u300d\u300f\uff09]?$")
# What sign-up forms label their fields and buttons with: "Email address", "Register".
FORM_LABEL = re.compile(
    r"^\W*((your|type your|enter your)? ?e-?mail( address)?|register|submit|send( it)?( to me)?|"
    r"sign ?(me )?up|sign in|log ?in|subscribe|join|go|password|first name|last name|"
    r"(your )?name|postcode|zip code)\W*$",
    re.I,
)
# "Share this", "Share on X", "Share:"; not "Share volume doubled" or "Shares fell".
SHARE_START = re.compile(
    r"^\W*(share(?=\s*([:|!\u2013\u2014-]|$|(this|the|on|via|with|it|to|your|article|story|"
    r"page|now)\b))|tweet|follow us|like us|find us|connect with us|follow @(?=\w))\b",
    re.I,
)
ADVERT = re.compile(r"^\W*(advertisement|sponsored|promoted|paid (content|post)|ad)\b", re.I)
TIMESTAMP = re.compile(
    r"^\W*(published|updated|last updated|posted|first published|modified)\b[\w ,:./+-]{0,60}$",
    re.I,
)
BYLINE = re.compile(r"^\W*[Bb]y [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}([,|] [\w ,|]{0,40})?$")
# A promo is a label, not a sentence: it has no closing full stop.
PROMO_WORDS = re.compile(r"\b(news ?letters?|briefing|bulletin|e-?mail|inbox)\b", re.I)
# What a promo pitches, unlike a crosshead that names an email ("The email that changed it").
PROMO_PITCH = re.compile(
    r"\b(our|your|you|free|every|daily|weekly|weekday|each (morning|evening|week)|sign up)\b",
    re.I,
)
# "… our free weekly newsletter …" addressed to the reader: a promo even as a sentence.
FREE_OFFER = re.compile(
    r"\b(our|your)\b.{0,40}\bfree\b.{0,30}\b(news ?letters?|briefing|bulletin|e-?mails?)\b"
    r"|\bfree\b.{0,30}\b(news ?letters?|briefing|bulletin)\b.{0,40}\b(you|your)\b",
    re.I,
)
# The small print under a sign-up form: "Privacy Notice: …", "Newsletters may contain …".
SMALL_PRINT = re.compile(
    r"^\W*(privacy|data protection|cookie|cookies|legal) (notice|policy|information|statement)"
    r"\s*[:\u2013\u2014-]"
    r"|\b(news ?letters?|e-?mails?|alerts)\b.{0,40}\bmay (contain|include|feature)\b",
    re.I,
)
# "after newsletter promotion", "skip past newsletter promotion", "Story continues below
# advertisement", "Advertisement - scroll to continue".
MARKER = re.compile(
    r"^\W*((after|skip( past)?|end of|before|hide|close)|(the )?(story|article|content|text) "
    r"continues (below|after)|continue reading (below|after))( the| this| our)?"
    r" (news ?letter|sign-?up|advert(isement)?|ads?|promo(tion)?|sponsored( content)?|"
    r"podcast|video|widget)( promotion| promo| block| widget| sign-?up)?\W*$"
    r"|^\W*advert(isement)?\s*[-\u2013\u2014:|]?\s*(scroll|story|article|content)"
    r"( down)?( to)? continues?\b",
    re.I,
)
FOREIGN_CREDIT_LABELS = (
    r"fotos?|fotograf(?:\u00ed|i)a|fotografie|bildquelle|cr\u00e9dits? photos?|zdj\u0119cie|"
    r"\u0444\u043e\u0442\u043e|\u0444\u043e\u0442\u043e\u0433\u0440\u0430\u0444\u0438\u044f|"
    r"\u5199\u771f|\u753b\u50cf|\u56fe\u7247(?:\u6765\u6e90)?|\u56fe|\u7167\u7247|\u6444\u5f71|"
    r"\uc0ac\uc9c4|\u0635\u0648\u0631\u0629|\u062a\u0635\u0648\u064a\u0631|\u0e20\u0e32\u0e1e|"
    r"\u05e6\u05d9\u05dc\u05d5\u05dd"
)
NAME = r"[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019&-]*|&|and|de|van|von|of|the))*"
# A credit line on its own: "Photograph: Jane Doe", "Illustration by Ana Ruiz", "Photo courtesy
# of the Harbour Trust", "Image: Lee Wong via Metro Wire", "(Lee Wong/Metro Wire)", "Courtesy G4".
CREDIT_LINE = re.compile(
    r"^\W*(?i:(photo(graph)?s?|pictures?|images?|illustrations?|graphics?|video|footage|"
    r"artwork|credit|source|main image|top image|file photo|copyright)"
    r"(\s+(by|credit|courtesy( of)?|supplied by))?)\s*[:\u2013\u2014-]?\s*(the\s+)?" + NAME + r"("
    r"\s*(/|via|for|,)\s*(the\s+)?" + NAME + r")*\W*$"
    r"|^\W*\(\s*" + NAME + r"\s*(/|via|for)\s*" + NAME + r"\s*\)\W*$"
    # A credit that is only "Courtesy …": "Courtesy G4", "Courtesy of the artist".
    r"|^\W*(?i:courtesy(\s+of)?\s+(the\s+)?)(" + NAME + r"|(?i:artist|family|author|"
    r"photographer|museum|publisher)s?)(\s*(/|via|for|,)\s*(the\s+)?" + NAME + r")*\W*$"
    # The same label in the other languages news is written in, and the name or agency after
    # it in any script (no capitals to go by): "Foto: EFE/Juan Pérez", "Фото: РИА Новости",
    # "사진=연합뉴스", "צילום: רויטרס", and in Japanese and Chinese with a full-width colon.
    # Not German's "Bild:", which is also a newspaper quoted.
    r"|^\W*(?i:" + FOREIGN_CREDIT_LABELS + r")\s*[:\uff1a=/|]\s*[^.!?\u3002\uff01\uff1f]{1,60}$"
)
# Where a credit without brackets starts inside glued text: "Photo: Lee Wong/".
GLUED_CREDIT = re.compile(
    # Not German's "Foto:": its nouns' capitals hide where the sentence after the credit starts.
    r"\b(?i:photo(?:graph)?|picture|image|credit|illustration|\u0444\u043e\u0442\u043e)s?"
    rf"\s*:\s*[{UPPER_LETTERS}][^/\s]*(?:\s+[{UPPER_LETTERS}][^/\s]*){{0,3}}/"
)
# A paywall's prompt to the reader: "Subscribe to continue reading", "Already a subscriber? Log
# in", "This article is only available to subscribers", "You have reached your free article
# limit", and their like in French, Spanish, German, Italian, Portuguese and Polish ("Pour lire
# la suite", "Hazte miembro", "Weiterlesen mit"). The rule hears it only where the segment does
# not report ("… subscribers said"); "Continue reading the main story" (a link past an advert)
# is no paywall.
PAYWALL = re.compile(
    r"\balready (a )?(subscriber|member)\b"
    r"|^\W*((please )?(to|and) )?(continue|keep) reading\s*(,|with\b|by\b|for\b)"
    r"|^\W*((please|click here|tap here) )?to (read|view|access|see|unlock) (the|this) (full|"
    r"whole|rest of the|entire) (story|article|piece)\b"
    r"|^\W*(please )?(subscribe|log ?in|sign ?in|register)\b.{0,40}\bto (read|continue|"
    r"access|view|unlock)\b"
    r"|\bfor (full|unlimited|immediate) access\b"
    r"|\b(this|the) (article|story|content) is (only )?(available|reserved|exclusive)( only)? "
    r"(to|for) (paying )?(subscribers|members)\b"
    r"|\bsubscribers?[- ]only\b"
    r"|\byou('ve| have) (reached|used) (your|all( of)? your) (free )?(article |story )?limit\b"
    r"|\bfree articles? (left|remaining)\b"
    # The same prompts in the other languages news is written in most.
    r"|^\W*pour (lire|continuer|acc[ée]der)\b.{0,30}\b(la suite|l'article|en illimit[ée]|abonn)"
    r"|^\W*(vous [êe]tes )?d[ée]j[àa] abonn[ée]"
    r"|\b(cet|cette) (article|contenu|page)s? est r[ée]serv[ée]e? aux abonn[ée]s\b"
    r"|\bpara (seguir|continuar) leyendo\b|\bya eres (suscriptor|miembro|socio)\b"
    r"|\b(este|esta) (art[íi]culo|contenido|nota|noticia) es exclusiv[oa] para "
    r"(suscriptores|socios|miembros)\b|^\W*h[áa]zte (miembro|socio|suscriptor)\b"
    r"|^\W*(jetzt )?weiterlesen mit\b|^\W*(sie sind )?bereits (abonnent|kunde)\b"
    r"|\bper continuare a leggere\b|\bsei gi[àa] abbonat[oa]\b"
    r"|\bpara continuar lendo\b|^\W*(voc[êe] )?j[áa] [ée] assinante\b"
    r"|^\W*zapraszamy (te[żz] )?do (subskrypcji|prenumeraty)\b|\bmasz ju[żz] "
    r"(subskrypcj[eę]|prenumerat[eę])\b",
    re.I,
)
# A word every one of PAYWALL's prompts holds (a tuple of hints gates the pattern).
PAYWALL_HINTS = ("subscri", "member", "reading", "access", "log", "sign", "regist", "limit",
                 "free article", "full", "whole", "rest of", "entire", "pour ", "abonn",
                 "leyendo", "suscriptor", "miembro", "socio", "weiterlesen", "kunde", "leggere",
                 "abbonat", "lendo", "assinante", "subskryp", "prenumerat")  # fmt: skip
# A word of a copyright holder's name between "Copyright" and its year: capitalised, a number,
# or a small word of a name ("Copyright The Associated Press 2008", "© Example Media, 2021");
# "Copyright law changed in 2019." is a sentence.
_HOLDER_WORD = r"(?:(?-i:[A-Z0-9][\w.&'\u2019/-]*)|by|of|the|and|for|via|&|-)"
# A copyright notice: "Copyright 2008 The Associated Press.", "(c) 2008 Magellan Inc.",
# "All rights reserved." (in the languages seen most), and the wire's "This material may not be
# published, broadcast, rewritten or redistributed."
COPYRIGHT = re.compile(
    r"^\W*(copyright|\(c\)|\u00a9)\s*(\(c\)|\u00a9)?\s*(1[89]|20)\d\d\b"
    r"|^\W*(copyright|\(c\)|\u00a9)(?:[\s,]+" + _HOLDER_WORD + r"){0,8}[\s,]+(1[89]|20)\d\d\W*$"
    r"|\b(all rights reserved|tous droits r\u00e9serv\u00e9s|alle rechte vorbehalten|"
    r"todos los derechos reservados|tutti i diritti riservati|todos os direitos reservados|"
    r"alle rechten voorbehouden|wszelkie prawa zastrze[\u017cz]one|"
    r"materia[\u0142l] chroniony prawem|"
    r"\u0432\u0441\u0435 \u043f\u0440\u0430\u0432\u0430 "
    r"\u0437\u0430\u0449\u0438\u0449\u0435\u043d\u044b|t\u00fcm haklar\u0131 sakl\u0131d\u0131r|"
    r"v\u0161echna pr\u00e1va vyhrazena|hak cipta dilindungi)\b"
    # The reprint notices of the languages without spaces, and of Arabic and Hebrew (no \b to
    # go by): "無断転載・複製を禁じます", "版权所有" (not "版权所有人", the holder), "무단전재 및
    # 재배포 금지", "جميع الحقوق محفوظة", "כל הזכויות שמורות". A lawsuit over "無断転載" is news:
    # the notice forbids (禁, 금지). Chinese "未经授权不得转载" stays: both reviewed sets of
    # Chinese pages here keep it as the article's (extraction-dev: qq.com, a WCED blog).
    r"|\u7121\u65ad((\u8ee2\u8f09|\u8907\u88fd)[\u30fb\u3001/]?)+\u3092?\u7981|"
    r"(\u7248\u6743|\u7248\u6b0a)\u6240\u6709(?![\u4eba\u8005])|"
    r"\ubb34\ub2e8\s*(\uc804\uc7ac|\ubcf5\uc81c)[^.\u3002]{0,12}\uae08\uc9c0|"
    r"\uc7ac\ubc30\ud3ec\s*\uae08\uc9c0|"
    r"\u062c\u0645\u064a\u0639 \u0627\u0644\u062d\u0642\u0648\u0642 "
    r"\u0645\u062d\u0641\u0648\u0638\u0629|"
    r"\u05db\u05dc \u05d4\u05d6\u05db\u05d5\u05d9\u05d5\u05ea \u05e9\u05de\u05d5\u05e8\u05d5\u05ea"
    r"|\bmay not be (re)?published, broadcast, rewritten,? or redistributed\b"
    r"|\bfor (your )?personal,? non-?commercial use only\b"
    r"|\b(is|are) licensed under (a|the) creative commons\b"
    r"|\buse of this material (is|are) governed by\b|\border presentation-ready copies\b",
    re.I,
)
# A link to a profile on a social platform, with a word or two around it: "Facebook
# https://fb.me/x", "Twitter: twitter.com/x" (the words may be in any language).
SOCIAL_PROFILE = re.compile(
    r"(\bhttps?://(www\.)?|(?<![\w./])(www\.)?)"
    r"(facebook\.com|fb\.me|twitter\.com|x\.com|instagram\.com|t\.me|"
    r"youtube\.com|tiktok\.com|linkedin\.com|line\.me|weibo\.com|vk\.com)/[\w@.-]+/?\W*$",
    re.I,
)
COPYRIGHT_HINTS = ("copyright", "(c)", "\u00a9", "reserv", "r\u00e9serv", "vorbehalten",
                   "chroniony", "riservati", "redistributed", "non-commercial", "noncommercial",
                   "creative commons", "this material", "presentation-ready", "voorbehouden",
                   "zastrze", "\u0437\u0430\u0449\u0438\u0449\u0435\u043d", "sakl\u0131",
                   "vyhrazena", "hak cipta", "\u7121\u65ad", "\u6743\u6240\u6709",
                   "\u6b0a\u6240\u6709", "\ubb34\ub2e8", "\uc7ac\ubc30\ud3ec",
                   "\u0627\u0644\u062d\u0642\u0648\u0642",
                   "\u05d4\u05d6\u05db\u05d5\u05d9\u05d5\u05ea")  # fmt: skip
# Where and when the story appeared before: "A version of this article appears in print on
# July 24, 2012, on page A1 …", "Originally published at example.com on November 18, 2011."
PRINT_NOTE = re.compile(
    r"^\W*(an? )?(version of this (article|story|review|column|essay|report) "
    r"(appears|appeared|was published)\b.{0,60}\b(in print|on page|edition)\b"
    r"|originally (published|posted|appeared) (at|in|on|by)(\s+\S+){1,10}\W*$)",
    re.I,
)
# How to reach the author at the foot of a story: "Write to Jane Doe at jane.doe@example.com".
CONTACT_LINE = re.compile(
    r"^\W*(write to|contact|e-?mail|reach|submit comments on this (post|story|article) to)"
    r"( [A-Z][\w.'-]+){0,4} (at )?<?[\w.+-]+@[\w-]+\.[\w.]+>?\W*$",
    re.I,
)
# A wire's sign-off: "Reporting by Anika Sato; Editing by Sam Whitlock".
SIGN_OFF = re.compile(
    r"^\W*((additional )?(reporting|writing|editing|research|graphics|compiled|produced)"
    r"( and \w+)? by [A-Z][^;]{1,60}[;,]?\s*)+\W*$",
    re.I,
)
_AGENCY = (
    r"(?i:pap|dpa|afp|ap|reuters|efe|ansa|apa|sda|ats|kna|epd|tass|ria|lusa|anp|belga|\u010dtk|"
    r"ctk|mti|bta|xinhua|kyodo|yonhap|ians|pti|nzpa|aap|iar|dts|sid|kap|notimex)\b"
)
# A wire story's closing initials and agency, as European agencies sign off: "aja/PAP",
# "mm/dpa", "dpa/afp", "kk/ap". Not an agency alone: "(AFP)" stays (a reviewed gold keeps it).
AGENCY_SIGN_OFF = re.compile(
    r"^\W*((\w{1,5}\s*/\s*)+"
    + _AGENCY
    + r"(\s*/\s*\w{1,5})*|"
    + _AGENCY
    + r"(\s*/\s*\w{1,5})+)\W*$"
)
# Link text that says where it goes: "Purchase Licensing Rights, opens new tab".
LINK_TEXT = re.compile(r"\W*\(?opens (in )?(a )?new (tab|window)\)?\W*$", re.I)
# A publisher describing itself at the foot of a story: "Metro Wire is an independent news
# agency …", "The Ledger is owned by its readers.", "Donate today."
SELF_DESCRIPTION = re.compile(
    r"^\W*" + NAME + r"( journalism)? (is|are) (?i:(an?|the|owned|funded|supported|published|"
    r"produced|proudly|run|part|a member|member)\b.{0,160}\b(news|newsroom|newspaper|journalism|"
    r"publication|press|media|magazine|agency|publisher|readers|subscribers|reporting|reporters|"
    r"journalists|editors)\b)"
    r"|^\W*" + NAME + r" has (covered|reported on) .{0,80}\bsince (1[6-9]|20)\d\d\W*$",
)
# "Got a story? Email the newsdesk.", "Have a tip? Contact us at …".
TIP_LINE = re.compile(
    r"^\W*((got|have|know) (a|an|any) (story|tip|news tip|story idea)s?|send (us )?your (tips|"
    r"stories)|(e-?mail|contact|call|write to) (the |our )?[\w ]{0,30}(news ?desk|tips? line))\b",
    re.I,
)
SUPPORT_CALL = re.compile(
    r"^\W*(please )?(donate|support (us|local|independent|our|quality|public[- ]interest)|"
    r"become a (member|supporter|subscriber|patron)|make a (donation|contribution))\b",
    re.I,
)
# Cheap substring pre-checks, supersets of what the rules they guard can match.
MARKER_HINTS = ("after", "skip", "end of", "before", "hide", "close", "continue", "advert")
PROMO_HINTS = ("news", "brief", "bulletin", "mail", "inbox", "privacy", "cookie", "legal",
               "data protection", "may ")  # fmt: skip
# A photo credit in brackets, wherever it sits: "(AFP via Getty Images)", "(Getty Images)",
# "(Reuters/Jane Doe)", "(AP Photo/Lee Wong)", "(Photo: Ana Ruiz)". A bare "(Reuters)" or
# "(AFP)" is a dateline's credit for the report, not a photo's, and is not one.
# "(Reuters/Иван Петров)": a name in any cased alphabet.
_CAPS = rf"[{UPPER_LETTERS}][\w.'\u2019&-]+(?:\s+[{UPPER_LETTERS}][\w.'\u2019&-]*){{0,3}}"
INLINE_CREDIT = re.compile(
    r"\s*\((?:"
    r"[^()]{0,60}\bvia\s+(?i:getty|reuters|ap|afp|epa|shutterstock|alamy|pa)\b[^()]{0,30}"
    r"|(?i:getty images|shutterstock|alamy(?: stock photo)?|ap photo|afp photo|reuters photo|"
    r"pa (?:media|wire|images)|epa(?:-efe)?|file photo|handout(?: photo)?|pool photo)"
    r"(?:\b[^()]{0,60})?"
    r"|(?i:photo(?:graph)?|picture|image|credit)s?\s*(?i:by\b|:)[^()]{1,60}"
    rf"|{_CAPS}\s*/\s*{_CAPS}"
    # Closed by a quotation mark, the brackets are part of a quoted title, not a credit.
    r")\)(?!\s*[\"\u201c\u201d])"
)
CREDIT_AT_END = re.compile(INLINE_CREDIT.pattern + r"\W*$")
