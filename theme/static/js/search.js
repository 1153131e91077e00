// The search page: runs ?q= against Pagefind's index, loaded on demand, and lists the reports found.
// Without JavaScript the page explains that and links to the archive and the tags instead.
const PAGE_SIZE = 20;

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
  fill(item.querySelector(".ed-item__meta"), data.meta.dateline);
  item.querySelector(".ed-item__summary").replaceChildren(...excerptNodes(data.excerpt));
  return item;
}

let found = [];

async function showMore() {
  const start = list.children.length;
  const shown = await Promise.all(found.slice(start, start + PAGE_SIZE).map((result) => result.data()));
  list.append(...shown.map(entry));
  more.hidden = list.children.length >= found.length;
  if (start > 0) {
    list.children[start].querySelector("a").focus(); // a keyboard reader goes on where the new results begin
  }
}

// The archive is indexed in shards, a week or a day each (pagefind/shards.json, newest first):
// load the newest shard's Pagefind and merge the others into it, all at once. Merging
// loads two files a shard: one after the other, a year's 54 shards took 15 s on a phone's
// connection (100 ms a request) before the search began; at once, about two requests' time.
async function loadIndex(base) {
  const response = await fetch(`${base}shards.json`);
  const shards = (await response.json()).shards.map((shard) => shard.name);
  if (!shards.length) {
    throw new Error("the search index is empty");
  }
  const pagefind = await import(`${base}${shards[0]}/pagefind.js`);
  await pagefind.options({ basePath: `${base}${shards[0]}/` });
  await Promise.all(shards.slice(1).map((shard) => pagefind.mergeIndex(`${base}${shard}/`)));
  return pagefind;
}

async function search() {
  let pagefind;
  try {
    pagefind = await loadIndex(results.dataset.pagefind);
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
  status.textContent = `正在搜索“${query}”……`;
  found = (await pagefind.search(query)).results;
  document.title = `搜索：${query} - ${document.title.split(" - ").pop()}`;
  if (!found.length) {
    status.textContent = `没有找到与“${query}”相关的稿件。`;
    return;
  }
  await showMore();
  list.hidden = false;
  status.textContent = `找到${found.length}篇与“${query}”相关的稿件。`;
}

more.addEventListener("click", showMore);
search().catch((error) => {
  status.textContent = "搜索出错，请稍后再试。";
  throw error;
});
