# Conformance with what the real docker client uploads for a classic build
# (stub daemon, no network); see tests/e2e/README.md.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  message(STATUS "python3 not found: the docker-client conformance tests (tests/e2e) are not registered")
  return()
endif()

set(CTXPACK_E2E_DIR ${CMAKE_CURRENT_LIST_DIR})
add_test(NAME e2e_harness COMMAND ${Python3_EXECUTABLE} ${CTXPACK_E2E_DIR}/test_harness.py)
ctxpack_generated_contexts(count 200)
foreach(suite legacy_ls legacy_tar)
  add_test(NAME e2e_${suite}
           COMMAND ${Python3_EXECUTABLE} ${CTXPACK_E2E_DIR}/test_${suite}.py
                   --ctxpack $<TARGET_FILE:ctxpack> --count ${count})
endforeach()
# 77: the docker client is not installed (.ci/run installs it).
set_tests_properties(e2e_harness e2e_legacy_ls e2e_legacy_tar PROPERTIES
  SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS e2e)

# -f -: the Dockerfile on stdin (test_stdin_dockerfile.py).
ctxpack_generated_contexts(stdin_count 100)
add_test(NAME e2e_stdin_dockerfile
         COMMAND ${Python3_EXECUTABLE} ${CTXPACK_E2E_DIR}/test_stdin_dockerfile.py
                 --ctxpack $<TARGET_FILE:ctxpack> --count ${stdin_count})
set_tests_properties(e2e_stdin_dockerfile PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS e2e)
