# `report --format sarif` on a throwaway git repository (see test_sarif.py).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME report_sarif
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_sarif.py --ctxpack $<TARGET_FILE:ctxpack>)
set_tests_properties(report_sarif PROPERTIES TIMEOUT 120 LABELS e2e)
