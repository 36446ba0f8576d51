# pool.cmake -- the pool engine benchmark: build/bench/pool_bench
add_executable(pool_bench ${CMAKE_CURRENT_LIST_DIR}/pool_bench.c)
target_link_libraries(pool_bench PRIVATE pool crawlpool_options)
set_target_properties(pool_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
