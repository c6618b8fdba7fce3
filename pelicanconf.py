"""Development settings: the embedded default that builds and previews, never sends."""

SITENAME = "Düsseldorf – Nachrichten der Landeshauptstadt"
SITE_SHORTNAME = "Landeshauptstadt Düsseldorf"
SITE_DESCRIPTION = (
    "Aktuelle Meldungen der Landeshauptstadt Düsseldorf: Pressemitteilungen, "
    "Nachrichten aus den Ämtern und den zehn Stadtbezirken."
)
# Absolute base for canonical URLs, OpenGraph, sitemap and feeds.
SITEURL = "http://localhost:8000"
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
CACHE_PATH = ".cache"

# The folder holding the plugins package (relative to this file); every plugin is plugins.<name>.
PLUGIN_PATHS = ["."]
PLUGINS = ["plugins.template_filters", "plugins.stories", "plugins.static_pages", "plugins.assets",
           "plugins.media_portal", "plugins.admin", "plugins.feeds", "plugins.sitemap", "plugins.mastodon",
           "plugins.channel_preview", "plugins.facebook", "plugins.instagram", "plugins.x", "plugins.youtube",
           "plugins.bluesky", "plugins.press", "plugins.search"]

# Where stories, static pages and media live below PATH.
STORIES_DIR = "stories"
PAGES_DIR = "pages"
MEDIA_DIR = "media"

STORY_URL = "aktuelles/{date:%Y}/{date:%m}/{slug}/"
PAGE_URL = "{slug}/"
MEDIA_URL = "medien/{path}"

# Entries per list page, and how many of the latest stories the home page shows.
LIST_PAGE_SIZE = 20
HOME_LATEST = 12
RELATED_STORIES = 3

# "now" for scheduling; None means the real clock. Tests and previews set it.
BUILD_NOW = None

# Processes for parsing stories; None means one per core.
BUILD_WORKERS = None

# Jinja escapes everything by default: markup in a title is shown, never executed.
JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": [],
}

# Controlled vocabularies: a typo in front matter is an error, not a new Thema.
THEMEN = [
    "Verkehr",
    "Umwelt & Klima",
    "Bildung",
    "Kultur",
    "Soziales",
    "Gesundheit",
    "Sicherheit & Ordnung",
    "Bauen & Wohnen",
    "Wirtschaft",
    "Sport & Freizeit",
    "Digitales",
    "Rat & Verwaltung",
    "Jugend & Familie",
    "Veranstaltungen",
]

AEMTER = [
    "Amt für Kommunikation",
    "Amt für Verkehrsmanagement",
    "Umweltamt",
    "Schulverwaltungsamt",
    "Kulturamt",
    "Amt für Soziales und Arbeit",
    "Gesundheitsamt",
    "Ordnungsamt",
    "Feuerwehr",
    "Amt für Wohnungswesen",
    "Stadtplanungsamt",
    "Jugendamt",
    "Sportamt",
    "Amt für Digitalisierung",
    "Garten-, Friedhofs- und Forstamt",
    "Amt für Wirtschaftsförderung",
    "Bürgerservice",
]

STADTBEZIRKE = {
    1: "Altstadt, Carlstadt, Stadtmitte, Pempelfort, Derendorf, Golzheim",
    2: "Flingern-Süd, Flingern-Nord, Düsseltal",
    3: "Oberbilk, Friedrichstadt, Unterbilk, Hafen, Hamm, Volmerswerth, Bilk, Flehe",
    4: "Oberkassel, Heerdt, Lörick, Niederkassel",
    5: "Stockum, Lohausen, Kaiserswerth, Wittlaer, Angermund, Kalkum",
    6: "Lichtenbroich, Unterrath, Rath, Mörsenbroich",
    7: "Gerresheim, Grafenberg, Ludenberg, Hubbelrath, Knittkuhl",
    8: "Eller, Lierenfeld, Vennhausen, Unterbach",
    9: "Wersten, Himmelgeist, Holthausen, Reisholz, Benrath, Urdenbach, Itter, Hassels",
    10: "Garath, Hellerhof",
}

# Limits of one story: more is an error in `invoke check` and the build (a story is not a data dump,
# and no single file may slow down every build). Bytes are UTF-8: an umlaut counts 2.
STORY_BODY_MAX_BYTES = 200_000  # the Markdown text below the front matter (about 25,000 words)
STORY_FRONT_MATTER_MAX_BYTES = 64_000  # between the two --- lines, Leichte Sprache and channel texts included
STORY_MAX_TAGS = 20  # entries in `tags`
STORY_TAG_MAX_LENGTH = 80  # characters of one tag

