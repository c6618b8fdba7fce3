/* The search pages (suche/, <lang>/search/) on Pagefind's JavaScript API; no Pagefind UI, nothing from elsewhere.

   The index lies in parts ("Teile", pagefind/teile.json, written by `invoke search`): dated parts
   newest first, then "seiten". The first part's pagefind.js is loaded and the other parts merged
   into it, each marked with the filter teil:<name>. Pagefind sorts exactly within one part only, so
   "Neueste zuerst" searches part by part in the order of teile.json, each sorted by datum, and
   appends until the page is full; "Beste Treffer" is one search over all parts.

   Pagefind searches the index of the page's <html lang> and answers from a bundle's largest index when
   the bundle has none in that language, so only the parts listing the page's language are loaded: the
   English page finds English pages only. The texts this script writes come from the page (#suche-texte,
   from the catalogue of its language); the filters' values are German (texts.values) and say so.

   Thema, Amt, Stadtbezirk and Jahr are the pages' filters (data-pagefind-filter in the templates);
   a query like "PM 123/2026" finds that press release by its pm filter. The address keeps the
   query and the choices (?q=…&thema=…), so a search can be linked. */
(function () {
  "use strict";
  var PAGE = 20;  // results shown at once, and added by "Weitere Treffer"
  var FILTERS = ["thema", "amt", "bezirk", "jahr"];
  var LANGUAGE = document.documentElement.lang.toLowerCase();  // as Pagefind and teile.json name it
  var TEXTS = JSON.parse(document.getElementById("suche-texte").textContent);
  var PRESS = "Pressemitteilung";  // the art of a story sent as press release
  var CITYWIDE = "Stadtweit";  // the bezirk of a story without districts
  var PRESS_NUMBER = /^\s*pm\s*(\d+)\s*\/\s*(\d{4})\s*$/i;
  var TYPING_PAUSE = 300;  // milliseconds after the last key before searching

  var form = document.getElementById("suche");
  var input = document.getElementById("suche-begriff");
  var sorting = document.getElementById("suche-sortierung");
  var pressOnly = document.getElementById("suche-pm");  // on the German page only: releases are German
  var status = document.getElementById("suche-status");
  var list = document.getElementById("suche-treffer");
  var more = document.getElementById("suche-mehr");
  var selects = {};
  FILTERS.forEach(function (name) { selects[name] = form.querySelector('[data-filter="' + name + '"]'); });

  var pagefind = null;
  var teile = [];
  var everything = {};  // every filter value of the index with its number of pages
  var latest = 0;  // the number of the newest search: older ones drop their results
  var current = null;  // the search whose results are shown
  var typing = null;

  async function load() {
    var bundle = new URL(form.getAttribute("data-bundle"), document.baseURI).pathname;
    var response = await fetch(bundle + "teile.json");
    if (!response.ok) {
      throw new Error("teile.json: " + response.status);
    }
    teile = (await response.json()).teile.filter(function (teil) {
      // An index that lists no languages holds German pages only (translations were not indexed).
      return (teil.sprachen || ["de"]).indexOf(LANGUAGE) >= 0;
    });
    var first = teile[0];
    if (!first) {
      throw new Error("teile.json: no part in " + LANGUAGE);
    }
    pagefind = await import(bundle + first.name + "/pagefind.js");
    await pagefind.options({ basePath: bundle + first.name + "/", mergeFilter: { teil: first.name } });
    await Promise.all(teile.slice(1).map(function (teil) {
      return pagefind.mergeIndex(bundle + teil.name + "/", { mergeFilter: { teil: teil.name } });
    }));
    everything = await pagefind.filters();
  }

  // -- the form and the address ------------------------------------------------------------

  function order(name, values) {
    if (name === "jahr") {
      return values.sort().reverse();
    }
    if (name === "bezirk") {  // Stadtbezirk 1 … 10, then the citywide stories
      return values.sort(function (a, b) {
        return (a === CITYWIDE) - (b === CITYWIDE) || a.localeCompare(b, "de", { numeric: true });
      });
    }
    return values.sort(function (a, b) { return a.localeCompare(b, "de"); });
  }

  function fillSelects(wanted) {
    FILTERS.forEach(function (name) {
      var values = Object.keys(everything[name] || {});
      if (wanted[name] && values.indexOf(wanted[name]) < 0) {
        values.push(wanted[name]);  // a linked value the index no longer has: kept, with 0 results
      }
      order(name, values).forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        if (TEXTS.values !== LANGUAGE) {
          option.lang = TEXTS.values;
        }
        selects[name].appendChild(option);
      });
      selects[name].value = wanted[name] || "";
    });
  }

  function showCounts(counts) {
    FILTERS.forEach(function (name) {
      Array.prototype.forEach.call(selects[name].options, function (option) {
        if (option.value) {
          var count = (counts[name] || {})[option.value] || 0;
          option.textContent = option.value + " (" + count.toLocaleString(LANGUAGE) + ")";
        }
      });
    });
  }

  function readAddress() {
    var params = new URLSearchParams(window.location.search);
    var wanted = {};
    FILTERS.forEach(function (name) { wanted[name] = params.get(name) || ""; });
    input.value = params.get("q") || "";
    sorting.value = params.get("sortierung") === "relevanz" ? "relevanz" : "";
    if (pressOnly) {
      pressOnly.checked = params.get("art") === PRESS;
    }
    return wanted;
  }

  function writeAddress() {
    var params = new URLSearchParams();
    if (input.value.trim()) {
      params.set("q", input.value.trim());
    }
    FILTERS.forEach(function (name) {
      if (selects[name].value) {
        params.set(name, selects[name].value);
      }
    });
    if (pressOnly && pressOnly.checked) {
      params.set("art", PRESS);
    }
    if (sorting.value) {
      params.set("sortierung", sorting.value);
    }
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function chosenFilters() {
    var filters = {};
    FILTERS.forEach(function (name) {
      if (selects[name].value) {
        filters[name] = selects[name].value;
      }
    });
    if (pressOnly && pressOnly.checked) {
      filters.art = PRESS;
    }
    return filters;
  }

  // -- searching -----------------------------------------------------------------------------

  function without(filters, name) {
    var copy = Object.assign({}, filters);
    delete copy[name];
    return copy;
  }

  // How many results each value of a select would give, the other choices kept: Pagefind's
  // counts apply every chosen filter, so a chosen select's own counts need a search without it.
  async function countsFor(term, filters, found) {
    var counts = {};
    await Promise.all(FILTERS.map(async function (name) {
      if (!filters[name]) {
        counts[name] = found.filters[name];
        return;
      }
      var rest = without(filters, name);
      counts[name] = Object.keys(rest).length || term !== null
        ? (await pagefind.search(term, { filters: rest })).filters[name]
        : everything[name];
    }));
    return counts;
  }

  // The results of the parts one after the other, each newest first: exact across parts,
  // since the dated parts cover consecutive date ranges, newest first.
  function newestFirst(term, filters) {
    var year = filters.jahr;
    var parts = teile.filter(function (teil) {
      return !year || (teil.von && teil.von.slice(0, 4) <= year && year <= teil.bis.slice(0, 4));
    });
    var at = 0;
    var pending = [];
    return async function (wanted) {
      var taken = [];
      while (taken.length < wanted) {
        if (pending.length) {
          taken = taken.concat(pending.splice(0, wanted - taken.length));
          continue;
        }
        if (at >= parts.length) {
          break;
        }
        var teil = parts[at++];
        var found = await pagefind.search(term, {
          filters: Object.assign({}, filters, { teil: teil.name }),
          sort: teil.von ? { datum: "desc" } : {}
        });
        pending = found.results;
      }
      return taken;
    };
  }

  function inOrder(results) {
    var at = 0;
    return async function (wanted) {
      var taken = results.slice(at, at + wanted);
      at += taken.length;
      return taken;
    };
  }

  function parseQuery(text) {
    var number = PRESS_NUMBER.exec(text);
    if (number) {
      var pm = "PM " + Number(number[1]) + "/" + number[2];
      return { term: null, pm: pm, shown: pm };
    }
    text = text.trim();
    return { term: text || null, pm: null, shown: text };
  }

  async function search() {
    var id = ++latest;
    writeAddress();
    var query = parseQuery(input.value);
    var filters = chosenFilters();
    if (query.pm) {
      filters.pm = query.pm;
    }
    if (query.term === null && !Object.keys(filters).length) {
      current = null;
      list.replaceChildren();
      list.removeAttribute("aria-busy");
      more.hidden = true;
      status.textContent = "";
      showCounts(everything);
      return;
    }
    list.setAttribute("aria-busy", "true");
    var found = await pagefind.search(query.term, { filters: filters });
    var counts = await countsFor(query.term, filters, found);
    if (id !== latest) {
      return;
    }
    var relevance = sorting.value === "relevanz" && query.term !== null;
    current = {
      query: query, relevance: relevance, total: found.results.length, shown: 0,
      next: relevance ? inOrder(found.results) : newestFirst(query.term, filters)
    };
    list.replaceChildren();
    showCounts(counts);
    await showMore(false);
  }

  async function showMore(focusFirst) {
    var shown = current;
    more.disabled = true;
    var results = await shown.next(PAGE);
    var pages = await Promise.all(results.map(function (result) { return result.data(); }));
    if (shown !== current) {
      return;
    }
    var items = pages.map(resultItem);
    items.forEach(function (item) { list.appendChild(item); });
    shown.shown += items.length;
    list.removeAttribute("aria-busy");
    more.hidden = shown.shown >= shown.total;
    more.disabled = false;
    status.textContent = summary(shown);
    if (focusFirst && items.length) {  // the keyboard goes on where the new results begin
      items[0].querySelector("a").focus();
    }
  }

  // A text of the page's with its {placeholders} filled in.
  function text(name, values) {
    return TEXTS[name].replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function summary(shown) {
    var query = shown.query.shown;
    if (!shown.total) {
      return query ? text("none_for", { query: query }) : TEXTS.none;
    }
    var plural = new Intl.PluralRules(LANGUAGE).select(shown.total) === "one" ? "one" : "other";
    var found = text(plural, { count: shown.total.toLocaleString(LANGUAGE) })
      + (query ? text("for", { query: query }) : "") + ", " + (shown.relevance ? TEXTS.best : TEXTS.newest);
    if (shown.shown < shown.total) {
      found += text("shown", { shown: shown.shown.toLocaleString(LANGUAGE) });
    }
    return found + ".";
  }

  // -- the results ---------------------------------------------------------------------------

  function element(name, className, text) {
    var made = document.createElement(name);
    if (className) {
      made.className = className;
    }
    if (text) {
      made.textContent = text;
    }
    return made;
  }

  function first(values) {
    return values && values.length ? values[0] : "";
  }

  // Pagefind's excerpt is the page's text, HTML-escaped, with <mark> around the words found:
  // taken apart into text and <mark> elements, so nothing of it is ever parsed as markup.
  function excerpt(html) {
    var paragraph = element("p", "search-result-excerpt");
    var decoder = document.createElement("textarea");
    var marked = false;
    html.split(/(<\/?mark>)/).forEach(function (piece) {
      if (piece === "<mark>" || piece === "</mark>") {
        marked = piece === "<mark>";
        return;
      }
      decoder.innerHTML = piece;
      var text = document.createTextNode(decoder.value);
      if (marked) {
        var mark = element("mark");
        mark.appendChild(text);
        paragraph.appendChild(mark);
      } else {
        paragraph.appendChild(text);
      }
    });
    return paragraph;
  }

  function resultItem(page) {
    var item = element("li", "search-result");
    var heading = element("h2", "search-result-title");
    var link = element("a", "", page.meta.title || page.url);
    link.href = page.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var pm = first(page.filters.pm);
    var facts = [pm ? text("press", { number: pm }) : first(page.filters.art), page.meta.Datum];
    var meta = element("p", "search-result-meta", facts.filter(Boolean).join(" · "));
    [first(page.filters.thema), first(page.filters.amt)].filter(Boolean).forEach(function (value) {
      if (meta.textContent) {
        meta.appendChild(document.createTextNode(" · "));
      }
      var named = element("span", "", value);  // a German name: marked so on another language's page
      if (TEXTS.values !== LANGUAGE) {
        named.lang = TEXTS.values;
      }
      meta.appendChild(named);
    });
    item.appendChild(meta);
    if (page.excerpt) {
      item.appendChild(excerpt(page.excerpt));
    }
    return item;
  }

  // -- wiring ----------------------------------------------------------------------------------

  function failed(error) {
    form.hidden = true;
    more.hidden = true;
    list.replaceChildren();
    list.removeAttribute("aria-busy");
    status.textContent = TEXTS.unavailable;
    if (window.console) {
      window.console.error(error);
    }
  }

  var wanted = readAddress();
  form.hidden = false;
  var ready = load().then(function () { fillSelects(wanted); showCounts(everything); });

  function start() {
    window.clearTimeout(typing);
    ready.then(search).catch(failed);
  }

  ready.then(function () {
    if (input.value.trim() || Object.keys(chosenFilters()).length) {
      start();
    }
  }, failed);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    start();
  });
  input.addEventListener("input", function () {
    window.clearTimeout(typing);
    typing = window.setTimeout(start, TYPING_PAUSE);
  });
  form.addEventListener("change", function (event) {
    if (event.target !== input) {
      start();
    }
  });
  more.addEventListener("click", function () {
    if (current) {
      showMore(true).catch(failed);
    }
  });
}());
