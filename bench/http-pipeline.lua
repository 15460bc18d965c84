-- Vigil: a clean-room libevent 2.1 for Linux.
--
-- http-pipeline.lua: makes wrk pipeline, for the http section of
-- bench/run: every write on a connection carries N requests for the
-- URL's path back to back (N from the first script argument, default
-- 16), and wrk writes the next batch when all N responses are in.
--
--   wrk -t1 -c50 -d5s -s bench/http-pipeline.lua URL -- 16

init = function(args)
    local n = tonumber(args[1]) or 16
    local batch = {}
    for i = 1, n do
        batch[i] = wrk.format()
    end
    requests = table.concat(batch)
end

request = function()
    return requests
end
