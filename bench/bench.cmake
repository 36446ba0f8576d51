# bench.cmake -- programs of the anchor benchmark (bench/run): build/bench/{multi_crawler,parse_ceiling,treemem}
add_executable(multi_crawler ${CMAKE_CURRENT_LIST_DIR}/multi_crawler.c)
target_link_libraries(multi_crawler PRIVATE PkgConfig::CURL PkgConfig::LIBXML2 crawlpool_options)

add_executable(parse_ceiling ${CMAKE_CURRENT_LIST_DIR}/parse_ceiling.c)
target_link_libraries(parse_ceiling PRIVATE PkgConfig::LIBXML2 crawlpool_options)

add_executable(treemem ${CMAKE_CURRENT_LIST_DIR}/treemem.c)
target_link_libraries(treemem PRIVATE crawlpool_options)

set_target_properties(multi_crawler parse_ceiling treemem PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
