# LockstepInstall.cmake: what `cmake --install build --prefix P` puts in P, and the files
# that let other projects use it: P/bin/lockstep, P/lib/liblockstep.so (the CLI finds the
# shim as ../lib/liblockstep.so next to itself, so both directories are fixed names, not
# GNUInstallDirs' lib/<multiarch>), P/include/lockstep.h, the CMake package
# (P/lib/cmake/lockstep/: find_package(lockstep), lockstep_add_test) and the pkg-config
# file P/lib/pkgconfig/lockstep.pc. Included by the top-level CMakeLists.txt.
include(CMakePackageConfigHelpers)

set(LST_INSTALL_BINDIR bin)
set(LST_INSTALL_LIBDIR lib)
set(LST_INSTALL_INCLUDEDIR include)
set(LST_INSTALL_CMAKEDIR ${LST_INSTALL_LIBDIR}/cmake/lockstep)

install(TARGETS lockstep_cli RUNTIME DESTINATION ${LST_INSTALL_BINDIR})
install(TARGETS lockstep LIBRARY DESTINATION ${LST_INSTALL_LIBDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/lockstep.h DESTINATION ${LST_INSTALL_INCLUDEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/lockstepConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/lockstepConfig.cmake
  INSTALL_DESTINATION ${LST_INSTALL_CMAKEDIR}
  PATH_VARS LST_INSTALL_BINDIR LST_INSTALL_LIBDIR LST_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/lockstepConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/lockstepConfig.cmake
              ${CMAKE_BINARY_DIR}/cmake/lockstepConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/lockstepAddTest.cmake
        DESTINATION ${LST_INSTALL_CMAKEDIR})

configure_file(${CMAKE_SOURCE_DIR}/lockstep.pc.in ${CMAKE_BINARY_DIR}/lockstep.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/lockstep.pc DESTINATION ${LST_INSTALL_LIBDIR}/pkgconfig)
