# bpfxx_target_options(<target>...): the flags that every target bpfxx builds
# for itself gets: warnings, -Werror (BPFXX_WERROR) and sanitizers
# (BPFXX_SANITIZE). Consumers of bpfxx::bpfxx never see them.

add_library(bpfxx_internal_options INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(bpfxx_internal_options INTERFACE -Wall -Wextra -Wpedantic)
    if(BPFXX_WERROR)
        target_compile_options(bpfxx_internal_options INTERFACE -Werror)
    endif()
    if(BPFXX_SANITIZE)
        set(_bpfxx_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
        target_compile_options(bpfxx_internal_options INTERFACE ${_bpfxx_san})
        target_link_options(bpfxx_internal_options INTERFACE ${_bpfxx_san})
        unset(_bpfxx_san)
    endif()
elseif(MSVC)
    target_compile_options(bpfxx_internal_options INTERFACE /W4 /permissive-)
    if(BPFXX_WERROR)
        target_compile_options(bpfxx_internal_options INTERFACE /WX)
    endif()
endif()

function(bpfxx_target_options)
    foreach(_t IN LISTS ARGN)
        target_link_libraries(${_t} PRIVATE bpfxx_internal_options)
    endforeach()
endfunction()
