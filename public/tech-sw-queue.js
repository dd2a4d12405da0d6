// The Tech view's work queue, part of its service worker (public/tech-sw.js imports it): what a
// technician does on a task without signal ("I'm on site", a revisit, results, a defect with its
// photos, "I've performed this work") is kept on the phone in IndexedDB and sent, in the order it
// was done, when the connection is back.
//
// Each act gets its own Idempotency-Key when it is done, kept with it: the server records the key
// and answers a repeat with its first answer, so a replay after a lost answer never does the work
// twice. Each carries the phone's time of the act (`x-certidesk-acted-at`), which the server checks
// against its own clock. A replay the server refuses (the task was given to someone else, sent
// back, already performed) is kept, with the server's reason, until the technician exports or
// dismisses it: nothing is dropped without them.

const QUEUE_DB = 'certidesk-tech';
const QUEUE = 'queue';
const META = 'meta';
const KEY_HEADER = 'idempotency-key';
const ACTED_AT_HEADER = 'x-certidesk-acted-at';
const QUEUED_HEADER = 'x-certidesk-queued';
const SYNC_TAG = 'certidesk-queue';
// Photos are stored at most this size on their longest side (a day of defects fits on a phone);
// a file larger than MAX_PHOTO_BYTES is not decoded here at all (the server refuses it anyway).
const PHOTO_SIDE = 1600;
const MAX_PHOTO_BYTES = 25 * 1024 * 1024;
// Items sent are listed for a day ("sent 14:06"), then forgotten.
const SENT_KEPT_MS = 24 * 60 * 60 * 1000;

// ---- storage -----------------------------------------------------------------------------------

let opened = null;
function database() {
  opened ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(QUEUE_DB, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore(QUEUE, { keyPath: 'id', autoIncrement: true });
      open.result.createObjectStore(META);
    };
    open.onsuccess = () => {
      // Clear-Site-Data (signing out) deletes the database under an open connection.
      open.result.onversionchange = () => {
        open.result.close();
        opened = null;
      };
      resolve(open.result);
    };
    open.onerror = () => {
      opened = null;
      reject(open.error);
    };
  });
  return opened;
}

async function inStore(name, mode, use) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode);
    const request = use(tx.objectStore(name));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

const allItems = () => inStore(QUEUE, 'readonly', (s) => s.getAll());
const putItem = (item) => inStore(QUEUE, 'readwrite', (s) => s.put(item));
const dropItem = (id) => inStore(QUEUE, 'readwrite', (s) => s.delete(id));
const readMeta = (key) => inStore(META, 'readonly', (s) => s.get(key));
const writeMeta = (key, value) => inStore(META, 'readwrite', (s) => s.put(value, key));
const isWaiting = (item) => item.state === 'waiting' || item.state === 'sending';

// ---- what is queued ------------------------------------------------------------------------------

// The Tech view's acts that can wait for signal, by address. `answer` is what the page is told
// when an act is queued: what the server answers once it is done (the page then loads again and
// shows the queue).
function actOf(url, fields) {
  if (url.pathname === '/rpc/tasks/act') {
    const action = fields.get('action');
    if (action === 'OnSite') return { kind: 'on-site', label: "I'm on site", answer: '"InProgress"' };
    if (action === 'RevisitRequired') {
      return { label: `Revisit required: ${fields.get('reason') || ''}`.trim(), answer: '"Revisit"' };
    }
    return null;
  }
  if (url.pathname === '/rpc/tasks/result') {
    const outcome = { Pass: 'Pass', Fail: 'Fail', NotApplicable: 'N/A' }[fields.get('outcome')] || fields.get('outcome');
    const reading = fields.get('reading');
    const shown = `${outcome}${reading ? ` · ${reading}` : ''}`;
    return { label: `Result: ${shown}`, answer: 'null', shows: { serviceTask: fields.get('service_task_id'), text: shown } };
  }
  if (url.pathname === '/rpc/tasks/perform') {
    return { kind: 'performed', label: "I've performed this work", answer: '"PerformedNeedDocs"' };
  }
  if (/^\/files\/tasks\/\d+\/defects$/.test(url.pathname)) {
    const description = fields.get('description') || '';
    return {
      label: `Defect: ${description}`.trim(),
      answer: '{}',
      shows: { defect: description, severity: fields.get('severity') },
    };
  }
  return null;
}

const queueable = (url) =>
  ['/rpc/tasks/act', '/rpc/tasks/result', '/rpc/tasks/perform'].includes(url.pathname) ||
  /^\/files\/tasks\/\d+\/defects$/.test(url.pathname);

