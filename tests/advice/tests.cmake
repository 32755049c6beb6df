# Every change `ctxpack report` proposes, applied and checked from the
# outside on generated working copies (see test_advice.py).
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the advice suite (tests/advice) is not registered")
  return()
endif()

ctxpack_generated_contexts(count 40)
add_test(NAME advice_applied
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_advice.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count ${count})
set_tests_properties(advice_applied PROPERTIES TIMEOUT 600 LABELS advice)
