// The Tech view's service worker: keeps the technician's open tasks on the phone so they open
// without signal. Registered by the script the Tech view's pages carry (app/src/ui/tech_offline.js), with the scope
// `/tech` (the Tech view's pages only; the files those pages load pass through it too).
//
// Hand-written rather than Workbox: it is a few rules (pages and client documents network first,
// content-named files from the cache, the task list saved after each online visit), and Workbox would add a bundler
// step to a project with no JavaScript build.
//
// What it keeps is the signed-in technician's own: the pages the server answered their session.
// The server clears it at sign-out (`Clear-Site-Data`), and it is emptied here when the server
// sends the Tech view to the sign-in page (the session ended, or access was taken away). The work
// queued on the phone is kept then (sent once the same technician signs in again); signing out,
// which warns about it first, removes it with everything else.
//
// The queue of work done without signal is in tech-sw-queue.js.

importScripts('/tech-sw-queue.js');

const PAGES = 'certidesk-tech-pages';
const FILES = 'certidesk-tech-files';
// The documents the client provided on each saved task (plans, access notes, asbestos reports).
const DOCUMENTS = 'certidesk-tech-documents';
// A document larger than this is not kept on the phone (it opens with signal only).
const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
// A page saved for offline use carries the time it was saved in this header.
const SAVED_AT = 'x-certidesk-saved-at';
// Saving the task pages again after every visit of the list would repeat the same work.
const REFRESH_EVERY_MS = 60 * 1000;
// How long a page waits for the network before the saved copy is shown instead.
const SLOW_MS = 5 * 1000;
// At most this many task pages are fetched at once while saving.
const AT_ONCE = 4;
let lastRefresh = 0;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const isTechPage = (url) => url.pathname === '/tech' || url.pathname.startsWith('/tech/tasks/');
// cargo-leptos names client files `name.<22 base64url characters>.ext`: their content never
// changes under a name, so a saved copy is always right.
const isContentNamed = (url) =>
  url.pathname.startsWith('/pkg/') && /\.[A-Za-z0-9_-]{22}\.[a-z]+$/.test(url.pathname);
const signedOut = (response) => response.redirected && new URL(response.url).pathname.startsWith('/sign-in');

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && queueable(url)) {
    event.respondWith(act(event, url));
    return;
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate' && isTechPage(url)) {
    event.respondWith(page(event, url));
  } else if (isContentNamed(url)) {
    event.respondWith(file(request));
  } else if (isDocument(url)) {
    event.respondWith(clientDocument(request, url));
  }
});

const isDocument = (url) => /^\/files\/task-documents\/\d+$/.test(url.pathname);

// A client document: from the network while there is one, else the copy saved with its task.
async function clientDocument(request, url) {
  try {
    return await fetch(request);
  } catch (offline) {
    const saved = await caches.match(url.pathname, { cacheName: DOCUMENTS });
    if (saved) return saved;
    throw offline;
  }
}

// The client documents a saved task page links to (its "Documents provided by client" panel).
function clientDocuments(html) {
  const start = html.indexOf('id="client-docs-heading"');
  if (start < 0) return [];
  const panel = html.slice(start, html.indexOf('</section>', start));
  return [...panel.matchAll(/href="(\/files\/task-documents\/\d+)"/g)].map((m) => m[1]);
}

async function keepDocument(path, cache) {
  if (await cache.match(path)) return;
  const response = await fetch(path, { credentials: 'same-origin' });
  if (!response.ok || response.redirected) return;
  if (Number(response.headers.get('content-length')) > MAX_DOCUMENT_BYTES) return;
  // The length is not always given (a compressed answer): measured as read.
  const body = await response.blob();
  if (body.size > MAX_DOCUMENT_BYTES) return;
  await cache.put(path, new Response(body, { status: response.status, headers: response.headers }));
}

async function forget() {
  await Promise.all([caches.delete(PAGES), caches.delete(FILES), caches.delete(DOCUMENTS)]);
}

// Stores a page as answered (a response of its own: its body is read here), with the time it
// was saved, in `cache`: opened by the caller before it asked the network, so a sign-out
// meanwhile (Clear-Site-Data deletes the caches) leaves the page in a deleted cache instead of
// making the cache again.
async function keepPage(path, response, cache) {
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, String(Date.now()));
  const body = await response.arrayBuffer();
  await cache.put(path, new Response(body, { status: response.status, headers }));
}

// A Tech view page: from the network while there is one (saved as it arrives), else the saved
// copy. Weak signal (a basement, a loft) can hold a page for a minute: when a saved copy exists
// and the network has not answered within SLOW_MS, the saved copy is shown, and the network's
// answer, when it comes, is saved for next time.
async function page(event, url) {
  const pages = await caches.open(PAGES);
  const network = fetch(event.request).then((response) => {
    if (signedOut(response)) {
      event.waitUntil(forget());
    } else if (response.ok && !response.redirected) {
      event.waitUntil(keepPage(url.pathname, response.clone(), pages));
    }
    return response;
  });
  const saved = await pages.match(url.pathname);
  if (!saved) return network.catch(() => notSaved());
  event.waitUntil(network.catch(() => undefined));
  const slow = new Promise((resolve) => setTimeout(() => resolve(null), SLOW_MS));
  try {
    return (await Promise.race([network, slow])) ?? markSaved(saved, 'slow');
  } catch (offline) {
    return markSaved(saved, 'offline');
  }
}

