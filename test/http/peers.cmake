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

# evhttp's client against real servers: test/http/client-*.sh start a
# server and run http-peer-client (public API only) against it.
#   http.client-nginx           nginx (nginx-light): files, chunked
#                               answers, POST, PUT and DELETE, keep-alive
#   http.client-python          Python's http.server: HTTP/1.1 with chunks,
#                               trailers and chunk extensions, and HTTP/1.0
#   http.client-vigil-server    sample/http-server on Vigil
#   http.client-libevent-server sample/http-server on Debian's libevent
# Each comes as
#   http.client-NAME          the client built on Vigil
#   oracle.http-client-NAME   the same source on Debian's libevent 2.1.12
#   swap.http-client-NAME     that Debian-built client on Vigil's libraries
# (VIGIL_HAVE_HTTP_CLIENT, also in sample/CMakeLists.txt, says Vigil has
# the client half: it does since issue 16.)
set(VIGIL_HAVE_HTTP_CLIENT ON)

set(VIGIL_HTTP_CLIENT_PEERS nginx python)
if(VIGIL_BUILD_SAMPLES)
    list(APPEND VIGIL_HTTP_CLIENT_PEERS vigil-server)
    if(VIGIL_ORACLE)
        list(APPEND VIGIL_HTTP_CLIENT_PEERS libevent-server)
    endif()
endif()

# The script and the arguments after CLIENT of each peer test.
function(vigil_http_client_peer_command peer out_script out_args)
    set(dir "${CMAKE_CURRENT_SOURCE_DIR}/http")
    if(peer STREQUAL "vigil-server")
        set(${out_script} "${dir}/client-sample-server.sh" PARENT_SCOPE)
        set(${out_args} "${CMAKE_BINARY_DIR}/bin/http-server" PARENT_SCOPE)
    elseif(peer STREQUAL "libevent-server")
        set(${out_script} "${dir}/client-sample-server.sh" PARENT_SCOPE)
        set(${out_args} "${CMAKE_BINARY_DIR}/bin/oracle/http-server"
            PARENT_SCOPE)
    else()
        set(${out_script} "${dir}/client-${peer}.sh" PARENT_SCOPE)
        set(${out_args} "" PARENT_SCOPE)
    endif()
endfunction()

if(VIGIL_HAVE_HTTP_CLIENT)
    add_executable(http_peer_client http/http-peer-client.c)
    target_compile_definitions(http_peer_client PRIVATE _GNU_SOURCE)
    target_link_libraries(http_peer_client PRIVATE event_core event_extra)
    vigil_warnings(http_peer_client)
    foreach(peer IN LISTS VIGIL_HTTP_CLIENT_PEERS)
        vigil_http_client_peer_command(${peer} script args)
        add_test(NAME http.client-${peer}
            COMMAND bash "${script}" $<TARGET_FILE:http_peer_client> ${args})
        set_tests_properties(http.client-${peer} PROPERTIES
            ENVIRONMENT "${VIGIL_TEST_ENV}"
            TIMEOUT 180
            LABELS "peers;no-sanitizer")
    endforeach()
endif()

if(VIGIL_ORACLE)
    add_executable(oracle_http_peer_client http/http-peer-client.c)
    target_compile_definitions(oracle_http_peer_client
        PRIVATE _GNU_SOURCE VIGIL_ORACLE=1)
    target_link_libraries(oracle_http_peer_client
        PRIVATE PkgConfig::DEBIAN_LIBEVENT)
    vigil_warnings(oracle_http_peer_client)
    # No build-tree RPATH: it would load Vigil's libraries (same sonames)
    # before Debian's.  abi.rpath checks it.
    set_target_properties(oracle_http_peer_client PROPERTIES
        OUTPUT_NAME http-peer-client
        RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin/oracle"
        SKIP_BUILD_RPATH ON)
    foreach(peer IN LISTS VIGIL_HTTP_CLIENT_PEERS)
        vigil_http_client_peer_command(${peer} script args)
        add_test(NAME oracle.http-client-${peer}
            COMMAND bash "${script}" $<TARGET_FILE:oracle_http_peer_client>
                ${args})
        set_tests_properties(oracle.http-client-${peer} PROPERTIES
            TIMEOUT 180
            LABELS "oracle;peers;no-sanitizer")
        if(VIGIL_HAVE_HTTP_CLIENT)
            add_test(NAME swap.http-client-${peer}
                COMMAND bash "${script}"
                    $<TARGET_FILE:oracle_http_peer_client> ${args}
                    "${CMAKE_BINARY_DIR}/lib")
            set_tests_properties(swap.http-client-${peer} PROPERTIES
                ENVIRONMENT "${VIGIL_TEST_ENV}"
                TIMEOUT 180
                LABELS "swap;peers;no-sanitizer")
        endif()
    endforeach()
endif()
