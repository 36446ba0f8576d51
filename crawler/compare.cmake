# compare.cmake -- `crawlpool compare`: its arithmetic and reports as a library tests link
add_library(comparecore STATIC stats.c chart.c compare_report.c procmem.c)
target_include_directories(comparecore PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(comparecore PUBLIC crawlpool_options)

target_sources(crawlpool PRIVATE compare.c compare_options.c)
target_link_libraries(crawlpool PRIVATE comparecore PkgConfig::JSONC)
