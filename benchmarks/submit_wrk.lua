-- The double entry of benchmarks/submit_http.py, typed by wrk instead of Python threads, so
-- that the client takes little of the machine's processor time. Run by submit_http.py
-- (--client wrk), with one connection per wrk thread (wrk -t N -c N), so that each thread's
-- requests and answers alternate on one connection:
--
--     wrk -t N -c N -d SECONDS -s submit_wrk.lua URL -- PLAN
--
-- PLAN is a file written by submit_http.py: the election's id, the number of stations, the
-- number of clients, the JSON of a protocol's values without its version, then one line per
-- client with its two typists' bearer tokens. Client n types stations n, n + clients, ...:
-- the first typist submits the entry (it claims itself), the second submits the same values
-- with the version the first answer gave, and the protocol is accepted.
--
-- The latencies are timed here (LuaJIT's FFI, the monotonic clock) from the request's making
-- to its answer, not taken from wrk's own statistics: before it hands them over, wrk adds
-- made-up samples for a client that sends at a fixed rate (its correction for coordinated
-- omission), which a client that waits for each answer, as a typist does, is not.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } saylau_timespec;
int clock_gettime(int clock, saylau_timespec *now);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("saylau_timespec")

local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}
local next_id = 0

function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    local plan = assert(io.open(args[1], "r"))
    election = plan:read("*l")
    stations = tonumber(plan:read("*l"))
    clients = tonumber(plan:read("*l"))
    values = plan:read("*l")
    local line = 0
    for tokens in plan:lines() do
        if line == id then
            first_token, second_token = tokens:match("^(%S+) (%S+)$")
        end
        line = line + 1
    end
    plan:close()
    station = id
    step = 0
    version = 0
    entries = 0
    accepted = 0
    failed = 0
    exhausted = 0
    latencies = {}
    sent_at = 0
end

function request()
    local token = step == 0 and first_token or second_token
    local url = string.format(
        "/api/elections/%s/protocols/s%04d/list/entries", election, station % stations
    )
    if station >= stations then
        exhausted = 1
    end
    local body = string.format('{"version": %d, %s', version, values)
    sent_at = now_ms()
    return wrk.format("POST", url, {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
    }, body)
end

function response(status, headers, body)
    latencies[#latencies + 1] = now_ms() - sent_at
    if status ~= 200 then
        failed = failed + 1
        step, version, station = 0, 0, station + clients
        return
    end
    entries = entries + 1
    if step == 0 then
        version = tonumber(body:match('"version":%s*(%d+)'))
        step = 1
    else
        if body:match('"stage":%s*"accepted"') then
            accepted = accepted + 1
        end
        step, version, station = 0, 0, station + clients
    end
end

function done(summary, latency, requests)
    local entries_total, accepted_total, failed_total, exhausted_total = 0, 0, 0, 0
    local all = {}
    for _, thread in ipairs(threads) do
        entries_total = entries_total + thread:get("entries")
        accepted_total = accepted_total + thread:get("accepted")
        failed_total = failed_total + thread:get("failed")
        exhausted_total = exhausted_total + thread:get("exhausted")
        for _, value in ipairs(thread:get("latencies")) do
            all[#all + 1] = value
        end
    end
    table.sort(all)
    local function percentile(p)
        if #all == 0 then
            return 0
        end
        return all[math.floor(p / 100 * (#all - 1)) + 1]
    end
    io.write(string.format(
        "RESULT %d %d %d %d %d %d %.3f %.3f %d %d\n",
        summary.requests, summary.duration, entries_total, accepted_total,
        failed_total, exhausted_total, percentile(50), percentile(99),
        summary.errors.connect + summary.errors.read + summary.errors.write
            + summary.errors.timeout,
        #all
    ))
end
