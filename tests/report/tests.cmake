# `ctxpack report` totals against the docker client's captured upload and
# ctxpack's own tar (reuses the tests/e2e harness; see test_report_totals.py).
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the report conformance test (tests/report) is not registered")
  return()
endif()

ctxpack_generated_contexts(count 60)
add_test(NAME report_totals
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_report_totals.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count ${count})
# 77: the docker client is not installed (.ci/run installs it).
set_tests_properties(report_totals PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600 LABELS e2e)
