# Third-party libraries, all from Debian packages (toolchain/install-deps.sh).
# Each is linked only by the one target that is its home (see README).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(INIH REQUIRED IMPORTED_TARGET inih)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET libcrypto libssl)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
# libmicrohttpd's TLS library (libgnutls28-dev comes with
# libmicrohttpd-dev): the simulator checks client certificates with it
pkg_check_modules(GNUTLS REQUIRED IMPORTED_TARGET gnutls)
# the store hub's client (app/hub): PostgreSQL's own libpq. Like
# libzbar-dev below, Debian's libpq-dev cannot be installed for two
# architectures at once (it is not Multi-Arch: same), so a cross build
# links the target's runtime libpq5 with the native headers (the same for
# every 64-bit architecture).
if(CMAKE_CROSSCOMPILING)
  pkg_check_modules(PQ IMPORTED_TARGET libpq)
else()
  pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
endif()
if(NOT PQ_FOUND)
  find_library(QUAN_PQ_LIB NAMES pq libpq.so.5 REQUIRED)
  find_path(QUAN_PQ_INC libpq-fe.h PATH_SUFFIXES postgresql REQUIRED)
  add_library(PkgConfig::PQ INTERFACE IMPORTED)
  set_target_properties(PkgConfig::PQ PROPERTIES
    INTERFACE_LINK_LIBRARIES ${QUAN_PQ_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${QUAN_PQ_INC})
endif()
if(CMAKE_CROSSCOMPILING)
  pkg_check_modules(ZBAR IMPORTED_TARGET zbar)
else()
  pkg_check_modules(ZBAR REQUIRED IMPORTED_TARGET zbar)
endif()
# Debian's libzbar-dev cannot be installed for two architectures at once
# (it depends on the arch-all libmagick++-dev), so a cross build links the
# target's runtime libzbar0 with the native package's headers, which are
# the same for every architecture.
if(NOT ZBAR_FOUND)
  find_library(QUAN_ZBAR_LIB NAMES zbar libzbar.so.0 REQUIRED)
  find_path(QUAN_ZBAR_INC zbar.h REQUIRED)
  add_library(PkgConfig::ZBAR INTERFACE IMPORTED)
  set_target_properties(PkgConfig::ZBAR PROPERTIES
    INTERFACE_LINK_LIBRARIES ${QUAN_ZBAR_LIB}
    INTERFACE_INCLUDE_DIRECTORIES ${QUAN_ZBAR_INC})
endif()
pkg_check_modules(NCURSESW REQUIRED IMPORTED_TARGET ncursesw)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
if(QUAN_TESTS)
  pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
endif()
