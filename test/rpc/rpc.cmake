# The evrpc stub generator, tools/event_rpcgen (issue 17); included from
# test/CMakeLists.txt.
include(VigilRpcgen)

# rpc_types: the code generated from regress.rpc, built into the black-box
# group's every variant (api, debug, oracle, swap).
vigil_rpcgen(regress_gen rpc/regress.rpc)
vigil_api_test(rpc_types SOURCE rpc/rpc_types.c TIMEOUT 120)
foreach(t api_rpc_types oracle_rpc_types)
    if(TARGET ${t})
        target_sources(${t} PRIVATE ${regress_gen})
        target_include_directories(${t} PRIVATE "${regress_gen_INCLUDE_DIR}")
        add_dependencies(${t} rpcgen_regress)
    endif()
endforeach()

# The generated code compiles without a warning as C and as C++, against
# Vigil's headers and Debian's.
add_test(NAME rpc.rpcgen-compile
    COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/rpc/compile.sh"
        "${Python3_EXECUTABLE}" "${VIGIL_RPCGEN}"
        "${CMAKE_CURRENT_SOURCE_DIR}/rpc/regress.rpc"
        "${PROJECT_SOURCE_DIR}/include" "${VIGIL_GENERATED_INCLUDE}")
set_tests_properties(rpc.rpcgen-compile PROPERTIES
    TIMEOUT 120 LABELS "rpc" SKIP_RETURN_CODE 77)

# The command line: outputs, options, and bad input reported as FILE:LINE.
add_test(NAME rpc.rpcgen-errors
    COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/rpc/errors.sh"
        "${Python3_EXECUTABLE}" "${VIGIL_RPCGEN}")
set_tests_properties(rpc.rpcgen-errors PROPERTIES TIMEOUT 60 LABELS "rpc")
