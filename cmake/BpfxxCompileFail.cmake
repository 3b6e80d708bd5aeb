# cmake -DCOMPILER=<c++> -DINCLUDE_DIR=<dir> -DSOURCE=<file.cpp> -DMODE=fail|control
#       -P BpfxxCompileFail.cmake
#
# MODE=fail:    compiling SOURCE must fail, and the compiler's output must
#               match the CMake regular expression on SOURCE's first line,
#               `// expect: <regex>`.
# MODE=control: compiling SOURCE with -DBPFXX_COMPILE_FAIL_CONTROL must succeed.

cmake_minimum_required(VERSION 3.21)

foreach(_v COMPILER INCLUDE_DIR SOURCE MODE)
    if(NOT DEFINED ${_v} OR "${${_v}}" STREQUAL "")
        message(FATAL_ERROR "BpfxxCompileFail.cmake: ${_v} is not set")
    endif()
endforeach()

file(STRINGS "${SOURCE}" _first LIMIT_COUNT 1)
if(NOT _first MATCHES "^//[ \t]*expect:[ \t]*(.+)$")
    message(FATAL_ERROR "${SOURCE}: the first line must be `// expect: <regex>`, not `${_first}`")
endif()
string(STRIP "${CMAKE_MATCH_1}" _expect)

set(_cmd "${COMPILER}" -std=c++20 -fsyntax-only "-I${INCLUDE_DIR}")
if(MODE STREQUAL "control")
    list(APPEND _cmd -DBPFXX_COMPILE_FAIL_CONTROL)
elseif(NOT MODE STREQUAL "fail")
    message(FATAL_ERROR "BpfxxCompileFail.cmake: MODE must be fail or control, not `${MODE}`")
endif()
list(APPEND _cmd "${SOURCE}")

# Plain ASCII diagnostics whatever the locale, so that regexes are stable.
set(ENV{LC_ALL} C)
set(ENV{LANG} C)
execute_process(COMMAND ${_cmd}
    RESULT_VARIABLE _rc
    OUTPUT_VARIABLE _out
    ERROR_VARIABLE _out)
string(REPLACE ";" " " _shown "${_cmd}")

if(MODE STREQUAL "control")
    if(NOT _rc STREQUAL "0")
        message(FATAL_ERROR "control compile failed (exit ${_rc}), so the compile-fail test proves nothing:\n"
            "  ${_shown}\n${_out}")
    endif()
    message(STATUS "ok: compiles with -DBPFXX_COMPILE_FAIL_CONTROL")
    return()
endif()

if(_rc STREQUAL "0")
    message(FATAL_ERROR "expected a compile error matching `${_expect}`, but the file compiled:\n  ${_shown}")
endif()
if(NOT _out MATCHES "${_expect}")
    message(FATAL_ERROR "the compiler rejected the file (exit ${_rc}), but no diagnostic matches `${_expect}`:\n"
        "  ${_shown}\n${_out}")
endif()
message(STATUS "ok: rejected with a diagnostic matching `${_expect}`")
