# cmake -DMODE=find_package|add_subdirectory -DCXX_COMPILER=<c++> -DGENERATOR=<gen>
#       -DCONSUMER_DIR=<tests/consumer> -DWORK_DIR=<scratch dir> [mode options]
#       -P BpfxxConsumerTest.cmake
#
# find_package:     installs BPFXX_BUILD_DIR into WORK_DIR/prefix, then builds
#                   and runs tests/consumer/find_package against that prefix;
#                   compiles and runs the same main.cpp with the flags of
#                   `pkg-config --cflags bpfxx` (if PKG_CONFIG is set) and with
#                   the installed single header.
#                   Options: BPFXX_BUILD_DIR, BPFXX_VERSION, CONFIG, PKG_CONFIG.
# add_subdirectory: builds and runs tests/consumer/add_subdirectory, which adds
#                   BPFXX_SOURCE_DIR as a subdirectory.

cmake_minimum_required(VERSION 3.21)

foreach(_v MODE CXX_COMPILER GENERATOR CONSUMER_DIR WORK_DIR)
    if(NOT DEFINED ${_v} OR "${${_v}}" STREQUAL "")
        message(FATAL_ERROR "BpfxxConsumerTest.cmake: ${_v} is not set")
    endif()
endforeach()

# Runs a command; stops with its output when it fails.
function(run what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc STREQUAL "0")
        string(REPLACE ";" " " shown "${ARGN}")
        message(FATAL_ERROR "${what} failed (exit ${rc}):\n  ${shown}\n${out}")
    endif()
    message(STATUS "ok: ${what}")
endfunction()

# The consumer builds with warnings as errors: bpfxx's headers must be clean
# in a consumer's build too.
set(_warn -Wall -Wextra -Wpedantic -Werror)

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(_build "${WORK_DIR}/build")
set(_configure "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}/${MODE}" -B "${_build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)

if(MODE STREQUAL "find_package")
    foreach(_v BPFXX_BUILD_DIR BPFXX_VERSION)
        if(NOT DEFINED ${_v} OR "${${_v}}" STREQUAL "")
            message(FATAL_ERROR "BpfxxConsumerTest.cmake: ${_v} is not set")
        endif()
    endforeach()
    set(_prefix "${WORK_DIR}/prefix")
    set(_install "${CMAKE_COMMAND}" --install "${BPFXX_BUILD_DIR}" --prefix "${_prefix}")
    if(CONFIG)
        list(APPEND _install --config "${CONFIG}")
    endif()
    run("cmake --install" ${_install})

    # 1. CMake package.
    run("configure (find_package)" ${_configure} "-DCMAKE_PREFIX_PATH=${_prefix}"
        "-DBPFXX_EXPECTED_PREFIX=${_prefix}")
    run("build (find_package)" "${CMAKE_COMMAND}" --build "${_build}" --config Release)
    run("run (find_package)" "${_build}/bin/consumer")

    # 2. pkg-config.
    if(PKG_CONFIG)
        set(ENV{PKG_CONFIG_PATH} "${_prefix}/share/pkgconfig")
        set(ENV{PKG_CONFIG_LIBDIR} "${_prefix}/share/pkgconfig")
        execute_process(COMMAND "${PKG_CONFIG}" --modversion bpfxx
            RESULT_VARIABLE _rc OUTPUT_VARIABLE _version ERROR_VARIABLE _err
            OUTPUT_STRIP_TRAILING_WHITESPACE)
        if(NOT _rc STREQUAL "0" OR NOT _version STREQUAL BPFXX_VERSION)
            message(FATAL_ERROR "pkg-config --modversion bpfxx: expected ${BPFXX_VERSION}, got `${_version}` ${_err}")
        endif()
        execute_process(COMMAND "${PKG_CONFIG}" --cflags bpfxx
            RESULT_VARIABLE _rc OUTPUT_VARIABLE _cflags ERROR_VARIABLE _err
            OUTPUT_STRIP_TRAILING_WHITESPACE)
        if(NOT _rc STREQUAL "0")
            message(FATAL_ERROR "pkg-config --cflags bpfxx failed: ${_err}")
        endif()
        set(_cflags_text "${_cflags}")
        separate_arguments(_cflags UNIX_COMMAND "${_cflags}")
        file(REAL_PATH "${_prefix}/include" _want_inc)
        set(_has_inc FALSE)
        foreach(_f IN LISTS _cflags)
            if(_f MATCHES "^-I(.+)$")
                file(REAL_PATH "${CMAKE_MATCH_1}" _inc)
                if(_inc STREQUAL _want_inc)
                    set(_has_inc TRUE)
                endif()
            endif()
        endforeach()
        set(_std "-std=c++20")
        if(NOT _has_inc OR NOT _std IN_LIST _cflags)
            message(FATAL_ERROR "pkg-config --cflags bpfxx gives `${_cflags_text}`; "
                "expected -I${_prefix}/include -std=c++20")
        endif()
        run("compile (pkg-config: ${_cflags})" "${CXX_COMPILER}" ${_cflags} ${_warn}
            "${CONSUMER_DIR}/main.cpp" -o "${WORK_DIR}/consumer_pkgconfig")
        run("run (pkg-config)" "${WORK_DIR}/consumer_pkgconfig")
    else()
        message(STATUS "pkg-config not found: skipping the pkg-config consumer")
    endif()

    # 3. The installed single header, alone.
    run("compile (installed single header)" "${CXX_COMPILER}" -std=c++20 ${_warn}
        "-I${_prefix}/include/bpfxx-single" "${CONSUMER_DIR}/main.cpp" -o "${WORK_DIR}/consumer_single")
    run("run (installed single header)" "${WORK_DIR}/consumer_single")

elseif(MODE STREQUAL "add_subdirectory")
    if(NOT DEFINED BPFXX_SOURCE_DIR)
        message(FATAL_ERROR "BpfxxConsumerTest.cmake: BPFXX_SOURCE_DIR is not set")
    endif()
    run("configure (add_subdirectory)" ${_configure} "-DBPFXX_SOURCE_DIR=${BPFXX_SOURCE_DIR}")
    run("build (add_subdirectory)" "${CMAKE_COMMAND}" --build "${_build}" --config Release)
    run("run (add_subdirectory)" "${_build}/bin/consumer")
else()
    message(FATAL_ERROR "BpfxxConsumerTest.cmake: unknown MODE `${MODE}`")
endif()
