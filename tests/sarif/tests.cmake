# `report --format sarif` on throwaway contexts (see test_sarif.py), run by
# Debian's python3, whose python3-jsonschema applies the published schema.
add_test(NAME report_sarif
         COMMAND ${CTXPACK_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_sarif.py --ctxpack $<TARGET_FILE:ctxpack>)
set_tests_properties(report_sarif PROPERTIES TIMEOUT 120 LABELS e2e)