# Channels a story may choose; each is sent by the adapter a plugin provides.
CHANNELS = ["press", "facebook", "instagram", "x", "youtube", "mastodon", "bluesky"]

# Publishing (see README "Publishing"). These settings never send: only publishconf.py
# allows it, and only `invoke publish` does it.
PUBLISH_SEND = False
# Due stories are sent automatically only within this many hours after their time;
# older unsent ones are listed, never bulk-sent.
PUBLISH_WINDOW_HOURS = 48
# Channels that may receive a story before its public time, from its `embargo` time on,
# with the Sperrfrist stated (the press release); all others wait for `date`.
PUBLISH_AHEAD_CHANNELS = ["press"]
# The record of sends: one YAML file per story below PATH, committed with git.
PUBLISH_RECEIPTS_DIR = "receipts"
PUBLISH_REMOTE = "origin"  # pushed there when the repository has it; else committed locally
PUBLISH_BRANCH = None  # None: the checked-out branch (or main on a detached checkout)
PUBLISH_GIT_AUTHOR = ("Newsroom-Versand", "newsroom@duesseldorf.de")
# A claim older than this, or of a process that died on this host, belongs to a dead run.
PUBLISH_CLAIM_LEASE_MINUTES = 30
# Retries of one send (429, 5xx, lost connections) stop after this many seconds.
PUBLISH_RETRY_SECONDS = 120
# What each channel would receive, and the overview for the Chef vom Dienst; never deployed.
PUBLISH_PREVIEW_PATH = "preview"
PUBLISH_OVERVIEW_DAYS = 14

# Main navigation: (label, site path).
MENU = [
    ("Aktuelles", "archiv/"),
    ("Themen", "themen/"),
    ("Stadtbezirke", "stadtbezirke/"),
    ("Ämter", "aemter/"),
    ("Medienportal", "medienportal/"),
    ("Kontakt", "kontakt/"),
    ("Suche", "suche/"),
]
FOOTER_LINKS = [
    ("Impressum", "impressum/"),
    ("Datenschutz", "datenschutz/"),
    ("Erklärung zur Barrierefreiheit", "barrierefreiheit/"),
    ("Barriere melden", "barrierefreiheit/#barriere-melden"),
    ("Leichte Sprache", "leichte-sprache/"),
    ("Kontakt", "kontakt/"),
    ("RSS-Feeds", "feeds/"),
]

# Where the form "Barriere melden" (Erklärung zur Barrierefreiheit) sends, by the visitor's mail program.
ACCESSIBILITY_FEEDBACK_EMAIL = "barrierefreiheit@duesseldorf.de"

# Git authors are city staff: their names and addresses never reach a page, feed or preview. A story
# shows its Amt as "Redaktion", or the public names given here for its authors' git e-mail addresses.
PUBLIC_AUTHORS: dict[str, str] = {}  # e.g. {"anna.beispiel@duesseldorf.de": "Anna Beispiel, Pressesprecherin"}

# What `invoke new` fills in (Thema and Amt it asks for). A published story that still holds the
# summary's or the body's placeholder text is an error in `invoke check`.
NEW_STORY = {
    "summary": "Anreißer: ein bis zwei Sätze, worum es geht.",
    "contact": {
        "name": "Presse- und Informationsdienst",
        "phone": "0211 89-93131",
        "email": "presse@duesseldorf.de",
    },
    "body": "Hier steht der Text der Meldung. Zwischenüberschriften beginnen mit ##.",
}

# Feeds (plugins/feeds): RSS 2.0, Atom and JSON Feed for all news, press releases and each
# Thema, Amt and Stadtbezirk, below feeds/; the page feeds/ lists them for readers.
FEED_ENTRIES = 50  # entries per feed, newest first
FEED_FULL_CONTENT = True  # the whole text in every entry; False: summary and link only
FEED_FORMATS = ["rss", "atom", "json"]  # "json" is JSON Feed 1.1
# Entry ids are tag URIs (RFC 4151): tag:<authority>,<date>:story/<id>. Never change these
# two once feeds are public: every reader would show every entry again.
FEED_ID_AUTHORITY = "duesseldorf.de"
FEED_ID_DATE = "2022"
# Stories with this channel in their front matter make up the press-release feed; None: no such feed.
FEED_PRESS_CHANNEL = "press"
# Key of the media portal's feed (plugins/media_portal provides it): feeds/medien/rss.xml.
FEED_MEDIA_PORTAL = "medien"

