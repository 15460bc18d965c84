# The evrpc stub generator, tools/event_rpcgen, run at build time:
#   vigil_rpcgen(OUT_VAR path/NAME.rpc)
# generates NAME.gen.h and NAME.gen.c in the current binary folder when the
# .rpc file (or the generator) changes, sets OUT_VAR to the two files and
# OUT_VAR_INCLUDE_DIR to their folder, and makes a target rpcgen_NAME that
# other targets may depend on.  A target using them:
#   vigil_rpcgen(msgs_gen msgs.rpc)
#   target_sources(prog PRIVATE ${msgs_gen})
#   target_include_directories(prog PRIVATE ${msgs_gen_INCLUDE_DIR})
#   add_dependencies(prog rpcgen_msgs)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(VIGIL_RPCGEN "${PROJECT_SOURCE_DIR}/tools/event_rpcgen")

function(vigil_rpcgen out_var rpc)
    get_filename_component(src "${rpc}" ABSOLUTE)
    get_filename_component(name "${rpc}" NAME_WLE)
    set(dir "${CMAKE_CURRENT_BINARY_DIR}/rpcgen")
    set(h "${dir}/${name}.gen.h")
    set(c "${dir}/${name}.gen.c")
    add_custom_command(OUTPUT "${h}" "${c}"
        COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}"
        COMMAND "${Python3_EXECUTABLE}" "${VIGIL_RPCGEN}" --quiet
            "${src}" "${h}" "${c}"
        DEPENDS "${src}" "${VIGIL_RPCGEN}"
        COMMENT "event_rpcgen ${name}.rpc"
        VERBATIM)
    # One target owns the outputs, so that several targets using them do
    # not run the generator at the same time.
    add_custom_target(rpcgen_${name} DEPENDS "${h}" "${c}")
    set(${out_var} "${c};${h}" PARENT_SCOPE)
    set(${out_var}_INCLUDE_DIR "${dir}" PARENT_SCOPE)
endfunction()
