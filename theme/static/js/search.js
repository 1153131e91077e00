// The search page: runs ?q= against Pagefind's index, loaded on demand, and lists the reports found.
// Without JavaScript the page explains that and links to the archive and the tags instead.
const PAGE_SIZE = 20;
// Words of a report an excerpt shows (Pagefind's 30, less the decks it may open with: afterDecks).
const EXCERPT_WORDS = 40;

const results = document.querySelector(".ed-results");
const status = results.querySelector(".ed-results__status");
const fallback = results.querySelector(".ed-results__fallback");
const list = results.querySelector(".ed-results__list");
const more = results.querySelector(".ed-results__more");
const template = results.querySelector(".ed-results__template");
const query = (new URLSearchParams(window.location.search).get("q") || "").trim();

for (const input of document.querySelectorAll('.ed-search input[name="q"]')) {
  input.value = query;
}

// What Pagefind is asked for: the query's words, split as a reader types them (no spaces in
// Chinese). Pagefind 1.4 takes 志愿服务 whole, as one word its index does not have, and answers with
// the reports of its longest indexed beginning, 志愿 (志愿者…); asked for 志愿 服务, it finds the
// reports with both. The browser's dictionary splits some names finer than the index does
// (湛河区 → 湛 河 区, 区长 → 区 长), and a single character alone matches only words that begin
// with it: runs of single characters stay together (湛河区政务 → 湛河区 政务). Punctuation is dropped.
// Without Intl.Segmenter (older browsers) the query goes as typed.
function searchTerms(text) {
  if (typeof Intl === "undefined" || !Intl.Segmenter) {
    return text;
  }
  // "…" in quotes is Pagefind's exact phrase: its words, one after the other, kept in quotes
  const phrase = /^\s*"(.+)"\s*$/.exec(text);
  if (phrase) {
    return `"${searchTerms(phrase[1])}"`;
  }
  const terms = [];
  let single = false; // is the last term a run of single characters?
  for (const { segment, isWordLike } of new Intl.Segmenter("zh", { granularity: "word" }).segment(text)) {
    if (!isWordLike) {
      single = false;
      continue;
    }
    const alone = [...segment].length === 1;
    if (alone && single) {
      terms[terms.length - 1] += segment;
    } else {
      terms.push(segment);
    }
    single = alone;
  }
  return terms.length ? terms.join(" ") : text;
}

// Pagefind's excerpt is escaped text with <mark> around the words found: keep exactly that.
function excerptNodes(html) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  return Array.from(parsed.body.firstElementChild.childNodes, (node) => {
    if (node.nodeName !== "MARK") {
      return document.createTextNode(node.textContent);
    }
    const mark = document.createElement("mark");
    mark.textContent = node.textContent;
    return mark;
  });
}

// Pagefind's excerpt of a report whose headline has the word opens with the headline's decks, each
// ended with ". " ("居民说了算. 湛河区首批特邀行政执法监督员上岗. 本报讯…"), which the entry shows above
// it: the excerpt starts after them, with the report's text. A deck cut by the excerpt's start counts
// from two characters; an excerpt that is decks only is left as it is.
function afterDecks(nodes, decks) {
  const text = nodes.map((node) => node.textContent).join("");
  let start = 0;
  for (const deck of decks) {
    const shortest = start === 0 ? Math.min(2, deck.length) : deck.length; // only the excerpt's start cuts a deck
    for (let length = deck.length; length >= shortest; length -= 1) {
      const head = deck.slice(deck.length - length);
      const separator = text.startsWith(head, start) && /^\.?\s+/.exec(text.slice(start + length));
      if (separator) {
        start += length + separator[0].length;
        break;
      }
    }
  }
  if (start === 0 || start >= text.length) {
    return nodes;
  }
  const kept = [];
  let offset = 0;
  for (const node of nodes) {
    const end = offset + node.textContent.length;
    if (end > start) {
      if (offset < start) {
        node.textContent = node.textContent.slice(start - offset);
      }
      kept.push(node);
    }
    offset = end;
  }
  return kept;
}

function fill(element, text) {
  if (text) {
    element.textContent = text;
  } else {
    element.remove();
  }
}

