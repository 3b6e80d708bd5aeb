# bpfxx_add_output_test(<name> COMMAND <cmd> [args...] [ENV <VAR=value>...]
#                       [EXIT <code>|nonzero] [MATCH <regex>...] [NO_MATCH <regex>...])
#
# A ctest test that runs <cmd> and requires both its exit code (default 0)
# and its output: every MATCH regular expression must match it, no NO_MATCH
# one may. A command that exits 77 (could not run here) is reported as
# skipped. Arguments may not contain ';' (escape it as '\\;').
set(BPFXX_EXPECT_OUTPUT_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/BpfxxExpectOutput.cmake")

function(bpfxx_add_output_test name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "EXIT" "COMMAND;ENV;MATCH;NO_MATCH")
    if(NOT arg_COMMAND)
        message(FATAL_ERROR "bpfxx_add_output_test(${name}): COMMAND is required")
    endif()
    if(NOT DEFINED arg_EXIT)
        set(arg_EXIT 0)
    endif()
    add_test(NAME ${name} COMMAND "${CMAKE_COMMAND}"
        "-DCOMMAND=${arg_COMMAND}" "-DENV=${arg_ENV}" "-DEXIT=${arg_EXIT}"
        "-DMATCH=${arg_MATCH}" "-DNO_MATCH=${arg_NO_MATCH}"
        -P "${BPFXX_EXPECT_OUTPUT_SCRIPT}")
    set_tests_properties(${name} PROPERTIES SKIP_REGULAR_EXPRESSION "BPFXX_SKIPPED")
endfunction()