// Reads a request into an item the queue can keep and send again: a form's text as it is, a form
// with files as its fields, photos made smaller.
async function capture(request, url, from) {
  const contentType = request.headers.get('content-type') || '';
  let body = null;
  let parts = null;
  let fields;
  if (contentType.startsWith('multipart/form-data')) {
    const form = await request.clone().formData();
    parts = [];
    for (const [name, value] of form.entries()) {
      parts.push(typeof value === 'string' ? { name, value } : { name, file: value, filename: value.name });
    }
    fields = form;
  } else {
    body = await request.clone().text();
    fields = new URLSearchParams(body);
  }
  const act = actOf(url, fields);
  if (!act) return null;
  // The task: from the page that sent it (pages send no Referer here), its address or its form.
  const number = (text) => Number((text || '').match(/^\/(?:tech|files)\/tasks\/(\d+)/)?.[1]) || null;
  const task =
    number(from) || number(url.pathname) || Number(fields.get('task_id') || fields.get('work[task_id]')) || null;
  return {
    key: crypto.randomUUID(),
    actedAt: Date.now(),
    url: url.pathname,
    navigate: request.mode === 'navigate',
    page: from || (task ? `/tech/tasks/${task}` : '/tech'),
    accept: request.headers.get('accept') || 'application/json',
    contentType: parts ? null : contentType,
    body,
    parts,
    task,
    kind: act.kind ?? null,
    shows: act.shows ?? null,
    label: act.label,
    answer: act.answer,
    owner: (await readMeta('owner')) ?? null,
    state: 'waiting',
  };
}

async function smaller(file) {
  if (!file.type.startsWith('image/') || file.size > MAX_PHOTO_BYTES || typeof OffscreenCanvas === 'undefined') {
    return file;
  }
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 1024 * 1024) return file;
    const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const jpeg = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
    if (jpeg.size >= file.size) return file;
    return new File([jpeg], file.name.replace(/\.[^.]*$/, '') + '.jpg', { type: 'image/jpeg' });
  } catch {
    // A format this browser cannot draw (HEIC on Chromium) is kept as it was.
    return file;
  }
}

async function store(item) {
  if (item.parts) {
    for (const part of item.parts) {
      if (part.file) {
        part.file = await smaller(part.file);
        part.filename = part.file.name;
      }
    }
  }
  item.id = await putItem(item);
  return item;
}

// ---- sending -----------------------------------------------------------------------------------

function deliver(item, { replay }) {
  const headers = new Headers({
    accept: replay ? 'application/json' : item.accept,
    [KEY_HEADER]: item.key,
    [ACTED_AT_HEADER]: String(item.actedAt),
  });
  let body = item.body;
  if (item.parts) {
    body = new FormData();
    for (const part of item.parts) {
      if (part.file) body.append(part.name, part.file, part.filename);
      else body.append(part.name, part.value);
    }
  } else if (item.contentType) {
    headers.set('content-type', item.contentType);
  }
  return fetch(item.url, {
    method: 'POST',
    headers,
    body,
    credentials: 'same-origin',
    // A form the browser sent itself is answered with a redirect, which goes back to it as it is.
    redirect: item.navigate && !replay ? 'manual' : 'follow',
  });
}

// What the page is told when its act is queued.
function queuedAnswer(item) {
  if (item.navigate) return Response.redirect(new URL(item.page, self.location.origin).href, 303);
  return new Response(item.answer, {
    status: 202,
    headers: { 'content-type': 'application/json', [QUEUED_HEADER]: String(item.id) },
  });
}

// A Tech view act: sent now when the phone has signal and nothing is waiting before it (the
// order is kept), else queued; an act whose answer never came (the signal dropped mid-way) is
// queued with the same key, so sending it again cannot do it twice.
async function act(event, url) {
  const client = event.clientId ? await self.clients.get(event.clientId) : null;
  const from = client ? new URL(client.url).pathname : null;
  const item = await capture(event.request, url, from);
  if (!item) return fetch(event.request);
  if (replaying) await replaying.catch(() => undefined);
  const waiting = (await allItems()).some(isWaiting);
  if (!waiting) {
    try {
      return await deliver(item, { replay: false });
    } catch {
      // No answer: queued below.
    }
  }
  await store(item);
  await askForSync();
  announce();
  if (waiting) event.waitUntil(replay().catch(() => undefined));
  return queuedAnswer(item);
}

async function askForSync() {
  try {
    await self.registration.sync?.register(SYNC_TAG);
  } catch {
    // No Background Sync (Firefox, Safari): the next page opened or the connection coming back
    // sends the queue.
  }
}

// The reason a refusal gives, from the server's error (`ApiError` as JSON).
function reasonOf(status, text) {
  let error;
  try {
    error = JSON.parse(text);
  } catch {
    return `The server answered ${status}.`;
  }
  if (typeof error === 'string') return error === 'Server' ? 'Something went wrong on the server.' : error;
  const [[kind, detail]] = Object.entries(error);
  if (kind === 'NotFound') {
    return detail === 'task'
      ? 'This task is no longer yours: the office gave it to someone else or took it back.'
      : `That ${detail} was not found.`;
  }
  if (kind === 'Invalid') return detail.message;
  return String(detail);
}

let replaying = null;
function replay() {
  replaying ??= sendWaiting().finally(() => {
    replaying = null;
  });
  return replaying;
}

