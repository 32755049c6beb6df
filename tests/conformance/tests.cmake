# Differential test of the ignore-file reader and the matcher against
# Docker's own code: the checker builds the Go oracle (GOPATH mode, Debian's
# golang-go, golang-github-moby-patternmatcher-dev and
# golang-github-docker-docker-dev) and compares thousands of generated
# cases. A missing Go toolchain is a failure, not a skip: CI installs it.
add_executable(matcher_conformance
  ${CMAKE_CURRENT_LIST_DIR}/matcher_conformance.cpp
  ${CMAKE_CURRENT_LIST_DIR}/case_generator.cpp)
target_link_libraries(matcher_conformance PRIVATE ctxpack_lib)
add_test(NAME conformance_matcher
         COMMAND matcher_conformance
                 --oracle-src ${CMAKE_CURRENT_LIST_DIR}/oracle
                 --work ${CMAKE_CURRENT_BINARY_DIR}/matcher_oracle)
set_tests_properties(conformance_matcher PROPERTIES TIMEOUT 300 LABELS conformance)
