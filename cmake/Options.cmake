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

find_package(Threads REQUIRED)
target_link_libraries(crawlpool_options INTERFACE Threads::Threads)
