# `ctxpack diff` against an independent computation from two `ls --json`
# listings of generated context pairs (see test_diff.py).
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the diff tests (tests/diff) are not registered")
  return()
endif()

ctxpack_generated_contexts(count 60)
# Peak RSS is judged in the plain build only: under ASan, shadow memory and
# the quarantine grow with every allocation, whatever the program keeps.
set(memory_check)
if(CTXPACK_SANITIZE)
  set(memory_check --no-memory)
endif()
add_test(NAME diff_listings
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_diff.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count ${count} ${memory_check})
set_tests_properties(diff_listings PROPERTIES TIMEOUT 300 LABELS conformance)
