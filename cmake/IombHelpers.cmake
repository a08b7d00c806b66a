# iomb_add_test(NAME name SOURCES ... LIBS ... LABEL unit|integration [TIMEOUT s])
# One GoogleTest executable registered with ctest under a label.
function(iomb_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()

# iomb_add_library(NAME name [TARGET target] SOURCES ... [LIBS ...])
# One static library of the project: target `iomb_<name>` (or TARGET), alias `iomb::<name>`,
# includes from the source root, LIBS linked PUBLIC.
function(iomb_add_library)
  cmake_parse_arguments(L "" "NAME;TARGET" "SOURCES;LIBS" ${ARGN})
  if(NOT L_TARGET)
    set(L_TARGET iomb_${L_NAME})
  endif()
  add_library(${L_TARGET} STATIC ${L_SOURCES})
  add_library(iomb::${L_NAME} ALIAS ${L_TARGET})
  target_include_directories(${L_TARGET} PUBLIC ${PROJECT_SOURCE_DIR})
  if(L_LIBS)
    target_link_libraries(${L_TARGET} PUBLIC ${L_LIBS})
  endif()
endfunction()