// Whose session this phone has now: an act is only ever sent as the person who did it.
async function signedIn() {
  const response = await fetch('/rpc/viewer', {
    method: 'POST',
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
  });
  if (!response.ok) throw new Error(`viewer ${response.status}`);
  const viewer = await response.json();
  return viewer ? viewer.email : null;
}

// Sends what is waiting, oldest first. Stops at the first act with no answer (no signal), a
// busy or failing server, or no session, to go on later; a refusal is kept and the next act is
// tried. Resolves once nothing is waiting, rejects otherwise (so Background Sync tries again).
async function sendWaiting() {
  const items = (await allItems()).filter(isWaiting);
  if (items.length === 0) return;
  let who;
  try {
    who = await signedIn();
  } catch (offline) {
    throw new Error('no signal');
  }
  if (!who) {
    await writeMeta('blocked', 'Sign in again to send the changes waiting on this phone.');
    announce();
    throw new Error('signed out');
  }
  await writeMeta('blocked', null);
  for (const item of items) {
    // Someone else's work waits for them to sign in on this phone again; it is never sent as,
    // nor shown to, the person signed in now.
    if (item.owner && item.owner !== who) continue;
    item.state = 'sending';
    await putItem(item);
    announce();
    let response;
    try {
      response = await deliver(item, { replay: true });
    } catch {
      item.state = 'waiting';
      await putItem(item);
      announce();
      throw new Error('no signal');
    }
    if (response.ok) {
      item.state = 'sent';
      item.sentAt = Date.now();
      item.parts = null;
      item.body = null;
      await putItem(item);
    } else if (response.status === 401 || response.status === 409 || response.status === 429 || response.status >= 500) {
      // Signed out meanwhile, the first try still being answered, busy, or failing: later.
      item.state = 'waiting';
      await putItem(item);
      announce();
      throw new Error(`answered ${response.status}`);
    } else {
      item.state = 'refused';
      item.reason = reasonOf(response.status, await response.text());
      await putItem(item);
    }
    announce();
  }
  await writeMeta('synced', Date.now());
  await forgetOldSent();
  announce();
}

async function forgetOldSent() {
  for (const item of await allItems()) {
    if (item.state === 'sent' && Date.now() - item.sentAt > SENT_KEPT_MS) await dropItem(item.id);
  }
}

// ---- telling the pages ---------------------------------------------------------------------------

// The signed-in person's own changes; of anyone else's, only how many there are.
async function ownItems() {
  const me = (await readMeta('owner')) ?? null;
  const all = await allItems();
  const mine = all.filter((item) => !item.owner || !me || item.owner === me);
  return { mine, others: all.filter((item) => !mine.includes(item)) };
}

async function queueState() {
  const { mine, others } = await ownItems();
  const items = mine.map((item) => ({
    id: item.id,
    task: item.task,
    kind: item.kind ?? null,
    shows: item.shows ?? null,
    label: item.label,
    actedAt: item.actedAt,
    state: item.state,
    reason: item.reason ?? null,
    sentAt: item.sentAt ?? null,
  }));
  return {
    type: 'queue',
    items,
    others: others.length,
    synced: (await readMeta('synced')) ?? null,
    blocked: (await readMeta('blocked')) ?? null,
  };
}

async function announce() {
  const state = await queueState();
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(state);
}

// A refused act as a file the technician can keep or send to the office: its fields, and its
// photos as data URLs.
async function exported(id) {
  const item = (await ownItems()).mine.find((i) => i.id === id);
  if (!item) return null;
  const fields = [];
  if (item.parts) {
    for (const part of item.parts) {
      if (!part.file) {
        fields.push({ name: part.name, value: part.value });
        continue;
      }
      const bytes = new Uint8Array(await part.file.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      fields.push({ name: part.name, filename: part.filename, dataUrl: `data:${part.file.type};base64,${btoa(binary)}` });
    }
  } else if (item.body) {
    for (const [name, value] of new URLSearchParams(item.body)) fields.push({ name, value });
  }
  return {
    what: item.label,
    task: item.task,
    done_at: new Date(item.actedAt).toISOString(),
    refused_because: item.reason,
    fields,
  };
}

async function onQueueMessage(event, message) {
  const reply = (answer) => event.source && event.source.postMessage(answer);
  if (message.type === 'queue') {
    reply(await queueState());
  } else if (message.type === 'replay') {
    await replay().catch(() => undefined);
    reply(await queueState());
  } else if (message.type === 'export') {
    reply({ type: 'export', id: message.id, data: await exported(message.id) });
  } else if (message.type === 'dismiss') {
    const item = (await ownItems()).mine.find((i) => i.id === message.id);
    if (item && !isWaiting(item)) await dropItem(item.id);
    announce();
  } else if (message.type === 'dismiss-others') {
    for (const item of (await ownItems()).others) await dropItem(item.id);
    announce();
  }
}

self.addEventListener('sync', (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(replay());
});
