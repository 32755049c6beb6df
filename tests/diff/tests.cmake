# `ctxpack diff` against an independent computation from two `ls --json`
# listings of generated context pairs (see test_diff.py).
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the diff tests (tests/diff) are not registered")
  return()
endif()

ctxpack_generated_contexts(count 60)
add_test(NAME diff_listings
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_diff.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count ${count})
set_tests_properties(diff_listings PROPERTIES TIMEOUT 300 LABELS conformance)