function entry(data) {
  const item = template.content.firstElementChild.cloneNode(true);
  const link = item.querySelector(".ed-decks__title a");
  link.href = data.url;
  link.textContent = data.meta.title;
  fill(item.querySelector(".ed-decks__kicker"), data.meta.kicker);
  fill(item.querySelector(".ed-decks__subtitle"), data.meta.subtitle);
  fill(item.querySelector(".ed-item__kind"), data.meta.kind);
  fill(item.querySelector(".ed-item__dateline"), data.meta.dateline);
  const thumb = item.querySelector(".ed-item__thumb");
  if (data.meta.image) {
    thumb.href = data.url;
    thumb.querySelector("img").src = data.meta.image; // the narrowest JPEG of its photo
    item.querySelector(".ed-item").classList.add("ed-item--pictured");
  } else {
    thumb.remove();
  }
  const decks = [data.meta.kicker, data.meta.title, data.meta.subtitle].filter(Boolean);
  const excerpt = excerptNodes(joinParagraphs(data.excerpt));
  const whole = squeezed(excerpt.map((node) => node.textContent).join(""));
  const shown = afterDecks(excerpt, decks);
  const content = squeezed(data.content);
  let text = content; // the report's text: its page's, after the decks
  for (const deck of decks.map(squeezed)) {
    text = text.startsWith(deck) ? text.slice(deck.length).replace(/^\./, "") : text;
  }
  // An excerpt cut from the middle of the text says so: …… where text goes on before or after it.
  // One that began with the decks (afterDecks took them away) starts where the report's text does.
  if (shown === excerpt && !content.startsWith(whole) && !text.startsWith(whole)) {
    shown.unshift(document.createTextNode("……"));
  }
  if (!content.endsWith(whole)) {
    shown.push(document.createTextNode("……"));
  }
  item.querySelector(".ed-item__summary").replaceChildren(...shown);
  return item;
}

function squeezed(text) {
  return text.replace(/\s+/g, "");
}

// Pagefind joins a report's paragraphs with a space: none after a Chinese sentence's end ("氛围。 疫情…"),
// the next paragraph's first word marked or not (Pagefind's excerpt: escaped text, <mark> around words found).
function joinParagraphs(html) {
  return html.replace(/([。！？；：”’」』）])\s+(?=(?:<mark>)?[\u3400-\u9fff“‘「『（])/gu, "$1");
}

let found = []; // every result found so far, the newest wave's first
let wanted = PAGE_SIZE; // how many of them the reader asked to see
let drawing = Promise.resolve();

// Shows found results up to `wanted`, after those already shown (one drawing at a time).
function draw() {
  drawing = drawing.then(async () => {
    const start = list.children.length;
    const shown = await Promise.all(found.slice(start, wanted).map((result) => result.data()));
    list.append(...shown.map(entry));
    list.hidden = list.children.length === 0;
    more.hidden = list.children.length >= found.length;
    return start;
  });
  return drawing;
}

async function showMore() {
  wanted = list.children.length + PAGE_SIZE;
  const start = await draw();
  if (list.children.length > start) {
    list.children[start].querySelector("a").focus(); // a keyboard reader goes on where the new results begin
  }
}

// The archive is indexed in shards, a week or a day each (pagefind/shards.json, newest first),
// each in a wave: the newest week or two, the month before, the half-year before, and so on.
// A wave is one Pagefind merging its shards (two small files each, all at once): the Pagefind
// module of its first shard, whose folder is its base (Pagefind 1.4 holds one index a module); the
// waves are searched one after the other, newest first, and each one's results (best match
// first) are shown after the newer ones' as soon as it is searched. The first results thus cost
// what the newest shards cost, however large the archive: merging all 54 shards of a year
// before showing anything took 5.2 s on a phone's connection (100 ms a request, 1.5 MB/s).
async function loadWaves(base) {
  const response = await fetch(`${base}shards.json`);
  const waves = [];
  for (const shard of (await response.json()).shards) {
    const wave = shard.wave ?? 0;
    if (!waves.length || waves.at(-1).wave !== wave) {
      waves.push({ wave, shards: [] });
    }
    waves.at(-1).shards.push(`${base}${shard.name}/`);
  }
  if (!waves.length) {
    throw new Error("the search index is empty");
  }
  await import(`${waves[0].shards[0]}pagefind.js`); // a search that cannot run says so at once
  return waves.map((wave) => async () => {
    const pagefind = await import(`${wave.shards[0]}pagefind.js`);
    await pagefind.options({ excerptLength: EXCERPT_WORDS });
    // Each merged index takes its own options (Pagefind's default of 30 words otherwise).
    await Promise.all(wave.shards.slice(1).map((shard) => pagefind.mergeIndex(shard, { excerptLength: EXCERPT_WORDS })));
    return pagefind;
  });
}

async function search() {
  let waves;
  try {
    waves = await loadWaves(results.dataset.pagefind);
  } catch (error) {
    status.textContent = "搜索暂时无法使用。";
    fallback.querySelector(".ed-results__needs-script").hidden = true;
    return;
  }
  fallback.hidden = true;
  if (!query) {
    status.textContent = "请输入要查找的词语，例如“招商引资”。";
    return;
  }
  const terms = searchTerms(query);
  status.textContent = `正在搜索“${query}”……`;
  document.title = `搜索：${query} - ${document.title.split(" - ").pop()}`;
  for (const [number, load] of waves.entries()) {
    const instance = await load();
    found = found.concat((await instance.search(terms)).results);
    await draw();
    if (found.length && number < waves.length - 1) {
      status.textContent = `已找到${found.length}篇与“${query}”相关的稿件，较近的在前；正在查找更早的稿件……`;
    }
  }
  status.textContent = found.length ? `找到${found.length}篇与“${query}”相关的稿件，较近的在前。` : `没有找到与“${query}”相关的稿件。`;
}

more.addEventListener("click", showMore);
search().catch((error) => {
  status.textContent = "搜索出错，请稍后再试。";
  throw error;
});
