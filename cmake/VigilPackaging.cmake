# Installs the headers, five pkg-config files named and shaped as Debian's,
# and a CMake package:
#   find_package(Libevent 2.1 COMPONENTS core extra pthreads openssl)
# giving libevent::core, libevent::extra, libevent::pthreads,
# libevent::openssl, libevent::libevent (core + extra) and *_static twins.
include(CMakePackageConfigHelpers)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
    FILES_MATCHING PATTERN "*.h")
install(FILES "${VIGIL_GENERATED_INCLUDE}/event2/event-config.h"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/event2")

# pkg-config: one file a library, with Debian's Requires and Libs.
# The files locate the prefix from their own folder, so an installed tree
# can move (cmake --install --prefix, DESTDIR, a relocated package).
file(RELATIVE_PATH _pc_to_prefix "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig"
    "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" _pc_to_prefix "${_pc_to_prefix}")
set(VIGIL_PC_PREFIX "\${pcfiledir}/${_pc_to_prefix}")
file(RELATIVE_PATH VIGIL_PC_LIBDIR_REL "${CMAKE_INSTALL_PREFIX}"
    "${CMAKE_INSTALL_FULL_LIBDIR}")
file(RELATIVE_PATH VIGIL_PC_INCLUDEDIR_REL "${CMAKE_INSTALL_PREFIX}"
    "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
set(VIGIL_PC_LIBDIR "\${exec_prefix}/${VIGIL_PC_LIBDIR_REL}")
set(VIGIL_PC_INCLUDEDIR "\${prefix}/${VIGIL_PC_INCLUDEDIR_REL}")

function(vigil_pkgconfig name description requires libs_private)
    set(PC_NAME "${name}")
    set(PC_DESCRIPTION "${description}")
    set(PC_REQUIRES "${requires}")
    set(PC_LIBS_PRIVATE "${libs_private}")
    string(REGEX REPLACE "^lib" "" PC_LINK "${name}")
    configure_file("${PROJECT_SOURCE_DIR}/cmake/libevent.pc.in"
        "${CMAKE_BINARY_DIR}/pkgconfig/${name}.pc" @ONLY)
    install(FILES "${CMAKE_BINARY_DIR}/pkgconfig/${name}.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endfunction()

vigil_pkgconfig(libevent
    "libevent is an asynchronous notification event loop library" "" "")
vigil_pkgconfig(libevent_core "libevent_core" "" "")
vigil_pkgconfig(libevent_extra "libevent_extra" "" "")
if(TARGET event_pthreads)
    vigil_pkgconfig(libevent_pthreads
        "libevent_pthreads adds pthreads-based threading support to libevent"
        "libevent" "")
endif()
if(TARGET event_openssl)
    vigil_pkgconfig(libevent_openssl
        "libevent_openssl adds openssl-based TLS support to libevent"
        "libevent" "-lssl -lcrypto")
endif()

# CMake package.
set(_exports event_core:core event_extra:extra event:libevent
    event_pthreads:pthreads event_openssl:openssl)
foreach(pair IN LISTS _exports)
    string(REPLACE ":" ";" pair "${pair}")
    list(GET pair 0 target)
    list(GET pair 1 export_name)
    if(TARGET ${target})
        set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
        set_target_properties(${target}_static PROPERTIES
            EXPORT_NAME ${export_name}_static)
    endif()
endforeach()

set(VIGIL_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/libevent")
install(EXPORT LibeventTargets
    NAMESPACE libevent::
    DESTINATION "${VIGIL_CMAKE_DIR}")
configure_package_config_file(cmake/LibeventConfig.cmake.in
    "${CMAKE_BINARY_DIR}/LibeventConfig.cmake"
    INSTALL_DESTINATION "${VIGIL_CMAKE_DIR}")
write_basic_package_version_file(
    "${CMAKE_BINARY_DIR}/LibeventConfigVersion.cmake"
    VERSION 2.1.12
    COMPATIBILITY SameMinorVersion)
install(FILES
    "${CMAKE_BINARY_DIR}/LibeventConfig.cmake"
    "${CMAKE_BINARY_DIR}/LibeventConfigVersion.cmake"
    DESTINATION "${VIGIL_CMAKE_DIR}")

# The evrpc stub generator, under the name libevent's documentation uses.
install(PROGRAMS "${PROJECT_SOURCE_DIR}/tools/event_rpcgen"
    DESTINATION "${CMAKE_INSTALL_BINDIR}" RENAME event_rpcgen.py)
