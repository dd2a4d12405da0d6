-- One route under load, for bench/load.py. Settings come from the environment:
--   METHOD (GET or POST), TARGET (path; "{id}" is replaced), BODY (form body; "{id}" replaced),
--   COOKIE (the signed-in session), API_KEY (sent as a bearer key: the public API), IDS (a file of ids, one per line, walked without repeats
--   across threads), IDS_SKIP_LAST, ACTIONS ("a|b": "{action}" in BODY takes a in the first
--   round through the ids, b in the second...), THREADS (wrk's -t).
--   EXPECT (text every answer must contain; pages render some errors inside a 200).
-- Any answer other than 200 counts as an error: a 3xx would mean the session was not honoured.
-- So does a 200 without EXPECT: a page that renders "Something went wrong" is not a page served.
-- done() prints one JSON line the driver reads.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  method = os.getenv("METHOD") or "GET"
  target = os.getenv("TARGET") or "/"
  body_template = os.getenv("BODY")
  nthreads = tonumber(os.getenv("THREADS") or "1")
  headers = {}
  local cookie = os.getenv("COOKIE")
  if cookie and cookie ~= "" then headers["Cookie"] = cookie end
  local key = os.getenv("API_KEY")
  if key and key ~= "" then headers["Authorization"] = "Bearer " .. key end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Accept"] = "application/json"
  end
  expect = os.getenv("EXPECT") or ""
  ids = {}
  local file = os.getenv("IDS")
  if file and file ~= "" then
    for line in io.lines(file) do ids[#ids + 1] = line end
  end
  -- The driver's check spent the last id. Then a multiple of the thread count, so that each id
  -- always falls to the same thread and its requests follow one another, round after round.
  if os.getenv("IDS_SKIP_LAST") == "1" then ids[#ids] = nil end
  while #ids % nthreads ~= 0 do ids[#ids] = nil end
  actions = {}
  for action in string.gmatch(os.getenv("ACTIONS") or "", "[^|]+") do actions[#actions + 1] = action end
  -- wrk's main() calls request() once on the first thread's state, after init, to check the
  -- request it builds, and sends nothing. Without this the first thread skipped its first id, and
  -- the next round sent that task "Revisit required" while it was still Accepted (one 409).
  sent = (tid == 0) and -1 or 0
  bad = 0
end

function request()
  local id = ""
  local action = ""
  if #ids > 0 then
    -- Thread t takes ids t, t + n, t + 2n, ...; round after round when the file runs out, each
    -- round with the next of ACTIONS (so a status can go back and forth).
    local global = sent * nthreads + tid
    id = ids[(global % #ids) + 1]
    if #actions > 0 then action = actions[(math.floor(global / #ids) % #actions) + 1] end
  end
  sent = sent + 1
  -- A "%" in a replacement would be read as a capture (ids may be form-encoded emails).
  id = string.gsub(id, "%%", "%%%%")
  local path = string.gsub(target, "{id}", id)
  local body = nil
  if body_template then
    body = string.gsub(string.gsub(body_template, "{id}", id), "{action}", action)
  end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  local missing = expect ~= "" and not string.find(body or "", expect, 1, true)
  if status ~= 200 or missing then
    bad = bad + 1
    if bad <= 3 then
      local why = missing and status == 200 and ("200 without " .. expect) or ("status " .. status)
      io.stderr:write(why .. ": " .. string.sub(body or "", 1, 200) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"bad_status":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, bad_total,
    e.connect + e.read + e.write + e.timeout))
end
