# cmake -DCOMPILER=<c++> -DINCLUDE_DIR=<dir> -DSOURCE=<file.cpp> -DMODE=fail|control
#       -P BpfxxCompileFail.cmake
#
# MODE=fail:    compiling SOURCE must fail with a diagnostic (exit 1, not a
#               crash), and the compiler's output must match every CMake
#               regular expression in SOURCE's leading `// expect: <regex>` lines.
# MODE=control: compiling SOURCE with -DBPFXX_COMPILE_FAIL_CONTROL must succeed.

cmake_minimum_required(VERSION 3.21)

foreach(_v COMPILER INCLUDE_DIR SOURCE MODE)
    if(NOT DEFINED ${_v} OR "${${_v}}" STREQUAL "")
        message(FATAL_ERROR "BpfxxCompileFail.cmake: ${_v} is not set")
    endif()
endforeach()

file(STRINGS "${SOURCE}" _lines LIMIT_COUNT 8)
set(_expects "")
foreach(_line IN LISTS _lines)
    if(_line MATCHES "^//[ \t]*expect:[ \t]*(.+)$")
        string(STRIP "${CMAKE_MATCH_1}" _e)
        list(APPEND _expects "${_e}")
    else()
        break()
    endif()
endforeach()
if(NOT _expects)
    message(FATAL_ERROR "${SOURCE}: the first line must be `// expect: <regex>`")
endif()

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
    message(FATAL_ERROR "expected a compile error, but the file compiled:\n  ${_shown}")
endif()
if(NOT _rc STREQUAL "1")
    message(FATAL_ERROR "the compiler did not give a diagnostic but failed with `${_rc}`:\n  ${_shown}\n${_out}")
endif()
foreach(_expect IN LISTS _expects)
    if(NOT _out MATCHES "${_expect}")
        message(FATAL_ERROR "the compiler rejected the file, but no diagnostic matches `${_expect}`:\n"
            "  ${_shown}\n${_out}")
    endif()
endforeach()
message(STATUS "ok: rejected with diagnostics matching ${_expects}")
