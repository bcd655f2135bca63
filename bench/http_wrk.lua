-- wrk script of bench/http.sh: POST the body in $BODY_FILE with basic auth
-- bench:pw, and print one machine-readable line at the end.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic YmVuY2g6cHc="

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("WRK %d %.6f %d %d %d %d %d %d %d\n",
		summary.requests, summary.duration / 1e6, e.status, e.connect,
		e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(99)))
end
