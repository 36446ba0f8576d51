# echo.cmake -- the echo-server load generator: build/bench/echo-load (bench/echo-bench runs it)
add_executable(echo-load ${CMAKE_CURRENT_LIST_DIR}/echo_load.c)
target_link_libraries(echo-load PRIVATE echocore crawlpool_options)
set_target_properties(echo-load PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
