# The warning set every Vigil C file builds with (DESIGN.md, section 6).
set(VIGIL_WARNINGS
    -Wall
    -Wextra
    -Wshadow
    -Wstrict-prototypes
    -Wmissing-prototypes
    -Wold-style-definition
    -Wpointer-arith
    -Wcast-align
    -Wwrite-strings
    -Wformat=2
    -Wundef
    -Wvla
    -Wimplicit-fallthrough
    -Wmissing-declarations
    -Wnested-externs
    -Wredundant-decls)
if(VIGIL_WERROR)
    list(APPEND VIGIL_WARNINGS -Werror)
endif()

# Applies the warning set to a target.
function(vigil_warnings target)
    target_compile_options(${target} PRIVATE ${VIGIL_WARNINGS})
endfunction()
