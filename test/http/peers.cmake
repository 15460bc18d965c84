# evhttp's server against real clients: each script in test/http/ starts
# sample/http-server on a port the kernel chooses, with a document root it
# makes, talks to it with a real client, and always kills it.  Included
# from test/CMakeLists.txt.
#   http.curl             curl: GET, HEAD, POST (length, chunked, Expect:
#                         100-continue), HTTP/1.0, keep-alive, listings
#   http.python-pipeline  Python's http.client: pipelined requests
#   http.chromium         headless Chromium: a page, its stylesheet and
#                         script, fetch() of JSON and a POST
# curl, python3 and chromium are required (tools/install-deps): without
# them the tests fail.
#
# TODO(integrator): Vigil's evhttp server is not in yet, so for now the
# http.* tests run the http-server built against Debian's libevent 2.1.12
# (sample/CMakeLists.txt, target oracle_sample_http-server, in
# bin/oracle).  Once Vigil serves HTTP (VIGIL_HAVE_HTTP_SERVER ON in
# sample/CMakeLists.txt), follow test/dns/peers.cmake:
#   http.NAME          bin/http-server (built on Vigil), ENVIRONMENT
#                      "${VIGIL_TEST_ENV}"
#   oracle.http-NAME   bin/oracle/http-server, LABELS
#                      "oracle;peers;no-sanitizer"
#   swap.http-NAME     bin/oracle/http-server with "${CMAKE_BINARY_DIR}/lib"
#                      as the script's second argument (LIB_DIR), LABELS
#                      "swap;peers;no-sanitizer"
# i.e. the loop below becomes three add_test calls per NAME, with
# VIGIL_HTTP_PEER_SERVER pointing at bin/http-server for http.*.

set(VIGIL_HTTP_PEER_TESTS curl python-pipeline chromium)

if(VIGIL_BUILD_SAMPLES AND VIGIL_ORACLE)
    # For now: the Debian-built sample (see the TODO above).
    set(VIGIL_HTTP_PEER_SERVER "${CMAKE_BINARY_DIR}/bin/oracle/http-server")
    foreach(name IN LISTS VIGIL_HTTP_PEER_TESTS)
        add_test(NAME http.${name}
            COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/http/${name}.sh"
                "${VIGIL_HTTP_PEER_SERVER}")
        set_tests_properties(http.${name} PROPERTIES
            TIMEOUT 180
            LABELS "peers;no-sanitizer")
    endforeach()
endif()