# Social channels (plugins/facebook, instagram, x, youtube, bluesky; mastodon above). Every
# limit here is checked in `invoke check`; credentials and API addresses come only from
# NEWSROOM_<CHANNEL>_… environment variables (README "Social channels").
SOCIAL_HASHTAGS = []  # put before each story's own tags in every social post, e.g. ["Düsseldorf"]
PUBLISH_HTTP_TIMEOUT = (5, 30)  # seconds to connect, and to wait for each answer
MASTODON_MAX_CHARACTERS = 500  # for `invoke check`; sending reads the instance's own limit
X_MAX_WEIGHTED_LENGTH = 280  # twitter-text: links count X_URL_LENGTH, emoji and CJK 2
X_URL_LENGTH = 23
X_IMAGE_MAX_BYTES = 5 * 1024 * 1024  # larger lead images are left out of the post
FACEBOOK_MAX_CHARACTERS = 63206  # unconfirmed: Meta documents no limit for Page posts
META_GRAPH_API_VERSION = "v26.0"  # Facebook and Instagram
INSTAGRAM_CAPTION_MAX = 2200
INSTAGRAM_MAX_HASHTAGS = 30
INSTAGRAM_MAX_MENTIONS = 20
INSTAGRAM_IMAGE_MAX_BYTES = 8_000_000  # JPEG only
INSTAGRAM_ASPECT_RATIO = ((4, 5), (191, 100))  # width:height from 4:5 (upright) to 1.91:1 (wide)
INSTAGRAM_POLL_SECONDS = 3  # between checks whether Meta has fetched the image
INSTAGRAM_POLL_ATTEMPTS = 20  # then the next run goes on with the same container
YOUTUBE_TITLE_MAX = 100  # characters
YOUTUBE_DESCRIPTION_MAX_BYTES = 5000  # UTF-8 bytes: umlauts count 2
YOUTUBE_CATEGORY_ID = "25"  # News & Politics
YOUTUBE_PRIVACY = "public"  # uploads of API projects Google has not audited stay private anyway
BLUESKY_MAX_GRAPHEMES = 300
BLUESKY_THUMB_MAX_BYTES = 1_000_000  # a larger lead image leaves the link card without picture

# Press releases by e-mail (plugins/press; README "Press releases"). The SMTP server, the sender
# and the distribution list come only from NEWSROOM_PRESS_… environment variables: journalists'
# addresses never live in this repository.
PRESS_NUMBER_FORMAT = "PM {number}/{year}"  # numbered from 1 each year; a story keeps its number
PRESS_SENDER = "Landeshauptstadt Düsseldorf · Amt für Kommunikation"  # the head of every release
PRESS_PLACE = "Düsseldorf"  # "Düsseldorf, 26. November 2026"
PRESS_FOOTER = ("Sie erhalten diese Pressemitteilung über den Presseverteiler der Landeshauptstadt "
                "Düsseldorf. Abmelden: {unsubscribe}")
PRESS_LIST_ID = "Presseverteiler Landeshauptstadt Düsseldorf <presse.duesseldorf.de>"  # List-Id header
PRESS_UNSUBSCRIBE = None  # List-Unsubscribe (mailto: or https:); None: a mail to the Reply-To or From address
PRESS_ATTACH_IMAGE = False  # True: the lead image goes along as attachment …
PRESS_ATTACHMENT_MAX_BYTES = 2_000_000  # … when it is at most this large; it is always linked
PRESS_BATCH = 25  # recipients per batch, recorded before it goes out: at most this many are unclear after a crash
PRESS_SMTP_TIMEOUT = 60  # seconds to wait for each answer of the SMTP server
PRESS_SMTP_RECONNECTS = 3  # new connections in one run after a drop; then a later run goes on

# Media portal (plugins/media_portal; README "Media portal"). Renditions are cached in
# CACHE_PATH/renditions by content hash and these settings; changing them redraws every photo once.
MEDIA_RENDITIONS = {"widths": [320, 640, 1024, 1600], "formats": ["webp", "jpg"], "jpeg_quality": 82, "webp_quality": 78}
# Series of the portal (sidecar field `series`), each with its own page: name → description.
MEDIA_SERIES = {
    "Video-Wochenrückblick": "Jeden Freitag die Woche in der Landeshauptstadt in drei Minuten: "
                             "was der Rat beschlossen hat, was sich in den Stadtbezirken tut und was ansteht.",
}

