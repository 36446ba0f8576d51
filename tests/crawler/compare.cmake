# compare.cmake -- tests of `crawlpool compare`
add_cmocka_test(NAME compare_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_compare.c
                LIBS comparecore LABELS unit TIMEOUT 60)
add_script_test(NAME compare_demo SCRIPT ${CMAKE_CURRENT_LIST_DIR}/compare_demo.sh
                LABELS integration TIMEOUT 300)
