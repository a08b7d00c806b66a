# Finds liburing; defines LibUring_FOUND, LibUring_VERSION and the target URING::uring.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_URING QUIET liburing)
endif()
find_path(LibUring_INCLUDE_DIR liburing.h HINTS ${PC_URING_INCLUDE_DIRS})
find_library(LibUring_LIBRARY uring HINTS ${PC_URING_LIBRARY_DIRS})
set(LibUring_VERSION "${PC_URING_VERSION}")
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibUring REQUIRED_VARS LibUring_LIBRARY LibUring_INCLUDE_DIR
  VERSION_VAR LibUring_VERSION)
if(LibUring_FOUND AND NOT TARGET URING::uring)
  add_library(URING::uring UNKNOWN IMPORTED)
  set_target_properties(URING::uring PROPERTIES
    IMPORTED_LOCATION "${LibUring_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LibUring_INCLUDE_DIR}")
endif()
mark_as_advanced(LibUring_INCLUDE_DIR LibUring_LIBRARY)
