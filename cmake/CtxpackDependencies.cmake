# Every dependency is a Debian package found on the system; nothing is
# downloaded or vendored. The README's setup command installs them.
find_package(LibArchive 3.6 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
find_package(CLI11 2.1 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
# libdeflate compresses the gzip members of `pack --compress gzip`, one
# worker thread per core; Debian ships no CMake config for it.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate>=1.0)
find_package(Threads REQUIRED)
