# `ctxpack fix --write` and `fix --allowlist --write` on generated contexts,
# built before and after on a private network-less dockerd with both
# builders (see test_fix_daemon.py).
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(WARNING "python3 not found: the fix daemon suite (tests/fix) is not registered")
  return()
endif()

add_test(NAME fix_daemon
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_fix_daemon.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count 8)
# 77: docker.io is not installed (.ci/run installs it).
set_tests_properties(fix_daemon PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 LABELS "daemon;slow")
