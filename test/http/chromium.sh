#!/usr/bin/env bash
# Vigil: evhttp's server against a browser.  Starts sample/http-server on
# a port the kernel chooses, with a document root made here: index.html,
# its stylesheet, and a script that fetch()es data.json, POSTs to /echo
# and writes both answers and a computed style into the page.  Headless
# Chromium loads the page and dumps the DOM, which must show the fetched
# value, the echoed text and the style applied; the server's log must
# show each file fetched.  Then the DOM of a directory listing, with a
# name that needs escaping.  Chromium gets 60 s for each page; the server
# is killed on exit whatever happens.
#   chromium.sh SERVER [LIB_DIR]
set -u
name=chromium
# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(dirname "$0")/common.sh"
http_setup "$@"
browser=${CHROMIUM:-/usr/bin/chromium}
[ -x "$browser" ] || fail "no $browser (tools/install-deps installs chromium)"

cat >"$root/index.html" <<'HTML'
<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Vigil peer test</title>
<link rel="stylesheet" href="style.css">
<script src="app.js" defer></script>
</head>
<body>
<h1 id="title">Vigil</h1>
<p id="json">not fetched</p>
<p id="echo">not echoed</p>
<p id="style">no style</p>
</body>
</html>
HTML
printf '#title { color: rgb(1, 2, 3); }\n' >"$root/style.css"
cat >"$root/app.js" <<'JS'
"use strict";
const title = document.getElementById("title");
document.getElementById("style").textContent =
    "title color " + getComputedStyle(title).color;
fetch("data.json")
    .then((r) => r.json())
    .then((d) => {
        document.getElementById("json").textContent = "json " + d.value;
    })
    .catch((e) => {
        document.getElementById("json").textContent = "json error " + e;
    });
fetch("echo", {method: "POST", body: "echo-from-the-browser",
               headers: {"Content-Type": "text/plain"}})
    .then((r) => r.text())
    .then((t) => {
        document.getElementById("echo").textContent = "echo " + t;
    })
    .catch((e) => {
        document.getElementById("echo").textContent = "echo error " + e;
    });
JS
printf '{"value": "vigil-json-4711"}\n' >"$root/data.json"
mkdir "$root/list"
printf 'escaped\n' >"$root/list/a&b <c>.txt"

start_server

# Loads a page and writes its DOM, after scripts ran, to $tmp/dom.out.
dump_dom() { # path
    local profile=$tmp/profile
    rm -rf "$profile"
    mkdir "$profile"
    HOME=$tmp timeout -k 5 60 "$browser" --headless --no-sandbox \
        --disable-gpu --no-first-run --user-data-dir="$profile" \
        --virtual-time-budget=5000 --dump-dom \
        "http://127.0.0.1:$port$1" >"$tmp/dom.out" 2>"$tmp/chromium.log" ||
        fail "chromium failed on $1 (see chromium.log in $tmp)"
}

dump_dom /
grep -qF '<p id="json">json vigil-json-4711</p>' "$tmp/dom.out" ||
    fail "the page does not show the fetched JSON value"
grep -qF '<p id="echo">echo echo-from-the-browser</p>' "$tmp/dom.out" ||
    fail "the page does not show the echoed text"
grep -qF '<p id="style">title color rgb(1, 2, 3)</p>' "$tmp/dom.out" ||
    fail "the stylesheet was not applied"
for want in "GET / 200" "GET /style.css 200" "GET /app.js 200" \
    "GET /data.json 200" "POST /echo 200"; do
    grep -q " $want\$" "$tmp/log.out" || fail "no '$want' in the server's log"
done

dump_dom /list/
grep -qF '<a href="a%26b%20%3Cc%3E.txt">a&amp;b &lt;c&gt;.txt</a>' \
    "$tmp/dom.out" || fail "the listing does not show 'a&b <c>.txt' as a link"

stop_server
echo "1 passed, 0 failed: $name"
