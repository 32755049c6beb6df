# The library as a CMake package: a consumer project built against the
# installed tree (see test_consumer.py).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME package_consumer
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_consumer.py
                 --build-dir ${PROJECT_BINARY_DIR} --context ${PROJECT_SOURCE_DIR}/testdata/example)
set_tests_properties(package_consumer PROPERTIES TIMEOUT 300 LABELS install)
