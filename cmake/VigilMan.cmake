# The API reference, generated from the headers by tools/mkman:
#   build/man/man3/*.3  at build time (target "man", part of "all"),
#                       installed under ${CMAKE_INSTALL_MANDIR}/man3;
#   build/docs/api/     HTML, on demand: cmake --build build --target docs-html
# A function gets a page once it is in tools/exports/*.txt (see
# tools/mkman/mkman); test/man checks the pages against the libraries.
option(VIGIL_MAN "Generate and install the man pages (needs Python 3)" ON)
if(NOT VIGIL_MAN)
    return()
endif()
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
    message(WARNING "Python 3 not found: no man pages (-DVIGIL_MAN=OFF to silence)")
    set(VIGIL_MAN OFF)
    return()
endif()

set(VIGIL_MKMAN "${PROJECT_SOURCE_DIR}/tools/mkman/mkman")
set(VIGIL_MKMAN_DATA "${PROJECT_SOURCE_DIR}/tools/mkman/pages.txt")
set(VIGIL_MAN_DIR "${CMAKE_BINARY_DIR}/man")
set(VIGIL_MKMAN_ARGS
    --include "${PROJECT_SOURCE_DIR}/include"
    --config "${VIGIL_GENERATED_INCLUDE}/event2/event-config.h"
    --exports "${PROJECT_SOURCE_DIR}/tools/exports"
    --data "${VIGIL_MKMAN_DATA}"
    --version "${PROJECT_VERSION}")
file(GLOB _man_inputs CONFIGURE_DEPENDS
    "${PROJECT_SOURCE_DIR}/include/event2/*.h"
    "${PROJECT_SOURCE_DIR}/tools/exports/*.txt")
list(APPEND _man_inputs "${VIGIL_MKMAN}" "${VIGIL_MKMAN_DATA}"
    "${VIGIL_GENERATED_INCLUDE}/event2/event-config.h")

add_custom_command(OUTPUT "${VIGIL_MAN_DIR}/man3.stamp"
    COMMAND "${Python3_EXECUTABLE}" "${VIGIL_MKMAN}" ${VIGIL_MKMAN_ARGS}
        --out "${VIGIL_MAN_DIR}"
    COMMAND "${CMAKE_COMMAND}" -E touch "${VIGIL_MAN_DIR}/man3.stamp"
    DEPENDS ${_man_inputs}
    COMMENT "Generating man pages in ${VIGIL_MAN_DIR}/man3"
    VERBATIM)
add_custom_target(man ALL DEPENDS "${VIGIL_MAN_DIR}/man3.stamp")

add_custom_target(docs-html
    COMMAND "${Python3_EXECUTABLE}" "${VIGIL_MKMAN}" ${VIGIL_MKMAN_ARGS}
        --html --out "${CMAKE_BINARY_DIR}/docs/api"
    DEPENDS ${_man_inputs}
    COMMENT "Generating HTML in ${CMAKE_BINARY_DIR}/docs/api"
    VERBATIM)

install(DIRECTORY "${VIGIL_MAN_DIR}/man3"
    DESTINATION "${CMAKE_INSTALL_MANDIR}"
    FILES_MATCHING PATTERN "*.3")
