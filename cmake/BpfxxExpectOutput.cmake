# Runs a command and checks both its exit code and its output — where
# ctest's PASS_REGULAR_EXPRESSION alone would ignore the exit code.
#
#   cmake -DCOMMAND=<cmd;args...> [-DENV=<VAR=value;...>] [-DEXIT=0|nonzero]
#         [-DMATCH=<regex;...>] [-DNO_MATCH=<regex;...>] -P BpfxxExpectOutput.cmake
#
# EXIT (default 0): the exit code wanted; "nonzero" for any failure (but not 77).
# MATCH: regular expressions that must all match the output (stdout and stderr);
# NO_MATCH: ones that must not. A command that exits 77 (could not run here)
# prints BPFXX_SKIPPED, for the test's SKIP_REGULAR_EXPRESSION.
if(NOT DEFINED COMMAND)
    message(FATAL_ERROR "BpfxxExpectOutput: COMMAND is required")
endif()
if(NOT DEFINED EXIT)
    set(EXIT 0)
endif()

execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${ENV} ${COMMAND}
    OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
message("${out}")

if(rc STREQUAL "77" AND NOT EXIT STREQUAL "77")
    message("BPFXX_SKIPPED: the command could not run here (exit code 77)")
    return()
endif()
if(EXIT STREQUAL "nonzero")
    if(rc STREQUAL "0" OR NOT rc MATCHES "^[0-9]+$")
        message(FATAL_ERROR "expected the command to fail; it exited with '${rc}'")
    endif()
elseif(NOT rc STREQUAL EXIT)
    message(FATAL_ERROR "expected exit code ${EXIT}; the command exited with '${rc}'")
endif()
foreach(re IN LISTS MATCH)
    if(NOT out MATCHES "${re}")
        message(FATAL_ERROR "the output does not match '${re}'")
    endif()
endforeach()
foreach(re IN LISTS NO_MATCH)
    if(out MATCHES "${re}")
        message(FATAL_ERROR "the output matches '${re}', which it must not")
    endif()
endforeach()