// The saved page with a line at the top saying why it is shown and when it was saved (so the
// technician knows it may be out of date); `missing`: the saved task list shown for a page that
// was not saved.
async function markSaved(saved, why, missing = false) {
  const when = new Date(Number(saved.headers.get(SAVED_AT)));
  const time = when.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  const text = missing
    ? `Offline: that page was not saved on this phone. These are your tasks as saved at ${time}.`
    : why === 'slow'
      ? `The signal is weak: this is the copy saved on this phone at ${time}. Open the page again to try the network.`
      : `Offline: this is the copy saved on this phone at ${time}.`;
  const note = `<p class="offline-copy" role="status">${text}</p>`;
  const html = (await saved.text()).replace(/<main([^>]*)>/, (open) => open + note);
  const headers = new Headers(saved.headers);
  headers.delete('content-length');
  return new Response(html, { status: missing ? 503 : 200, headers });
}

async function notSaved() {
  const list = await caches.match('/tech', { cacheName: PAGES });
  if (list) return markSaved(list, 'offline', true);
  const html =
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Offline · Certidesk</title></head><body><main>' +
    '<h1>You are offline</h1><p>This page was not saved on this phone. Your open tasks are ' +
    'saved each time you open My tasks with signal.</p><p><a href="/tech">My tasks</a></p>' +
    '</main></body></html>';
  // The same policy as the server's pages: this page runs no script at all.
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  return new Response(html, {
    status: 503,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'`,
    },
  });
}

// A content-named file: the saved copy, else the network's (then saved).
async function file(request) {
  const cache = await caches.open(FILES);
  const saved = await cache.match(request);
  if (saved) return saved;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// Called by the Tech view's pages once they have loaded, online: the files the page loaded
// (which the first visit fetched before this worker ran) and, from the task list, every task
// on it, so a task never opened before opens without signal.
self.addEventListener('message', (event) => {
  const message = event.data || {};
  if (message.type !== 'save') {
    event.waitUntil(onQueueMessage(event, message));
    return;
  }
  event.waitUntil(
    save(message.files || [], message.list === true).then(
      (saved) => event.source && event.source.postMessage({ type: 'saved', ...saved }),
      (error) => event.source && event.source.postMessage({ type: 'not-saved', reason: String(error) }),
    ),
  );
});

async function save(files, fromList) {
  // Whose work is queued from now on (see tech-sw-queue.js); then what waited goes out.
  const who = await signedIn().catch(() => undefined);
  if (who) {
    // Someone else signed in on this phone (the last person's session ended without signing
    // out here): nothing of theirs stays saved, and this person's tasks are saved now.
    const before = await readMeta('owner');
    if (before && before !== who) {
      await forget();
      lastRefresh = 0;
    }
    await writeMeta('owner', who);
  }
  await replay().catch(() => undefined);
  const cache = await caches.open(FILES);
  for (const path of files) {
    const url = new URL(path, self.location.origin);
    if (url.origin === self.location.origin && isContentNamed(url) && !(await cache.match(url))) {
      const response = await fetch(url);
      if (response.ok) await cache.put(url, response);
    }
  }
  if (!fromList || Date.now() - lastRefresh < REFRESH_EVERY_MS) {
    return { tasks: null, at: lastRefresh };
  }
  return refreshTasks();
}

// Saves the task list and each task on it; drops saved tasks no longer on it (finished and
// sent back, or given to someone else).
async function refreshTasks() {
  // Opened before asking: a sign-out while this runs leaves what it saves in deleted caches.
  const pages = await caches.open(PAGES);
  const saved = await caches.open(DOCUMENTS);
  const list = await fetch('/tech', { credentials: 'same-origin' });
  if (signedOut(list)) {
    await forget();
    return { tasks: 0, at: Date.now() };
  }
  if (!list.ok) throw new Error(`the task list answered ${list.status}`);
  await keepPage('/tech', list.clone(), pages);
  const html = await list.text();
  const paths = [...new Set([...html.matchAll(/href="(\/tech\/tasks\/\d+)"/g)].map((m) => m[1]))];
  const documents = new Set();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++];
      const response = await fetch(path, { credentials: 'same-origin' });
      if (response.ok && !response.redirected) {
        clientDocuments(await response.clone().text()).forEach((d) => documents.add(d));
        await keepPage(path, response, pages);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, paths.length) }, worker));
  for (const path of documents) await keepDocument(path, saved).catch(() => undefined);
  const kept = new Set(paths);
  for (const request of await pages.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/tech/tasks/') && !kept.has(path)) await pages.delete(request);
  }
  for (const request of await saved.keys()) {
    if (!documents.has(new URL(request.url).pathname)) await saved.delete(request);
  }
  lastRefresh = Date.now();
  return { tasks: paths.length, at: lastRefresh };
}
