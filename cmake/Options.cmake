# Options.cmake -- warnings, POSIX feature macros and sanitizer flags shared by every target
add_library(crawlpool_options INTERFACE)
target_compile_definitions(crawlpool_options INTERFACE _GNU_SOURCE
  CRAWLPOOL_VERSION="${PROJECT_VERSION}")
target_compile_options(crawlpool_options INTERFACE -Wall -Wextra -Wshadow -Wformat=2 -Wvla)
if(CRAWLPOOL_WERROR)
  target_compile_options(crawlpool_options INTERFACE -Werror)
endif()

if(CRAWLPOOL_SANITIZE STREQUAL "address")
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
elseif(CRAWLPOOL_SANITIZE STREQUAL "thread")
  set(_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT CRAWLPOOL_SANITIZE STREQUAL "")
  message(FATAL_ERROR "CRAWLPOOL_SANITIZE must be address, thread or empty, not '${CRAWLPOOL_SANITIZE}'")
endif()
if(_san)
  target_compile_options(crawlpool_options INTERFACE ${_san})
  target_link_options(crawlpool_options INTERFACE ${_san})
endif()

# CRAWLPOOL_FUZZ: every library is built with libFuzzer's coverage hooks plus ASan and UBSan,
# so the harnesses in tests/fuzz (linked with -fsanitize=fuzzer) see inside the code they drive.
# clang only; UBSan aborts instead of printing, so the fuzzer counts it as a crash.
option(CRAWLPOOL_FUZZ "build the libFuzzer harnesses of tests/fuzz (needs clang)" OFF)
if(CRAWLPOOL_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CRAWLPOOL_FUZZ needs clang: configure with -DCMAKE_C_COMPILER=clang")
  endif()
  if(CRAWLPOOL_SANITIZE STREQUAL "thread")
    message(FATAL_ERROR "CRAWLPOOL_FUZZ brings ASan and UBSan; it cannot go with CRAWLPOOL_SANITIZE=thread")
  endif()
  target_compile_options(crawlpool_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(crawlpool_options INTERFACE -fsanitize=address,undefined)
endif()

find_package(Threads REQUIRED)
target_link_libraries(crawlpool_options INTERFACE Threads::Threads)
