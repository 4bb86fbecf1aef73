-- wrk script: signed Standard Webhooks deliveries at a constant arrival rate.
--
-- wrk 4 (Debian's) drives a closed loop; this script turns it into a constant arrival rate the way wrk2 does:
-- each thread owns a schedule of send slots, one every 1/rate s, and a connection that becomes free waits in
-- delay() for the next unclaimed slot. A slot no free connection can take is sent late, and the lateness is
-- counted (late_sends, max_lag_us), so a saturated gateway shows up instead of slowing the sender down.
-- Every delivery has its own id ("msg_<run>_<thread>_<n>": the gateway answers a repeated id as a duplicate)
-- and is signed over "id.timestamp.body" with HMAC-SHA256 from libcrypto, through LuaJIT's FFI.
--
-- Arguments after `--`: RUN_TAG KEY_HEX RATE_PER_THREAD THREADS. done() prints one JSON line starting with "{".

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
const void *EVP_sha256(void);
unsigned char *HMAC(const void *evp_md, const void *key, int key_len, const unsigned char *data, size_t data_len,
                    unsigned char *md, unsigned int *md_len);
int EVP_EncodeBlock(unsigned char *out, const unsigned char *in, int in_len);
]]
local loaded, crypto = pcall(ffi.load, "libcrypto.so.3")
if not loaded then crypto = ffi.load("crypto") end

local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")
local digest = ffi.new("unsigned char[32]")
local digest_length = ffi.new("unsigned int[1]")
local encoded = ffi.new("unsigned char[48]")

local function now_us()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
   return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local function from_hex(hex)
   return (hex:gsub("..", function(pair) return string.char(tonumber(pair, 16)) end))
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

function init(args)
   run_tag, key = args[1], from_hex(args[2])
   interval_us, thread_count = 1000000 / tonumber(args[3]), tonumber(args[4])
   slots, next_slot, sent = {}, nil, 0
   late_sends, max_lag_us, statuses = 0, 0, {}
end

local function signature(content)
   crypto.HMAC(crypto.EVP_sha256(), key, #key, content, #content, digest, digest_length)
   local length = crypto.EVP_EncodeBlock(encoded, digest, digest_length[0])
   return "v1," .. ffi.string(encoded, length)
end

function delay()
   local now = now_us()
   -- the threads' first slots are spread over one interval, so their slots interleave
   next_slot = next_slot or now + interval_us * (thread_number - 1) / thread_count
   local slot = next_slot
   next_slot = next_slot + interval_us
   table.insert(slots, slot)
   return math.max(0, slot - now) / 1000
end

function request()
   local slot = table.remove(slots, 1)
   if slot then
      local lag = now_us() - slot
      if lag > max_lag_us then max_lag_us = lag end
      if lag > 1000 then late_sends = late_sends + 1 end
   end
   sent = sent + 1
   local id = string.format("msg_%s_%d_%d", run_tag, thread_number, sent)
   local timestamp = tostring(os.time())
   local body = string.format('{"text": "Delivery %s: Amara Okafor joined Northwind Traders Ltd. in Lagos.", '
      .. '"source": "bench"}', id)
   local headers = {
      ["Content-Type"] = "application/json",
      ["webhook-id"] = id,
      ["webhook-timestamp"] = timestamp,
      ["webhook-signature"] = signature(id .. "." .. timestamp .. "." .. body),
   }
   return wrk.format("POST", "/documents", headers, body)
end

function response(status)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local counts, late, lag = {}, 0, 0
   for _, thread in ipairs(threads) do
      for status, count in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + count end
      late = late + thread:get("late_sends")
      lag = math.max(lag, thread:get("max_lag_us"))
   end
   local status_fields = {}
   for status, count in pairs(counts) do table.insert(status_fields, string.format('"%d": %d', status, count)) end
   local errors = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"mean_us": %.1f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, '
      .. '"non_2xx": %d, "late_sends": %d, "max_lag_us": %d, "statuses": {%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean, errors.connect, errors.read, errors.write, errors.timeout, errors.status, late,
      lag, table.concat(status_fields, ", ")))
end
