// The newsroom's additions to Decap CMS, loaded after decap-cms.js and js-yaml.min.js (no build
// step, no CDN): the story id, a channel switch with its own text, the file a media description
// belongs to, and the format of those descriptions. plugins/admin/config.py uses them by name.
// The backends leave translation files (`name.en.md`) out of the stories' collection.
(function () {
  "use strict";

  // A story's id: 12 hex characters with at least one letter (like `invoke new`), so YAML
  // never reads it as a number. Given once when the story is created, never changed.
  function newId() {
    var bytes = new Uint8Array(6);
    for (;;) {
      window.crypto.getRandomValues(bytes);
      var id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      if (/[a-f]/.test(id)) { return id; }
    }
  }

  var StoryIdControl = createClass({
    componentDidMount: function () {
      if (!this.props.value) { this.props.onChange(newId()); }
    },
    render: function () {
      return h("input", {
        id: this.props.forID,
        className: this.props.classNameWrapper,
        value: this.props.value || "",
        readOnly: true,
        "aria-readonly": "true"
      });
    }
  });

  var StoryIdPreview = createClass({
    render: function () { return h("code", {}, this.props.value || ""); }
  });

  // ---- Channels: `name: true` or `name: {text: "…"}`, exactly what newsroom.reader takes ----

  function germanNumber(n) { return n.toLocaleString("de-DE"); }

  function transliterate(title) {
    // Close to newsroom.slugs.slugify; only used to estimate the length of the story's link.
    return String(title || "").toLowerCase().replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue")
      .replace(/ß/g, "ss").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function storyUrl(template, entry) {
    if (!template || !entry) { return ""; }
    var data = entry.get("data");
    var date = String(data.get("date") || "");
    var match = /^(\d{4})-(\d{2})/.exec(date);
    var now = new Date();
    var year = match ? match[1] : String(now.getFullYear());
    var month = match ? match[2] : ("0" + (now.getMonth() + 1)).slice(-2);
    var slug = data.get("slug") || transliterate(data.get("title"));
    return template.replace("{year}", year).replace("{month}", month).replace("{slug}", slug);
  }

  var URL_PATTERN = /https?:\/\/\S+/g;
  var EMOJI = (function () {
    try { return new RegExp("\\p{Extended_Pictographic}|\\p{Regional_Indicator}", "u"); } catch (e) { return null; }
  }());

  function graphemes(text) {
    if (window.Intl && Intl.Segmenter) { return Array.from(new Intl.Segmenter("de").segment(text)); }
    return Array.from(text).map(function (c) { return { segment: c }; });
  }

  // X's weighted length (plugins/x/weighted.py): most scripts count 1, CJK and emoji 2.
  function xWeight(text) {
    var total = 0;
    graphemes(text).forEach(function (part) {
      if (EMOJI && EMOJI.test(part.segment)) { total += 2; return; }
      Array.from(part.segment).forEach(function (c) {
        var code = c.codePointAt(0);
        var light = code <= 0x10FF || (code >= 0x2000 && code <= 0x200D) || (code >= 0x2010 && code <= 0x201F) ||
          (code >= 0x2032 && code <= 0x2037);
        total += light ? 1 : 2;
      });
    });
    return total;
  }

  // The post as the adapter makes it from an own text: the text, then the story's link unless it has it.
  function measure(text, limit, link) {
    var post = text.trim();
    if (link && post.indexOf(link) < 0) { post += "\n\n" + link; }
    post = post.normalize("NFC");
    var urls = 0;
    if (limit.url_length) {
      urls = (post.match(URL_PATTERN) || []).length;
      post = post.replace(URL_PATTERN, "");
    }
    var extra = urls * (limit.url_length || 0);
    if (limit.unit === "bytes") { return new TextEncoder().encode(post).length + extra; }
    if (limit.unit === "graphemes") { return graphemes(post).length + extra; }
    if (limit.unit === "weighted") { return xWeight(post) + extra; }
    if (limit.unit === "utf16") { return post.length + extra; }  // JavaScript strings count UTF-16 code units
    return Array.from(post).length + extra;
  }

  var UNITS = { characters: "Zeichen", graphemes: "Zeichen", bytes: "Bytes", weighted: "Zeichen" };

  // `linked`: the channel appends the story's link (Instagram does not: "Link im Profil").
  function countText(count, limit, label, linked) {
    var unit = UNITS[limit.unit] || "Zeichen";
    var how = limit.unit === "bytes" ? "; Umlaute zählen 2" : limit.unit === "weighted" ? "; gewichtet wie bei X" :
      limit.unit === "utf16" ? "; ein Emoji zählt 2" : "";
    var link = (linked ? "mit Link zur Meldung" : "ohne Link") +
      (limit.url_length ? "; jeder Link zählt " + limit.url_length : "");
    var counted = germanNumber(count) + " von " + germanNumber(limit.maximum) + " " + unit + " (" + link + how + ")";
    if (count > limit.maximum && limit.thread > 1) {
      // The adapter splits it into a thread; the check refuses only more posts than allowed.
      return "Länger als ein Beitrag auf „" + label + "“: " + counted + ". Der Text geht als Thread hinaus, " +
        "in höchstens " + limit.thread + " Beiträgen.";
    }
    if (count > limit.maximum) {
      // The check refuses the story then (the adapter's validate); say so before it is saved.
      return "Zu lang für „" + label + "“: " + germanNumber(count - limit.maximum) + " " + unit + " zu viel, " +
        counted + ". Bitte kürzen, sonst wird die Meldung nicht veröffentlicht.";
    }
    return counted + ".";
  }

  function ownText(value) {
    if (value && typeof value.get === "function") { return value.get("text") || ""; }
    if (value && typeof value === "object") { return value.text || ""; }
    return "";
  }

  var ChannelControl = createClass({
    getInitialState: function () {
      // Kept while the switch is off, so switching back on within the session restores it.
      return { text: ownText(this.props.value) };
    },
    isOn: function () {
      var value = this.props.value;
      return value === true || (!!value && typeof value === "object");
    },
    write: function (on, text) {
      // Only a text with content makes a mapping; an empty one means the house template.
      this.props.onChange(on ? (text.trim() ? { text: text } : true) : false);
    },
    toggle: function (event) { this.write(event.target.checked, this.state.text); },
    type: function (event) {
      this.setState({ text: event.target.value });
      this.write(true, event.target.value);
    },
    isValid: function () {
      var max = this.props.field.get("text_max");
      var text = ownText(this.props.value);
      if (max && Array.from(text).length > max) {
        return { error: { type: "CUSTOM", message: "Der eigene Text ist zu lang: höchstens " + germanNumber(max) +
          " Zeichen." } };
      }
      return true;
    },
    render: function () {
      var field = this.props.field;
      var id = this.props.forID;
      var label = field.get("label");
      var on = this.isOn();
      var children = [
        h("label", { key: "switch", style: { display: "flex", alignItems: "center", gap: "8px" } },
          h("input", { type: "checkbox", id: id, checked: on, onChange: this.toggle,
                       onFocus: this.props.setActiveStyle, onBlur: this.props.setInactiveStyle }),
          h("span", {}, "An „" + label + "“ senden"))
      ];
      if (on && field.get("no_text")) {
        children.push(h("p", { key: "note", style: { margin: "8px 0 0" } }, field.get("text_note")));
      } else if (on) {
        var limit = field.get("limit") && field.get("limit").toJS();
        var count = limit ? measure(this.state.text || "", limit,
                                    storyUrl(field.get("story_url"), currentEntry(this.props))) : null;
        var over = limit && count > limit.maximum;
        children.push(
          h("label", { key: "label", htmlFor: id + "-text", style: { display: "block", marginTop: "12px" } },
            (field.get("text_label") || "Eigener Text für „" + label + "“") + " (optional)"),
          h("textarea", { key: "text", id: id + "-text", value: this.state.text, onChange: this.type, rows: 4,
                          "aria-describedby": id + "-count", "aria-invalid": over ? "true" : "false",
                          style: { width: "100%", marginTop: "4px", font: "inherit", padding: "8px" } }),
          h("p", { key: "count", id: id + "-count", "aria-live": "polite",
                   style: { margin: "4px 0 0", color: over ? "#b00020" : "inherit",
                            fontWeight: over ? "bold" : "normal" } },
            !this.state.text.trim() ?
              field.get("empty_note") || "Leer lassen: Titel, Anreißer, Link und Schlagwörter wie immer." :
              limit ? countText(count, limit, label, Boolean(field.get("story_url"))) :
                field.get("text_note") || "Der Link zur Meldung wird angehängt.")
        );
      }
      return h("div", { className: this.props.classNameWrapper }, children);
    }
  });

  var ChannelPreview = createClass({
    render: function () {
      var value = this.props.value;
      if (!value) { return null; }
      var text = ownText(value);
      return h("p", {}, text ? "Eigener Text: " + text : "ja");
    }
  });

  // ---- Media descriptions: rheinufer.jpg is described by rheinufer.jpg.yml ----

  // The described file is the description's name, never a field of it (newsroom.media.SIDECAR_FIELDS):
  // the form holds it under FILE_KEY while an entry is open, the format drops it when writing.
  var FILE_KEY = "datei";
  var KIND_KEY = "art"; // "youtube" for name.youtube.yml, so the videos folder lists two collections
  var SAVED = "."; // stands for "named by its file" in a description read back; never written

  function describedPath(props) {
    var path = currentEntry(props).get("path") || "";
    var root = props.field.get("media_root") || "";
    return path.indexOf(root) === 0 ? path.slice(root.length).replace(/\.yml$/, "") : path;
  }

  // Decap's `entry` prop may be stale; getEntry() is the entry as it is now.
  function currentEntry(props) { return props.getEntry ? props.getEntry() : props.entry; }

  // A file's value while the form is open: its name and, for the description's name, its stem and
  // suffix apart (Decap's slug template turns a dot inside a value into a dash, not one between two).
  function fileValue(path) {
    var name = String(path || "").split("/").pop();
    var dot = name.lastIndexOf(".");
    return { pfad: name, name: dot > 0 ? name.slice(0, dot) : name, endung: dot > 0 ? name.slice(dot + 1) : "" };
  }

  function filePath(value) {
    if (value && typeof value.get === "function") { return value.get("pfad") || ""; }
    if (value && typeof value === "object") { return value.pfad || ""; }
    return typeof value === "string" && value !== SAVED ? value : "";
  }

  // What survives Decap's slug rules unchanged, so the description gets exactly the file's name.
  var SAFE_STEM = /^[a-z0-9_~]+(-[a-z0-9_~]+)*$/;

  var MediaFileControl = createClass({
    // Decap asks the control whether to re-render; the file control inside must see every
    // change of the media library's selection (mediaPaths), not only of the value.
    shouldComponentUpdate: function () { return true; },
    isSaved: function () { return !currentEntry(this.props).get("newRecord"); },
    choose: function (path) { this.props.onChange(path ? fileValue(path) : ""); },
    isValid: function () {
      if (this.isSaved()) { return true; }
      var field = this.props.field;
      var error = function (message) { return { error: { type: "CUSTOM", message: message } }; };
      var pattern = field.get("name_pattern");
      if (pattern) {
        var name = typeof this.props.value === "string" ? this.props.value : "";
        return new RegExp(pattern.get(0)).test(name) ? true : error(pattern.get(1));
      }
      var file = fileValue(filePath(this.props.value));
      var accept = field.get("accept") && field.get("accept").toJS();
      if (accept && accept.length && accept.indexOf("." + file.endung.toLowerCase()) < 0) {
        return error("Hier gehören nur Dateien vom Typ " + accept.join(", ") + " hin, nicht „" + file.pfad + "“.");
      }
      if (!SAFE_STEM.test(file.name) || file.endung !== file.endung.toLowerCase()) {
        return error("Der Dateiname „" + file.pfad + "“ passt nicht: bitte nur a–z, 0–9, - und _ vor der " +
                     "Endung (beim Hochladen macht das Decap selbst).");
      }
      return true;
    },
    render: function () {
      var field = this.props.field;
      var props = this.props;
      if (this.isSaved()) {
        // Renaming would separate the description from its file: the name stays.
        return h("div", {},
          h("input", { id: props.forID, className: props.classNameWrapper, readOnly: true,
                       "aria-readonly": "true", value: describedPath(props) }),
          h("p", { style: { margin: "4px 0 0" } }, "Beschreibt diese Datei; ihr Name bleibt."));
      }
      var widget = field.get("file_widget");
      if (!widget) {
        return h("input", { id: props.forID, className: props.classNameWrapper, type: "text",
                            value: typeof props.value === "string" ? props.value : "",
                            onChange: function (event) { props.onChange(event.target.value); },
                            onFocus: props.setActiveStyle, onBlur: props.setInactiveStyle });
      }
      return h(CMS.getWidget(widget).control, Object.assign({}, props, {
        value: filePath(props.value), onChange: this.choose
      }));
    }
  });

  var MediaFilePreview = createClass({
    render: function () {
      return h("code", {}, filePath(this.props.value) || describedPath(this.props));
    }
  });

  function isEmpty(value) {
    return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
  }

  CMS.registerCustomFormat("newsroom-sidecar", "yml", {
    fromFile: function (text) {
      var data = window.jsyaml.load(text, { schema: window.jsyaml.CORE_SCHEMA });
      if (data === null || data === undefined) { data = {}; }
      if (typeof data !== "object" || Array.isArray(data)) {
        throw new Error("Die Beschreibung muss aus Feldern „name: wert“ bestehen.");
      }
      data[FILE_KEY] = SAVED;
      data[KIND_KEY] = Object.prototype.hasOwnProperty.call(data, "youtube") ? "youtube" : "datei";
      return data;
    },
    toFile: function (data, sortedKeys) {
      // Form order first; empty fields are left out (newsroom.media reads a missing field as empty).
      var keys = (sortedKeys || []).concat(Object.keys(data).sort());
      var out = {};
      var has = function (object, key) { return Object.prototype.hasOwnProperty.call(object, key); };
      keys.forEach(function (key) {
        if (key === FILE_KEY || key === KIND_KEY || has(out, key) || !has(data, key) || isEmpty(data[key])) { return; }
        out[key] = data[key];
      });
      // Every string quoted: our reader refuses what YAML 1.1 would read as a number, date or yes/no.
      return window.jsyaml.dump(out, { lineWidth: -1, noRefs: true, forceQuotes: true, quotingType: "\"" });
    }
  });

  // ---- The preview pane: a story as its page on the site, in the site's own styles ----

  // The site's stylesheet, from our own host (admin.py writes its address into index.html).
  var SITE_CSS = (document.currentScript && document.currentScript.getAttribute("data-site-css")) || "";
  var MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                "November", "Dezember"];

  // "2026-12-01 10:00" (the form's format) → "1. Dezember 2026, 10:00 Uhr", as the site writes it.
  function germanDateTime(value) {
    var match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(String(value || ""));
    if (!match) { return ""; }
    var day = Number(match[3]) + ". " + MONTHS[Number(match[2]) - 1] + " " + match[1];
    return match[4] ? day + ", " + match[4] + ":" + match[5] + " Uhr" : day;
  }

  // The structure of theme/templates/story.html (title, summary, lead image, text, Leichte Sprache) under
  // the banner of a draft page (theme/templates/_draft_banner.html), so the site's CSS applies as on the site.
  var StoryPagePreview = createClass({
    render: function () {
      var props = this.props;
      var data = props.entry.get("data");
      var text = function (name) { var value = data.get(name); return value ? String(value) : ""; };
      var image = text("image");
      var easy = text("leichte_sprache").trim();
      var asset = image ? props.getAsset(image) : null;
      var when = germanDateTime(text("date"));
      return h("main", { id: "inhalt" }, h("div", { className: "wrap" },
        h("div", { className: "draft-banner" },
          h("p", { className: "draft-banner-title" }, h("strong", {}, text("status") === "published" ?
            "Vorschau – Änderungen erscheinen erst nach dem Speichern" : "Entwurf – nicht veröffentlicht")),
          h("p", {}, "In den Farben und Schriften der Website; die ganze Seite eines Entwurfs zeigt " +
            "„invoke serve“ unter /entwurf/.")),
        h("article", { className: "story" + (easy ? " has-easy" : "") },
          h("header", { className: "story-header" },
            text("category") ? h("p", { className: "kicker" }, text("category")) : null,
            h("h1", {}, text("title")),
            when ? h("p", { className: "dateline" }, "Veröffentlicht am " + when) : null,
            h("p", { className: "summary" }, text("summary")),
            easy ? h("p", { className: "easy-link" }, "Diese Meldung in Leichter Sprache") : null),
          asset ? h("figure", { className: "lead-image" },
            h("img", { src: String(asset), alt: "" }),
            h("figcaption", {}, image)) : null,
          h("div", { className: "story-body" }, props.widgetFor("body")),
          easy ? h("section", { className: "easy-read", id: "leichte-sprache" },
            h("h2", {}, "Die Meldung in Leichter Sprache"), props.widgetFor("leichte_sprache")) : null)));
    }
  });

  if (SITE_CSS) { CMS.registerPreviewStyle(SITE_CSS); }
  CMS.registerPreviewTemplate("stories", StoryPagePreview);

  CMS.registerWidget("storyid", StoryIdControl, StoryIdPreview);
  CMS.registerWidget("channel", ChannelControl, ChannelPreview);
  CMS.registerWidget("mediafile", MediaFileControl, MediaFilePreview);

  // ---- Translations: `name.en.md` beside `name.md` belongs to "Übersetzungen", not to "Meldungen" ----

  // Decap's collection filter compares a field with one value; whether a file is a translation shows
  // in its name alone (newsroom.languages.translation.FILE_NAME). So the backends leave translation
  // files out of every folder listed with the extension "md"; the translations' collections list
  // them with their own extension ("en.md").
  var TRANSLATION_FILE = /\.[a-z]{2,3}\.md$/;

  function isOriginal(path, extension) {
    return extension !== "md" || !TRANSLATION_FILE.test(String(path || ""));
  }

  function keepOriginals(entries, extension) {
    if (!Array.isArray(entries)) { return entries; }
    var kept = entries.filter(function (entry) { return isOriginal(entry && entry.file && entry.file.path, extension); });
    // GitLab hangs its paging cursor on the list as a symbol; it stays with the shorter list.
    Object.getOwnPropertySymbols(entries).forEach(function (symbol) { kept[symbol] = entries[symbol]; });
    return kept;
  }

  function leaveOutTranslations(backend) {
    if (typeof backend.filterFile === "function") {  // GitLab: one test for every way of listing a folder
      var filterFile = backend.filterFile.bind(backend);
      backend.filterFile = function (folder, file, extension, depth) {
        return filterFile(folder, file, extension, depth) && isOriginal(file.path, extension);
      };
      return backend;
    }
    ["entriesByFolder", "allEntriesByFolder"].forEach(function (method) {  // the local backend (proxy)
      if (typeof backend[method] !== "function") { return; }
      var list = backend[method].bind(backend);
      backend[method] = function (folder, extension, depth) {
        return Promise.resolve(list(folder, extension, depth)).then(function (entries) {
          return keepOriginals(entries, extension);
        });
      };
    });
    return backend;
  }

  ["gitlab", "proxy"].forEach(function (name) {
    var registered = CMS.getBackend(name);  // the registry's own record: its init makes each backend
    if (!registered) { return; }
    var init = registered.init;
    registered.init = function () { return leaveOutTranslations(init.apply(null, arguments)); };
  });

  // `invoke cms` opens the admin as …/admin/?schluessel=<key>: its local backend answers only
  // requests whose address carries this run's key (newsroom/decap_guard.py). The key lives in
  // the address alone, never in a file; it goes into the backend's address from config.yml,
  // which is read here and handed over whole (Decap would refuse a config.yml sent as
  // application/octet-stream once a config is given).
  var key = new URLSearchParams(window.location.search).get("schluessel");
  if (!key || !/^[A-Za-z0-9_-]+$/.test(key)) {
    if (["localhost", "127.0.0.1", "[::1]"].indexOf(window.location.hostname) !== -1) {
      var note = document.createElement("p");
      note.setAttribute("role", "alert");
      note.textContent = "Lokal bitte die Adresse mit „?schluessel=…“ öffnen, die „invoke cms“ beim Start zeigt; " +
        "ohne sie nimmt die lokale Redaktionsoberfläche nichts an.";
      document.body.insertBefore(note, document.body.firstChild);
    }
    CMS.init();
    return;
  }
  window.fetch("config.yml", { credentials: "same-origin" })
    .then(function (response) { return response.text(); })
    .then(function (text) {
      var config = window.jsyaml.load(text);
      var local = config.local_backend;
      var url = (local && local.url) || "http://localhost:8081/api/v1";
      config.local_backend = { url: url.replace(/\/api\/v1\/?$/, "/" + key + "/api/v1") };
      config.load_config_file = false;
      CMS.init({ config: config });
    });
})();
