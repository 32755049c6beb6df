# What `cmake --install` puts in place and where users meet ctxpack: the
# man page, the completions, the docker CLI plugin. install_tree installs
# into build/test-install (ctest fixture ctxpack_installed), which the
# plugin test then drives with the real docker client.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

add_test(NAME install_tree
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/install_tree.py
                 --build-dir ${PROJECT_BINARY_DIR} --keep ${PROJECT_BINARY_DIR}/test-install)
set_tests_properties(install_tree PROPERTIES FIXTURES_SETUP ctxpack_installed TIMEOUT 120 LABELS install)

add_test(NAME cli_surface
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_cli_surface.py
                 --ctxpack $<TARGET_FILE:ctxpack> --source-dir ${PROJECT_SOURCE_DIR})
set_tests_properties(cli_surface PROPERTIES TIMEOUT 120 LABELS install)

add_test(NAME docker_plugin
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_docker_plugin.py
                 --installed ${PROJECT_BINARY_DIR}/test-install --context ${PROJECT_SOURCE_DIR}/testdata/example)
# 77: the docker 28 client is not installed (.ci/run requires it).
set_tests_properties(docker_plugin PROPERTIES FIXTURES_REQUIRED ctxpack_installed SKIP_RETURN_CODE 77
                     TIMEOUT 120 LABELS install)

add_test(NAME deb_package
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_deb.py --build-dir ${PROJECT_BINARY_DIR})
set_tests_properties(deb_package PROPERTIES TIMEOUT 300 LABELS install)
