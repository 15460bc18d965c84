# evdns against a real DNS server: test/dns/dnsmasq-peer.sh starts dnsmasq
# and runs dns-peer-client (public API only) against it.  Included from
# test/CMakeLists.txt.
#   dns.dnsmasq          the client on Vigil
#   oracle.dns-dnsmasq   the same source on Debian's libevent 2.1.12
#   swap.dns-dnsmasq     that Debian-built client on Vigil's libraries
# dnsmasq is required (tools/install-deps): without it the tests fail.

set(VIGIL_DNS_PEER_SCRIPT "${CMAKE_CURRENT_SOURCE_DIR}/dns/dnsmasq-peer.sh")

add_executable(dns_peer_client dns/dns-peer-client.c)
target_compile_definitions(dns_peer_client PRIVATE _GNU_SOURCE)
target_link_libraries(dns_peer_client PRIVATE event_core event_extra)
vigil_warnings(dns_peer_client)
add_test(NAME dns.dnsmasq
    COMMAND sh "${VIGIL_DNS_PEER_SCRIPT}" $<TARGET_FILE:dns_peer_client>)
set_tests_properties(dns.dnsmasq PROPERTIES
    ENVIRONMENT "${VIGIL_TEST_ENV}"
    TIMEOUT 60
    LABELS "peers;no-sanitizer")

if(VIGIL_ORACLE)
    add_executable(oracle_dns_peer_client dns/dns-peer-client.c)
    target_compile_definitions(oracle_dns_peer_client
        PRIVATE _GNU_SOURCE VIGIL_ORACLE=1)
    target_link_libraries(oracle_dns_peer_client
        PRIVATE PkgConfig::DEBIAN_LIBEVENT)
    vigil_warnings(oracle_dns_peer_client)
    # No build-tree RPATH: it would load Vigil's libraries (same sonames)
    # before Debian's.  abi.rpath checks it.
    set_target_properties(oracle_dns_peer_client PROPERTIES
        RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin/oracle"
        SKIP_BUILD_RPATH ON)
    add_test(NAME oracle.dns-dnsmasq
        COMMAND sh "${VIGIL_DNS_PEER_SCRIPT}"
            $<TARGET_FILE:oracle_dns_peer_client>)
    set_tests_properties(oracle.dns-dnsmasq PROPERTIES
        TIMEOUT 60
        LABELS "oracle;peers;no-sanitizer")
    add_test(NAME swap.dns-dnsmasq
        COMMAND sh "${VIGIL_DNS_PEER_SCRIPT}"
            $<TARGET_FILE:oracle_dns_peer_client> "${CMAKE_BINARY_DIR}/lib")
    set_tests_properties(swap.dns-dnsmasq PROPERTIES
        ENVIRONMENT "${VIGIL_TEST_ENV}"
        TIMEOUT 60
        LABELS "swap;peers;no-sanitizer")
endif()
