# The CI integrations: the pre-commit hook, run by Debian's pre-commit on
# a throwaway repository, and the composite action's steps, run as the
# runner runs them. Debian's own python3 runs them, whose python3-yaml
# reads action.yml (another python3 first on PATH may lack it).
foreach(name precommit action)
  add_test(NAME integration_${name}
           COMMAND ${CTXPACK_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.py
                   --ctxpack $<TARGET_FILE:ctxpack> --source-dir ${PROJECT_SOURCE_DIR})
  set_tests_properties(integration_${name} PROPERTIES TIMEOUT 120 LABELS e2e)
endforeach()
# The action's other install path, building ctxpack from the checkout: a
# release build of the program, hence slow.
add_test(NAME integration_action_build
         COMMAND ${CTXPACK_SYSTEM_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_action.py --build-from-source
                 --ctxpack $<TARGET_FILE:ctxpack> --source-dir ${PROJECT_SOURCE_DIR})
set_tests_properties(integration_action_build PROPERTIES TIMEOUT 1200 LABELS "slow;install")