# Deploy (`invoke deploy`, newsroom/deploy; README "Deploy"): where the built site goes. A folder,
# rsync:host:/folder or s3://bucket/prefix; NEWSROOM_DEPLOY_TARGET overrides it, credentials come
# only from NEWSROOM_DEPLOY_… environment variables.
DEPLOY_TARGET = None
# A folder or rsync target keeps a release per deploy below releases/ and serves the one `current`
# points to; this many stay (the live one included), unchanged files shared as hard links.
DEPLOY_KEEP_RELEASES = 3
# Cache-Control per site path for object storage and the CDN in front (first match wins). Pages and
# feeds change with every story, so CDNs keep them briefly; media and styles rarely change.
DEPLOY_CACHE_CONTROL = [
    ("admin/*", "no-cache"),
    ("*.html", "public, max-age=300"),
    ("*.xml", "public, max-age=300"),
    ("*.json", "public, max-age=300"),
    ("*.txt", "public, max-age=300"),
    ("medien/*", "public, max-age=86400"),
    ("*", "public, max-age=3600"),
]

# Security headers (newsroom/deploy/headers.py; README "Headers"). Every page carries its Content-Security-
# Policy in a <meta> element; `invoke server-config` writes the web server's side from these settings.
CSP_FRAME_SOURCES = ["https://www.youtube-nocookie.com"]  # frames: the YouTube player, loaded after consent
CSP_FORM_ACTION = []  # where forms may send besides the site, e.g. ["https://newsletter.example.org"]
CSP_FRAME_ANCESTORS = "'none'"  # who may frame the site's pages: "'none'" or "'self'" (header only)
SERVER_ROOT = "/srv/www/newsroom/current"  # the web server's document root (the deploy target's live folder)
SERVER_NAME = None  # host name(s) the server answers to; None: the host of SITEURL
SERVER_LISTEN = "443"  # port, or address:port, the server listens on ("80" where TLS ends in front of it)
SERVER_TLS_CERTIFICATE = "/etc/ssl/certs/newsroom.pem"  # None: plain HTTP (TLS ends in front of the server)
SERVER_TLS_KEY = "/etc/ssl/private/newsroom.key"
SERVER_HSTS = "max-age=31536000; includeSubDomains"  # Strict-Transport-Security; "" sends none
SERVER_REFERRER_POLICY = "strict-origin-when-cross-origin"
SERVER_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"

# The browser admin (plugins/admin, Decap CMS at /admin/; README "Editing"). Its config.yml is
# made from these settings and the story schema on every build.
ADMIN_PATH = "admin"  # "" leaves the admin out of the site
ADMIN_CONTENT_FOLDER = "content"  # PATH as seen from the repository root (the CMS writes there)
ADMIN_UPLOAD_FOLDER = "fotos"  # below content/media: where a story's image field uploads to
# Below content/media: the folders editors upload to and describe in the admin, with the kind of
# file each holds (photo, video, document); the videos folder also holds YouTube descriptions.
ADMIN_MEDIA_FOLDERS = {"fotos": "photo", "videos": "video", "dokumente": "document"}
# How editors sign in on the live site: GitLab with PKCE needs no server of its own. Replace
# repo/app_id/base_url with the city's GitLab project and OAuth application.
ADMIN_BACKEND = {
    "name": "gitlab",
    "repo": "amt-fuer-kommunikation/newsroom",
    "branch": "main",
    "auth_type": "pkce",
    "app_id": None,  # the OAuth application id of the GitLab instance (not secret)
    "base_url": "https://gitlab.duesseldorf.de",
    "api_root": "https://gitlab.duesseldorf.de/api/v4",
}
# True for the live site (publishconf.py): the build stops while app_id or base_url is missing.
ADMIN_LIVE = False
ADMIN_LOCAL_BACKEND_URL = None  # None: Decap's default http://localhost:8081/api/v1 (invoke cms)
ADMIN_CHANNEL_LABELS = {"press": "Pressemitteilung per E-Mail", "facebook": "Facebook", "instagram": "Instagram",
                        "x": "X", "youtube": "YouTube", "mastodon": "Mastodon", "bluesky": "Bluesky"}
