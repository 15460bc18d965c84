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
#   http.NAME          the sample built on Vigil
#   oracle.http-NAME   the same source on Debian's libevent 2.1.12
#   swap.http-NAME     that Debian-built sample on Vigil's libraries

set(VIGIL_HTTP_PEER_TESTS curl python-pipeline chromium)

if(VIGIL_BUILD_SAMPLES)
    foreach(name IN LISTS VIGIL_HTTP_PEER_TESTS)
        set(script "${CMAKE_CURRENT_SOURCE_DIR}/http/${name}.sh")
        add_test(NAME http.${name}
            COMMAND bash "${script}" "${CMAKE_BINARY_DIR}/bin/http-server")
        set_tests_properties(http.${name} PROPERTIES
            ENVIRONMENT "${VIGIL_TEST_ENV}"
            TIMEOUT 180
            LABELS "peers;no-sanitizer")
        if(VIGIL_ORACLE)
            add_test(NAME oracle.http-${name}
                COMMAND bash "${script}"
                    "${CMAKE_BINARY_DIR}/bin/oracle/http-server")
            set_tests_properties(oracle.http-${name} PROPERTIES
                TIMEOUT 180
                LABELS "oracle;peers;no-sanitizer")
            add_test(NAME swap.http-${name}
                COMMAND bash "${script}"
                    "${CMAKE_BINARY_DIR}/bin/oracle/http-server"
                    "${CMAKE_BINARY_DIR}/lib")
            set_tests_properties(swap.http-${name} PROPERTIES
                ENVIRONMENT "${VIGIL_TEST_ENV}"
                TIMEOUT 180
                LABELS "swap;peers;no-sanitizer")
        endif()
    endforeach()
endif()
